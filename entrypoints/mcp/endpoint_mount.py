"""The ASGI mount under /mcp: checks a request, then hands it to the SDK.

Paths (relative to the mount): `/{endpointId}` Streamable HTTP (POST only: the endpoint is
stateless, so there is no GET stream and no session to DELETE), `/{endpointId}/sse` and
`/{endpointId}/messages` legacy HTTP+SSE. Every request passes, in order: the Origin check
(403), endpoint lookup (404 for unknown or inactive), the bearer token (401), and for POSTs
carrying `tools/call` the server's per-minute limit (429).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from application.ports.ratelimit import RateLimiter
from application.usecases.endpoint_catalog import EndpointCatalog, EndpointSnapshot
from domain.servers import token_digest, tokens_match
from entrypoints.mcp.endpoint_context import bind_endpoint
from entrypoints.mcp.endpoint_lookup import CoalescedLookup
from entrypoints.mcp.handshake_exchange import HandshakeExchange
from entrypoints.mcp.http_replies import refuse
from entrypoints.mcp.modern_exchange import ModernExchange
from entrypoints.mcp.origin_policy import OriginPolicy
from entrypoints.mcp.request_body import (
    BodyTooLarge,
    counts_tool_calls,
    json_document,
    read_body,
    replaying,
)
from entrypoints.mcp.sse_transport import MESSAGES_SEGMENT, SSE_SEGMENT, LegacySseEndpoint
from entrypoints.store_outage import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    is_store_unavailable,
)

__all__ = ["GateMetrics", "McpEndpointMount"]

_VERSION_HEADER = MCP_PROTOCOL_VERSION_HEADER.lower().encode("ascii")
_WWW_AUTHENTICATE = [(b"www-authenticate", b'Bearer realm="specmcp"')]


class GateMetrics(Protocol):
    """Where the mount counts its refusals (PrometheusMetrics)."""

    def refusal(self, gate: str, reason: str) -> None: ...


def _header(scope: Any, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: Any) -> str | None:
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def _split(path: str) -> tuple[str, str]:
    endpoint_id, _, rest = path.strip("/").partition("/")
    return endpoint_id, rest.strip("/")


def _session_owner(snapshot: EndpointSnapshot, token: str) -> AuthenticatedUser:
    # The SDK binds legacy SSE sessions to this principal: same server, same token.
    return AuthenticatedUser(
        AccessToken(
            token=token, client_id=snapshot.server.id, scopes=[], subject=token_digest(token)
        )
    )


class McpEndpointMount:
    """Authenticates and limits requests for hosted endpoints, then serves them with the SDK."""

    def __init__(
        self,
        *,
        catalog: EndpointCatalog,
        rate_limiter: RateLimiter,
        origins: OriginPolicy,
        manager: StreamableHTTPSessionManager,
        legacy: LegacySseEndpoint,
        mount_path: str = "/mcp",
        max_body_bytes: int,
        metrics: GateMetrics | None = None,
    ) -> None:
        # Concurrent requests share lookups that start after they arrive (never staler).
        self._resolve = CoalescedLookup(catalog.resolve)
        self._limiter = rate_limiter
        self._origins = origins
        self.manager = manager
        self._legacy = legacy
        self._mount_path = mount_path.rstrip("/")
        self._max_body = max_body_bytes
        self._metrics = metrics
        self._handshake: HandshakeExchange | None = None
        self._modern: ModernExchange | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the SDK's session manager (its task group and the server's lifespan)."""
        async with self.manager.run():
            # The lifespan state the manager entered for the server (read after it started).
            state = self.manager._lifespan_state
            self._handshake = HandshakeExchange(self.manager.app, state)
            self._modern = ModernExchange(self.manager.app, state)
            try:
                yield
            finally:
                self._handshake = self._modern = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if not self._origins.allows(_header(scope, b"origin")):
            self._refused("origin")
            await refuse(send, 403, "Origin not allowed.")
            return
        endpoint_id, rest = _split(scope["path"])
        try:
            snapshot = await self._resolve(endpoint_id) if endpoint_id else None
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            self._refused("unavailable")
            retry = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())]
            await refuse(send, 503, UNAVAILABLE_MESSAGE, retry)
            return
        if (
            snapshot is None
            or not snapshot.server.is_active
            or rest not in ("", SSE_SEGMENT, MESSAGES_SEGMENT)
        ):
            self._refused("not_found")
            await refuse(send, 404, "No such MCP endpoint.")
            return
        token = _bearer(scope)
        if token is None or not tokens_match(token, snapshot.server.token_digest):
            self._refused("auth")
            await refuse(send, 401, "Missing or invalid access token.", _WWW_AUTHENTICATE)
            return
        scope["user"] = _session_owner(snapshot, token)
        bind_endpoint(scope, snapshot)
        method = scope["method"]
        if rest == SSE_SEGMENT:
            await self._serve_sse(method, scope, receive, send, endpoint_id)
            return
        if method != "POST":
            # Stateless: a GET would park an empty stream, a DELETE has no session to end.
            await refuse(send, 405, "Method not allowed.", [(b"allow", b"POST")])
            return
        try:
            body = await read_body(receive, self._max_body)
        except BodyTooLarge:
            self._refused("too_large")
            await refuse(send, 413, "Request body too large.")
            return
        document = json_document(body)
        if not await self._within_limit(snapshot, counts_tool_calls(document), send):
            return
        replay = replaying(body, receive)
        if rest == MESSAGES_SEGMENT:
            await self._legacy.post_message(scope, replay, send)
        elif not await self._single_exchange(scope, body, document, replay, send):
            await self.manager.handle_request(scope, replay, send)

    async def _single_exchange(
        self, scope: Any, body: bytes, document: Any, receive: Any, send: Any
    ) -> bool:
        # Plain requests of either era, answered without the SDK entry's per-request machinery
        # (see handshake_exchange.py, modern_exchange.py); False: the SDK answers. Era routing
        # as the SDK's manager does it: by the header, absent or a handshake revision -> 2025.
        version = _header(scope, _VERSION_HEADER)
        if version is None or self._handshake is None or self._modern is None:
            return False
        if version in HANDSHAKE_PROTOCOL_VERSIONS:
            return await self._handshake.serve(scope, version, body, receive, send)
        return await self._modern.serve(scope, document, receive, send)

    def _refused(self, reason: str) -> None:
        if self._metrics is not None:
            self._metrics.refusal("mcp", reason)

    async def _serve_sse(
        self, method: str, scope: Any, receive: Any, send: Any, endpoint_id: str
    ) -> None:
        if method != "GET":
            await refuse(send, 405, "Method not allowed.", [(b"allow", b"GET")])
            return
        await self._legacy.open_stream(scope, receive, send, f"{self._mount_path}/{endpoint_id}")

    async def _within_limit(self, snapshot: EndpointSnapshot, calls: int, send: Any) -> bool:
        server = snapshot.server
        for _ in range(calls):
            decision = await self._limiter.hit(f"mcp:{server.id}", server.rate_limit_per_minute, 60)
            if not decision.allowed:
                self._refused("rate_limit")
                await refuse(
                    send,
                    429,
                    "Too many tool calls for this server; retry later.",
                    [
                        (b"retry-after", str(decision.reset_seconds).encode()),
                        (b"ratelimit-limit", str(decision.limit).encode()),
                        (b"ratelimit-remaining", b"0"),
                        (b"ratelimit-reset", str(decision.reset_seconds).encode()),
                    ],
                )
                return False
        return True
