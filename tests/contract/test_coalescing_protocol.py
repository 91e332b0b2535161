"""The served HTTP protocol sends each answer's head and body in one write, and loses nothing.

The protocol runs on a recording transport (what `specmcp serve` hands uvicorn is the same
class); a request is fed in as bytes, and the writes that reach the socket are observed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from entrypoints.http.coalescing_protocol import CoalescingHttpToolsProtocol


class RecordingTransport(asyncio.Transport):
    """Collects writes as separate items; closing is recorded after them."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.events.append(bytes(data))

    def close(self) -> None:
        self.closing = True
        self.events.append("closed")

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


async def app(scope: Any, receive: Any, send: Any) -> None:
    body = b'{"path": "%s"}' % scope["path"].encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def served(request: bytes, asgi: Any = app) -> RecordingTransport:
    config = uvicorn.Config(asgi, log_level="warning", lifespan="off")
    protocol = CoalescingHttpToolsProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    for _ in range(20):
        await asyncio.sleep(0)
    return transport


async def test_an_answer_goes_out_in_one_write():
    transport = await served(b"GET /one HTTP/1.1\r\nhost: x\r\n\r\n")
    assert len(transport.events) == 1
    head, _, body = transport.events[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and body == b'{"path": "/one"}'


async def test_pipelined_requests_each_get_their_whole_answer_in_order():
    transport = await served(
        b"GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\n"
    )
    written = b"".join(event for event in transport.events if isinstance(event, bytes))
    assert written.count(b"HTTP/1.1 200 OK") == 2
    assert written.index(b'{"path": "/a"}') < written.index(b'{"path": "/b"}')


async def test_an_answer_before_a_close_is_written_before_the_close():
    transport = await served(b"GET /last HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    assert transport.events[-1] == "closed"
    assert transport.events[:-1] and transport.events[-2].endswith(b'{"path": "/last"}')


async def test_a_complete_answer_is_written_before_the_app_goes_on():
    seen_after_send: list[list[Any]] = []
    transport_of: dict[str, RecordingTransport] = {}

    async def app_with_work_after(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, receive, send)
        # Work after the answer (metrics, logs): by now the client must have it.
        seen_after_send.append(list(transport_of["t"].events))

    config = uvicorn.Config(app_with_work_after, log_level="warning", lifespan="off")
    protocol = CoalescingHttpToolsProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    transport_of["t"] = transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(b"GET /now HTTP/1.1\r\nhost: x\r\n\r\n")
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(seen_after_send) == 1 and len(seen_after_send[0]) == 1
    assert seen_after_send[0][0].endswith(b'{"path": "/now"}')
    assert transport.events == seen_after_send[0]  # and nothing more was written later
