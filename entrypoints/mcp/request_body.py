"""Reading a POST body once in the mount, then replaying it to the SDK.

The mount needs the body to tell tool calls (which count against the server's per-minute
limit) from everything else before the SDK sees the request.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "NOT_JSON",
    "BodyTooLarge",
    "counts_tool_calls",
    "json_document",
    "read_body",
    "replaying",
]

NOT_JSON: Any = object()
"""What `json_document` gives for a body that is not JSON."""


class BodyTooLarge(Exception):
    """The body is over the limit (the SDK's own limit would refuse it too)."""


async def read_body(receive: Any, limit: int) -> bytes:
    """The whole request body; raises BodyTooLarge past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the SDK sees an empty body and answers
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Any) -> Any:
    """A `receive` that yields `body` once, then defers to the real one (disconnects)."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def json_document(body: bytes) -> Any:
    """The body decoded as JSON (`json.loads`), or NOT_JSON; decoded once per request."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return NOT_JSON


def counts_tool_calls(document: Any) -> int:
    """How many `tools/call` requests a JSON-RPC body's document holds (batches included)."""
    messages = document if isinstance(document, list) else [document]
    return sum(1 for m in messages if isinstance(m, dict) and m.get("method") == "tools/call")
