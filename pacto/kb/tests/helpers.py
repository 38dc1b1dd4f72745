"""Articles for the knowledge base's tests, written through the actions."""

from __future__ import annotations

from pacto.kb.actions import do_create_article


def write(author, title, body="Some text.", *, locale="en", status="published", products=(), **kw):
    return do_create_article(
        author, title=title, body_markdown=body, locale=locale, status=status,
        products=list(products), **kw,
    )  # fmt: skip
