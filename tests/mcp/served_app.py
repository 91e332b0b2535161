"""The real app served by uvicorn on 127.0.0.1 in a background thread (the SDK speaks HTTP)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import uvicorn

__all__ = ["ServedApp", "serve_in_thread"]

T = TypeVar("T")


class _LoopRecordingServer(uvicorn.Server):
    loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: Any = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)


class ServedApp:
    """The served app's base URL, and a way to run code on its event loop."""

    def __init__(self, base: str, loop: asyncio.AbstractEventLoop) -> None:
        self.base = base
        self._loop = loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the app's loop (in-process adapters are bound to it) and wait."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)


@contextmanager
def serve_in_thread(app: Any) -> Iterator[ServedApp]:
    """Serve `app` (lifespan on) on an ephemeral port until the block ends."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", access_log=False
    )
    server = _LoopRecordingServer(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    assert server.loop is not None
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield ServedApp(f"http://127.0.0.1:{port}", server.loop)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
