"""Who may use an endpoint: tokens, endpoints, origins, methods and the per-minute limit."""

from __future__ import annotations

import httpx
import pytest
from mcp import Client, MCPError
from mcp.client.sse import sse_client

from tests.mcp.clients import MODES, mcp_client, text_of

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
ACCEPT = "application/json, text/event-stream"


def _post(url, token=None, body=INITIALIZE, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(url, json=body, headers={"Accept": ACCEPT, **headers}, timeout=10)


def _call(name, arguments=None, rid=1):
    return {
        "jsonrpc": "2.0",
        "id": rid,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments or {}},
    }


def test_a_valid_token_opens_the_endpoint(api, server_of):
    server = server_of()
    answer = _post(api.mcp_url(server), server["token"])
    assert answer.status_code == 200
    assert answer.json()["result"]["serverInfo"]["name"] == "Recorder"
    assert "mcp-session-id" not in answer.headers


@pytest.mark.parametrize("token", [None, "smcp_wrong", ""])
def test_missing_or_wrong_tokens_get_401_with_www_authenticate(api, server_of, token):
    answer = _post(api.mcp_url(server_of()), token)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_a_rotated_away_token_gets_401_at_once(api, server_of):
    server = server_of()
    url = api.mcp_url(server)
    assert _post(url, server["token"]).status_code == 200
    rotated = api.call("POST", f"/api/servers/{server['id']}/rotate-token", server["owner"])
    assert rotated.status_code == 200
    assert _post(url, server["token"]).status_code == 401
    assert _post(url, rotated.json()["data"]["token"]).status_code == 200


def test_a_token_does_not_open_another_users_endpoint(api, server_of):
    mine, theirs = server_of(), server_of()
    assert _post(api.mcp_url(theirs), mine["token"]).status_code in (401, 404)


def test_unknown_and_inactive_endpoints_are_404(api, server_of):
    server = server_of()
    assert _post(f"{api.base}/mcp/no-such-endpoint", server["token"]).status_code == 404
    api.call("PATCH", f"/api/servers/{server['id']}", server["owner"], json={"isActive": False})
    assert _post(api.mcp_url(server), server["token"]).status_code == 404


@pytest.mark.parametrize(
    "origin,status",
    [
        ("https://evil.example", 403),
        ("null", 403),
        ("http://localhost:5173", 200),
        ("http://127.0.0.1:8000", 200),
    ],
)
def test_origin_is_checked_when_present(api, server_of, origin, status):
    server = server_of()
    assert _post(api.mcp_url(server), server["token"], Origin=origin).status_code == status


def test_get_and_delete_are_405_on_the_stateless_endpoint(api, server_of):
    server = server_of()
    headers = {"Authorization": f"Bearer {server['token']}", "Accept": ACCEPT}
    for method in ("GET", "DELETE"):
        answer = httpx.request(method, api.mcp_url(server), headers=headers, timeout=10)
        assert answer.status_code == 405
        assert answer.headers["allow"] == "POST"


def test_tool_calls_over_the_per_minute_limit_get_429(api, server_of):
    server = server_of(rateLimitPerMinute=2)
    url, token = api.mcp_url(server), server["token"]
    assert _post(url, token, _call("getBroken", rid=1)).status_code == 200
    assert _post(url, token, _call("getBroken", rid=2)).status_code == 200
    refused = _post(url, token, _call("getBroken", rid=3))
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    # Only tool calls count: listing still works.
    listing = {"jsonrpc": "2.0", "id": 4, "method": "tools/list"}
    assert _post(url, token, listing).status_code == 200


@pytest.mark.parametrize("mode", MODES)
async def test_an_unknown_tool_is_invalid_params(api, server_of, mode):
    server = server_of()
    async with mcp_client(api.mcp_url(server), server["token"], mode) as client:
        with pytest.raises(MCPError) as raised:
            await client.session.call_tool("noSuchTool", {})
    assert raised.value.code == -32602


@pytest.mark.parametrize("mode", MODES)
async def test_invalid_arguments_are_a_tool_error_naming_the_problem(api, server_of, mode):
    server = server_of()
    async with mcp_client(api.mcp_url(server), server["token"], mode) as client:
        result = await client.call_tool("getItem", {"itemId": 5, "tags": "red"})
    assert result.is_error is True
    text = text_of(result)
    assert "itemId" in text and "tags" in text


async def test_an_unreachable_upstream_is_a_tool_error_saying_so(api):
    closed = httpx.URL("http://127.0.0.1:9")  # discard port: nothing listens there
    owner = "user_down"
    server = api.create_server(str(closed), owner)
    async with mcp_client(api.mcp_url(server), server["token"], "2026-07-28") as client:
        result = await client.call_tool("getBroken", {})
    assert result.is_error is True
    assert "could not be used (connect)" in text_of(result)


async def test_a_legacy_sse_session_refuses_another_tenants_token(api, server_of):
    mine, theirs = server_of(), server_of()
    sessions: list[str] = []
    transport = sse_client(
        f"{api.mcp_url(mine)}/sse",
        on_session_created=sessions.append,
        headers={"Authorization": f"Bearer {mine['token']}"},
    )
    async with Client(transport, mode="legacy") as client:
        await client.list_tools()
        ping = {"jsonrpc": "2.0", "id": 99, "method": "ping"}
        async with httpx.AsyncClient(timeout=10) as http:
            for endpoint, expected in ((theirs, 404), (mine, 401)):
                answer = await http.post(
                    f"{api.mcp_url(endpoint)}/messages?session_id={sessions[0]}",
                    json=ping,
                    headers={"Authorization": f"Bearer {theirs['token']}"},
                )
                assert answer.status_code == expected
        assert (await client.list_tools()).tools
