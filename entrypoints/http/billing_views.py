"""Bodies and views of the budget and usage routes (API.md §7): money as euros."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import msgspec

from application.usecases.usage_report import UsageReport
from domain.errors import FieldProblem, InvalidRequest
from domain.metering.budget import cap_micro_from_text
from domain.metering.gate import micro_to_euros

__all__ = [
    "BudgetBody",
    "BudgetView",
    "ServerUsageView",
    "UsageView",
    "budget_cap_from_body",
    "budget_view",
    "usage_view",
]

_JSON_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class BudgetBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """`capEur`: euros 0..10000 with at most two decimals, or null for no cap (documentation
    only: the body is read from its raw JSON text so that no float ever rounds the amount)."""

    cap_eur: Annotated[float, msgspec.Meta(ge=0, le=10_000, multiple_of=0.01)] | None


class BudgetView(msgspec.Struct, frozen=True, rename="camel"):
    """The cap in euros; null when there is none."""

    cap_eur: float | None


def budget_cap_from_body(raw: bytes) -> int | None:
    """The cap in micro-euros from the request body, read from the number's exact text.

    Raises:
        InvalidRequest: not a JSON object, unknown or missing fields, or a bad amount.
    """
    try:
        fields = msgspec.json.decode(raw, type=dict[str, msgspec.Raw]) if raw.strip() else None
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest(
            "The request body is invalid.", [FieldProblem((), "the body must be a JSON object")]
        ) from None
    if fields is None:
        raise InvalidRequest("The request body is invalid.", [FieldProblem((), "body required")])
    problems = [FieldProblem((k,), "unknown field") for k in fields if k != "capEur"]
    text = bytes(fields["capEur"]).strip() if "capEur" in fields else None
    cap: int | None = None
    if text is None:
        problems.append(FieldProblem(("capEur",), "required field is missing"))
    elif text != b"null":
        if not _JSON_NUMBER.fullmatch(text):
            problems.append(FieldProblem(("capEur",), "must be a number or null"))
        else:
            try:
                cap = cap_micro_from_text(text.decode())
            except ValueError as exc:
                problems.append(FieldProblem(("capEur",), str(exc)))
    if problems:
        raise InvalidRequest("The request body is invalid.", problems)
    return cap


def budget_view(cap_micro: int | None) -> BudgetView:
    return BudgetView(None if cap_micro is None else micro_to_euros(cap_micro))


class ServerUsageView(msgspec.Struct, frozen=True, rename="camel"):
    """One server this period: allowed calls, errors among them, latency percentiles."""

    server_id: str
    name: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None


class UsageView(msgspec.Struct, frozen=True, rename="camel"):
    """This period's usage and bill (periodEnd is exclusive: the next period's start)."""

    plan: str
    period_start: datetime
    period_end: datetime
    server_count: int
    active_servers: int
    requests_this_month: int
    included_requests: int
    overage_requests: int
    overage_cost_eur: float
    budget_cap_eur: float | None
    budget_remaining_eur: float | None
    blocked_requests: int
    error_requests: int
    by_server: list[ServerUsageView]


def _euros(micro: int | None) -> float | None:
    return None if micro is None else micro_to_euros(micro)


def usage_view(report: UsageReport) -> UsageView:
    return UsageView(
        plan=report.plan,
        period_start=report.period_start,
        period_end=report.period_end,
        server_count=report.server_count,
        active_servers=report.active_servers,
        requests_this_month=report.requests_this_month,
        included_requests=report.included_requests,
        overage_requests=report.overage_requests,
        overage_cost_eur=micro_to_euros(report.overage_micro_eur),
        budget_cap_eur=_euros(report.budget_cap_micro_eur),
        budget_remaining_eur=_euros(report.budget_remaining_micro_eur),
        blocked_requests=report.blocked_requests,
        error_requests=report.error_requests,
        by_server=[
            ServerUsageView(
                server_id=s.server_id,
                name=s.name,
                requests=s.requests,
                errors=s.errors,
                p50_ms=s.p50_ms,
                p95_ms=s.p95_ms,
            )
            for s in report.by_server
        ],
    )
