"""Search across tickets, their public replies and (for the vendor's staff) internal notes.

A query is words and field operators::

    vault error status:open org:azul severity:high assignee:me product:pam breached:yes
    before:2026-02-01 after:2026-01-01

Operators filter (``status:`` takes a status category or a policy's status id, ``org:`` a
name or part of it, ``assignee:`` an email, part of a name, ``me`` or ``none``); the other
words are full-text, the same way on both databases as the knowledge base's search
(``pacto.kb.search``): each word a prefix, OR-ed, accents and case ignored, more matching
words rank higher, a match in the subject above one in a message; a snippet comes back with
the matched words in ``<mark>``.

SQLite: FTS5 tables ``tickets_message_fts`` (one row per message) and ``tickets_ticket_fts``
(subjects) with ``unicode61 remove_diacritics 2``, ranked by ``bm25``. PostgreSQL: GIN
indexes on ``to_tsvector('pacto_simple', …)`` (the ``simple`` configuration after
``unaccent``: messages come in any language), ranked by ``ts_rank``. Which tickets may match
is the reader's ``visible_tickets``, applied inside the query; contacts match public
messages only, so a word of an internal note never finds a ticket for them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import User
from pacto.tickets.models import SlaClock, Ticket

MAX_WORDS = 8
SUBJECT_WEIGHT = 4.0
START, STOP = "\x02", "\x03"
OPERATOR = re.compile(r'(\w+):("[^"]*"|\S+)')
OPERATORS = ("status", "org", "severity", "assignee", "product", "breached", "before", "after")
CLOSED_WORDS = {"open": None, "closed": ("solved", "closed")}


@dataclass
class Query:
    words: list[str] = field(default_factory=list)
    operators: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    ticket: Ticket
    score: float
    subject_html: str
    snippet_html: str


def parse(text: str) -> Query:
    query = Query()
    rest = text or ""
    for match in OPERATOR.finditer(text or ""):
        name, value = match[1].lower(), match[2].strip('"')
        if name in OPERATORS:
            query.operators[name] = value
            rest = rest.replace(match[0], " ")
    for word in re.findall(r"\w+", rest.lower()):
        word = word.strip("_")
        if len(word) >= 2 and word not in query.words:
            query.words.append(word)
    query.words = query.words[:MAX_WORDS]
    return query


def _day(value: str, name: str, query: Query) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        query.errors.append(f"{name}: use a date as 2026-01-31")
        return None


def filtered(tickets: QuerySet, query: Query, user: User, now: dt.datetime) -> QuerySet:
    ops = query.operators
    if value := ops.get("status"):
        value = value.lower()
        if value == "open":
            tickets = tickets.exclude(status_category__in=("solved", "closed"))
        else:
            tickets = tickets.filter(Q(status_category=value) | Q(status=value))
    if value := ops.get("org"):
        match = Q(organization__name__icontains=value)
        if value.isdigit():
            match |= Q(organization_id=int(value))
        tickets = tickets.filter(match)
    if value := ops.get("severity"):
        tickets = tickets.filter(severity__iexact=value)
    if value := ops.get("product"):
        tickets = tickets.filter(product__icontains=value)
    if value := ops.get("assignee"):
        if value == "me":
            tickets = tickets.filter(assignee=user)
        elif value == "none":
            tickets = tickets.filter(assignee__isnull=True)
        else:
            tickets = tickets.filter(
                Q(assignee__email__iexact=value) | Q(assignee__full_name__icontains=value)
            )
    if value := ops.get("breached"):
        breached = SlaClock.objects.filter(
            Q(state="breached", met_at__isnull=True) | Q(state="running", due_at__lte=now)
        ).values("ticket_id")
        if value.lower() in ("yes", "y", "true", "1", "sim", "s"):
            tickets = tickets.filter(pk__in=breached)
        else:
            tickets = tickets.exclude(pk__in=breached)
    if (value := ops.get("before")) and (day := _day(value, "before", query)):
        tickets = tickets.filter(opened_at__date__lt=day)
    if (value := ops.get("after")) and (day := _day(value, "after", query)):
        tickets = tickets.filter(opened_at__date__gte=day)
    return tickets


def marked(text: str) -> str:
    escaped = html.escape(text or "", quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def search(user: User, text: str, now: dt.datetime, *, limit: int = 50) -> tuple[Query, list[Hit]]:
    """The tickets ``user`` may see that match ``text``, best first."""
    query = parse(text)
    tickets = filtered(visible_tickets(user), query, user, now)
    internal = user.is_staff_member
    if not query.words:
        if not query.operators:
            return query, []
        found = tickets.select_related("organization", "requester", "assignee", "policy_version")
        rows = found.order_by("-updated_at", "-id")[:limit]
        return query, [Hit(t, 0.0, html.escape(t.subject), "") for t in rows]
    visible_sql, visible_params = tickets.values("id").query.sql_with_params()
    if connection.vendor == "postgresql":
        scored = _postgres(query.words, visible_sql, visible_params, internal, limit)
    else:
        scored = _sqlite(query.words, visible_sql, visible_params, internal, limit)
    by_id = Ticket.objects.select_related(
        "organization", "requester", "assignee", "policy_version"
    ).in_bulk([row[0] for row in scored])
    hits = []
    for ticket_id, score, subject, snippet in scored:
        if ticket_id in by_id:
            hits.append(
                Hit(
                    by_id[ticket_id],
                    round(float(score), 6),
                    marked(subject) if subject else html.escape(by_id[ticket_id].subject),
                    marked(snippet) if snippet else "",
                )
            )
    return query, hits


def _sqlite(words, visible_sql, visible_params, internal, limit):
    match = " OR ".join(f'"{word}"*' for word in words)
    public = "" if internal else "AND m.public = 1"
    sql = f"""
        WITH scored AS (
            SELECT m.ticket_id AS tid, -bm25(tickets_message_fts) AS score, f.rowid AS mid
            FROM tickets_message_fts f JOIN tickets_message m ON m.id = f.rowid
            WHERE tickets_message_fts MATCH %s {public}
              AND m.ticket_id IN ({visible_sql})
            UNION ALL
            SELECT s.rowid, -bm25(tickets_ticket_fts) * {SUBJECT_WEIGHT}, NULL
            FROM tickets_ticket_fts s
            WHERE tickets_ticket_fts MATCH %s AND s.rowid IN ({visible_sql})
        )
        SELECT tid, SUM(score) AS total, MAX(CASE WHEN mid IS NULL THEN -1 ELSE mid END)
        FROM scored GROUP BY tid ORDER BY total DESC, tid DESC LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *visible_params, match, *visible_params, limit])
        ranked = cursor.fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"""SELECT rowid, highlight(tickets_ticket_fts, 0, char(2), char(3))
                FROM tickets_ticket_fts WHERE tickets_ticket_fts MATCH %s
                AND rowid IN ({marks})""",
            [match, *ids],
        )
        subjects = dict(cursor.fetchall())
        # The best matching message of each ticket, for its snippet.
        cursor.execute(
            f"""SELECT m.ticket_id, snippet(tickets_message_fts, 0, char(2), char(3), '…', 16),
                       bm25(tickets_message_fts) AS rank
                FROM tickets_message_fts f JOIN tickets_message m ON m.id = f.rowid
                WHERE tickets_message_fts MATCH %s {public} AND m.ticket_id IN ({marks})
                ORDER BY rank""",
            [match, *ids],
        )
        snippets: dict[int, str] = {}
        for ticket_id, snippet, _rank in cursor.fetchall():
            snippets.setdefault(ticket_id, snippet)
    return [(tid, score, subjects.get(tid), snippets.get(tid)) for tid, score, _mid in ranked]


def _postgres(words, visible_sql, visible_params, internal, limit):
    tsquery = " | ".join(f"{word}:*" for word in words)
    public = "" if internal else "AND m.public"
    doc = "to_tsvector('pacto_simple'::regconfig, {})"
    sql = f"""
        WITH q AS (SELECT to_tsquery('pacto_simple'::regconfig, %s) AS q),
        scored AS (
            SELECT m.ticket_id AS tid, ts_rank({doc.format("m.body_text")}, q.q) AS score
            FROM tickets_message m, q
            WHERE {doc.format("m.body_text")} @@ q.q {public}
              AND m.ticket_id IN ({visible_sql})
            UNION ALL
            SELECT t.id, ts_rank({doc.format("t.subject")}, q.q) * {SUBJECT_WEIGHT}
            FROM tickets_ticket t, q
            WHERE {doc.format("t.subject")} @@ q.q AND t.id IN ({visible_sql})
        )
        SELECT tid, SUM(score) AS total FROM scored GROUP BY tid
        ORDER BY total DESC, tid DESC LIMIT %s
    """
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8"
    with connection.cursor() as cursor:
        cursor.execute(sql, [tsquery, *visible_params, *visible_params, limit])
        ranked = cursor.fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        cursor.execute(
            f"""SELECT t.id, ts_headline('pacto_simple', t.subject,
                          to_tsquery('pacto_simple', %s), 'HighlightAll=true, StartSel={START}, StopSel={STOP}')
                FROM tickets_ticket t WHERE t.id = ANY(%s)""",
            [tsquery, ids],
        )
        subjects = dict(cursor.fetchall())
        cursor.execute(
            f"""SELECT DISTINCT ON (m.ticket_id) m.ticket_id,
                       ts_headline('pacto_simple', m.body_text, q.q, %s)
                FROM tickets_message m, (SELECT to_tsquery('pacto_simple', %s) AS q) q
                WHERE m.ticket_id = ANY(%s) {public}
                  AND {doc.format("m.body_text")} @@ q.q
                ORDER BY m.ticket_id, ts_rank({doc.format("m.body_text")}, q.q) DESC""",
            [options, tsquery, ids],
        )
        snippets = dict(cursor.fetchall())
    return [(tid, score, subjects.get(tid), snippets.get(tid)) for tid, score in ranked]
