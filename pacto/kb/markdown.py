"""Article bodies: Markdown (CommonMark with tables) rendered by markdown-it-py with raw HTML
off, then sanitized by nh3 anyway, so nothing an author (or an imported file) writes can run
in a reader's browser. ``attachment:NAME`` in a link or image is the article's own file."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")

TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
ATTACHMENT = re.compile(r'(href|src)="attachment:([^"]+)"')


def render(markdown: str, attachment_base: str = "") -> str:
    """Sanitized HTML of ``markdown``; ``attachment:NAME`` becomes ``attachment_base + NAME``."""
    rendered = _md.render(markdown or "")
    if attachment_base:
        rendered = ATTACHMENT.sub(lambda m: f'{m[1]}="{attachment_base}{m[2]}"', rendered)
    return nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(body_html: str) -> str:
    """The words of the rendered body, for the search index and snippets."""
    spaced = re.sub(r"</(p|h[1-6]|li|tr|pre|blockquote)>|<br\s*/?>", "\n", body_html)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()
