"""uvicorn's httptools protocol, with what a response writes in one loop step sent as one write.

uvicorn writes a response's status line and headers as soon as the app sends
`http.response.start`, then the body on `http.response.body`: two `send` system calls, two TCP
segments (the socket has TCP_NODELAY), and a client that wakes up for the head and again for
the body. Every JSON answer of the API and of the MCP endpoint is a head and one body sent in
the same step of the event loop, so gathering the writes of a step and sending them together
at its end halves the segments per answer without delaying anything to a later step.

A complete answer goes out at once, when its last body part is sent: what the app still does
after its last `send` (metrics, logging, unwinding its middleware) and whatever else is ready on
the loop then runs while the answer is already on its way, not before it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["CoalescingHttpToolsProtocol"]


class _CoalescingTransport:
    """A transport whose writes within one loop step go out as one write at its end."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._pending is None:
            self._pending = [bytes(data)]
            self._loop.call_soon(self.flush)
        else:
            self._pending.append(bytes(data))

    def flush(self) -> None:
        """Send what is gathered (also called before the connection is closed)."""
        pending, self._pending = self._pending, None
        if pending and not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        gathered = sum(len(chunk) for chunk in self._pending) if self._pending else 0
        return gathered + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol on a coalescing transport (pass as uvicorn's `http` option)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        # uvicorn calls this right after writing an answer's last body part.
        self.transport.flush()  # type: ignore[attr-defined]
        super().on_response_complete()
