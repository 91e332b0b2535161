"""An upstream response as an MCP tool result: text for the model, parsed JSON for clients."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec

__all__ = ["ERROR_BODY_LIMIT", "ToolResult", "tool_result"]

# An error body is context for the model, not data: enough to explain, never the whole page.
ERROR_BODY_LIMIT = 8_000
_TRUNCATED_NOTE = "[The response was truncated: the API sent more than the size limit.]"


class ToolResult(msgspec.Struct, frozen=True):
    """`text` goes to `content`, `structured` (an object, or None) to `structuredContent`."""

    is_error: bool
    text: str
    structured: dict[str, Any] | None = None


def _is_json(content_type: str | None) -> bool:
    essence = (content_type or "").split(";", 1)[0].strip().lower()
    return essence in ("application/json", "text/json") or essence.endswith("+json")


def _status_line(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _parsed(body: bytes) -> tuple[bool, Any]:
    try:
        return True, msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # An upstream's invalid UTF-8 or too-deep nesting is text, not a crash.
        return False, None


def _error(status: int, text: str, truncated: bool, why: str) -> ToolResult:
    shown = text if len(text) <= ERROR_BODY_LIMIT else text[:ERROR_BODY_LIMIT] + " [...]"
    lines = [f"{why} ({_status_line(status)}).", shown or "(empty body)"]
    if truncated or len(text) > ERROR_BODY_LIMIT:
        lines.append(_TRUNCATED_NOTE if truncated else "[The body was shortened.]")
    return ToolResult(is_error=True, text="\n".join(lines))


def tool_result(
    status: int,
    content_type: str | None,
    body: bytes,
    truncated: bool,
    has_output_schema: bool,
    output_wrapped: bool,
) -> ToolResult:
    """The tool result of one upstream answer.

    A 2xx JSON body gives its text and the parsed value (under `result` when it is not an
    object or the output schema wraps it). Other statuses are errors naming the status, with
    the body capped. A tool with an output schema that gets a non-JSON 2xx body is an error too:
    MCP clients reject a successful result that lacks the structured content it promised.
    """
    text = body.decode("utf-8", errors="replace")
    if not 200 <= status < 300:
        return _error(status, text, truncated, "The API answered with an error")
    if not body.strip():
        return ToolResult(is_error=False, text=f"{_status_line(status)} with an empty body.")
    ok, value = (False, None) if truncated else _parsed(body)
    # Some APIs label JSON as text: a tool that promises JSON takes any body that parses.
    if ok and (_is_json(content_type) or content_type is None or has_output_schema):
        wrapped = output_wrapped or not isinstance(value, dict)
        structured = {"result": value} if wrapped else value
        return ToolResult(is_error=False, text=text, structured=structured)
    if has_output_schema:
        return _error(status, text, truncated, "The API did not answer with the promised JSON")
    return ToolResult(is_error=False, text=f"{text}\n{_TRUNCATED_NOTE}" if truncated else text)
