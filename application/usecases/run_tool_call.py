"""RunToolCall: the one path every tool call takes (MCP endpoint, test route, local run mode)."""

from __future__ import annotations

from typing import Any, Literal

from application.usecases.call_tool import CallTool, ToolCallOutcome
from application.usecases.endpoint_catalog import EndpointSnapshot

__all__ = ["RunToolCall"]

CallSource = Literal["mcp", "test"]


class RunToolCall:
    """Finds the tool, checks the arguments and credential, then calls the upstream.

    Raises:
        UnknownTool: no such tool (or inactive, unless `include_inactive`).
        InvalidRequest: reason `invalid_arguments` or `missing_credential`.
        UpstreamUnavailable: the upstream gave no usable answer.
    """

    def __init__(self, call_tool: CallTool) -> None:
        self._call = call_tool

    async def __call__(
        self,
        snapshot: EndpointSnapshot,
        tool_name: str,
        arguments: Any,
        *,
        source: CallSource,
        request_id: str,
        include_inactive: bool = False,
    ) -> ToolCallOutcome:
        entry = self._call.find(snapshot, tool_name, include_inactive=include_inactive)
        args = self._call.check_arguments(entry, arguments)
        credential = self._call.credential(snapshot)
        return await self._call.send(snapshot, entry, args, credential)
