"""Reading an email as it really arrives: any client, any charset, broken headers.

``parse_message(raw)`` never raises on bad input. It reads the message with the standard
library's ``email`` package (``policy.default``), but takes every header from its raw text
and decodes it itself, so a malformed header costs that header only, never the message.

What comes out (``ParsedMessage``) is what ingestion needs: who sent it and to which
addresses, its Message-ID and the ones it answers, its subject, its text (from the plain
part, or from the HTML part turned into text through nh3), the part of that text that is
new (``reply_text``: quoted history and signatures removed, for the clients customers
write with in English and Portuguese: Gmail, Outlook, Apple Mail, Thunderbird, phones),
its attachments and inline images, and the headers that say it was sent by a machine.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from html.parser import HTMLParser

import nh3

# ----------------------------------------------------------------------------- result


@dataclass
class MailAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ParsedMessage:
    message_id: str
    synthetic_id: bool
    sender: str
    sender_name: str
    subject: str
    date: dt.datetime | None
    in_reply_to: list[str]
    references: list[str]
    recipients: list[str]
    text: str
    reply_text: str
    attachments: list[MailAttachment]
    headers: dict[str, list[str]]
    content_type: str
    report_type: str = ""
    embedded_ids: list[str] = field(default_factory=list)
    truncated: bool = False
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    @property
    def is_forward(self) -> bool:
        return bool(FORWARD_SUBJECT.match(self.subject)) or bool(FORWARD_MARKER.search(self.text))


# A text body longer than this is cut (the raw message is kept whole).
MAX_TEXT_CHARS = 200_000

# ----------------------------------------------------------------------------- headers


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset that may be wrong, unknown or missing."""
    candidates = []
    if charset:
        charset = charset.strip().strip('"').lower()
        try:
            codecs.lookup(charset)
            candidates.append(charset)
        except LookupError:
            pass
    for candidate in (*candidates, "utf-8"):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    # Windows-1252 decodes almost any byte; what it cannot becomes U+FFFD.
    return data.decode("cp1252", errors="replace")


def _unsurrogate(value: str) -> str:
    """Raw 8-bit bytes in a header (UTF-8 or Latin-1 written without encoding) come out of
    the parser as surrogate escapes; turn them back into text."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return _decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def decode_header_value(value: str) -> str:
    """An RFC 2047 header value (``=?utf-8?B?...?=``) as text, tolerating broken words."""
    value = _unsurrogate(str(value))
    try:
        parts = email.header.decode_header(value)
    except Exception:
        return " ".join(value.split())
    out = []
    for text, charset in parts:
        if isinstance(text, bytes):
            out.append(_decode_bytes(text, charset))
        else:
            out.append(text)
    # decode_header keeps the whitespace between encoded and plain words in its parts.
    return " ".join("".join(out).split())


def _raw_headers(message: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        text = re.sub(r"\r?\n[ \t]+", " ", _unsurrogate(str(value))).strip()
        headers.setdefault(str(name).lower(), []).append(text)
    return headers


_MSGID = re.compile(r"<([^<>\s]{1,480})>")


def message_ids(value: str) -> list[str]:
    """Every ``<id>`` in a header value; a bare id without brackets counts too."""
    ids = [f"<{m}>" for m in _MSGID.findall(value or "")]
    if not ids:
        bare = (value or "").strip().split()
        if len(bare) == 1 and "@" in bare[0]:
            ids = [f"<{bare[0].strip('<>')}>"]
    return ids


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    found = []
    for value in values:
        decoded = decode_header_value(value)
        try:
            pairs = email.utils.getaddresses([decoded])
        except Exception:
            pairs = []
        for name, address in pairs:
            address = address.strip().strip("<>").lower()
            if "@" in address and " " not in address:
                found.append((name.strip(), address))
        if not found:
            # "alice@azul.example (Alice)", "Alice alice@azul.example": take the address.
            match = re.search(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", decoded)
            if match:
                found.append(("", match.group(0).lower()))
    return found


def _date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


# ----------------------------------------------------------------------------- bodies


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    return data


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return _decode_bytes(_payload_bytes(part), charset)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        try:
            name = part.get_param("name") or ""
        except Exception:
            name = ""
        if isinstance(name, tuple):  # RFC 2231 (charset, language, value)
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name) if name else ""


def _disposition(part: Message) -> str:
    try:
        return part.get_content_disposition() or ""
    except Exception:
        return ""


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


# ----------------------------------------------------------------------------- html → text

_HTML_TAGS = {
    "a", "b", "blockquote", "br", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul", "img",
}  # fmt: skip
_BLOCKS = {"p", "div", "table", "tr", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
           "pre", "hr", "blockquote"}  # fmt: skip
# Containers that clients put quoted history in (Gmail, Yahoo, Thunderbird, Outlook on the
# web), and the ones they put the sender's signature in.
_QUOTE_CLASSES = {"gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote"}
_SIGNATURE_CLASSES = {"gmail_signature", "moz-signature"}


class _TextWriter(HTMLParser):
    """Sanitized HTML to text: blocks become lines, ``<blockquote>`` and the quote
    containers above become ``> `` lines, signature containers follow a ``-- `` line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current = ""
        self.stack: list[tuple[str, bool, bool]] = []  # tag, opens quote, opens signature
        self.quote_depth = 0
        self.in_signature = 0
        self.in_pre = 0

    def _flush(self) -> None:
        text = self.current if self.in_pre else " ".join(self.current.split())
        prefix = "> " * self.quote_depth
        for line in text.split("\n") if self.in_pre else [text]:
            self.lines.append(prefix + line if line else prefix.rstrip())
        self.current = ""

    def _break(self) -> None:
        if self.current.strip() or self.in_pre:
            self._flush()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        quote = tag == "blockquote" or bool(classes & _QUOTE_CLASSES)
        signature = bool(classes & _SIGNATURE_CLASSES)
        if tag == "br":
            self._flush()
            return
        if tag == "img":
            alt = attributes.get("alt") or ""
            if alt and not self.in_signature:
                self.current += f"[{alt}]"
            return
        if tag in _BLOCKS or quote or signature:
            self._break()
        if signature and not self.in_signature:
            self.lines.append("-- ")
        self.stack.append((tag, quote, signature))
        self.quote_depth += quote
        self.in_signature += signature
        self.in_pre += tag == "pre"
        if tag in ("td", "th"):
            self.current += " "

    def handle_endtag(self, tag):
        if tag in ("br", "img"):
            return
        # Close back to the matching tag (sanitized HTML is well formed, but be lenient).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                break
        else:
            return
        if tag in _BLOCKS or any(q or s for _, q, s in self.stack[index:]):
            self._break()
        for name, quote, signature in self.stack[index:]:
            self.quote_depth -= quote
            self.in_signature -= signature
            self.in_pre -= name == "pre"
        del self.stack[index:]

    def handle_data(self, data):
        self.current += data

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    """Text of an HTML email body, quoted parts as ``> `` lines (see ``_TextWriter``)."""
    clean = nh3.clean(
        html,
        tags=_HTML_TAGS,
        attributes={"div": {"class", "id"}, "blockquote": {"class", "type"}, "img": {"alt"}},
        clean_content_tags={"script", "style", "title", "head"},
        link_rel=None,
        url_schemes={"http", "https", "mailto", "cid"},
    )
    writer = _TextWriter()
    try:
        writer.feed(clean)
        writer.close()
    except Exception:
        return nh3.clean(clean, tags=set())
    text = writer.text()
    return re.sub(r"\n{3,}", "\n\n", text.replace("\xa0", " ")).strip()


# ----------------------------------------------------------------------------- quotes

# "On Mon, 5 Jan 2026 at 10:00, Alice <alice@x> wrote:" (Gmail, Apple Mail, Thunderbird),
# "Em seg., 5 de jan. de 2026 às 10:00, Alice <alice@x> escreveu:", "Le … a écrit :".
_ATTRIBUTION = re.compile(
    r"^\s*(?:>\s*)*(?:On\s.{1,300}\swrote|Em\s.{1,300}\sescreveu|Le\s.{1,300}\sa\sécrit)\s?:\s*$",
    re.IGNORECASE,
)
# Outlook's separators: "-----Original Message-----", "-----Mensagem original-----".
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Mensagem original|Forwarded message|Mensagem encaminhada)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
# Outlook's header block: From/De, then Sent/Enviado/Date/Data, To/Para, Subject/Assunto.
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|De)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:Sent|Enviado|Enviada|Date|Data|To|Para|Subject|Assunto|Cc)\s*:\*?", re.IGNORECASE
)
# Gmail's forward marker: forwarded text is the content, not history.
FORWARD_MARKER = re.compile(
    r"^-{5,}\s*(?:Forwarded message|Mensagem encaminhada)\s*-{5,}\s*$", re.IGNORECASE | re.M
)
FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|enc|encaminhada|tr|wg)\s*:", re.IGNORECASE)
# Phone and webmail footers that end the new text.
_DEVICE_FOOTER = re.compile(
    r"^\s*(?:Sent from my \w[\w ]{0,40}|Sent from (?:Outlook|Mail|Yahoo Mail)\b.{0,40}"
    r"|Get Outlook for \w+|Obter o Outlook para \w+|Enviado do meu \w[\w ]{0,40}"
    r"|Enviado (?:do|de) (?:Outlook|Email|Yahoo Mail)\b.{0,40}"
    r"|Enviado desde mi \w[\w ]{0,40})\s*\.?\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- $")


def _is_outlook_header(lines: list[str], index: int) -> bool:
    """``From: …`` followed within a few lines by ``Sent:``/``To:``/``Subject:``."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = [ln for ln in lines[index + 1 : index + 6] if ln.strip()]
    return sum(bool(_HEADER_OTHER.match(ln)) for ln in following) >= 2


def _history_starts(lines: list[str], index: int) -> bool:
    """Outlook-style history (quoted without ``>``) starts at this line."""
    if _ORIGINAL_MESSAGE.match(lines[index]) or _is_outlook_header(lines, index):
        return True
    return bool(_UNDERSCORES.match(lines[index])) and any(
        _is_outlook_header(lines, j) for j in range(index + 1, min(index + 3, len(lines)))
    )


def _attribution_span(lines: list[str], index: int) -> int:
    """How many lines an "On … wrote:" attribution starting here spans (clients wrap it
    over up to three lines); 0 when none starts here."""
    for span in (1, 2, 3):
        if index + span > len(lines):
            break
        joined = " ".join(part.strip() for part in lines[index : index + span])
        if _ATTRIBUTION.match(joined):
            return span
    return 0


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted history, attribution lines, signatures and device
    footers removed. Interleaved and bottom-posted answers below ``>`` quotes are kept.

    Returns the empty string when nothing new is left (the caller decides what to keep).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if _history_starts(lines, index):
            break  # Outlook and other clients that quote without ">": all below is history
        span = _attribution_span(lines, index)
        if span:
            after = next((ln for ln in lines[index + span :] if ln.strip()), "")
            if not after.lstrip().startswith(">"):
                break  # history follows unmarked (top-posting): all below is history
            index += span  # ">"-quoted history follows: drop the attribution, keep answers
            continue
        if not lines[index].lstrip().startswith(">"):
            kept.append(lines[index].rstrip())
        index += 1
    # Signature: from the "-- " line ("--" near the end); device footers: from the footer.
    for position, line in enumerate(kept):
        near_end = len(kept) - position <= 10
        if (line == "--" and near_end) or _SIGNATURE.match(line) or _DEVICE_FOOTER.match(line):
            kept = kept[:position]
            break
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|res|resp|fw|fwd|enc|tr|wg|aw|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)


def clean_subject(subject: str) -> str:
    """A subject without ``Re:``/``Fwd:``/``RES:``/``ENC:`` prefixes."""
    return _REPLY_PREFIX.sub("", subject or "").strip()


# ----------------------------------------------------------------------------- message


def _leaves(part: Message, depth: int = 0):
    """The message's leaf parts in order. An attached message (message/rfc822) is one leaf:
    its own parts are not this message's body."""
    content_type = _content_type(part)
    if content_type.startswith("multipart/") and depth < 30:
        try:
            children = part.get_payload()
        except Exception:
            children = []
        if not isinstance(children, list):
            yield part  # no usable boundary: the caller reads it as text
            return
        for child in children:
            yield from _leaves(child, depth + 1)
    else:
        yield part


def _is_attachment(content_type: str, disposition: str, filename: str) -> bool:
    """Body text is a text/plain or text/html part without a file name; anything else
    (images, files, calendars, text parts sent as files) is an attachment."""
    if content_type in ("text/plain", "text/html"):
        return disposition == "attachment" or bool(filename)
    return True


def _extension(content_type: str) -> str:
    import mimetypes

    return mimetypes.guess_extension(content_type) or ".bin"


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse raw RFC 5322 bytes. Never raises on malformed input."""
    raw = raw or b""
    message: Message
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    headers = _raw_headers(message)

    def first(name: str) -> str:
        values = headers.get(name)
        return values[0] if values else ""

    senders = (
        _addresses(headers.get("from", []))
        or _addresses(headers.get("sender", []))
        or _addresses(headers.get("reply-to", []))
    )
    sender_name, sender = senders[0] if senders else ("", "")
    ids = message_ids(first("message-id"))
    synthetic = not ids
    message_id = ids[0] if ids else f"<sha256-{hashlib.sha256(raw).hexdigest()}@pacto.invalid>"
    recipients = [
        address
        for name in ("to", "cc", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to")
        for _, address in _addresses(headers.get(name, []))
    ]

    plains: list[str] = []
    htmls: list[str] = []
    attachments: list[MailAttachment] = []
    embedded: list[str] = []
    defects: list[str] = [type(d).__name__ for d in getattr(message, "defects", [])]
    report_type = ""
    top_type = _content_type(message)
    if top_type == "multipart/report":
        try:
            report_type = (message.get_param("report-type") or "").lower()
        except Exception:
            report_type = ""
    for part in _leaves(message):
        content_type = _content_type(part)
        if content_type.startswith("multipart/"):
            # A multipart without a usable boundary: its payload is the text itself.
            if isinstance(part.get_payload(), str):
                plains.append(_part_text(part))
            continue
        disposition = _disposition(part)
        filename = _filename(part)
        if content_type in ("message/rfc822", "text/rfc822-headers", "message/delivery-status"):
            # A forwarded or bounced message: keep its ids (bounces name the message that
            # failed) and, for a forward, the message itself as an .eml attachment.
            inner = _payload_bytes(part)
            if content_type == "message/rfc822":
                payload = part.get_payload()
                if isinstance(payload, list) and payload:
                    try:
                        inner = payload[0].as_bytes(policy=policy.compat32)
                    except Exception:
                        inner = str(payload[0]).encode("utf-8", "surrogateescape")
            embedded += message_ids(
                "\n".join(
                    line
                    for line in inner.decode("latin-1").splitlines()[:200]
                    if line.lower().startswith(("message-id:", "original-message-id:"))
                )
            )
            if content_type == "message/rfc822":
                attachments.append(
                    MailAttachment(filename or "forwarded-message.eml", content_type, inner)
                )
            continue
        if _is_attachment(content_type, disposition, filename):
            content_id = str(part.get("Content-ID") or "").strip().strip("<>")
            inline = (
                disposition != "attachment"
                and content_type.startswith("image/")
                and bool(content_id or disposition == "inline")
            )
            name = filename or f"attachment-{len(attachments) + 1}{_extension(content_type)}"
            attachments.append(
                MailAttachment(name, content_type, _payload_bytes(part), inline, content_id)
            )
            continue
        # Apple Mail splits a body around inline images into several text parts: keep all.
        if content_type == "text/plain":
            plains.append(_part_text(part))
        elif content_type == "text/html":
            htmls.append(_part_text(part))

    text = "\n".join(p.strip("\r\n") for p in plains if p.strip())
    if not text and htmls:
        text = "\n".join(html_to_text(h) for h in htmls)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    truncated = len(text) > MAX_TEXT_CHARS
    if truncated:
        text = text[:MAX_TEXT_CHARS].rstrip() + f"\n\n[… cut at {MAX_TEXT_CHARS} characters]"
    return ParsedMessage(
        message_id=message_id,
        synthetic_id=synthetic,
        sender=sender,
        sender_name=decode_header_value(sender_name) if sender_name else "",
        subject=decode_header_value(first("subject"))[:500],
        date=_date(first("date")),
        in_reply_to=message_ids(" ".join(headers.get("in-reply-to", []))),
        references=message_ids(" ".join(headers.get("references", []))),
        recipients=recipients,
        text=text,
        reply_text=strip_reply(text) if text else "",
        attachments=attachments,
        headers=headers,
        content_type=top_type,
        report_type=report_type,
        embedded_ids=embedded,
        truncated=truncated,
        defects=defects,
    )


__all__ = [
    "MailAttachment",
    "ParsedMessage",
    "clean_subject",
    "decode_header_value",
    "html_to_text",
    "message_ids",
    "parse_message",
    "strip_reply",
]
