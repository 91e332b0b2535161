"""Tool calls through every transport become exactly the upstream requests the spec describes."""

from __future__ import annotations

import json

import pytest

from tests.mcp.clients import MODES, mcp_client, sse_mcp_client, text_of

GET_ITEM_ARGS = {
    "itemId": "a b/ü",
    "tags": ["red", "blue"],
    "filter": {"color": "green", "size": "L"},
    "X-Trace": "trace-1",
    "session": "s1",
}


def _last(upstream, path_prefix):
    return [r for r in upstream.received if r.path.startswith(path_prefix)][-1]


async def _exercise(client, upstream, token):
    listed = await client.list_tools()
    names = [t.name for t in listed.tools]
    assert (
        names == sorted(names) == ["createItem", "getBroken", "getItem", "submitForm", "uploadNote"]
    )
    get_item = next(t for t in listed.tools if t.name == "getItem")
    assert get_item.annotations.read_only_hint is True
    assert get_item.description
    assert get_item.input_schema["required"] == ["itemId"]
    assert get_item.output_schema == {"type": "object"}

    result = await client.call_tool("getItem", GET_ITEM_ARGS)
    assert result.is_error is False
    assert result.structured_content == {
        "ok": True,
        "method": "GET",
        "path": "/items/a%20b%2F%C3%BC",
    }
    seen = _last(upstream, "/items/a")
    assert seen.method == "GET"
    assert seen.target == (
        "/items/a%20b%2F%C3%BC?tags=red&tags=blue&filter%5Bcolor%5D=green&filter%5Bsize%5D=L"
    )
    assert seen.headers["x-trace"] == "trace-1"
    assert seen.headers["cookie"] == "session=s1"
    assert seen.body == b""

    await client.call_tool("createItem", {"body": {"name": "n", "count": 2}})
    seen = _last(upstream, "/items")
    assert (seen.method, seen.target) == ("POST", "/items")
    assert seen.headers["content-type"] == "application/json"
    assert json.loads(seen.body) == {"name": "n", "count": 2}

    await client.call_tool("submitForm", {"body": {"title": "a&b", "note": "x y"}})
    seen = _last(upstream, "/forms")
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
    assert seen.body == b"title=a%26b&note=x+y"

    await client.call_tool("uploadNote", {"body": {"title": "t", "note": "n"}})
    seen = _last(upstream, "/uploads")
    content_type = seen.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    assert seen.body == (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="title"\r\n\r\nt\r\n'
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="note"\r\n\r\nn\r\n'
        b"--" + boundary + b"--\r\n"
    )

    broken = await client.call_tool("getBroken", {})
    assert broken.is_error is True
    assert "500" in text_of(broken) and "upstream exploded" in text_of(broken)

    for request in upstream.received:
        assert token not in str(request.headers) and token.encode() not in request.body


@pytest.mark.parametrize("mode", MODES)
async def test_streamable_http_calls_reach_the_upstream_exactly(api, server_of, upstream, mode):
    server = server_of()
    async with mcp_client(api.mcp_url(server), server["token"], mode) as client:
        await _exercise(client, upstream, server["token"])


async def test_legacy_sse_calls_reach_the_upstream_exactly(api, server_of, upstream):
    server = server_of()
    async with sse_mcp_client(api.mcp_url(server), server["token"]) as client:
        await _exercise(client, upstream, server["token"])


async def test_server_info_names_the_tenants_server(api, server_of):
    server = server_of(name="Weather Desk")
    async with mcp_client(api.mcp_url(server), server["token"], "legacy") as client:
        assert client.server_info.name == "Weather Desk"
