"""Plain POSTs of both eras answered by the mount's single-exchange paths say exactly what the
SDK's own stateless entry says for the same request (status, headers, JSON-RPC reply), and
what those paths do not take reaches the SDK's entry."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import pytest

from entrypoints.mcp.endpoint_context import bind_endpoint
from entrypoints.mcp.endpoint_mount import McpEndpointMount
from entrypoints.mcp.hosted_endpoint import build_mount
from entrypoints.mcp.local_endpoint import (
    LocalEndpoint,
    LocalServerOptions,
    local_container,
    provision_local_endpoint,
)
from tests.mcp.upstream_spec import upstream_spec
from tests.support.upstream_server import ReceivedRequest, Reply, UpstreamServer

HANDSHAKE = "2025-11-25"
MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1.0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def _answer(request: ReceivedRequest) -> Reply:
    body = json.dumps({"path": request.path, "ok": True}).encode()
    return Reply(status=200, headers={"content-type": "application/json"}, body=body)


class _Served:
    def __init__(self, mount: McpEndpointMount, endpoint: LocalEndpoint) -> None:
        self.mount = mount
        self.endpoint = endpoint
        self.sdk_requests = 0  # requests the mount handed to the SDK's session manager
        sdk_path = mount.manager.handle_request

        async def counted(scope: Any, receive: Any, send: Any) -> None:
            self.sdk_requests += 1
            await sdk_path(scope, receive, send)

        mount.manager.handle_request = counted  # type: ignore[method-assign]

    async def post(
        self,
        payload: Any,
        *,
        era: str = HANDSHAKE,
        via_sdk: bool = False,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        """POST `payload` (in `era`'s shape) through the mount, or straight to the SDK's
        session manager."""
        sent_headers = {
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            "mcp-protocol-version": era,
            "authorization": f"Bearer {self.endpoint.token}",
        }
        if era == MODERN and isinstance(payload, dict):
            payload = _modern(payload)
            sent_headers["mcp-method"] = payload.get("method", "")
            name = payload.get("params", {}).get("name")
            if payload.get("method") == "tools/call" and isinstance(name, str):
                sent_headers["mcp-name"] = name
        sent_headers.update(headers or {})
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": f"/{self.endpoint.endpoint_id}",
            "raw_path": f"/{self.endpoint.endpoint_id}".encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.encode(), v.encode()) for k, v in sent_headers.items()],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 80),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        if via_sdk:
            bind_endpoint(scope, self.endpoint.snapshot)
            await self.mount.manager.handle_request(scope, receive, send)
        else:
            await self.mount(scope, receive, send)
        start = sent[0]
        reply_headers = {k.decode(): v.decode() for k, v in start["headers"]}
        raw = b"".join(m.get("body", b"") for m in sent[1:])
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw  # the SDK's plain-text refusals
        return start["status"], reply_headers, decoded


@asynccontextmanager
async def _serving() -> AsyncIterator[_Served]:
    # Not a fixture: the session manager's task group must end in the task that started it.
    async with UpstreamServer(_answer) as upstream:
        container = local_container(("127.0.0.0/8",), "http://localhost")
        options = LocalServerOptions(
            raw_spec=msgspec.json.encode(upstream_spec(upstream.url)).decode(),
            base_url=upstream.url,
        )
        endpoint = await provision_local_endpoint(container, options)
        mount = build_mount(container, "/mcp")
        async with mount.running():
            yield _Served(mount, endpoint)


def _modern(payload: dict[str, Any]) -> dict[str, Any]:
    # 2026-07-28 requests carry the envelope in params._meta.
    if "id" not in payload:
        return payload
    params = dict(payload.get("params") or {})
    params["_meta"] = META
    return {**payload, "params": params}


def _without_request_ids(value: Any) -> Any:
    # Error data names the request's log id, new for every request.
    if isinstance(value, dict):
        return {k: _without_request_ids(v) for k, v in value.items() if k != "requestId"}
    if isinstance(value, list):
        return [_without_request_ids(v) for v in value]
    return value


REQUESTS = [
    {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    {
        "jsonrpc": "2.0",
        "id": "call-7",
        "method": "tools/call",
        "params": {"name": "getItem", "arguments": {"itemId": "a b"}},
    },
    {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "getItem", "arguments": {}},
    },
    {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "tools/call",
        "params": {"name": "noSuchTool", "arguments": {}},
    },
    {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"arguments": {}}},
    {"jsonrpc": "2.0", "id": 6, "method": "ping"},
    {"jsonrpc": "2.0", "id": 7, "method": "resources/list"},
    {"jsonrpc": "2.0", "id": 8, "method": "no/such/method"},
]


@pytest.mark.parametrize("era", [HANDSHAKE, MODERN])
@pytest.mark.parametrize("payload", REQUESTS, ids=lambda p: f"{p['method']}-{p['id']}")
async def test_same_reply_as_the_sdks_stateless_path(payload: Any, era: str) -> None:
    async with _serving() as served:
        ours = await served.post(payload, era=era)
        assert served.sdk_requests == 0  # answered by the single-exchange path
        sdk = await served.post(payload, era=era, via_sdk=True)
    assert ours[0] == sdk[0]
    assert ours[0] == 200 or (era == MODERN and ours[0] in (400, 404))
    assert ours[1] == sdk[1]
    assert ours[2]["id"] == payload["id"]
    assert _without_request_ids(ours[2]) == _without_request_ids(sdk[2])


@pytest.mark.parametrize("era", [HANDSHAKE, MODERN])
async def test_a_tool_call_reaches_the_upstream(era: str) -> None:
    async with _serving() as served:
        status, _, reply = await served.post(REQUESTS[1], era=era)
    assert status == 200
    assert reply["result"]["isError"] is False
    assert reply["result"]["structuredContent"] == {"path": "/items/a%20b", "ok": True}
    # 2026-07-28 results say what they are; handshake-era ones must not
    assert reply["result"].get("resultType") == ("complete" if era == MODERN else None)


NOT_TAKEN = [
    (b"{not json", {}),
    ([REQUESTS[0], REQUESTS[5]], {}),
    ({"jsonrpc": "2.0", "method": "notifications/initialized"}, {}),
    (REQUESTS[0], {"accept": "text/event-stream"}),
    (REQUESTS[0], {"content-type": "text/plain"}),
]
NOT_TAKEN_IDS = ["malformed", "batch", "notification", "no-json-accept", "wrong-media-type"]
MODERN_NOT_TAKEN = [
    (REQUESTS[1], {"mcp-name": "createItem"}),  # header and body disagree
    (REQUESTS[1], {"mcp-method": "tools/list"}),
    (b'{"jsonrpc":"2.0","id":9,"method":"tools/list"}', {"mcp-method": "tools/list"}),
    (REQUESTS[0], {"mcp-protocol-version": "2099-01-01"}),  # not a served revision
]
MODERN_NOT_TAKEN_IDS = [
    "name-mismatch",
    "method-mismatch",
    "no-envelope",
    "unserved-revision",
]


@pytest.mark.parametrize(("payload", "headers"), NOT_TAKEN, ids=NOT_TAKEN_IDS)
@pytest.mark.parametrize("era", [HANDSHAKE, MODERN])
async def test_what_it_does_not_take_gets_the_sdks_own_answer(
    payload: Any, headers: dict[str, str], era: str
) -> None:
    async with _serving() as served:
        ours = await served.post(payload, era=era, headers=headers)
        assert served.sdk_requests == 1  # left to the SDK
        sdk = await served.post(payload, era=era, via_sdk=True, headers=headers)
    assert ours == sdk


@pytest.mark.parametrize(("payload", "headers"), MODERN_NOT_TAKEN, ids=MODERN_NOT_TAKEN_IDS)
async def test_a_refused_2026_rung_gets_the_sdks_own_answer(
    payload: Any, headers: dict[str, str]
) -> None:
    async with _serving() as served:
        ours = await served.post(payload, era=MODERN, headers=headers)
        assert served.sdk_requests == 1
        sdk = await served.post(payload, era=MODERN, via_sdk=True, headers=headers)
    assert ours == sdk
