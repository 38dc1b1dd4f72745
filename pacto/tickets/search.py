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

What is ranked is bounded, on both databases: the matches of every word, and the newest
``CANDIDATES`` matches of any word (messages and subjects apart), so a word in most messages
costs no more than a rare one. SQLite: FTS5 tables ``tickets_message_fts`` (one row per
message) and ``tickets_ticket_fts`` (subjects) with ``unicode61 remove_diacritics 2``; the
candidates are scored by how many of the words they hold. PostgreSQL: GIN indexes on
``to_tsvector('pacto_simple', …)`` (the ``simple`` configuration after ``unaccent``:
messages come in any language), scored by ``ts_rank``. Which tickets may match is the
reader's ``visible_tickets``, applied inside the query; contacts match public messages
only, so a word of an internal note never finds a ticket for them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import User
from pacto.tickets.models import SlaClock, Ticket

MAX_WORDS = 8
CANDIDATES = 500  # of every word and of any word, messages and subjects apart (see above)
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
    # Without the model's ordering, which would sort the subquery; and no subquery at all
    # when the reader may see every ticket and no operator narrows them.
    visible = tickets.order_by().values("id")
    within = visible.query.sql_with_params() if visible.query.where else None
    if connection.vendor == "postgresql":
        scored = _postgres(query.words, within, internal, limit)
    else:
        scored = _sqlite(query.words, within, internal, limit)
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


def _within(visible: tuple[str, tuple] | None, column: str) -> tuple[str, list]:
    """``AND column IN (the reader's tickets)``, or nothing when there is no narrowing."""
    if visible is None:
        return "", []
    sql, params = visible
    return f"AND {column} IN ({sql})", list(params)


def _folded(text: str) -> str:
    """Lower case without accents, as FTS5's ``unicode61 remove_diacritics 2`` reads it."""
    text = (text or "").lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def words_held(text: str, words: list[str]) -> int:
    """How many of ``words`` begin a token of ``text`` (each word a prefix, as in the query)."""
    folded = _folded(text)
    return sum(1 for word in map(_folded, words) if re.search(rf"(?<!\w){re.escape(word)}", folded))


def _mark(text: str, words: list[str], size: int | None = None) -> str:
    """``text`` with the tokens ``words`` begin between START and STOP; with ``size``, only
    that many tokens around the first match, cut ends shown as "…"."""
    folded = [_folded(word) for word in words]
    tokens = list(re.finditer(r"\w+", text or ""))
    matches = [any(_folded(t[0]).startswith(w) for w in folded) for t in tokens]
    low, high = 0, len(tokens)
    if size is not None and tokens:
        first = matches.index(True) if True in matches else 0
        low = max(0, min(first - size // 4, len(tokens) - size))
        high = min(len(tokens), low + size)
    if not tokens:
        return text or ""
    pieces, position = [], tokens[low].start() if size is not None else 0
    for token, match in zip(tokens[low:high], matches[low:high], strict=True):
        pieces.append(text[position : token.start()])
        pieces.append(f"{START}{token[0]}{STOP}" if match else token[0])
        position = token.end()
    pieces.append(text[position:] if size is None or high == len(tokens) else "")
    return ("…" if low else "") + "".join(pieces) + ("…" if high < len(tokens) else "")


def _sqlite(words, visible, internal, limit):
    # The same bounded set as on PostgreSQL (see _postgres), scored by how many of the words
    # each message and subject holds: FTS5's bm25 counts, for every word, all the rows it is
    # in, which for a common word is most of the table (1.2 s over 1,000,000 messages).
    any_words = " OR ".join(f'"{word}"*' for word in words)
    all_words = " AND ".join(f'"{word}"*' for word in words)
    public = "" if internal else "AND m.public = 1"
    in_messages, message_params = _within(visible, "m.ticket_id")
    in_subjects, subject_params = _within(visible, "s.rowid")
    found = f"""
        SELECT f.rowid FROM tickets_message_fts f JOIN tickets_message m ON m.id = f.rowid
        WHERE tickets_message_fts MATCH %s {public} {in_messages} ORDER BY f.rowid DESC LIMIT %s"""
    titled = f"""
        SELECT s.rowid FROM tickets_ticket_fts s
        WHERE tickets_ticket_fts MATCH %s {in_subjects} ORDER BY s.rowid DESC LIMIT %s"""
    with connection.cursor() as cursor:
        candidates = {}
        for name, sql, params in (("m", found, message_params), ("s", titled, subject_params)):
            rows = set()
            for match in (all_words, any_words):
                cursor.execute(sql, [match, *params, CANDIDATES])
                rows |= {row[0] for row in cursor.fetchall()}
            candidates[name] = sorted(rows)
        if not candidates["m"] and not candidates["s"]:
            return []
        # How many of the words each candidate holds, read from its text as FTS5 reads it
        # (a MATCH restricted to a list of rowids runs the whole query again for each).
        held: dict[tuple[str, int], int] = {}
        ticket_of: dict[tuple[str, int], int] = {}
        texts: dict[tuple[str, int], str] = {}
        for name, sql in (
            ("m", "SELECT id, ticket_id, body_text FROM tickets_message WHERE id IN ({})"),
            ("s", "SELECT id, id, subject FROM tickets_ticket WHERE id IN ({})"),
        ):
            if candidates[name]:
                cursor.execute(sql.format(", ".join(["%s"] * len(candidates[name]))),
                               candidates[name])  # fmt: skip
                for rowid, ticket, body in cursor.fetchall():
                    ticket_of[name, rowid], texts[name, rowid] = ticket, body
                    held[name, rowid] = words_held(body, words)
        scores: dict[int, float] = {}
        best: dict[int, tuple[int, int]] = {}  # ticket → (words held, message id)
        for (name, rowid), count in held.items():
            ticket, weight = ticket_of[name, rowid], 1 if name == "m" else SUBJECT_WEIGHT
            scores[ticket] = scores.get(ticket, 0.0) + count * weight
            if name == "m":
                best[ticket] = max(best.get(ticket, (0, 0)), (count, rowid))
        ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    # Marked here rather than by FTS5's highlight() and snippet(), which are MATCH queries
    # too: restricted to the fifty tickets found they would run the whole query again.
    subjects = {tid: _mark(texts["s", tid], words) for tid, _ in ranked if ("s", tid) in texts}
    snippets = {
        tid: _mark(texts["m", best[tid][1]], words, size=16) for tid, _ in ranked if tid in best
    }
    return [(tid, score, subjects.get(tid), snippets.get(tid)) for tid, score in ranked]


def _postgres(words, visible, internal, limit):
    # What is ranked is bounded: the matches of every word (the best answers) and the newest
    # matches of any word, CANDIDATES of each, messages and subjects apart. A common word
    # (one message in two, in a desk about one product) would otherwise rank every message
    # it is in, each tsvector computed again: 12 s over 1,000,000 messages (benchmarks/).
    # The queries are literals, not a CTE's column, so the planner can estimate how many rows
    # a word matches and read the newest by primary key when it matches many.
    any_words = " | ".join(f"{word}:*" for word in words)
    all_words = " & ".join(f"{word}:*" for word in words)
    public = "" if internal else "AND m.public"
    doc = "to_tsvector('pacto_simple'::regconfig, {})"
    query = "to_tsquery('pacto_simple'::regconfig, %s)"
    message_doc, subject_doc = doc.format("m.body_text"), doc.format("t.subject")

    def bounded(table, alias, document, extra, visible_column):
        within, params = _within(visible, visible_column)
        sql = [
            f"""(SELECT {alias}.id FROM {table} {alias}
                 WHERE {document} @@ {query} {extra} {within} {order} LIMIT %s)"""
            for order in ("", f"ORDER BY {alias}.id DESC")
        ]
        return sql, [all_words, *params, CANDIDATES, any_words, *params, CANDIDATES]

    messages, message_params = bounded("tickets_message", "m", message_doc, public, "m.ticket_id")
    subjects, subject_params = bounded("tickets_ticket", "t", subject_doc, "", "t.id")
    sql = f"""
        WITH found AS ({" UNION ".join(messages)}),
        titled AS ({" UNION ".join(subjects)}),
        scored AS (
            SELECT m.ticket_id AS tid, m.id AS mid, ts_rank({message_doc}, {query}) AS score
            FROM found JOIN tickets_message m ON m.id = found.id
            UNION ALL
            SELECT t.id, NULL, ts_rank({subject_doc}, {query}) * {SUBJECT_WEIGHT}
            FROM titled JOIN tickets_ticket t ON t.id = titled.id
        )
        SELECT tid, SUM(score) AS total,
               (array_agg(mid ORDER BY score DESC) FILTER (WHERE mid IS NOT NULL))[1]
        FROM scored GROUP BY tid ORDER BY total DESC, tid DESC LIMIT %s
    """
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*message_params, *subject_params, any_words, any_words, limit])
        ranked = cursor.fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        cursor.execute(
            f"""SELECT t.id, ts_headline('pacto_simple', t.subject, {query},
                          'HighlightAll=true, StartSel={START}, StopSel={STOP}')
                FROM tickets_ticket t WHERE t.id = ANY(%s)""",
            [any_words, ids],
        )
        subjects = dict(cursor.fetchall())
        # The snippet is the best-ranked matching message of each ticket.
        cursor.execute(
            f"""SELECT m.ticket_id, ts_headline('pacto_simple', m.body_text, {query}, %s)
                FROM tickets_message m WHERE m.id = ANY(%s)""",
            [any_words, options, [row[2] for row in ranked if row[2] is not None]],
        )
        snippets = dict(cursor.fetchall())
    return [(tid, score, subjects.get(tid), snippets.get(tid)) for tid, score, _mid in ranked]
