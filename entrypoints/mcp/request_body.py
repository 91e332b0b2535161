"""Reading a POST body once in the mount, then replaying it to the SDK.

The mount needs the body to tell tool calls (which count against the server's per-minute
limit) from everything else before the SDK sees the request.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BodyTooLarge", "counts_tool_calls", "read_body", "replaying"]


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


def counts_tool_calls(body: bytes) -> int:
    """How many `tools/call` requests the JSON-RPC body holds (batches included)."""
    if b"tools/call" not in body:  # the common case costs one substring search
        return 0
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return 0
    messages = decoded if isinstance(decoded, list) else [decoded]
    return sum(1 for m in messages if isinstance(m, dict) and m.get("method") == "tools/call")
