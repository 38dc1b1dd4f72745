"""API endpoints of the knowledge base: the search every reader's page uses, and one article.

Both answer for the caller's visibility (``pacto.kb.visibility``): customers' contacts get
published articles for the products their contracts cover, staff internal ones too.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from pacto.errors import NotFound
from pacto.kb import actions
from pacto.kb.catalogue import known_issues
from pacto.kb.visibility import visible_articles
from pacto.tickets.schemas import In, error_responses

router = Router()


class SearchFilters(In):
    q: str = Field(
        ..., max_length=250, description="what the reader typed; words are OR-ed prefixes"
    )
    locale: Literal["en", "pt-br"] | None = Field(
        None, description="only articles in this language"
    )
    product: str | None = Field(
        None, max_length=100, description="only articles for this product (and general ones)"
    )
    version: str | None = Field(
        None,
        max_length=60,
        description="only articles that apply to this version (of the product, if given)",
    )
    limit: int = Field(10, ge=1, le=50)


class HitOut(Schema):
    slug: str
    locale: str
    title: str
    snippet: str = Field(description="HTML: a piece of the body, matched words in <mark>")
    score: float = Field(description="higher is better; title matches rank above body matches")
    url: str


class KnownIssueOut(Schema):
    slug: str
    title: str
    status: str
    product: str
    workaround: str = Field(description="the palliative solution, when there is one")
    fixed_in: str = Field(description="the version that fixes it ('' until there is one)")
    url: str
    score: float


class SearchOut(Schema):
    query: str
    results: list[HitOut]
    known_issues: list[KnownIssueOut] = Field(
        description="published known issues of the products you may read, matching the query"
    )


class ArticleOut(Schema):
    slug: str
    locale: str
    title: str
    summary: str
    status: str
    body_html: str
    products: list[str]
    translations: dict[str, str] = Field(description="locale -> slug of the same article")
    url: str


@router.get(
    "/search",
    response={200: SearchOut, **error_responses()},
    summary="Search the articles you may read, ranked, with highlighted snippets",
)
def search(request: HttpRequest, filters: Query[SearchFilters]):
    hits = actions.do_search(
        request.auth, filters.q, locale=filters.locale or "", product=filters.product or "",
        version=filters.version or "", limit=filters.limit,
    )  # fmt: skip
    issues = known_issues(
        request.auth, filters.q, product=filters.product or "", version=filters.version or ""
    )
    return {
        "query": filters.q,
        "known_issues": [issue.as_dict() for issue in issues],
        "results": [
            {
                "slug": h.slug,
                "locale": h.locale,
                "title": h.title,
                "snippet": h.snippet_html,
                "score": h.score,
                "url": f"/kb/{h.locale}/{h.slug}/",
            }
            for h in hits
        ],
    }


@router.get(
    "/articles/{locale}/{slug}",
    response={200: ArticleOut, **error_responses(404)},
    summary="One article you may read",
)
def get_article(request: HttpRequest, locale: str, slug: str):
    visible = visible_articles(request.auth)
    article = visible.filter(locale=locale, slug=slug).prefetch_related("products").first()
    if article is None:
        raise NotFound("article")
    original = article.original
    related = visible.filter(translation_of=original) | visible.filter(pk=original.pk)
    actions.do_record_view(request.auth, article)
    return {
        "slug": article.slug, "locale": article.locale, "title": article.title,
        "summary": article.summary, "status": article.status, "body_html": article.body_html,
        "products": [str(p) for p in article.products.all()],
        "translations": {a.locale: a.slug for a in related if a.pk != article.pk},
        "url": f"/kb/{article.locale}/{article.slug}/",
    }  # fmt: skip
