"""What a ticket may carry: messages (Markdown, or HTML from email, stored as sanitized HTML
and text) and the uploads Pacto keeps.

The actions call these before writing anything, and forms call ``check_attachment`` before
any action, so a refused file never leaves a reply or a ticket saved without it.
"""

from __future__ import annotations

import html
from pathlib import PurePath

import nh3
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pacto import markdown
from pacto.errors import ActionError

ALLOWED_ATTACHMENT_SUFFIXES = {
    ".txt", ".log", ".csv", ".json", ".xml", ".yaml", ".yml", ".pdf", ".png", ".jpg",
    ".jpeg", ".gif", ".webp", ".zip", ".gz", ".tgz", ".tar", ".7z", ".eml", ".har",
    ".docx", ".xlsx", ".pptx", ".odt", ".ods",
}  # fmt: skip


# Files a ticket page may show inline (``Content-Disposition: inline``): images whose first
# bytes are what their name says, and text logs shown as plain text. Everything else is a
# download, and every file is sent with ``X-Content-Type-Options: nosniff``, so no browser
# guesses HTML or script out of an upload.
INLINE_IMAGES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
}
INLINE_TEXT = {".txt", ".log"}
TEXT_PREVIEW_BYTES = 4000


def preview_kind(name: str) -> str:
    """``image``, ``text`` or ``""``: how a ticket page previews a file of this name."""
    suffix = PurePath(name).suffix.lower()
    if suffix in INLINE_IMAGES:
        return "image"
    return "text" if suffix in INLINE_TEXT else ""


def inline_type(name: str, head: bytes) -> str | None:
    """The content type to show a file inline with, or None: a download. ``head`` is the
    file's first bytes; an image whose bytes are not of its type is not shown."""
    suffix = PurePath(name).suffix.lower()
    if suffix in INLINE_TEXT:
        return "text/plain; charset=utf-8"
    if suffix in INLINE_IMAGES:
        content_type, signatures = INLINE_IMAGES[suffix]
        if head.startswith(signatures) and (suffix != ".webp" or head[8:12] == b"WEBP"):
            return content_type
    return None


# What a message body is written in. People write Markdown (portal, console, API); HTML
# comes from inbound email (its text made into paragraphs) and from Pacto's own notices.
BODY_FORMATS = ("markdown", "html")
# Under every textarea whose words become a message (portal and console).
MARKDOWN_HELP = _("Markdown: **bold**, `code`, lists, links")


def message_content(body: str, body_format: str = "markdown") -> tuple[str, str]:
    """The ``body_html`` and ``body_text`` a message stores. Markdown is rendered and
    sanitized, and its source is the text (what plain-text emails and search read); HTML is
    sanitized and its words are the text."""
    if body_format not in BODY_FORMATS:
        raise ActionError("body_format", "choice", "body_format: markdown or html")
    if body_format == "markdown":
        return markdown.render(body), body.strip()
    return sanitize_html(body)


def sanitize_html(body: str) -> tuple[str, str]:
    """Sanitized HTML (scripts, event handlers and foreign tags removed) and its plain text."""
    clean = markdown.clean(body)
    text = html.unescape(
        nh3.clean(clean.replace("<br>", "\n").replace("</p>", "</p>\n"), tags=set())
    )
    return clean, text.strip()


def check_attachment(upload) -> str:
    """An upload Pacto keeps: at most ``PACTO_ATTACHMENT_MAX_BYTES`` and of an allowed type.
    Returns the file's name as stored. Forms call this before any action, so a refused file
    never leaves a reply or a ticket saved without it."""
    limit = settings.PACTO_ATTACHMENT_MAX_BYTES
    name = PurePath(upload.name or "attachment").name[:200]
    if upload.size > limit:
        raise ActionError("file", "max_size", f"{name} is larger than {limit // 1_000_000} MB")
    if PurePath(name).suffix.lower() not in ALLOWED_ATTACHMENT_SUFFIXES:
        raise ActionError(
            "file",
            "allowed_type",
            f"{name}: allowed types are {', '.join(sorted(ALLOWED_ATTACHMENT_SUFFIXES))}",
        )
    return name
