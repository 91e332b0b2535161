"""The upstream API of the MCP tests: records every request, serves an OAuth token endpoint."""

from __future__ import annotations

import json
import threading

from tests.support.upstream_server import ReceivedRequest, Reply

__all__ = ["RecordingApi"]


class RecordingApi:
    """Answers JSON for everything; `/token` issues tokens and counts them; `/broken` fails."""

    def __init__(self) -> None:
        self.token_requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()

    def __call__(self, request: ReceivedRequest) -> Reply:
        if request.path == "/token":
            with self._lock:
                self.token_requests.append(request)
                number = len(self.token_requests)
            body = {"access_token": f"upstream-access-{number}", "expires_in": 3600}
            # A slow token endpoint makes concurrent first calls overlap.
            return Reply(
                200, {"content-type": "application/json"}, json.dumps(body).encode(), delay=0.2
            )
        if request.path == "/broken":
            return Reply(500, {"content-type": "text/plain"}, b"upstream exploded")
        body = {"ok": True, "method": request.method, "path": request.path}
        return Reply(200, {"content-type": "application/json"}, json.dumps(body).encode())
