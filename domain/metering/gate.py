"""The metering gate (API.md §7): which metered call of a period may go through.

Money is integer micro-euros. For the n-th call of the period (counting this one): allowed if
n <= included; otherwise refused (`monthly_quota`) without overage; otherwise allowed when no
cap is set, or when (n - included) x rate <= cap; otherwise refused (`budget_cap`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from domain.metering.plans import Plan

__all__ = [
    "MICRO_PER_EUR",
    "GateDecision",
    "allowed_calls",
    "decide",
    "euros_to_micro",
    "micro_to_euros",
    "period_bounds",
    "period_of",
    "refusal_reason",
]

MICRO_PER_EUR = 1_000_000


class GateDecision(msgspec.Struct, frozen=True):
    """Allowed or not, and why not (`monthly_quota` or `budget_cap`)."""

    allowed: bool
    reason: str | None = None


def decide(plan: Plan, n: int, cap_micro: int | None) -> GateDecision:
    """The rule itself, for the n-th call of the period."""
    if n <= plan.included_calls:
        return GateDecision(True)
    rate = plan.overage_micro_eur_per_call
    if rate is None:
        return GateDecision(False, "monthly_quota")
    if cap_micro is None or (n - plan.included_calls) * rate <= cap_micro:
        return GateDecision(True)
    return GateDecision(False, "budget_cap")


def allowed_calls(plan: Plan, cap_micro: int | None) -> int | None:
    """The most calls the period allows (None: unlimited), so that check-and-count can be one
    conditional statement: `count < allowed_calls` ⇔ `decide(plan, count + 1, cap).allowed`."""
    rate = plan.overage_micro_eur_per_call
    if rate is None:
        return plan.included_calls
    if cap_micro is None:
        return None
    return plan.included_calls + cap_micro // rate


def refusal_reason(plan: Plan) -> str:
    """Why a call past `allowed_calls` is refused."""
    return "monthly_quota" if plan.overage_micro_eur_per_call is None else "budget_cap"


def euros_to_micro(amount_text: str) -> int:
    """Exact conversion of a decimal euro amount (at most 6 decimals) to micro-euros."""
    whole, _, fraction = amount_text.strip().partition(".")
    if (
        not whole.lstrip("-").isdigit()
        or (fraction and not fraction.isdigit())
        or len(fraction) > 6
    ):
        raise ValueError("not a euro amount")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * MICRO_PER_EUR + int((fraction or "0").ljust(6, "0")))


def micro_to_euros(micro: int) -> float:
    """Micro-euros as a JSON number of euros (display only; never computed with)."""
    return round(micro / MICRO_PER_EUR, 6)


def period_of(moment: datetime) -> str:
    """The billing period (UTC calendar month) of a moment, as `YYYY-MM`."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a `YYYY-MM` period, in UTC."""
    year, month = (int(p) for p in period.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end
