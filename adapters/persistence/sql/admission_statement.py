"""The one-statement admission of the usage meter's common case (same SQL on SQLite and PostgreSQL).

`:count` calls (1, or several waiting together: `admission_coalescer`) are counted, in a single
round trip, when the user's plan and budget cap allow that many more calls this period and the
user is within the plan's active-server limit; all of them or none:

    WITH account AS (SELECT <plan id>, <call limit>, <server limit>, <active servers>
                     FROM users LEFT JOIN budget_caps ... WHERE users.id = :user_id)
    INSERT INTO usage_counters (user_id, period, calls, blocked)
    SELECT :user_id, :period, :count, 0 FROM account
    WHERE <the first :count calls allowed, servers within limit>
    ON CONFLICT (user_id, period) DO UPDATE SET calls = usage_counters.calls + excluded.calls
    WHERE usage_counters.calls + excluded.calls <= (SELECT call_limit FROM account)
    RETURNING calls, plan id, call limit

`excluded.calls` is the row the INSERT proposed, i.e. `:count`. `calls` comes back as the count
after these calls: they are the calls numbered `calls - :count + 1` to `calls`.

The plan figures come from the domain's plans (`domain.metering.plans`) and are written into
the statement as a CASE over the plan ids once, when the meter is built; the limit is
`allowed_calls(plan, cap)` computed in SQL (integer division on both engines). No row returned
means "not the common case" (refused, unknown user, or more active servers than the plan
allows, where the server's rank decides; for several calls, possibly only that fewer fit): the
meter then takes its full path, one call at a time, which decides and explains refusals. The
count itself stays one conditional upsert, so its atomicity is the same as the full path's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from domain.metering.plans import Plan

__all__ = ["UNLIMITED", "admission_statement"]

UNLIMITED = 2**62
"""Stands for "no limit" inside the statement, so that comparisons need no NULL handling."""

_PLAN_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _limits(plan: Plan, cap: str) -> tuple[str, str]:
    """SQL for the plan's call limit (given the cap column) and its active-server limit."""
    rate = plan.overage_micro_eur_per_call
    included = int(plan.included_calls)
    if rate is None:
        calls = str(included)
    else:
        calls = (
            f"CASE WHEN {cap} IS NULL THEN {UNLIMITED} ELSE {included} + {cap} / {int(rate)} END"
        )
    servers = UNLIMITED if plan.active_servers is None else int(plan.active_servers)
    return calls, str(servers)


def admission_statement(plans: Callable[[str], Plan], plan_ids: Iterable[str]) -> sa.TextualSelect:
    """The statement for these plans (unknown ids get `plans` of an unknown id: free)."""
    cap = "c.cap_micro_eur"
    fallback = plans("")
    whens_id, whens_calls, whens_servers = [], [], []
    for plan_id in plan_ids:
        plan = plans(plan_id)
        if not (_PLAN_ID.match(plan_id) and _PLAN_ID.match(plan.id)):
            raise ValueError(f"unexpected plan id {plan_id!r}")
        calls, servers = _limits(plan, cap)
        whens_id.append(f"WHEN '{plan_id}' THEN '{plan.id}'")
        whens_calls.append(f"WHEN '{plan_id}' THEN {calls}")
        whens_servers.append(f"WHEN '{plan_id}' THEN {servers}")
    if not _PLAN_ID.match(fallback.id):
        raise ValueError(f"unexpected plan id {fallback.id!r}")
    calls, servers = _limits(fallback, cap)
    # Only integers and plan ids checked against _PLAN_ID are written into the text.
    return sa.text(
        f"""
WITH account AS (
  SELECT
    CASE u.plan {" ".join(whens_id)} ELSE '{fallback.id}' END AS plan_id,
    CASE u.plan {" ".join(whens_calls)} ELSE {calls} END AS call_limit,
    CASE u.plan {" ".join(whens_servers)} ELSE {servers} END AS server_limit,
    (SELECT count(*) FROM servers s WHERE s.owner_id = u.id AND s.is_active) AS active
  FROM users u LEFT JOIN budget_caps c ON c.user_id = u.id
  WHERE u.id = :user_id
)
INSERT INTO usage_counters (user_id, period, calls, blocked)
SELECT :user_id, :period, CAST(:count AS BIGINT), 0 FROM account
WHERE account.call_limit >= CAST(:count AS BIGINT) AND account.active <= account.server_limit
ON CONFLICT (user_id, period) DO UPDATE SET calls = usage_counters.calls + excluded.calls
WHERE usage_counters.calls + excluded.calls <= (SELECT call_limit FROM account)
RETURNING calls, (SELECT plan_id FROM account) AS plan_id,
  (SELECT call_limit FROM account) AS call_limit
"""  # noqa: S608
    ).columns(
        sa.column("calls", sa.BigInteger),
        sa.column("plan_id", sa.Text),
        sa.column("call_limit", sa.BigInteger),
    )
