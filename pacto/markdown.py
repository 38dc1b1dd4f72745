"""Markdown and HTML as Pacto shows them: one renderer and one sanitizer for knowledge-base
articles and ticket messages, on every page and in every email.

Markdown is CommonMark with tables and strikethrough, fenced and indented code blocks, and
bare URLs made links; raw HTML in it is shown as text, never as markup. Whatever comes out
(or comes in as HTML, from an email) goes through nh3 with one allow-list: links keep only
http, https and mailto and get ``rel="noopener noreferrer nofollow"``, so nothing an author
writes can run in a reader's browser or lend a spammer the site's reputation.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# Articles show their own attached images; messages do not show images at all (an image
# from elsewhere would tell its server who read the ticket, and when): in a message
# ``![alt](url)`` is a link to the image.
IMAGE_ATTRIBUTES = {"img": {"src", "alt", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def _parser(images: bool) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True})
    parser.enable(["table", "strikethrough", "linkify"])
    return parser if images else parser.disable("image")


_ARTICLES, _MESSAGES = _parser(images=True), _parser(images=False)


def clean(body_html: str, *, images: bool = False) -> str:
    """``body_html`` with only the allowed tags, attributes and link schemes left."""
    return nh3.clean(
        body_html,
        tags=TAGS | ({"img"} if images else set()),
        attributes=ATTRIBUTES | (IMAGE_ATTRIBUTES if images else {}),
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def render(markdown: str, *, images: bool = False, links=None) -> str:
    """Sanitized HTML of ``markdown``. ``images``: show images (articles). ``links``: a
    function applied to the rendered HTML before sanitizing (an article's
    ``attachment:NAME`` links)."""
    rendered = (_ARTICLES if images else _MESSAGES).render(markdown or "")
    return clean(links(rendered) if links else rendered, images=images)


def plain_text(body_html: str) -> str:
    """The words of sanitized HTML, one block a line: for search indexes and snippets."""
    spaced = re.sub(r"</(p|h[1-6]|li|tr|pre|blockquote|div)>|<br\s*/?>", "\n", body_html)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()
