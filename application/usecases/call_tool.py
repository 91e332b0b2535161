"""CallTool: one tool call, from arguments to the upstream's answer (API.md §4 test, §10)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import msgspec

from application.ports.argument_validation import ArgumentValidator
from application.ports.clock import Clock
from application.ports.outbound import ClientCredentialsGrant, OAuthTokenSource, OutboundHttp
from application.ports.vault import SealedSecret, SecretVault
from application.usecases.endpoint_catalog import EndpointSnapshot, ToolEntry
from domain.credentials import Credential
from domain.errors import FieldProblem, InvalidRequest, NotFound
from domain.execution import (
    apply_credential,
    binary_body_fields,
    build_request,
    redacted_url,
    tool_result,
)
from domain.execution.redaction import is_sensitive_header, masked_headers
from domain.execution.upstream_request import UpstreamRequest
from domain.logs.body_capture import captured_body, secret_forms

__all__ = ["CallTool", "ToolCallOutcome", "UnknownTool"]

DEFAULT_BODY_LIMIT = 1024 * 1024


class UnknownTool(NotFound):
    """No active tool of that name on this server (MCP: JSON-RPC -32602)."""

    def __init__(self, name: str) -> None:
        super().__init__("Tool")
        self.message = f"Unknown tool: {name[:100]}"


class ToolCallOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The upstream's answer, shaped for a model (text, structured) and for people (timing).

    The `logged_*` fields are what a request log may keep: masked headers, and bodies cut to
    16 KiB with the credential (in every form it was sent) masked.
    """

    tool_name: str
    is_error: bool
    status: int
    text: str
    structured: dict[str, Any] | None
    body: Any
    truncated: bool
    duration_ms: float
    upstream_ms: float
    request_method: str
    request_url: str
    logged_request_headers: tuple[tuple[str, str], ...] = ()
    logged_request_body: str | None = None
    logged_response_body: str | None = None


class CallTool:
    """Validates, routes, authenticates and sends one call; shapes the answer."""

    def __init__(
        self,
        validator: ArgumentValidator,
        vault: SecretVault,
        outbound: OutboundHttp,
        oauth: OAuthTokenSource,
        clock: Clock,
        body_limit: int = DEFAULT_BODY_LIMIT,
    ) -> None:
        self._validator = validator
        self._vault = vault
        self._outbound = outbound
        self._oauth = oauth
        self._clock = clock
        self._body_limit = body_limit

    def find(self, snapshot: EndpointSnapshot, name: str, *, include_inactive: bool) -> ToolEntry:
        """The tool named `name`; inactive ones only when asked (the test route)."""
        entry = snapshot.tools.get(name)
        if entry is None or not (entry.tool.is_active or include_inactive):
            raise UnknownTool(name)
        return entry

    def check_arguments(self, entry: ToolEntry, arguments: Any) -> dict[str, Any]:
        """The arguments when they satisfy the tool's input schema.

        Raises:
            InvalidRequest: reason `invalid_arguments`, one problem per violation.
        """
        args = {} if arguments is None else arguments
        problems = self._validator.validate(entry.validator_key, entry.tool.input_schema, args)
        if problems or not isinstance(args, dict):
            raise InvalidRequest(
                "The arguments do not match the tool's input schema.",
                problems or [FieldProblem((), "arguments must be an object")],
                reason="invalid_arguments",
            )
        return args

    def credential(self, snapshot: EndpointSnapshot) -> Credential | None:
        """The credential the call will use; refuses when one is needed and none is usable."""
        mode = snapshot.server.auth_mode
        if mode == "none":
            return None
        found = snapshot.credential_for(mode, self._clock.now())
        if found is None:
            raise InvalidRequest(
                f"No usable {mode} credential is stored for this server.",
                [FieldProblem(("credentials",), f"store a {mode} credential for this server")],
                reason="missing_credential",
            )
        return found

    async def send(
        self,
        snapshot: EndpointSnapshot,
        entry: ToolEntry,
        arguments: dict[str, Any],
        credential: Credential | None,
    ) -> ToolCallOutcome:
        """Build the request, add the credential, send it, shape the answer.

        Raises:
            InvalidRequest: arguments that cannot be serialised (reason `invalid_arguments`).
            UpstreamUnavailable: no usable answer from the upstream (or its token endpoint).
        """
        started = time.perf_counter()
        server = snapshot.server
        request = build_request(
            entry.routing,
            arguments,
            server.base_url,
            binary_fields=binary_body_fields(entry.tool.input_schema),
            boundary="specmcp-" + secrets.token_hex(16),
        )
        secret_headers: tuple[str, ...] = ()
        secret_query: tuple[str, ...] = ()
        secrets_sent: list[str] = []
        if credential is not None:
            secret = await self._secret(snapshot, credential)
            secrets_sent.append(secret)
            request = apply_credential(request, server.auth_mode, server.auth_config, secret)
            if server.auth_mode == "api_key":
                place = server.auth_config.get("in", "header")
                name = str(server.auth_config.get("name", "X-API-Key"))
                secret_headers = (name,) if place == "header" else ()
                secret_query = (name,) if place == "query" else ()
        request = _with_accept(request)
        secrets_sent += [
            value
            for name, value in request.headers
            if name in secret_headers or is_sensitive_header(name)
        ]
        hidden = secret_forms(secrets_sent)
        response = await self._outbound.send(
            request,
            secret_headers=secret_headers,
            secret_query_params=secret_query,
            body_limit=self._body_limit,
        )
        shaped = tool_result(
            response.status,
            response.header("content-type"),
            response.content,
            response.truncated,
            entry.tool.output_schema is not None,
            entry.routing.output_wrapped,
        )
        return ToolCallOutcome(
            tool_name=entry.tool.name,
            is_error=shaped.is_error,
            status=response.status,
            text=shaped.text,
            structured=shaped.structured,
            body=_body(response.content),
            truncated=response.truncated,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            upstream_ms=round(response.elapsed_ms, 3),
            request_method=request.method,
            request_url=redacted_url(request, secret_query),
            logged_request_headers=masked_headers(
                (n, "***" if n in secret_headers else v) for n, v in request.headers
            ),
            logged_request_body=captured_body(request.body, hidden),
            logged_response_body=captured_body(response.content, hidden),
        )

    async def _secret(self, snapshot: EndpointSnapshot, credential: Credential) -> str:
        sealed = SealedSecret(credential.key_id, credential.nonce, credential.ciphertext)
        plain = self._vault.open(
            sealed, owner_id=credential.owner_id, record_id=credential.id
        ).decode()
        if credential.auth_type != "oauth2_client_creds":
            return plain
        token_url = credential.token_endpoint or snapshot.server.auth_config.get("tokenUrl")
        scopes = credential.scopes or tuple(snapshot.server.auth_config.get("scopes") or ())
        return await self._oauth.access_token(
            ClientCredentialsGrant(
                credential_id=credential.id,
                token_url=str(token_url),
                client_id=credential.client_id or "",
                client_secret=plain,
                scopes=tuple(scopes),
            )
        )


def _with_accept(request: UpstreamRequest) -> UpstreamRequest:
    if any(name.lower() == "accept" for name, _ in request.headers):
        return request
    return msgspec.structs.replace(
        request, headers=(*request.headers, ("Accept", "application/json, */*;q=0.8"))
    )


def _body(content: bytes) -> Any:
    """The answer as JSON when it parses, else as text (the test route shows it as is)."""
    try:
        return msgspec.json.decode(content)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # An upstream's invalid UTF-8 or too-deep nesting is shown as text, never a crash.
        return content.decode("utf-8", errors="replace")
