"""The guarded client's own HTTP/1.1 connections against raw scripted servers on 127.0.0.1.

Each server reads requests off a socket and writes exactly the bytes a test scripts, so the
cases httpcore used to handle for us are pinned: reuse of kept-alive connections, a kept-alive
connection the server closed, interim 1xx answers, bodies ended by the server closing, chunked
bodies, HEAD, oversized heads, header injection and the bound on open connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound import (
    AddressPolicy,
    GuardedHttpClient,
    GuardedTransport,
    build_guarded_client,
)
from adapters.outbound.guarded_client import _initial_fields
from domain.errors import UpstreamUnavailable

# (request head, connection number, request number on that connection) -> bytes to write, or
# None to close the connection without answering.
Script = Callable[[bytes, int, int], Awaitable[bytes | None]]


class CloseAfter(bytes):
    """An answer after which the server closes the connection (a clean close, not a reset)."""


class ScriptedServer:
    """Answers each request with what `script` returns; records every request head."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.heads: list[bytes] = []
        self.connections = 0
        self.open_now = 0
        self.most_open = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = self.connections
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            for index in range(1000):
                head = await reader.readuntil(b"\r\n\r\n")
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                self.heads.append(head)
                answer = await self.script(head, number, index)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if isinstance(answer, CloseAfter):
                    writer.close()
                    await writer.wait_closed()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.transport.abort()


def _content_length(head: bytes) -> int:
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


@asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[tuple[ScriptedServer, str]]:
    server = ScriptedServer(script)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        listener.close()


@pytest.fixture
async def client() -> AsyncIterator[GuardedHttpClient]:
    guarded = build_guarded_client(("127.0.0.0/8",), total_timeout=5.0)
    yield guarded
    await guarded.aclose()


def ok(body: bytes = b"{}", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def always_ok(head: bytes, connection: int, index: int) -> bytes | None:
    return ok(b'{"n":%d}' % index)


async def test_a_kept_alive_connection_carries_the_next_requests(client: GuardedHttpClient):
    async with scripted(always_ok) as (server, url):
        bodies = [(await client.request("GET", url + "/a")).content for _ in range(3)]
    assert bodies == [b'{"n":0}', b'{"n":1}', b'{"n":2}']
    assert server.connections == 1


async def test_a_get_on_a_connection_the_server_dropped_is_sent_again(client: GuardedHttpClient):
    async def drops_second(head: bytes, connection: int, index: int) -> bytes | None:
        return None if index == 1 else ok(b"fresh" if connection else b"first")

    async with scripted(drops_second) as (server, url):
        first = await client.request("GET", url + "/a")
        second = await client.request("GET", url + "/a")
    assert (first.content, second.content) == (b"first", b"fresh")
    assert server.connections == 2


async def test_a_post_on_a_dropped_connection_is_not_sent_twice(client: GuardedHttpClient):
    async def drops_second(head: bytes, connection: int, index: int) -> bytes | None:
        return None if index == 1 else ok()

    async with scripted(drops_second) as (server, url):
        await client.request("POST", url + "/a", content=b"1")
        with pytest.raises(UpstreamUnavailable) as caught:
            await client.request("POST", url + "/a", content=b"2")
    assert caught.value.reason == "bad_response"
    assert [head.split(b" ")[0] for head in server.heads] == [b"POST", b"POST"]


async def test_interim_answers_are_skipped(client: GuardedHttpClient):
    async def early_hints(head: bytes, connection: int, index: int) -> bytes | None:
        return b"HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n" + ok(b"real", b"x-a: 1\r\n")

    async with scripted(early_hints) as (server, url):
        response = await client.request("GET", url + "/")
        again = await client.request("GET", url + "/")
    assert (response.status, response.content, response.header("x-a")) == (200, b"real", "1")
    assert response.header("link") is None
    assert again.content == b"real" and server.connections == 1


async def test_a_body_without_length_ends_when_the_server_closes(client: GuardedHttpClient):
    async def close_delimited(head: bytes, connection: int, index: int) -> bytes | None:
        return CloseAfter(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end")

    async with scripted(close_delimited) as (server, url):
        answers = [await client.request("GET", url + "/") for _ in range(2)]
    assert [answer.content for answer in answers] == [b"until the end"] * 2
    assert server.connections == 2  # never reused


async def test_chunked_bodies_are_joined(client: GuardedHttpClient):
    async def chunked(head: bytes, connection: int, index: int) -> bytes | None:
        return (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nx-trailer: t\r\n\r\n"
        )

    async with scripted(chunked) as (server, url):
        first = await client.request("GET", url + "/")
        second = await client.request("GET", url + "/")
    assert first.content == second.content == b"hello world"
    assert server.connections == 1


async def test_head_answers_have_no_body_whatever_their_length(client: GuardedHttpClient):
    async def head_then_get(head: bytes, connection: int, index: int) -> bytes | None:
        if head.startswith(b"HEAD"):
            return b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n"
        return ok(b"after")

    async with scripted(head_then_get) as (_, url):
        head = await client.request("HEAD", url + "/")
        after = await client.request("GET", url + "/")
    assert (head.status, head.content, head.header("content-length")) == (200, b"", "1000")
    assert after.content == b"after"


async def test_no_content_keeps_the_connection(client: GuardedHttpClient):
    async def no_content(head: bytes, connection: int, index: int) -> bytes | None:
        return b"HTTP/1.1 204 No Content\r\n\r\n"

    async with scripted(no_content) as (server, url):
        answers = [await client.request("DELETE", url + "/x") for _ in range(2)]
    assert [answer.status for answer in answers] == [204, 204]
    assert server.connections == 1


async def test_an_oversized_head_is_a_bad_response(client: GuardedHttpClient):
    async def huge_head(head: bytes, connection: int, index: int) -> bytes | None:
        return b"HTTP/1.1 200 OK\r\n" + b"x-pad: " + b"p" * 100_000 + b"\r\n\r\n"

    async with scripted(huge_head) as (_, url):
        with pytest.raises(UpstreamUnavailable) as caught:
            await client.request("GET", url + "/")
    assert caught.value.reason == "bad_response"


@pytest.mark.parametrize("value", ["a\r\nx-injected: 1", "a\nb", "a\x00b"])
async def test_a_header_value_that_would_split_the_request_is_never_sent(
    client: GuardedHttpClient, value: str
):
    async with scripted(always_ok) as (server, url):
        with pytest.raises(UpstreamUnavailable) as caught:
            await client.request("GET", url + "/", headers={"x-user": value})
        await client.request("GET", url + "/")
    assert caught.value.reason == "bad_response"
    assert len(server.heads) == 1 and b"x-injected" not in server.heads[0]


async def test_open_connections_stay_within_the_pool_bound():
    guarded = GuardedHttpClient(
        GuardedTransport(AddressPolicy(("127.0.0.0/8",)), max_connections=2), total_timeout=5.0
    )

    async def slow(head: bytes, connection: int, index: int) -> bytes | None:
        await asyncio.sleep(0.05)
        return ok()

    try:
        async with scripted(slow) as (server, url):
            answers = await asyncio.gather(
                *(guarded.request("GET", url + f"/{n}") for n in range(8))
            )
    finally:
        await guarded.aclose()
    assert [answer.status for answer in answers] == [200] * 8
    assert server.most_open <= 2


async def test_a_cancelled_request_leaves_no_broken_connection_behind(client: GuardedHttpClient):
    async def slow_first(head: bytes, connection: int, index: int) -> bytes | None:
        if connection == 0 and index == 0:
            await asyncio.sleep(1)
        return ok(b"%d" % connection)

    async with scripted(slow_first) as (_, url):
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await client.request("GET", url + "/")
        answer = await client.request("GET", url + "/")
    # The late answer on the first connection is never read as the second request's answer.
    assert answer.content == b"1"


@pytest.mark.parametrize(
    ("method", "content", "framing"),
    [
        ("GET", None, b""),
        ("DELETE", None, b""),
        ("POST", None, b"Content-Length: 0\r\n"),
        ("PUT", b"", b"Content-Length: 0\r\n"),
        ("PATCH", b'{"a":1}', b""),
        ("POST", b"x=1", b""),
        ("DELETE", b"gone", b""),
    ],
)
async def test_the_request_head_is_exactly_what_httpx_would_send(
    client: GuardedHttpClient, method: str, content: bytes | None, framing: bytes
):
    # Host first (then an empty POST/PUT/PATCH's zero length), the fields in the caller's
    # order and spelling, the body's length last: the bytes httpx's own request objects made.
    async with scripted(always_ok) as (server, url):
        await client.request(
            method, url + "/p%20q?x=1", headers={"X-Trace": "t1", "accept": "*/*"}, content=content
        )
    port = url.rsplit(":", 1)[1]
    length = b"Content-Length: %d\r\n" % len(content) if content else b""
    assert server.heads == [
        b"%s /p%%20q?x=1 HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n%suser-agent: specmcp\r\n"
        b"accept-encoding: gzip, deflate\r\nX-Trace: t1\r\naccept: */*\r\n%s\r\n"
        % (method.encode(), port.encode(), framing, length)
    ]


_NAMES = st.sampled_from(
    [
        "Accept",
        "accept",
        "ACCEPT",
        "User-Agent",
        "user-agent",
        "Accept-Encoding",
        "X-Key",
        "x-key",
        "Host",
        "Content-Length",
        "transfer-encoding",
        "Connection",
        "X-\u00e9",
    ]
)


@given(st.lists(st.tuples(_NAMES, st.text(max_size=8)), max_size=8))
@settings(max_examples=500, deadline=None)
def test_the_header_fields_are_those_httpx_headers_would_hold(pairs: list[tuple[str, str]]):
    # The first hop's fields are built without httpx.Headers; they must be its bytes exactly.
    headers = dict(pairs)
    expected = httpx.Headers({"user-agent": "specmcp", "accept-encoding": "gzip, deflate"})
    for name, value in headers.items():
        if name.lower() not in {"host", "content-length", "transfer-encoding", "connection"}:
            expected[name] = value
    assert _initial_fields(headers) == expected.raw
