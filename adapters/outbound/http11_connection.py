"""One HTTP/1.1 client connection: an asyncio protocol, responses parsed by httptools (llhttp).

Why not httpcore's pool on anyio streams: on the tool-call path that stack cost about half of
the server's CPU per call (profiled at 20 concurrent callers). Each pool operation asked every
pooled connection whether its socket was readable (a `poll` system call behind a dictionary of
lambdas rebuilt per question), and every read and write went through anyio's cancel scopes and
h11's pure-Python parser. Here the protocol is told by the event loop when bytes, end of file
or a reset arrive, so "can this connection be reused" is a flag, and llhttp (C, the parser
uvicorn already uses) parses the answer.

Failures are raised as httpcore's exception classes, which `transport_errors.upstream_errors`
turns into the product's errors, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import cast

import httpcore
import httptools

__all__ = ["MAX_HEAD_BYTES", "Http11Connection", "StaleConnection"]

# An answer's status line and headers may not exceed this (h11's default limit was 16 KiB).
MAX_HEAD_BYTES = 64 * 1024
# Body bytes buffered before the socket stops being read (the reader is slower than the wire).
_PAUSE_AT = 256 * 1024
_RESUME_AT = 64 * 1024


class StaleConnection(httpcore.RemoteProtocolError):
    """A kept-alive connection closed before any byte of the answer: the request may be retried."""


class Http11Connection(asyncio.Protocol):
    """One connection, one request at a time; its owner (the pool) decides on reuse.

    Use: `await send(head, body)` returns the status and headers, `await next_chunk()` gives the
    body piece by piece until None, then `reusable` says whether the connection may carry
    another request.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._closed = False  # end of file, reset, or closed here: never reused
        self._waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self.idle_since = loop.time()
        self._begin(head_only=False, expecting=False)

    def _begin(self, *, head_only: bool, expecting: bool) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._expecting = expecting  # a request was sent: incoming bytes are its answer
        self._head_only = head_only  # HEAD: the answer has no body whatever its headers say
        self._received = 0
        self._head_size = 0  # header fields so far, interim answers' included
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._informational = False
        self._framed = False  # content-length or transfer-encoding: the end is in the message
        self._headers_done = False
        self._message_done = False
        self._keep_alive = False
        self._surplus = False  # bytes beyond the answer: the stream can no longer be trusted
        self._error: Exception | None = None
        self._body: deque[bytes] = deque()
        self._buffered = 0
        self._reading_paused = False

    # --- the caller's side ---------------------------------------------------------------

    @property
    def reusable(self) -> bool:
        """True when the last answer was read whole and the server keeps the connection open."""
        return (
            not self._closed
            and self._message_done
            and self._keep_alive
            and not self._surplus
            and not self._body
        )

    async def send(
        self, head: bytes, body: bytes, *, head_only: bool
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        """Write one request and wait for the status and headers of its answer.

        Raises:
            StaleConnection: the connection was closed before any byte of the answer came.
            httpcore.ReadError / RemoteProtocolError: the connection broke, or the answer is
                not valid HTTP/1.1 or its head is larger than `MAX_HEAD_BYTES`.
        """
        transport = self._transport
        if transport is None or self._closed or transport.is_closing():
            raise StaleConnection("The connection was closed.")
        self._begin(head_only=head_only, expecting=True)
        transport.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            transport.write(body)  # no copy of a large body
        while self._write_paused and not self._closed:
            await self._wait()
        while not self._headers_done:
            self._raise_if_failed()
            await self._wait()
        return self._status, self._headers

    async def next_chunk(self) -> bytes | None:
        """The next piece of the body, or None at its end.

        Raises:
            httpcore.ReadError / RemoteProtocolError: the connection broke before the end.
        """
        while True:
            if self._body:
                chunk = self._body.popleft()
                self._buffered -= len(chunk)
                if self._reading_paused and self._buffered <= _RESUME_AT:
                    self._reading_paused = False
                    if self._transport is not None and not self._closed:
                        self._transport.resume_reading()
                return chunk
            if self._message_done:
                return None
            self._raise_if_failed()
            await self._wait()

    def close(self) -> None:
        """Drop the connection at once (an unread body is not drained)."""
        self._closed = True
        if self._transport is not None:
            # RuntimeError: its event loop is closed already (tests run several loops).
            with contextlib.suppress(RuntimeError):
                self._transport.abort()
        self._wake()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            if self._received == 0:
                raise StaleConnection("Server disconnected without sending a response.")
            raise httpcore.ReadError("The connection closed before the end of the answer.")

    async def _wait(self) -> None:
        waiter = self._loop.create_future()
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        if self._error is None:
            self._error = error
        self.close()

    # --- asyncio protocol callbacks --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport but have its methods.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if not self._expecting or self._message_done:
            # Bytes nobody asked for (or past the answer): the stream is out of step.
            self._surplus = True
            self.close()
            return
        self._received += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpcore.RemoteProtocolError("The server switched protocols."))
        except httptools.HttpParserError as error:
            cause = error.__context__
            self._fail(cause if isinstance(cause, httpcore.ProtocolError) else _invalid())
        else:
            if not self._headers_done and self._received > MAX_HEAD_BYTES:
                self._fail(httpcore.RemoteProtocolError("The answer's head is too large."))
        self._wake()

    def eof_received(self) -> bool:
        if self._headers_done and not self._message_done and not self._framed:
            # An answer without length or chunking ends when the server closes (RFC 9112 6.3).
            self._message_done = True
            self._keep_alive = False
        self._closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._write_paused = False
        self._wake()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake()

    # --- httptools callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._headers_done and not self._informational:
            self._surplus = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        if self._head_size > MAX_HEAD_BYTES:
            raise httpcore.RemoteProtocolError("The answer's head is too large.")
        self._headers.append((name, value))
        lowered = name.lower()
        if lowered in (b"content-length", b"transfer-encoding"):
            self._framed = True

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            # 1xx answers are interim (100 Continue, 103 Early Hints): the real one follows.
            self._informational = True
            self._headers = []
            self._framed = False
            return
        self._status = status
        self._headers_done = True
        if self._head_only:
            self._message_done = True
            self._keep_alive = False  # llhttp would wait for the body the headers announce

    def on_body(self, body: bytes) -> None:
        if self._head_only or self._surplus:
            return
        self._body.append(body)
        self._buffered += len(body)
        if not self._reading_paused and self._buffered >= _PAUSE_AT and self._transport:
            self._reading_paused = True
            self._transport.pause_reading()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        if not self._message_done:
            self._message_done = True
            self._keep_alive = self._parser.should_keep_alive()


def _invalid() -> httpcore.RemoteProtocolError:
    return httpcore.RemoteProtocolError("The answer is not valid HTTP/1.1.")
