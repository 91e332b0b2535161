"""MCP requests served before Litestar's routing answer exactly as through Litestar's mount.

The same requests are sent with the front door on and off (the served app's `mcp_front`), and
the answers compared: status, header names, body (request ids aside); an exception escaping
the endpoint is the app's own internal error either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.mcp_front_door import ServiceApp
from tests.mcp.conftest import Api, served_settings
from tests.mcp.served_app import serve_in_thread
from tests.support.rsa_keys import RsaTestKey
from tests.support.upstream_server import UpstreamServer

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
MODERN = HEADERS | {
    "MCP-Protocol-Version": "2026-07-28",
    "Mcp-Method": "tools/call",
    "Mcp-Name": "getItem",
}
HANDSHAKE = HEADERS | {"MCP-Protocol-Version": "2025-06-18"}
_IDS = re.compile(r'"requestId": ?"[^"]+"')


@pytest.fixture(scope="module")
def served(rsa_key: RsaTestKey) -> Iterator[tuple[Api, ServiceApp]]:
    container = build_container(served_settings(rsa_key))
    app = create_app(container)
    with serve_in_thread(app) as running:
        yield Api(running, rsa_key, container), app


def _call(name: str, arguments: dict[str, Any], meta: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, "arguments": arguments}
    if meta:
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1.0"},
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    return {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": params}


FRONT_DOOR_USES: list[str] = []


def _answer(app: ServiceApp, front: bool, request: Any) -> tuple[int, list[str], str]:
    saved = app.mcp_front
    assert saved is not None

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        FRONT_DOOR_USES.append(scope["path"])
        await saved(scope, receive, send)

    app.mcp_front = counted if front else None
    try:
        answer = request()
    finally:
        app.mcp_front = saved
    names = sorted(k for k in answer.headers if k not in ("date", "x-request-id"))
    return answer.status_code, names, _IDS.sub('"requestId":"-"', answer.text)


def test_the_front_door_answers_as_the_litestar_mount(
    served: tuple[Api, ServiceApp], upstream: UpstreamServer
) -> None:
    api, app = served
    server = api.create_server(upstream.url, "user_front")
    url = api.mcp_url(server)
    auth = {"Authorization": f"Bearer {server['token']}"}
    requests = {
        "2026 call": lambda: httpx.post(
            url, json=_call("getItem", {"itemId": "7"}, True), headers=MODERN | auth
        ),
        "handshake call": lambda: httpx.post(
            url, json=_call("getItem", {"itemId": "7"}, False), headers=HANDSHAKE | auth
        ),
        "unknown tool": lambda: httpx.post(
            url, json=_call("nope", {}, False), headers=HANDSHAKE | auth
        ),
        "bad arguments": lambda: httpx.post(
            url, json=_call("getItem", {}, True), headers=MODERN | auth
        ),
        "wrong token": lambda: httpx.post(
            url, json=_call("getItem", {"itemId": "7"}, False), headers=HANDSHAKE
        ),
        "unknown endpoint": lambda: httpx.post(
            f"{api.base}/mcp/no-such-endpoint", json=_call("x", {}, False), headers=HANDSHAKE
        ),
        "a GET": lambda: httpx.get(url, headers=HANDSHAKE | auth),
        "not JSON": lambda: httpx.post(url, content=b"{", headers=HANDSHAKE | auth),
        "trailing slash": lambda: httpx.post(
            url + "/", json=_call("getItem", {"itemId": "7"}, False), headers=HANDSHAKE | auth
        ),
    }
    for label, request in requests.items():
        through_litestar = _answer(app, False, request)
        used = len(FRONT_DOOR_USES)
        direct = _answer(app, True, request)
        assert direct == through_litestar, label
        # Litestar normalises a trailing slash first: that request still takes its mount.
        assert len(FRONT_DOOR_USES) == used + (label != "trailing slash"), label
    status, _, body = _answer(app, True, requests["2026 call"])
    assert status == 200 and '"isError":false' in body.replace(" ", "")


def test_an_exception_escaping_the_endpoint_is_the_apps_internal_error(
    served: tuple[Api, ServiceApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, app = served

    async def broken(*_: Any) -> None:
        raise RuntimeError("postgresql://admin:hunter2@db [SQL: SELECT 1]")

    monkeypatch.setattr(type(app.state["mcp_endpoint"]), "__call__", broken)
    for front in (True, False):
        saved = app.mcp_front
        app.mcp_front = saved if front else None
        try:
            answer = httpx.post(f"{api.base}/mcp/anything", json={}, headers=HANDSHAKE)
        finally:
            app.mcp_front = saved
        assert answer.status_code == 500, front
        error = answer.json()["error"]
        assert error["code"] == "INTERNAL_ERROR" and "hunter2" not in answer.text
        assert error["details"]["requestId"] == answer.headers["x-request-id"]
