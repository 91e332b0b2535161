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

`counting_update` is the same check and count for a period whose row exists, as an UPDATE:
what inline SQLite runs first (see its docstring for why it is cheaper there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from domain.metering.plans import Plan

__all__ = ["UNLIMITED", "admission_statement", "counting_update", "counting_update_many"]

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


def _plan_cases(plans: Callable[[str], Plan], plan_ids: Iterable[str]) -> tuple[str, str, str]:
    """SQL CASEs over `u.plan` (and the cap `c.cap_micro_eur`): plan id, call limit, server limit.

    Unknown ids get `plans` of an unknown id (free). Only integers and plan ids checked against
    _PLAN_ID are written into the text.
    """
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
    return (
        f"CASE u.plan {' '.join(whens_id)} ELSE '{fallback.id}' END",
        f"CASE u.plan {' '.join(whens_calls)} ELSE {calls} END",
        f"CASE u.plan {' '.join(whens_servers)} ELSE {servers} END",
    )


_ACCOUNT_ROW = "FROM users u LEFT JOIN budget_caps c ON c.user_id = u.id WHERE u.id = :user_id"
_ACTIVE_SERVERS = "(SELECT count(*) FROM servers s WHERE s.owner_id = u.id AND s.is_active)"
_COLUMNS = (
    sa.column("calls", sa.BigInteger),
    sa.column("plan_id", sa.Text),
    sa.column("call_limit", sa.BigInteger),
)


def _servers_within_limit(server_limit: str) -> str:
    """SQL: the user's active servers are within the plan's limit (counted only for a plan
    that has one). `true`, not 1: the same boolean on SQLite and PostgreSQL."""
    return (
        f"CASE WHEN {server_limit} >= {UNLIMITED} THEN true "
        f"ELSE {_ACTIVE_SERVERS} <= {server_limit} END"
    )


def admission_statement(plans: Callable[[str], Plan], plan_ids: Iterable[str]) -> sa.TextualSelect:
    """The statement for these plans (unknown ids get `plans` of an unknown id: free)."""
    plan_id, call_limit, server_limit = _plan_cases(plans, plan_ids)
    return sa.text(
        f"""
WITH account AS (
  SELECT
    {plan_id} AS plan_id,
    {call_limit} AS call_limit,
    {server_limit} AS server_limit,
    {_ACTIVE_SERVERS} AS active
  {_ACCOUNT_ROW}
)
INSERT INTO usage_counters (user_id, period, calls, blocked)
SELECT :user_id, :period, CAST(:count AS BIGINT), 0 FROM account
WHERE account.call_limit >= CAST(:count AS BIGINT) AND account.active <= account.server_limit
ON CONFLICT (user_id, period) DO UPDATE SET calls = usage_counters.calls + excluded.calls
WHERE usage_counters.calls + excluded.calls <= (SELECT call_limit FROM account)
RETURNING calls, (SELECT plan_id FROM account) AS plan_id,
  (SELECT call_limit FROM account) AS call_limit
"""  # noqa: S608
    ).columns(*_COLUMNS)


def counting_update(plans: Callable[[str], Plan], plan_ids: Iterable[str]) -> sa.TextualSelect:
    """`admission_statement` for a period whose row exists: an UPDATE, the same conditions.

    SQLite runs it for about 60% of the upsert's instructions (measured with valgrind, 89k vs
    146k per statement): an INSERT .. SELECT with RETURNING copies its source rows through a
    temporary table, RETURNING fills a second, and the CTE, referenced four times, was
    computed twice (once into a third). Here the account is read by scalar subqueries (one
    in the condition, two for the figures returned), and the active servers are counted only
    for a plan that limits them. No row back: the period's row is missing or a condition fails, and
    the caller runs `admission_statement`, which tells the two apart. Each statement counts
    all of `:count` or nothing, atomically, so running one after the other counts no call
    twice and passes no limit.
    """
    plan_id, call_limit, server_limit = _plan_cases(plans, plan_ids)
    servers_within_limit = _servers_within_limit(server_limit)
    return sa.text(
        f"""
UPDATE usage_counters SET calls = calls + CAST(:count AS BIGINT)
WHERE user_id = :user_id AND period = :period
  AND calls + CAST(:count AS BIGINT) <= (
    SELECT {call_limit} {_ACCOUNT_ROW} AND {servers_within_limit})
RETURNING calls, (SELECT {plan_id} {_ACCOUNT_ROW}) AS plan_id,
  (SELECT {call_limit} {_ACCOUNT_ROW}) AS call_limit
"""  # noqa: S608
    ).columns(*_COLUMNS)


def counting_update_many(plans: Callable[[str], Plan], plan_ids: Iterable[str]) -> sa.TextualSelect:
    """PostgreSQL: `counting_update` for several (user, period) at once, one statement.

    `:user_ids`, `:periods` and `:counts` are arrays of one entry per key (keys distinct). Each
    key's row gets its own conditions and counts its own calls, all or none, exactly as
    `counting_update` alone would; a row comes back for each key counted (`user_id`, `period`,
    then the same three figures); a missing key was not (no row for its period yet, or a
    condition failed) and the caller runs `admission_statement` for it, which tells why.

    The period rows are locked in one order (user, period) before any is updated, so two of
    these statements from different processes never wait for each other in a cycle; the
    single-key statements lock one row. PostgreSQL checks the `UPDATE`'s conditions again on
    the latest version of a row it had to wait for, so no limit is passed under concurrency.
    """
    plan_id, call_limit, server_limit = _plan_cases(plans, plan_ids)
    servers_within_limit = _servers_within_limit(server_limit)
    return sa.text(
        f"""
WITH wanted AS (
  SELECT * FROM unnest(CAST(:user_ids AS TEXT[]), CAST(:periods AS TEXT[]),
                       CAST(:counts AS BIGINT[])) AS w(user_id, period, count)
),
account AS (
  SELECT w.user_id, w.period, w.count, {plan_id} AS plan_id, {call_limit} AS call_limit,
    {servers_within_limit} AS servers_ok
  FROM wanted w JOIN users u ON u.id = w.user_id LEFT JOIN budget_caps c ON c.user_id = u.id
),
locked AS (
  SELECT uc.user_id, uc.period FROM usage_counters uc
  JOIN wanted w ON uc.user_id = w.user_id AND uc.period = w.period
  ORDER BY uc.user_id, uc.period
  FOR UPDATE OF uc
)
UPDATE usage_counters SET calls = usage_counters.calls + a.count
FROM account a
WHERE usage_counters.user_id = a.user_id AND usage_counters.period = a.period
  AND (usage_counters.user_id, usage_counters.period) IN (SELECT user_id, period FROM locked)
  AND usage_counters.calls + a.count <= a.call_limit AND a.servers_ok
RETURNING usage_counters.user_id, usage_counters.period, usage_counters.calls, a.plan_id,
  a.call_limit
"""  # noqa: S608
    ).columns(
        sa.column("user_id", sa.Text),
        sa.column("period", sa.Text),
        *_COLUMNS,
    )
