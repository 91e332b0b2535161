"""RunToolCall: the one path every tool call takes (MCP endpoint, test route, local run mode)."""

from __future__ import annotations

from typing import Any, Literal

from application.usecases.call_metering import CallMetering
from application.usecases.call_tool import CallTool, ToolCallOutcome
from application.usecases.endpoint_catalog import EndpointSnapshot

__all__ = ["RunToolCall"]

CallSource = Literal["mcp", "test"]


class RunToolCall:
    """Finds the tool, checks the arguments, meters the call, then calls the upstream.

    Without `metering` (the local run mode, benchmarks) nothing is counted or logged.

    Raises:
        UnknownTool: no such tool (or inactive, unless `include_inactive`).
        InvalidRequest: reason `invalid_arguments` or `missing_credential`.
        RateLimited: reason `monthly_quota` or `budget_cap` (the call was not counted).
        PlanLimitReached: the server is past the plan's active-server limit.
        UpstreamUnavailable: the upstream gave no usable answer.
    """

    def __init__(self, call_tool: CallTool, metering: CallMetering | None = None) -> None:
        self._call = call_tool
        self._metering = metering

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
        if self._metering is None:
            credential = self._call.credential(snapshot)
            return await self._call.send(snapshot, entry, args, credential)
        call = await self._metering.admit(snapshot, entry, source, request_id)
        try:
            credential = self._call.credential(snapshot)
            outcome = await self._call.send(snapshot, entry, args, credential)
        except BaseException as error:
            # Counted calls are always logged, whatever stopped them (cancellation included).
            self._metering.failed(call, error)
            raise
        self._metering.succeeded(call, outcome)
        return outcome
