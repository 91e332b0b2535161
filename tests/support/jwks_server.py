"""A real JWKS endpoint on 127.0.0.1 for tests: counts its requests and can go down."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["JwksServer"]


class JwksServer:
    """Serves `document` as JSON at `/.well-known/jwks.json` from a background thread.

    Use as a context manager. `document` can be swapped at any time (key rotation), `delay`
    slows every answer (to overlap concurrent fetches), `stop()` closes the socket (down).
    """

    path = "/.well-known/jwks.json"

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.delay = 0.0
        self.status = 200
        self._requests = 0
        self._count_lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval makes stop() quick; the default 0.5 s adds up over a suite.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._running = False

    @property
    def url(self) -> str:
        """The JWKS URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    @property
    def requests(self) -> int:
        """How many requests the server has answered or is answering."""
        with self._count_lock:
            return self._requests

    def start(self) -> JwksServer:
        """Start serving."""
        self._thread.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop serving and close the socket, so later connections are refused."""
        if self._running:
            self._server.shutdown()
            self._running = False
        self._server.server_close()

    def __enter__(self) -> JwksServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _count(self) -> None:
        with self._count_lock:
            self._requests += 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._count()
                if server.delay:
                    time.sleep(server.delay)
                if self.path != server.path:
                    self.send_error(404)
                    return
                body = json.dumps(server.document).encode()
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a cancelled fetch): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        return Handler
