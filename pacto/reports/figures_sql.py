"""Speed-up: the per-group SLA figures as one grouped query on PostgreSQL.

``figures.sla_figures`` reads each clock of the month and counts in Python on any database.
On PostgreSQL this module computes the same groups in the database instead: one statement
finds the month's clocks, gives each its verdict, joins only those to their tickets for the
grouping columns and aggregates (``percentile_cont`` for the median and 90th percentile,
``GROUPING SETS`` for the groups and the totals in one pass). The month's clocks are found
through the GiST index ``reports_clock_span`` (migration 0002) on each clock's span, from
its start to its last verdict (unbounded while undecided): a clock matters to a month when
its span meets the month. The breaches listed come from ``reports_clock_breached`` (0003),
read in the order they are listed. The time over target is the engine's own
(``remaining_seconds`` = target − elapsed), so nothing is computed per clock in Python.

Removing this module (and its call in ``figures.py``) leaves the same figures, slower;
``tests/test_figures_sql.py`` checks both paths agree on PostgreSQL.
"""

from __future__ import annotations

from django.db import connection, transaction

from pacto.reports.measure import METRICS, Group, Period, breach_line

# Each dimension's grouping column. Organizations, contracts and agents are grouped by id
# (integers sort fast) and named afterwards; texts compare bytewise (COLLATE "C"), which is
# all a group needs.
COLUMNS = {
    "severity": 't.severity COLLATE "C"',
    "plan": 't.plan COLLATE "C"',
    "organization": "t.organization_id",
    "contract": "t.contract_id",
    "category": 't.category COLLATE "C"',
    "type": 't.type COLLATE "C"',
    "product": 't.product COLLATE "C"',
    "channel": 't.channel COLLATE "C"',
    "agent": "t.assignee_id",
    "policy": 'pv.policy_id COLLATE "C"',
}
# The names of the dimensions grouped by id.
NAMES = {
    "organization": ("accounts_organization", "name"),
    "contract": ("contracts_contract", "service_contract_id"),
    "agent": ("accounts_user", "email"),
}
SPAN = "tstzrange(c.started_at, COALESCE(GREATEST(c.met_at, c.breached_at), 'infinity'), '[]')"
LIVE_STATES = "('running', 'paused', 'met', 'breached')"
# A clock met or breached (its span ends), and one still undecided (migration 0004's indexes).
DECIDED = f"(c.met_at IS NOT NULL OR c.breached_at IS NOT NULL) AND c.state IN {LIVE_STATES}"
UNDECIDED = "c.met_at IS NULL AND c.breached_at IS NULL AND c.state IN ('running', 'paused')"
# The breach instant: recorded, or a running clock's passed due time (not yet swept).
BREACH = (
    "COALESCE(c.breached_at, CASE WHEN c.state = 'running' AND c.due_at <= %(now)s "
    "THEN c.due_at END)"
)
# The columns each candidate clock brings, and the verdict of one breached in the month.
CLOCK = (
    'c.ticket_id, c.metric COLLATE "C" AS metric, c.met_at, c.elapsed_seconds, '
    f"c.remaining_seconds, c.paused_seconds, {BREACH} AS b"
)
BREACHED = "CASE WHEN c.exempt_reason = '' THEN 'breached' ELSE 'exempt' END"


def _params(period: Period, organization_id: int | None, now) -> dict:
    return {
        "start": period.start,
        "end": period.end,
        "now": now,
        "metrics": list(METRICS),
        "org": organization_id,
        "zone": period.zone,
        "month": period.month,
    }


def _organization(organization_id: int | None, column: str) -> str:
    if organization_id is None:
        return ""
    return f" AND {column} IN (SELECT id FROM tickets_ticket WHERE organization_id = %(org)s)"


def grouped_sql(organization_id: int | None, dims: list[str]) -> str:
    month_expr = "COALESCE(to_char(v.decided_at AT TIME ZONE %(zone)s, 'YYYY-MM'), %(month)s)"
    select_dims = [month_expr if d == "month" else COLUMNS[d] for d in dims]
    joins = (
        "JOIN contracts_policyversion pv ON pv.id = t.policy_version_id" if "policy" in dims else ""
    )
    dim_list = "".join(f", {c}" for c in select_dims)
    # The sort behind the groups compares ids before texts: most rows differ there first.
    by_id = sorted(select_dims, key=lambda c: "COLLATE" in c)
    order = "".join(f", {c}" for c in by_id)
    sets = f"GROUPING SETS ((v.metric{order}), (v.metric))" if dims else "v.metric"
    return f"""
    WITH v AS NOT MATERIALIZED (
        SELECT x.ticket_id, x.metric, x.verdict, x.met_in_period, x.elapsed_seconds,
               GREATEST(0, -x.remaining_seconds) AS over,
               CASE WHEN x.verdict IN ('met', 'breached', 'exempt') THEN x.paused_seconds
                    ELSE 0 END AS paused,
               CASE x.verdict WHEN 'met' THEN x.met_at
                              WHEN 'breached' THEN x.b WHEN 'exempt' THEN x.b END AS decided_at
        FROM (
            -- Met in the month (on time, or late: its time to meet), by reports_clock_met.
            SELECT {CLOCK},
                   CASE WHEN c.state = 'met' THEN 'met'
                        WHEN {BREACH} >= %(start)s AND {BREACH} < %(end)s THEN {BREACHED}
                   END AS verdict,
                   true AS met_in_period
            FROM tickets_slaclock c
            WHERE c.met_at >= %(start)s AND c.met_at < %(end)s AND c.state IN ('met', 'breached')
              AND c.metric = ANY(%(metrics)s) {_organization(organization_id, "c.ticket_id")}
            UNION ALL
            -- Breached in the month and not met in it, by reports_clock_breached.
            SELECT {CLOCK}, {BREACHED}, false
            FROM tickets_slaclock c
            WHERE c.breached_at >= %(start)s AND c.breached_at < %(end)s
              AND c.state IN {LIVE_STATES} AND c.metric = ANY(%(metrics)s)
              AND NOT (COALESCE(c.met_at >= %(start)s AND c.met_at < %(end)s, false)
                       AND c.state IN ('met', 'breached'))
              {_organization(organization_id, "c.ticket_id")}
            UNION ALL
            -- Past due in the month, still running, before a sweep records the breach.
            SELECT {CLOCK}, {BREACHED}, false
            FROM tickets_slaclock c
            WHERE c.breached_at IS NULL AND c.state = 'running' AND c.metric = ANY(%(metrics)s)
              AND c.due_at >= %(start)s AND c.due_at < %(end)s AND c.due_at <= %(now)s {_organization(organization_id, "c.ticket_id")}
            UNION ALL
            -- Running at the month's end and decided since: its span holds the end, by
            -- reports_clock_span.
            SELECT {CLOCK}, 'running', false
            FROM tickets_slaclock c
            WHERE {SPAN} @> %(end)s::timestamptz AND {DECIDED}
              AND c.started_at < %(end)s AND c.metric = ANY(%(metrics)s)
              AND (c.met_at IS NULL OR c.met_at >= %(end)s)
              AND ({BREACH} IS NULL OR {BREACH} >= %(end)s) {_organization(organization_id, "c.ticket_id")}
            UNION ALL
            -- Running at the month's end and still undecided, by reports_clock_undecided.
            SELECT {CLOCK}, 'running', false
            FROM tickets_slaclock c
            WHERE {UNDECIDED} AND c.started_at < %(end)s AND c.metric = ANY(%(metrics)s)
              AND ({BREACH} IS NULL OR {BREACH} >= %(end)s) {_organization(organization_id, "c.ticket_id")}
        ) x
    )
    SELECT v.metric{dim_list}, GROUPING(v.metric{dim_list}) AS level,
           count(*) FILTER (WHERE v.verdict = 'met'),
           count(*) FILTER (WHERE v.verdict = 'breached'),
           count(*) FILTER (WHERE v.verdict = 'exempt'),
           count(*) FILTER (WHERE v.verdict = 'running'),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v.elapsed_seconds)
               FILTER (WHERE v.met_in_period),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY v.elapsed_seconds)
               FILTER (WHERE v.met_in_period),
           sum(v.over) FILTER (WHERE v.verdict = 'breached'),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v.over)
               FILTER (WHERE v.verdict = 'breached'),
           sum(v.paused),
           array_agg(DISTINCT t.policy_version_id)
    FROM v
    JOIN tickets_ticket t ON t.id = v.ticket_id
    {joins}
    GROUP BY {sets}
    """


def sql_groups(
    period: Period, organization_id: int | None, dims: list[str], now
) -> tuple[dict[str, dict[tuple, Group]], dict[str, Group], set[int]]:
    """Groups and totals per metric, as ``figures.sla_figures`` makes them, and the policy
    versions of the clocks counted."""
    groups: dict[str, dict[tuple, Group]] = {m: {} for m in METRICS}
    totals = {m: Group({}) for m in METRICS}
    versions: set[int] = set()
    # One statement over a month of clocks: JIT compilation costs more than it saves here,
    # and the sorts of the percentiles want memory rather than temporary files. The month's
    # clocks find their tickets by primary key: a hash of every ticket (what the planner
    # picks otherwise) cost a quarter more server CPU over 1,000,000 tickets (benchmarks/).
    # The month is not materialized, so its index ranges, the join and the sort run in
    # parallel workers and one aggregate reads their merged order: 1.25 s → 0.8 s there.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute(grouped_sql(organization_id, dims), _params(period, organization_id, now))
        rows = cursor.fetchall()
        n = len(dims)
        for i, d in enumerate(dims):
            if d in NAMES:
                table, column = NAMES[d]
                ids = list({row[1 + i] for row in rows if row[1 + i] is not None})
                cursor.execute(f"SELECT id, {column} FROM {table} WHERE id = ANY(%s)", [ids])
                names = dict(cursor.fetchall())
                rows = [(*row[: 1 + i], names.get(row[1 + i], ""), *row[2 + i :]) for row in rows]
    for row in rows:
        metric, keys, level = row[0], row[1 : 1 + n], row[1 + n]
        met, breached, exempt, running, median, p90, over_sum, over_median, paused, pvs = row[
            2 + n :
        ]
        group = Group(
            {d: (k if k is not None else "") for d, k in zip(dims, keys, strict=True)},
            met=met, breached=breached, exempt=exempt, running=running,
            paused_seconds=float(paused or 0),
            computed={"median": median, "p90": p90, "over_sum": float(over_sum or 0),
                      "over_median": over_median},
        )  # fmt: skip
        versions |= set(pvs or ())
        if not dims:
            groups[metric][()] = group
            totals[metric] = Group({}, **{k: v for k, v in vars(group).items() if k != "key"})
        elif level:
            group.key = {}
            totals[metric] = group
        else:
            groups[metric][tuple(group.key[d] for d in dims)] = group
    return groups, totals, versions


def breaches_sql(organization_id: int | None) -> str:
    return f"""
    SELECT c.ticket_id, c.metric, o.name, t.severity, t.plan, c.target, x.b,
           c.remaining_seconds, c.exempt_reason
    FROM (
        (SELECT c.id, c.breached_at AS b FROM tickets_slaclock c
         WHERE c.breached_at >= %(start)s AND c.breached_at < %(end)s
           AND c.state IN {LIVE_STATES} AND c.metric = ANY(%(metrics)s)
           {_organization(organization_id, "c.ticket_id")}
         ORDER BY c.breached_at, c.ticket_id, c.metric LIMIT %(limit)s)
        UNION ALL
        (SELECT c.id, c.due_at FROM tickets_slaclock c
         WHERE c.breached_at IS NULL AND c.state = 'running' AND c.metric = ANY(%(metrics)s)
           AND c.due_at >= %(start)s AND c.due_at < %(end)s AND c.due_at <= %(now)s
           {_organization(organization_id, "c.ticket_id")}
         ORDER BY c.due_at, c.ticket_id, c.metric LIMIT %(limit)s)
    ) x
    JOIN tickets_slaclock c ON c.id = x.id
    JOIN tickets_ticket t ON t.id = c.ticket_id
    JOIN accounts_organization o ON o.id = t.organization_id
    WHERE NOT (c.state = 'met' AND c.met_at >= %(start)s AND c.met_at < %(end)s)
    ORDER BY x.b, c.ticket_id, c.metric
    LIMIT %(limit)s
    """


def sql_breaches(period: Period, organization_id: int | None, now, limit: int) -> list[dict]:
    """The breaches of the period, first breached first, as ``figures.sla_figures`` lists them."""
    params = _params(period, organization_id, now) | {"limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(breaches_sql(organization_id), params)
        return [breach_line(*row) for row in cursor.fetchall()]


def usable(group_by: list[str]) -> bool:
    return connection.vendor == "postgresql" and all(d in COLUMNS or d == "month" for d in group_by)
