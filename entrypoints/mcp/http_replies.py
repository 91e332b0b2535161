"""Plain HTTP refusals of the MCP endpoint, with a JSON-RPC error body clients can show."""

from __future__ import annotations

import json
from typing import Any

from entrypoints.observability.request_context import current_request_id

__all__ = ["refuse"]

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
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
