"""Speed-up: the per-group SLA figures as one grouped query on PostgreSQL.

``figures.sla_figures`` reads each clock of the month and counts in Python, on every
database. On PostgreSQL, this module computes the same groups in the database instead
(``percentile_cont`` for the median and 90th percentile, ``jsonb_array_elements`` for the
paused time), so a month of a million tickets is one indexed query. The candidates are found
with the GiST index ``reports_clock_span`` (migration 0002) on each clock's span, from its
start to its last verdict (``[started_at, greatest(met_at, breached_at)]``, unbounded while
undecided): a clock matters to a month when its span meets the month.

Removing this module (and its call in ``figures.py``) leaves the same figures, slower;
``tests/test_figures_sql.py`` checks both paths agree on PostgreSQL.
"""

from __future__ import annotations

from django.db import connection, transaction

from pacto.reports.figures import METRICS, POLICY_BOUND, Group, Period, target_seconds

COLUMNS = {
    "severity": "t.severity",
    "plan": "t.plan",
    "organization": "o.name",
    "contract": "k.service_contract_id",
    "type": "t.type",
    "product": "t.product",
    "channel": "t.channel",
    "agent": "COALESCE(a.email, '')",
    "policy": "pv.policy_id",
}
SPAN = "tstzrange(c.started_at, COALESCE(GREATEST(c.met_at, c.breached_at), 'infinity'), '[]')"
LIVE_STATES = "('running', 'paused', 'met', 'breached')"


def _breached_targets(period: Period, organization_id: int | None, now) -> list[tuple]:
    """The (policy version, target, calendar) of the clocks breached in the period."""
    where, params = _where(period, organization_id, now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT t.policy_version_id, c.target, c.calendar
            FROM tickets_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
            WHERE {where}
              AND COALESCE(c.breached_at, CASE WHEN c.state = 'running' AND c.due_at <= %(now)s
                                               THEN c.due_at END) >= %(start)s
              AND COALESCE(c.breached_at, CASE WHEN c.state = 'running' AND c.due_at <= %(now)s
                                               THEN c.due_at END) < %(end)s
            """,
            params,
        )
        return cursor.fetchall()


def _where(period: Period, organization_id: int | None, now) -> tuple[str, dict]:
    params = {
        "start": period.start,
        "end": period.end,
        "now": now,
        "metrics": list(METRICS),
        "org": organization_id,
    }
    where = (
        f"c.state IN {LIVE_STATES} AND c.metric = ANY(%(metrics)s) "
        f"AND {SPAN} && tstzrange(%(start)s, %(end)s, '[)')"
    )
    if organization_id is not None:
        where += " AND t.organization_id = %(org)s"
    return where, params


def sql_groups(
    period: Period, organization_id: int | None, dims: list[str], now
) -> tuple[dict[str, dict[tuple, Group]], dict[str, Group], set[int]]:
    """Groups and totals per metric, as ``figures.sla_figures`` makes them, and the policy
    versions of the clocks counted."""
    where, params = _where(period, organization_id, now)
    lengths = [
        (pv, target, calendar, target_seconds(pv, target, calendar))
        for pv, target, calendar in _breached_targets(period, organization_id, now)
    ]
    values = ", ".join(
        f"(%(pv{i})s, %(tg{i})s, %(cal{i})s, %(len{i})s::float8)" for i in range(len(lengths))
    )
    for i, (pv, target, calendar, length) in enumerate(lengths):
        params |= {f"pv{i}": pv, f"tg{i}": target, f"cal{i}": calendar, f"len{i}": length}
    lengths_cte = (
        f"lengths(pv, target, calendar, seconds) AS (VALUES {values})"
        if lengths
        else "lengths(pv, target, calendar, seconds) AS "
        "(SELECT NULL::int, NULL::text, NULL::text, NULL::float8 WHERE false)"
    )
    month_expr = (
        "COALESCE(to_char((CASE v.verdict WHEN 'met' THEN v.met_at WHEN 'breached' THEN v.b END)"
        " AT TIME ZONE %(zone)s, 'YYYY-MM'), %(month)s)"
    )
    params |= {"zone": period.zone, "month": period.month}
    select_dims = []
    for d in dims:
        select_dims.append(month_expr if d == "month" else f"v.d_{d}")
    inner_dims = ", ".join(f"{COLUMNS[d]} AS d_{d}" for d in dims if d != "month")
    group_cols = ", ".join(select_dims)
    sets = f"GROUPING SETS ((v.metric, {group_cols}), (v.metric))" if dims else "v.metric"
    dim_list = "".join(f", {c}" for c in select_dims)
    sql = f"""
    WITH {lengths_cte},
    c AS (
        SELECT c.metric, c.state, c.started_at, c.met_at, c.elapsed_seconds, c.target,
               c.calendar, c.segments, t.policy_version_id,
               COALESCE(c.breached_at, CASE WHEN c.state = 'running' AND c.due_at <= %(now)s
                                            THEN c.due_at END) AS b
               {", " + inner_dims if inner_dims else ""}
        FROM tickets_slaclock c
        JOIN tickets_ticket t ON t.id = c.ticket_id
        JOIN contracts_policyversion pv ON pv.id = t.policy_version_id
        JOIN accounts_organization o ON o.id = t.organization_id
        JOIN contracts_contract k ON k.id = t.contract_id
        LEFT JOIN accounts_user a ON a.id = t.assignee_id
        WHERE {where}
    ),
    v AS (
        SELECT c.*,
               CASE WHEN c.state = 'met' AND c.met_at >= %(start)s AND c.met_at < %(end)s
                      THEN 'met'
                    WHEN c.b >= %(start)s AND c.b < %(end)s THEN 'breached'
                    WHEN c.started_at < %(end)s AND (c.met_at IS NULL OR c.met_at >= %(end)s)
                         AND (c.b IS NULL OR c.b >= %(end)s) THEN 'running'
               END AS verdict,
               (c.state IN ('met', 'breached') AND c.met_at >= %(start)s
                AND c.met_at < %(end)s) AS met_in_period
        FROM c
    )
    SELECT v.metric{dim_list}, GROUPING(v.metric{dim_list}) AS level,
           count(*) FILTER (WHERE v.verdict = 'met'),
           count(*) FILTER (WHERE v.verdict = 'breached'),
           count(*) FILTER (WHERE v.verdict = 'running'),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v.elapsed_seconds)
               FILTER (WHERE v.met_in_period),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY v.elapsed_seconds)
               FILTER (WHERE v.met_in_period),
           count(*) FILTER (WHERE v.met_in_period),
           sum(GREATEST(0, v.elapsed_seconds - COALESCE(l.seconds, v.elapsed_seconds)))
               FILTER (WHERE v.verdict = 'breached'),
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY GREATEST(0, v.elapsed_seconds - COALESCE(l.seconds, v.elapsed_seconds)))
               FILTER (WHERE v.verdict = 'breached'),
           COALESCE(sum(CASE WHEN v.verdict IN ('met', 'breached') THEN (
               SELECT COALESCE(sum(EXTRACT(EPOCH FROM
                   ((s->>'end')::timestamptz - (s->>'start')::timestamptz))), 0)
               FROM jsonb_array_elements(v.segments) s
               WHERE s->>'kind' = 'paused' AND NOT COALESCE((s->>'projected')::boolean, false)
           ) END), 0),
           array_agg(DISTINCT v.policy_version_id)
    FROM v
    LEFT JOIN lengths l ON l.pv = v.policy_version_id AND l.target = v.target
                        AND l.calendar = v.calendar
    WHERE v.verdict IS NOT NULL OR v.met_in_period
    GROUP BY {sets}
    """
    groups: dict[str, dict[tuple, Group]] = {m: {} for m in METRICS}
    totals = {m: Group({}) for m in METRICS}
    versions: set[int] = set()
    # One statement over a month of clocks: JIT compilation costs more than it saves here,
    # and the sorts of the percentiles want memory rather than temporary files.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            metric, keys = row[0], row[1 : 1 + len(dims)]
            level = row[1 + len(dims)]
            met, breached, running, median, p90, _n, over_sum, over_median, paused, pvs = row[
                2 + len(dims) :
            ]
            group = Group(
                {d: (k if k is not None else "") for d, k in zip(dims, keys, strict=True)}
            )
            group.met, group.breached, group.running = met, breached, running
            group.paused_seconds = float(paused or 0)
            group._sql = {  # what as_json reads instead of the lists
                "median": median,
                "p90": p90,
                "over_sum": float(over_sum or 0),
                "over_median": over_median,
            }
            versions |= set(pvs or ())
            if not dims:
                groups[metric][()] = group
                total = Group({})
                total.__dict__.update({k: v for k, v in group.__dict__.items() if k != "key"})
                totals[metric] = total
            elif level:
                group.key = {}
                totals[metric] = group
            else:
                groups[metric][tuple(group.key[d] for d in dims)] = group
    return groups, totals, versions


def sql_breaches(period: Period, organization_id: int | None, now, limit: int) -> list[dict]:
    """The breaches of the period, first breached first, as ``figures.sla_figures`` lists them."""
    where, params = _where(period, organization_id, now)
    params["limit"] = limit
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT * FROM (
                SELECT c.ticket_id, c.metric, o.name, t.severity, t.plan, c.target,
                       COALESCE(c.breached_at, CASE WHEN c.state = 'running'
                                AND c.due_at <= %(now)s THEN c.due_at END) AS b,
                       c.elapsed_seconds, t.policy_version_id, c.calendar, c.state, c.met_at
                FROM tickets_slaclock c
                JOIN tickets_ticket t ON t.id = c.ticket_id
                JOIN accounts_organization o ON o.id = t.organization_id
                WHERE {where}
            ) x
            WHERE x.b >= %(start)s AND x.b < %(end)s
              AND NOT (x.state = 'met' AND x.met_at >= %(start)s AND x.met_at < %(end)s)
            ORDER BY x.b, x.ticket_id, x.metric
            LIMIT %(limit)s
            """,
            params,
        )
        rows = cursor.fetchall()
    out = []
    for ticket, metric, org, severity, plan, target, b, elapsed, pv, calendar, _s, _m in rows:
        length = target_seconds(pv, target, calendar)
        over = max(0.0, elapsed - length) if length is not None else 0.0
        out.append(
            {
                "ticket": ticket,
                "metric": metric,
                "organization": org,
                "severity": severity,
                "plan": plan,
                "target": target,
                "breached_at": b.isoformat(),
                "over_target_seconds": round(over, 1),
                "explanation_url": f"/console/tickets/{ticket}/#clocks-title",
                "api_url": f"/api/tickets/{ticket}",
            }
        )
    return out


def usable(group_by: list[str]) -> bool:
    return connection.vendor == "postgresql" and all(d in COLUMNS or d == "month" for d in group_by)


__all__ = ["POLICY_BOUND", "sql_groups", "usable"]
