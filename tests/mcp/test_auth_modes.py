"""Each auth mode puts the stored credential where it belongs, and never the client's token."""

from __future__ import annotations

import asyncio
import base64

import pytest

from tests.mcp.clients import mcp_client


def _assert_token_never_sent(upstream, token):
    for request in upstream.received:
        assert token not in request.target
        assert token not in str(request.headers)
        assert token.encode() not in request.body


async def _call_get_item(api, server, mode="legacy"):
    """Calls `getItem` (a plain GET) and returns what the upstream received for it."""
    async with mcp_client(api.mcp_url(server), server["token"], mode) as client:
        result = await client.call_tool("getItem", {"itemId": server["id"]})
        assert result.is_error is False, result
    return server["id"]


def _received_for(upstream, marker):
    return [r for r in upstream.received if marker in r.path][-1]


@pytest.mark.parametrize(
    "place,name,check",
    [
        ("header", "X-Api-Key", lambda r: r.headers["x-api-key"] == "k-123"),
        ("query", "api_key", lambda r: r.target.endswith("?api_key=k-123")),
        ("cookie", "key", lambda r: r.headers["cookie"] == "key=k-123"),
    ],
)
async def test_api_keys_go_where_the_server_says(api, server_of, upstream, place, name, check):
    server = server_of(authMode="api_key", authConfig={"in": place, "name": name})
    api.add_credential(server, authType="api_key", plaintextKey="k-123")
    marker = await _call_get_item(api, server)
    assert check(_received_for(upstream, marker))
    _assert_token_never_sent(upstream, server["token"])


async def test_bearer_credentials_become_the_authorization_header(api, server_of, upstream):
    server = server_of(authMode="bearer")
    api.add_credential(server, authType="bearer", plaintextKey="upstream-bearer")
    marker = await _call_get_item(api, server, "2026-07-28")
    assert _received_for(upstream, marker).headers["authorization"] == "Bearer upstream-bearer"
    _assert_token_never_sent(upstream, server["token"])


async def test_basic_credentials_become_basic_authorization(api, server_of, upstream):
    server = server_of(authMode="basic")
    api.add_credential(server, authType="basic", plaintextKey="ann:pa ss")
    marker = await _call_get_item(api, server)
    expected = "Basic " + base64.b64encode(b"ann:pa ss").decode()
    assert _received_for(upstream, marker).headers["authorization"] == expected
    _assert_token_never_sent(upstream, server["token"])


async def test_a_missing_credential_is_a_tool_error_saying_so(api, server_of):
    server = server_of(authMode="bearer")
    async with mcp_client(api.mcp_url(server), server["token"]) as client:
        result = await client.call_tool("getBroken", {})
    assert result.is_error is True
    assert "bearer credential" in result.content[0].text


def _oauth_server(api, server_of, upstream):
    server = server_of(authMode="oauth2_client_creds")
    api.seal(
        server,
        "oauth2_client_creds",
        "client-secret",
        client_id="client-1",
        token_endpoint=f"{upstream.url}/token",
        scopes=("read",),
    )
    return server


async def test_oauth_fetches_one_token_for_many_calls(api, server_of, upstream, recorder):
    server = _oauth_server(api, server_of, upstream)
    before = len(recorder.token_requests)
    async with mcp_client(api.mcp_url(server), server["token"], "2026-07-28") as client:
        for _ in range(3):
            result = await client.call_tool("getItem", {"itemId": server["id"]})
            assert result.is_error is False
    fetched = recorder.token_requests[before:]
    assert len(fetched) == 1
    expected_basic = "Basic " + base64.b64encode(b"client-1:client-secret").decode()
    assert fetched[0].headers["authorization"] == expected_basic
    assert fetched[0].body == b"grant_type=client_credentials&scope=read"
    calls = [r for r in upstream.received if server["id"] in r.path]
    assert len(calls) == 3
    assert {r.headers["authorization"] for r in calls} == {f"Bearer upstream-access-{before + 1}"}
    _assert_token_never_sent(upstream, server["token"])


async def test_concurrent_first_oauth_calls_fetch_one_token(api, server_of, upstream, recorder):
    server = _oauth_server(api, server_of, upstream)
    before = len(recorder.token_requests)
    async with mcp_client(api.mcp_url(server), server["token"], "2026-07-28") as client:
        await client.list_tools()
        results = await asyncio.gather(
            *(client.call_tool("getItem", {"itemId": server["id"]}) for _ in range(5))
        )
    assert all(not r.is_error for r in results)
    assert len(recorder.token_requests) - before == 1
