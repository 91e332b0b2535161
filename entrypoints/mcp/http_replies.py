"""Plain HTTP refusals of the MCP endpoint, with a JSON-RPC error body clients can show."""

from __future__ import annotations

import json
from typing import Any

from entrypoints.observability.request_context import current_request_id

__all__ = ["refuse", "send_json"]

_CODES = {401: -32001, 403: -32002, 404: -32004, 405: -32600, 413: -32600, 429: -32005}


async def refuse(
    send: Any, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer `status` with `{"jsonrpc": "2.0", "id": null, "error": {...}}`.

    `error.data.requestId` names the request in the server log when one is being served.
    """
    error: dict[str, Any] = {"code": _CODES.get(status, -32000), "message": message}
    if request_id := current_request_id():
        error["data"] = {"requestId": request_id}
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
    await send_json(send, status, body, headers)


async def send_json(
    send: Any, status: int, payload: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """One `application/json` answer, head and body."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
