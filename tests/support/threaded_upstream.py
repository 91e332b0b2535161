"""Runs an UpstreamServer on its own event loop in a thread.

The app under test may run its requests on another loop or thread (Litestar's test clients,
uvicorn in a thread, a subprocess): a server on the test's own loop would then never answer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.upstream_server import Handler, UpstreamServer

__all__ = ["threaded_upstream"]


@contextmanager
def threaded_upstream(handler: Handler) -> Iterator[UpstreamServer]:
    """An UpstreamServer serving `handler` from a background thread until the block ends."""
    loop = asyncio.new_event_loop()
    server = UpstreamServer(handler)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(timeout=10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
