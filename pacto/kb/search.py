"""Full-text search of articles on the database's own index, for one reader's visibility.

The same behaviour on both databases:

- the query is taken as the reader types it: its words are OR-ed and each is a prefix
  (``"nao conf"`` finds "Não consigo configurar…"), more matching words rank higher;
- accents and case are ignored in English and Portuguese;
- a match in the title ranks above a match in the body;
- a snippet of the body comes back with the matched words in ``<mark>``.

SQLite: FTS5 with ``unicode61 remove_diacritics 2``, ranked by ``bm25`` with the title
weighted 10 to the body's 1. PostgreSQL: the weighted ``tsvector`` (title A, summary B, body
C) in the article's language configuration (which unaccents before stemming), ranked by
``ts_rank``; plus trigram word similarity on the folded title, so a one-letter typo
("pasword") still finds "Reset a password". Which visible articles may match is decided by
``pacto.kb.visibility`` and applied inside the query, before the limit.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection

from pacto.accounts.models import User
from pacto.kb.models import Article
from pacto.kb.visibility import Scope, scope_of

MAX_WORDS = 8
CANDIDATES = 200  # best index matches the visibility rule is applied to first
TITLE_CANDIDATES = 50  # PostgreSQL: best title matches taken to the full ranking first
MIN_QUERY_LENGTH = 3  # as-you-type suggestions start from the third character
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0  # SQLite bm25 column weights
RANK_WEIGHTS = "{0.05, 0.2, 0.4, 1.0}"  # PostgreSQL ts_rank weights for D, C, B, A
TYPO_MIN_LENGTH = 4  # words shorter than this get no typo tolerance (too many false friends)
CONFIGS = {"en": "pacto_en", "pt-br": "pacto_pt"}
START, STOP = "\x02", "\x03"  # highlight sentinels, replaced after HTML escaping


@dataclass(frozen=True)
class Hit:
    id: int
    slug: str
    locale: str
    title: str
    title_html: str
    snippet_html: str
    score: float


def query_words(text: str) -> list[str]:
    """The words of a query, lower case, without repeats, at most ``MAX_WORDS``."""
    words: list[str] = []
    for word in re.findall(r"\w+", text.lower()):
        word = word.strip("_")
        if len(word) >= 2 and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


PRODUCTS_OF = "SELECT 1 FROM kb_articleproduct p WHERE p.article_id = a.id"


def scope_sql(
    scope: Scope, *, locale: str = "", product: str = "", version: str = ""
) -> tuple[str, list]:
    """``pacto.kb.visibility``'s rule as a condition on ``kb_article a``, evaluated only for
    the rows the index matched (the same rule as ``visible_articles``, which pages use)."""
    clauses = [f"a.status IN ({', '.join(['%s'] * len(scope.statuses))})"]
    params: list = list(scope.statuses)
    if locale:
        clauses.append("a.locale = %s")
        params.append(locale)
    for keys in ([*scope.products] if scope.products is not None else None,
                 [product.strip().lower()] if product else None):  # fmt: skip
        if keys is None:
            continue
        if keys:
            marks = ", ".join(["%s"] * len(keys))
            clauses.append(
                f"(NOT EXISTS ({PRODUCTS_OF}) OR EXISTS ({PRODUCTS_OF} AND p.product_key IN ({marks})))"
            )
            params += sorted(keys)
        else:
            clauses.append(f"NOT EXISTS ({PRODUCTS_OF})")
    if excluded := scope.excluded(product=product, version=version):
        clauses.append(f"a.id NOT IN ({', '.join(['%s'] * len(excluded))})")
        params += sorted(excluded)
    return " AND ".join(clauses), params


def marked(text: str) -> str:
    """Escape a database highlight and turn its sentinels into ``<mark>``."""
    escaped = html.escape(text or "", quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def search(
    user: User,
    text: str,
    *,
    locale: str = "",
    product: str = "",
    version: str = "",
    limit: int = 10,
    scope: Scope | None = None,
) -> list[Hit]:
    """The articles ``user`` may read that match ``text``, best first (``version``: only
    those that apply to that version of ``product``, or of any product). ``scope``: the
    reader's ``scope_of(user)`` when the caller already has it."""
    words = query_words(text)
    scope = scope or scope_of(user)
    if not words or scope.nothing:
        return []
    visible_sql, visible_params = scope_sql(scope, locale=locale, product=product, version=version)
    if connection.vendor == "postgresql":
        rows = _postgres(words, visible_sql, visible_params, locale, limit)
    else:
        rows = _sqlite(words, visible_sql, visible_params, limit, locale, scope.statuses)
    return [
        Hit(
            id=row[0],
            slug=row[1],
            locale=row[2],
            title=row[3],
            title_html=marked(row[4]) or html.escape(row[3]),
            snippet_html=marked(row[5]) if row[5] else html.escape(row[6] or ""),
            score=round(float(row[7]), 6),
        )
        for row in rows
    ]


SNIPPET_CHARS = 160  # about 24 words
MARKS = "[\u0300-\u036f]*"  # combining accents, after a letter in decomposed (NFD) text


def fold(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _prefixes(words: list[str]) -> re.Pattern:
    return _pattern(tuple(sorted({fold(w) for w in words}, key=lambda w: (-len(w), w))))


@functools.lru_cache(maxsize=512)
def _pattern(alternatives: tuple[str, ...]) -> re.Pattern:
    """Whole tokens of decomposed (NFD) text that begin with one of the query's words,
    accents and case ignored: what FTS5's ``unicode61 remove_diacritics 2`` treats as
    equal. Matching the decomposed text keeps the original's accents in the result."""
    body = "|".join("".join(re.escape(c) + MARKS for c in w) for w in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})\w*")


def _decomposed(text: str) -> tuple[str, str]:
    """(the text in NFD, the same in lower case, character for character)."""
    nfd = unicodedata.normalize("NFD", text)
    low = nfd.lower()
    if len(low) != len(nfd):  # a letter whose lower case is longer: compare as is
        low = nfd
    return nfd, low


def _mark(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` with the tokens at ``spans`` in highlight sentinels."""
    out, at = [], start
    for s, e in spans:
        out += [text[at:s], START, text[s:e], STOP]
        at = e
    out.append(text[at:end])
    return "".join(out)


def highlight_all(text: str, pattern: re.Pattern) -> str:
    text, low = _decomposed(text)
    marked_text = _mark(text, [m.span() for m in pattern.finditer(low)], 0, len(text))
    return unicodedata.normalize("NFC", marked_text)


def snippet(text: str, pattern: re.Pattern, size: int = SNIPPET_CHARS) -> str:
    """About ``size`` characters of ``text`` (cut at spaces) around its best cluster of
    matches — the most distinct matched words, then the most matches —, "…" where it is cut,
    "" when nothing matches: FTS5's ``snippet()``, done here on the few rows kept (one
    regular-expression pass over each)."""
    text, low = _decomposed(text)
    matches = [(m.start(), m.end(), m.group()) for m in pattern.finditer(low)]
    if not matches:
        return ""
    best, best_key = 0, (-1, -1)
    for anchor, _end, _word in matches:
        first = max(0, anchor - 24)
        inside = [w for s, e, w in matches if s >= first and e <= first + size]
        key = (len(set(inside)), len(inside))
        if key > best_key:
            best, best_key = first, key
    start = 0 if best == 0 else text.find(" ", best - 1, best + 24) + 1 or best
    end = text.rfind(" ", start, start + size)
    end = len(text) if start + size >= len(text) or end <= start else end
    spans = [(s, e) for s, e, _w in matches if s >= start and e <= end]
    cut = ("…" if start > 0 else "") + _mark(text, spans, start, end)
    return unicodedata.normalize("NFC", cut + ("…" if end < len(text) else ""))


def index_match(words: list[str], locale: str, statuses: tuple[str, ...]) -> str:
    """The FTS5 query: any of the words as a prefix in the title or body, narrowed in the
    index to the language and statuses asked for (speed-up: the ``scope`` column of
    ``migrations/0005_fts_scope.py``; the same rule is applied again in SQL)."""
    match = "{title body} : (" + " OR ".join(f'"{word}"*' for word in words) + ")"
    narrowed = [f"scope : ({' OR '.join(f'"{s}"' for s in statuses)})"]
    if locale:
        narrowed.append(f'scope : "{locale}"')
    return " AND ".join([*narrowed, match])


def _sqlite(words, visible_sql, visible_params, limit, locale, statuses):
    match = index_match(words, locale, statuses)
    # Rank in the FTS index alone and apply the reader's visibility to the best CANDIDATES
    # only; when too few of them are visible, rank every match instead. The highlights and
    # snippets are made in Python for the rows kept: a second FTS5 query for them cost about
    # as much again (it re-runs the match over the whole index).
    ranked = f"""
        SELECT a.id, top.score, a.slug, a.locale, a.title, a.body_text, a.summary
        FROM (
            SELECT rowid, -bm25(kb_article_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0) AS score
            FROM kb_article_fts WHERE kb_article_fts MATCH %s
            ORDER BY score DESC LIMIT %s
        ) top JOIN kb_article a ON a.id = top.rowid
        WHERE {visible_sql}
        ORDER BY top.score DESC, a.id
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(ranked, [match, CANDIDATES, *visible_params, limit])
        found = cursor.fetchall()
        if len(found) < limit:
            cursor.execute(ranked, [match, -1, *visible_params, limit])  # -1: no limit
            found = cursor.fetchall()
    pattern = _prefixes(words)
    return [
        (pk, slug, locale, title, highlight_all(title, pattern), snippet(body, pattern),
         summary, score)
        for pk, score, slug, locale, title, body, summary in found
    ]  # fmt: skip


def _postgres(words, visible_sql, visible_params, locale, limit):
    tsquery = " | ".join(f"{word}:*" for word in words)
    typo_words = [w for w in words if len(w) >= TYPO_MIN_LENGTH and not w.isdigit()]
    # Without a language, a query is read in both configurations (English and Portuguese
    # stemming); with one, in its configuration only.
    configs = [CONFIGS.get(locale, "pacto_en")] if locale else list(CONFIGS.values())
    matches = " OR ".join("a.search_vector @@ to_tsquery(%s::regconfig, %s)" for _ in configs)
    match_params = [p for config in configs for p in (config, tsquery)]
    ranks = ", ".join(
        f"ts_rank('{RANK_WEIGHTS}', a.search_vector, to_tsquery(%s::regconfig, %s))"
        for _ in configs
    )
    rank_params = match_params
    if typo_words:
        typos = " OR ".join("pacto_fold(a.title) %%> pacto_fold(%s)" for _ in typo_words)
        similarity = ", ".join(
            "word_similarity(pacto_fold(%s), pacto_fold(a.title))" for _ in typo_words
        )
        similarity_sql = f"GREATEST({similarity}) * 0.3"
    else:
        typos, similarity_sql = "FALSE", "0"
    options = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    config_of_row = "(CASE WHEN a.locale = 'pt-br' THEN 'pacto_pt' ELSE 'pacto_en' END)::regconfig"
    headlines = f"""
        SELECT a.id, a.slug, a.locale, a.title,
               ts_headline({config_of_row}, a.title, to_tsquery({config_of_row}, %s),
                           'HighlightAll=true, StartSel={START}, StopSel={STOP}'),
               ts_headline({config_of_row}, a.body_text, to_tsquery({config_of_row}, %s), %s),
               a.summary, top.score
    """
    headline_params = [tsquery, tsquery, options]
    # Speed-up (the title_vector of migrations/0006_title_vector.py): rank first among the
    # readable articles whose title matches, a few small vectors, and take the best
    # TITLE_CANDIDATES of them to the full ranking. Title matches come first (as SQLite's
    # title weight of 10 orders them in practice): when they give ``limit`` articles,
    # body-only matches are not ranked at all; otherwise every match, and every title one
    # typo away, is ranked, as below. (Typos are left to that step: a four-letter word's
    # trigrams match thousands of titles.)
    title_matches = " OR ".join("a.title_vector @@ to_tsquery(%s::regconfig, %s)" for _ in configs)
    title_ranks = ", ".join(
        "ts_rank(a.title_vector, to_tsquery(%s::regconfig, %s))" for _ in configs
    )
    staged = f"""
        WITH candidates AS (
            SELECT a.id, GREATEST({title_ranks}) AS title_rank
            FROM kb_article a
            WHERE ({title_matches}) AND {visible_sql}
            ORDER BY title_rank DESC, a.id LIMIT %s
        )
        {headlines}
        FROM (
            SELECT a.id, GREATEST({ranks}) + {similarity_sql} AS score
            FROM candidates c JOIN kb_article a ON a.id = c.id
            ORDER BY score DESC, a.id
            LIMIT %s
        ) top JOIN kb_article a ON a.id = top.id
        ORDER BY top.score DESC, a.id
    """
    staged_params = [
        *match_params, *match_params, *visible_params, TITLE_CANDIDATES,
        *headline_params, *rank_params, *typo_words, limit,
    ]  # fmt: skip
    ranked_all = f"""
        {headlines}
        FROM (
            SELECT a.id, GREATEST({ranks}) + {similarity_sql} AS score
            FROM kb_article a
            WHERE ({matches} OR {typos}) AND {visible_sql}
            ORDER BY score DESC, a.id
            LIMIT %s
        ) top JOIN kb_article a ON a.id = top.id
        ORDER BY top.score DESC, a.id
    """
    params = [
        *headline_params, *rank_params, *typo_words, *match_params, *typo_words,
        *visible_params, limit,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(staged, staged_params)
        found = cursor.fetchall()
        if len(found) < limit:
            cursor.execute(ranked_all, params)
            found = cursor.fetchall()
        return found


def article_ids(hits: list[Hit]) -> list[int]:
    return [hit.id for hit in hits]


def articles_of(hits: list[Hit]) -> dict[int, Article]:
    return Article.objects.in_bulk(article_ids(hits))
