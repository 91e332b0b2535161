"""A TCP relay to PostgreSQL that can freeze: bytes stop flowing both ways, nothing is closed.

This is a database that hangs (a stuck server, a network partition dropping packets) rather
than one that refuses connections; only the processes using the relay's port see it, so it
disturbs no other user of the machine's cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FreezingProxy", "freezing_proxy"]


class FreezingProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.port = 0
        self.running = asyncio.Event()  # set: bytes flow (created on the proxy's loop)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.running = asyncio.Event()
        self.running.set()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await self.running.wait()
        try:
            server_r, server_w = await asyncio.open_connection(*self._target)
        except OSError:
            client_w.transport.abort()
            return
        self._writers |= {client_w, server_w}
        await asyncio.gather(
            self._pipe(client_r, server_w), self._pipe(server_r, client_w), return_exceptions=True
        )
        for writer in (client_w, server_w):
            self._writers.discard(writer)
            writer.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self.running.wait()
            writer.write(data)
            await writer.drain()
        writer.transport.abort()


@contextmanager
def freezing_proxy(
    host: str, port: int
) -> Iterator[tuple[FreezingProxy, asyncio.AbstractEventLoop]]:
    """The relay, served from its own thread; `set_frozen(proxy, loop, True)` freezes it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    proxy = FreezingProxy(host, port)
    asyncio.run_coroutine_threadsafe(proxy.start(), loop).result(10)
    try:
        yield proxy, loop
    finally:
        asyncio.run_coroutine_threadsafe(proxy.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def set_frozen(proxy: FreezingProxy, loop: asyncio.AbstractEventLoop, frozen: bool) -> None:
    loop.call_soon_threadsafe(proxy.running.clear if frozen else proxy.running.set)
