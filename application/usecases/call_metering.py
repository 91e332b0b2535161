"""CallMetering: the gate before the upstream and the log row after it, for every metered call.

Calls that reach the gate are metered: refused ones are logged as blocked and raise, allowed
ones are counted and logged whatever happens next (upstream status, upstream failure, missing
credential). Unknown tools and invalid arguments never reach the gate (docs/metering.md).
"""

from __future__ import annotations

import math
import time
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from application.ports.clock import Clock, IdGenerator
from application.ports.metering import Admission, UsageMeter
from application.ports.request_logs import LogSink
from application.usecases.call_tool import ToolCallOutcome
from application.usecases.endpoint_catalog import EndpointSnapshot, ToolEntry
from domain.errors import DomainError, PlanLimitReached, RateLimited
from domain.logs.request_log import RequestLog
from domain.metering.gate import period_bounds, period_of

__all__ = ["CallMetering", "MeteredCall"]

_MESSAGES = {
    "monthly_quota": "The plan's monthly quota of calls is used up.",
    "budget_cap": "The budget cap on overage is reached.",
}


class MeteredCall(msgspec.Struct, frozen=True, kw_only=True):
    """A call the gate let through: what its log row needs to know."""

    snapshot: EndpointSnapshot
    entry: ToolEntry
    source: Literal["mcp", "test"]
    request_id: str
    started: float


class CallMetering:
    """Admits calls through the meter and hands their log rows to the sink."""

    def __init__(self, meter: UsageMeter, sink: LogSink, clock: Clock, ids: IdGenerator) -> None:
        self._meter = meter
        self._sink = sink
        self._clock = clock
        self._ids = ids

    async def admit(
        self,
        snapshot: EndpointSnapshot,
        entry: ToolEntry,
        source: Literal["mcp", "test"],
        request_id: str,
    ) -> MeteredCall:
        """Count the call, or log it as blocked and refuse it.

        Raises:
            RateLimited: reason `monthly_quota` or `budget_cap`, retry when the period ends.
            PlanLimitReached: the server is past the plan's active-server limit.
        """
        started = time.perf_counter()
        now = self._clock.now()
        period = period_of(now)
        admission = await self._meter.admit(snapshot.server.owner_id, snapshot.server.id, period)
        call = MeteredCall(
            snapshot=snapshot, entry=entry, source=source, request_id=request_id, started=started
        )
        if admission.allowed:
            return call
        error = _refusal(admission, math.ceil((period_bounds(period)[1] - now).total_seconds()))
        self._record(
            call,
            status=429 if isinstance(error, RateLimited) else 403,
            blocked=True,
            error_code=admission.reason,
            error_message=error.message,
        )
        raise error

    def succeeded(self, call: MeteredCall, outcome: ToolCallOutcome) -> None:
        """Log the upstream's answer (an error status included)."""
        parts = urlsplit(outcome.request_url)
        self._record(
            call,
            status=outcome.status,
            is_error=outcome.is_error,
            method=outcome.request_method,
            path=parts.path + (f"?{parts.query}" if parts.query else ""),
            upstream_ms=outcome.upstream_ms,
            headers=outcome.logged_request_headers,
            request_body=outcome.logged_request_body,
            response_body=outcome.logged_response_body,
        )

    def failed(self, call: MeteredCall, error: BaseException) -> None:
        """Log a counted call that got no answer (no credential, upstream unreachable, ...)."""
        if isinstance(error, DomainError):
            code = str(getattr(error, "reason", None) or type(error).__name__)
            message = error.message
        else:
            code, message = "internal_error", "The call failed on our side."
        self._record(call, status=None, error_code=code, error_message=message[:1000])

    def _record(
        self,
        call: MeteredCall,
        *,
        status: int | None,
        is_error: bool = True,
        blocked: bool = False,
        method: str | None = None,
        path: str | None = None,
        upstream_ms: float | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        request_body: str | None = None,
        response_body: str | None = None,
    ) -> None:
        tool = call.entry.tool
        self._sink.record(
            RequestLog(
                id=self._ids.new_id(),
                owner_id=call.snapshot.server.owner_id,
                server_id=call.snapshot.server.id,
                tool_id=tool.id,
                tool_name=tool.name,
                source=call.source,
                request_id=call.request_id,
                method=method or tool.method.upper(),
                path=path or tool.path,
                status_code=status,
                duration_ms=round((time.perf_counter() - call.started) * 1000, 3),
                upstream_ms=upstream_ms,
                is_error=is_error,
                blocked=blocked,
                error_code=error_code,
                error_message=error_message,
                request_headers=headers,
                request_body=request_body,
                response_body=response_body,
                created_at=self._clock.now(),
            )
        )


def _refusal(admission: Admission, retry_after: int) -> RateLimited | PlanLimitReached:
    if admission.reason == "plan_limit":
        return PlanLimitReached(
            resource="active servers",
            limit=admission.server_limit or 0,
            current=admission.active_servers,
            plan=admission.plan,
        )
    reason = admission.reason or "monthly_quota"
    return RateLimited(
        _MESSAGES.get(reason, "The call is refused."),
        reason=reason,
        retry_after_seconds=retry_after,
        limit=admission.limit,
        plan=admission.plan,
    )
