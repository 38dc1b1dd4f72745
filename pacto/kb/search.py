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

import html
import re
from dataclasses import dataclass

from django.db import connection

from pacto.accounts.models import User
from pacto.kb.models import Article
from pacto.kb.visibility import Scope, scope_of

MAX_WORDS = 8
CANDIDATES = 200  # best index matches the visibility rule is applied to first
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
) -> list[Hit]:
    """The articles ``user`` may read that match ``text``, best first (``version``: only
    those that apply to that version of ``product``, or of any product)."""
    words = query_words(text)
    scope = scope_of(user)
    if not words or scope.nothing:
        return []
    visible_sql, visible_params = scope_sql(scope, locale=locale, product=product, version=version)
    if connection.vendor == "postgresql":
        rows = _postgres(words, visible_sql, visible_params, locale, limit)
    else:
        rows = _sqlite(words, visible_sql, visible_params, limit)
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


def _sqlite(words, visible_sql, visible_params, limit):
    match = " OR ".join(f'"{word}"*' for word in words)
    # Two steps: rank, then highlight only the few kept (SQLite would otherwise compute the
    # snippets of every matching row before sorting). Speed-up: rank in the FTS index alone and apply the reader's visibility to the best
    # CANDIDATES only; when too few of them are visible, rank every match instead.
    ranked = f"""
        SELECT a.id, top.score
        FROM (
            SELECT rowid, -bm25(kb_article_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) AS score
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
        scores = dict(found)
        if not scores:
            return []
        marks = ", ".join(["%s"] * len(scores))
        cursor.execute(
            f"""
            SELECT a.id, a.slug, a.locale, a.title,
                   highlight(kb_article_fts, 0, char(2), char(3)),
                   snippet(kb_article_fts, 1, char(2), char(3), '…', 24),
                   a.summary
            FROM kb_article_fts JOIN kb_article a ON a.id = kb_article_fts.rowid
            WHERE kb_article_fts MATCH %s AND kb_article_fts.rowid IN ({marks})
            """,
            [match, *scores],
        )
        rows = [(*row, scores[row[0]]) for row in cursor.fetchall()]
    return sorted(rows, key=lambda row: (-row[7], row[0]))


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
    sql = f"""
        SELECT a.id, a.slug, a.locale, a.title,
               ts_headline({config_of_row}, a.title, to_tsquery({config_of_row}, %s),
                           'HighlightAll=true, StartSel={START}, StopSel={STOP}'),
               ts_headline({config_of_row}, a.body_text, to_tsquery({config_of_row}, %s), %s),
               a.summary, top.score
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
        tsquery,
        tsquery,
        options,
        *rank_params,
        *typo_words,
        *match_params,
        *typo_words,
        *visible_params,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def article_ids(hits: list[Hit]) -> list[int]:
    return [hit.id for hit in hits]


def articles_of(hits: list[Hit]) -> dict[int, Article]:
    return Article.objects.in_bulk(article_ids(hits))
