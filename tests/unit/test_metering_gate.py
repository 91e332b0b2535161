"""The metering gate rule of API.md §7, for any plan, count and cap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.metering.gate import (
    allowed_calls,
    decide,
    euros_to_micro,
    period_bounds,
    period_of,
)
from domain.metering.plans import PLANS

plans = st.sampled_from(list(PLANS.values()))
caps = st.none() | st.integers(0, 10_000 * 1_000_000)


@given(plans, st.integers(1, 2_000_000), caps)
def test_the_conditional_limit_agrees_with_the_rule(plan, n, cap):
    limit = allowed_calls(plan, cap)
    assert decide(plan, n, cap).allowed == (limit is None or n <= limit)


def test_free_stops_at_one_thousand():
    free = PLANS["free"]
    assert decide(free, 1000, None).allowed
    assert decide(free, 1001, None).reason == "monthly_quota"
    assert decide(free, 1001, 10_000_000).reason == "monthly_quota"


def test_cap_zero_stops_exactly_at_the_quota():
    starter = PLANS["starter"]
    assert decide(starter, 50_000, 0).allowed
    assert decide(starter, 50_001, 0).reason == "budget_cap"


def test_ten_euros_on_starter_allow_exactly_two_hundred_thousand_overage_calls():
    starter = PLANS["starter"]
    cap = euros_to_micro("10")
    assert decide(starter, 50_000 + 200_000, cap).allowed
    assert decide(starter, 50_000 + 200_001, cap).reason == "budget_cap"
    assert allowed_calls(starter, cap) == 250_000


def test_no_cap_means_no_stop_with_overage():
    assert decide(PLANS["pro"], 10_000_000, None).allowed
    assert allowed_calls(PLANS["pro"], None) is None


@pytest.mark.parametrize(
    ("text", "micro"), [("0", 0), ("10", 10_000_000), ("0.05", 50_000), ("9999.99", 9_999_990_000)]
)
def test_euro_amounts_convert_exactly(text, micro):
    assert euros_to_micro(text) == micro


def test_periods_are_utc_calendar_months():
    assert period_of(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)) == "2026-12"
    assert period_bounds("2026-12") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
