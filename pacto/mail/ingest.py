"""Turning one received email into a ticket, a reply, a polite refusal, or nothing.

``ingest_message(raw, now=…, source=…)`` is the one entry point (IMAP polling, the
webhook and ``pacto mail ingest`` all call it). Each message is one transaction; every
change to a ticket goes through ``pacto.tickets.actions``; answers are outbox rows. What
happens, in order:

1. **Once per Message-ID.** A Message-ID already processed is logged as ``duplicate`` and
   does nothing (a message without one is known by the SHA-256 of its bytes). Concurrent
   deliveries of one message serialize on the log's unique constraint.
2. **No loops.** Pacto's own messages coming back are ``ignored_loop``; auto-replies
   (``Auto-Submitted``, ``Precedence: bulk/list/junk``, ``X-Autoreply``…), bounces (DSN
   reports, ``MAILER-DAEMON``, a null return path) and read receipts are ``ignored_auto``:
   none of them is ever answered.
3. **Storms stop.** A sender who sent ``PACTO_MAIL_SENDER_RATE`` messages in the period
   gets the next ones logged as ``rate_limited``, untouched and unanswered.
4. **Replies thread** (``pacto.mail.threading``) onto a ticket the sender may see: a public
   reply (``do_reply``, which also ends a wait on the customer), attachments attached. A
   sender copied on the ticket (``TicketCc``) may answer it too (``do_cc_reply``): the
   reply is theirs, a contact's or an outside address's.
5. **New messages from authorized contacts open tickets** (``do_open_ticket``, channel
   ``email``): severity as the subject or a ``Severity:`` line states it, otherwise the
   policy's default for email; the acknowledgement asks for the required details missing.
6. **Everyone else gets one polite answer a day** saying how to get access (senhasegura §7.4:
   "For security reasons, requests outside the support platform will not be accepted"),
   and the message is logged for agents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import re
import traceback

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import Organization, User
from pacto.errors import ActionError, NotAllowed
from pacto.mail import fields as stated
from pacto.mail.models import InboundMessage, TicketMailId
from pacto.mail.outbound import REASONS_PT, is_own_address
from pacto.mail.parse import ParsedMessage, clean_subject, parse_message
from pacto.mail.threading import ThreadMatch, find_thread, ticket_for_bounce
from pacto.metrics import MAIL_MESSAGES
from pacto.notifications.outbox import enqueue
from pacto.notifications.render import REFUSAL_KIND
from pacto.sla.policy import StatusCategory
from pacto.tickets.actions import (
    DETAIL_FIELDS,
    copied_on,
    do_add_attachment,
    do_add_cc_attachment,
    do_cc_reply,
    do_open_ticket,
    do_reply,
)
from pacto.tickets.content import ALLOWED_ATTACHMENT_SUFFIXES
from pacto.tickets.models import Message, Ticket
from pacto.tickets.opening import check_opening

log = logging.getLogger(__name__)
Outcome = InboundMessage.Outcome

# Outcomes that count towards a sender's rate: what made Pacto act or answer.
_COUNTED = [
    Outcome.TICKET_OPENED, Outcome.REPLY_ADDED, Outcome.REFUSED_UNAUTHORIZED,
    Outcome.REFUSED_POLICY, Outcome.RATE_LIMITED, Outcome.ERROR,
]  # fmt: skip
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
            "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip
_NO_ANSWER = re.compile(
    r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|notifications?)\b",
    re.IGNORECASE,
)


def sender_rate() -> tuple[int, dt.timedelta]:
    """``PACTO_MAIL_SENDER_RATE`` ("10/hour", "100/day", "5/15min") as (count, period)."""
    text = settings.PACTO_MAIL_SENDER_RATE
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*", text.lower())
    if not match or match.group(3) not in _PERIODS:
        raise ImproperlyConfigured(f"PACTO_MAIL_SENDER_RATE: use e.g. 10/hour, not {text!r}")
    seconds = _PERIODS[match.group(3)] * int(match.group(2) or 1)
    return int(match.group(1)), dt.timedelta(seconds=seconds)


# ----------------------------------------------------------------------------- entry point


def ingest_message(raw: bytes, *, now: dt.datetime, source: str) -> InboundMessage:
    """Process one received email (its raw bytes); returns its log entry."""
    record = _ingest_message(raw, now=now, source=source)
    MAIL_MESSAGES.labels(str(record.outcome)).inc()
    return record


def _ingest_message(raw: bytes, *, now: dt.datetime, source: str) -> InboundMessage:
    if timezone.is_naive(now):
        raise ValueError("now must carry a time zone")
    try:
        parsed = parse_message(raw)
    except Exception as exc:  # parse_message tolerates bad input; this is a bug
        log.exception("could not parse an inbound email")
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@pacto.invalid>"
        return _record_error(message_id, raw, now, source, exc, parsed=None)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _ingest(parsed, raw, now, source)
        except IntegrityError as exc:
            # Another delivery of the same message committed first: on the next attempt it
            # is seen, and this one is a duplicate.
            if attempt == 2:
                return _record_error(parsed.message_id, raw, now, source, exc, parsed)
        except Exception as exc:
            log.exception("inbound email %s failed", parsed.message_id)
            return _record_error(parsed.message_id, raw, now, source, exc, parsed)
    raise AssertionError("unreachable")


def _ingest(parsed: ParsedMessage, raw: bytes, now, source: str) -> InboundMessage:
    prior = (
        InboundMessage.objects.select_for_update()
        .filter(message_id=parsed.message_id)
        .exclude(outcome=Outcome.DUPLICATE)
        .first()
    )
    if prior is not None and prior.outcome != Outcome.ERROR:
        return InboundMessage.objects.create(
            message_id=parsed.message_id,
            synthetic_id=parsed.synthetic_id,
            sender=parsed.sender[:320],
            sender_name=parsed.sender_name[:200],
            subject=parsed.subject[:500],
            sent_at=parsed.date,
            received_at=now,
            source=source[:200],
            size=len(raw),
            outcome=Outcome.DUPLICATE,
            detail=f"already processed at {prior.received_at:%Y-%m-%d %H:%M:%S}: {prior.outcome}",
            ticket=prior.ticket,
            ticket_message=prior.ticket_message,
            duplicate_of=prior,
        )
    record = prior or InboundMessage(message_id=parsed.message_id)
    _describe(record, parsed, raw, now, source)
    record.outcome, record.detail = Outcome.ERROR, "processing"
    record.save()  # claims the Message-ID: a concurrent delivery waits here, then sees it
    record.detail = ""
    if not record.raw:
        digest = hashlib.sha256(raw).hexdigest()
        record.raw.save(f"{digest[:40]}.eml", ContentFile(raw), save=False)
    _process(record, parsed, now)
    record.save()
    return record


def _describe(record: InboundMessage, parsed: ParsedMessage, raw: bytes, now, source: str):
    record.synthetic_id = parsed.synthetic_id
    record.sender = parsed.sender[:320]
    record.sender_name = parsed.sender_name[:200]
    record.subject = parsed.subject[:500]
    record.sent_at = parsed.date
    record.received_at = now
    record.source = source[:200]
    record.size = len(raw)
    record.ticket = record.ticket_message = None
    record.threaded_by = ""
    record.attachments = []


def _record_error(message_id, raw, now, source, exc, parsed) -> InboundMessage:
    detail = f"{type(exc).__name__}: {exc}\n\n" + "".join(traceback.format_exception(exc, limit=-6))
    with transaction.atomic():
        record = (
            InboundMessage.objects.select_for_update()
            .filter(message_id=message_id)
            .exclude(outcome=Outcome.DUPLICATE)
            .first()
        )
        if record is not None and record.outcome != Outcome.ERROR:
            return record
        record = record or InboundMessage(message_id=message_id)
        if parsed is not None:
            _describe(record, parsed, raw, now, source)
        else:
            record.received_at, record.source, record.size = now, source[:200], len(raw)
        record.outcome, record.detail = Outcome.ERROR, detail[:20000]
        if not record.raw:
            digest = hashlib.sha256(raw).hexdigest()
            record.raw.save(f"{digest[:40]}.eml", ContentFile(raw), save=False)
        record.save()
    return record


# ----------------------------------------------------------------------------- decisions


def _process(record: InboundMessage, parsed: ParsedMessage, now) -> None:
    if skipped := automatic(parsed):
        record.outcome, record.detail = skipped
        if record.outcome == Outcome.IGNORED_AUTO:
            record.ticket = ticket_for_bounce(parsed)
        return
    if not parsed.sender:
        record.outcome, record.detail = Outcome.REFUSED_UNAUTHORIZED, "no sender address"
        return
    limit, period = sender_rate()
    recent = (
        InboundMessage.objects.filter(
            sender=parsed.sender, received_at__gt=now - period, outcome__in=_COUNTED
        )
        .exclude(pk=record.pk)
        .count()
    )
    if recent >= limit:
        record.outcome = Outcome.RATE_LIMITED
        record.detail = f"{recent} messages from this sender within {period}; the limit is {limit}"
        return
    if not sender_authenticated(parsed):
        # A forged From: must not act as the contact; no answer either (it would go to the
        # forged address).
        record.outcome = Outcome.REFUSED_UNAUTHORIZED
        record.detail = (
            f"the sender's domain did not pass DMARC, DKIM or SPF at "
            f"{settings.PACTO_MAIL_TRUSTED_AUTHSERV_ID} (Authentication-Results); not answered"
        )
        return
    user = User.objects.filter(email__iexact=parsed.sender, is_active=True).first()
    record.sender_user = user
    match = find_thread(parsed)
    if match is not None:
        record.threaded_by = match.method
        sees = user is not None and visible_tickets(user).filter(pk=match.ticket.pk).exists()
        cc = None if sees else copied_on(match.ticket, parsed.sender)
        if cc is not None and match.ticket.status_category != StatusCategory.CLOSED:
            _add_cc_reply(record, parsed, cc, match, now)
            return
        if not sees and cc is None:
            rule = "unknown_sender" if user is None else "not_visible"
            _refuse(record, parsed, user, now, Outcome.REFUSED_UNAUTHORIZED, rule,
                    _reason(rule, match.ticket))  # fmt: skip
            return
        if match.ticket.status_category != StatusCategory.CLOSED:
            _add_reply(record, parsed, user, match, now)
            return
        # senhasegura §7.8: a closed ticket is archived; an answer to it is a new request.
        record.detail = f"answers #{match.ticket.pk}, which is closed: a new ticket. "
    if user is None:
        _refuse(record, parsed, None, now, Outcome.REFUSED_UNAUTHORIZED, "unknown_sender",
                _reason("unknown_sender"))  # fmt: skip
        return
    if user.is_staff_member:
        _refuse(record, parsed, user, now, Outcome.REFUSED_POLICY, "staff", _reason("staff"))
        return
    _open_ticket(record, parsed, user, now, follows=match.ticket if match else None)


def automatic(parsed: ParsedMessage) -> tuple[str, str] | None:
    """Why a message is one Pacto must never answer, or None."""
    header = parsed.header
    own_domain = re.escape(settings.PACTO_EMAIL_DOMAIN)
    if (
        header("x-pacto-kind")
        or re.fullmatch(rf"<(?:outbox|ticket)-\d+@{own_domain}>", parsed.message_id, re.I)
        or is_own_address(parsed.sender)
    ):
        return Outcome.IGNORED_LOOP, "Pacto's own message came back"
    loops = [v.lower() for v in parsed.headers.get("x-loop", [])]
    if any(is_own_address(v.strip().strip("<>")) for v in loops):
        return Outcome.IGNORED_LOOP, f"X-Loop: {', '.join(loops)}"
    if parsed.content_type == "multipart/report":
        kind = parsed.report_type or "report"
        what = "bounce" if kind == "delivery-status" else kind
        return Outcome.IGNORED_AUTO, f"{what} (multipart/report; report-type={kind})"
    local = parsed.sender.partition("@")[0]
    if local in ("mailer-daemon", "postmaster"):
        return Outcome.IGNORED_AUTO, f"bounce from {parsed.sender}"
    auto_submitted = header("auto-submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Outcome.IGNORED_AUTO, f"Auto-Submitted: {auto_submitted}"
    precedence = header("precedence").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return Outcome.IGNORED_AUTO, f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        if header(name):
            return Outcome.IGNORED_AUTO, f"{name}: {header(name)}"
    suppress = header("x-auto-response-suppress").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return Outcome.IGNORED_AUTO, f"X-Auto-Response-Suppress: {suppress}"
    if header("return-path").strip() == "<>":
        return Outcome.IGNORED_AUTO, "null return path (a bounce or an automatic reply)"
    return None


def sender_authenticated(parsed: ParsedMessage) -> bool:
    """With ``PACTO_MAIL_TRUSTED_AUTHSERV_ID`` set (the name your receiving mail server
    writes first in its ``Authentication-Results`` headers), a message counts as from its
    sender only if that server found ``dmarc=pass``, or a ``dkim=pass``/``spf=pass`` for the
    sender's own domain. Headers from other servers are ignored: anyone can write them."""
    trusted = settings.PACTO_MAIL_TRUSTED_AUTHSERV_ID.strip().lower()
    if not trusted:
        return True
    domain = parsed.sender.rpartition("@")[2]
    for value in parsed.headers.get("authentication-results", []):
        authserv, _, results = value.lower().partition(";")
        if authserv.split() and authserv.split()[0] != trusted:
            continue
        if re.search(r"\bdmarc=pass\b", results):
            return True
        for method, identity in (("dkim", r"header\.d"), ("spf", r"smtp\.mailfrom")):
            for match in re.finditer(rf"\b{method}=pass\b[^;]*?{identity}=([^\s;]+)", results):
                if match.group(1).rpartition("@")[2].strip('"') == domain:
                    return True
    return False


def _reason(rule: str, ticket: Ticket | None = None) -> str:
    from pacto.accounts.actions import ACCESS_HELP

    if rule == "unknown_sender":
        return "This email address does not belong to an authorized contact. " + str(ACCESS_HELP)
    if rule == "not_visible":
        return (
            "You do not have access to this ticket: only its requester and the organization's "
            "admins may reply to it. To open a new ticket, write without the ticket number in "
            "the subject."
        )
    if rule == "staff":
        return "Staff log email tickets in the console, for a contact."
    return str(ACCESS_HELP)


def _refuse(record, parsed, user, now, outcome, rule: str, reason: str) -> None:
    """Log the refusal; answer once a day per sender, unless the sender cannot be answered."""
    record.outcome, record.detail = outcome, (record.detail + reason).strip()
    if _NO_ANSWER.match(parsed.sender) or is_own_address(parsed.sender):
        record.detail += " (not answered: automatic sender address)"
        return
    portuguese = user is not None and (user.language or "").lower().startswith("pt")
    enqueue(
        kind=REFUSAL_KIND,
        dedupe_key=f"mail:refused:{parsed.sender}:{now.date().isoformat()}",
        recipients=[user or parsed.sender],
        organization=getattr(user, "organization", None),
        payload={
            "subject": (clean_subject(parsed.subject) or "(no subject)")[:200],
            "reason": REASONS_PT.get(rule, reason) if portuguese else reason,
            "portal_url": settings.PACTO_BASE_URL,
            "in_reply_to": parsed.message_id,
        },
    )


# ----------------------------------------------------------------------------- tickets


def text_to_html(text: str) -> str:
    """Plain text as the simple HTML the ticket actions sanitize and store."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def _customer(user: User, form: dict[str, str]) -> Organization | None:
    """The customer a partner contact writes for: the one it serves, or the one named."""
    if user.organization is None or not user.organization.is_partner:
        return user.organization
    served = list(user.organization.served_customers.all())
    if len(served) == 1:
        return served[0]
    named = stated._norm(form.get("customer", ""))
    for customer in served:
        if named and stated._norm(customer.name) == named:
            return customer
    raise NotAllowed(
        f"{user.organization} serves several customers: name the one this request is for in "
        f"a 'Customer:' line ({', '.join(c.name for c in served)}).",
        rule="partner_serves",
    )


def _proposed_severity(policy, parsed: ParsedMessage, form: dict) -> tuple[str, str, str]:
    """The severity an email proposes, where it was found, and the words or header: the
    subject (a labelled or bracketed severity, then a severity's words anywhere), a
    ``Severity:`` line in the message, the standard priority headers, the policy's default
    for email; else provisional. The acknowledgement says which and why."""
    if severity := stated.severity_in_subject(policy, parsed.subject):
        return severity, "subject", parsed.subject.strip()[:120]
    if found := stated.severity_words_in_subject(policy, parsed.subject):
        return found[0], "subject", found[1]
    if form.get("severity") and (severity := stated.match_severity(policy, form["severity"])):
        return severity, "message", form["severity"][:120]
    if found := stated.severity_from_headers(policy, parsed.header):
        return found[0], "header", found[1]
    if severity := policy.default_severity_for("email"):
        return severity, "default", ""
    # secpod: "SecPod Technologies shall identify the severity of the support request";
    # until an agent does, the ticket runs at the least severe level.
    return policy.severities[-1].id, "provisional", ""


def _open_ticket(record, parsed: ParsedMessage, user: User, now, follows: Ticket | None):
    form = stated.form_fields(parsed.text)
    try:
        customer = _customer(user, form)
        contract = check_opening(user, None, customer, now.date()).contract
    except NotAllowed as refusal:
        _refuse(record, parsed, user, now, Outcome.REFUSED_UNAUTHORIZED, refusal.rule,
                refusal.message)  # fmt: skip
        return
    policy = contract.policy
    severity, source, evidence = _proposed_severity(policy, parsed, form)
    how = f"{source}: {evidence}" if evidence else source
    provisional = source == "provisional"
    body = parsed.text or parsed.subject or "(empty message)"
    if follows is not None:
        body = f"(This answers ticket #{follows.pk}, which is closed.)\n\n{body}"
    subject = clean_subject(parsed.subject) or body.strip().splitlines()[0][:120]
    try:
        ticket = do_open_ticket(
            user,
            subject=subject,
            body=text_to_html(body),
            body_format="html",
            severity=severity,
            organization=customer,
            channel=Ticket.Channel.EMAIL,
            environment=stated.environment_of(form.get("environment", "")) or "production",
            product=form.get("product", "")[:100],
            version=form.get("version", "").splitlines()[0][:60] if form.get("version") else "",
            details={name: form[name] for name in DETAIL_FIELDS if form.get(name)},
            acknowledgement={"severity_source": source, "severity_evidence": evidence},
            now=now,
        )
    except NotAllowed as refusal:
        _refuse(record, parsed, user, now, Outcome.REFUSED_UNAUTHORIZED, refusal.rule,
                refusal.message)  # fmt: skip
        return
    except ActionError as refusal:
        _refuse(record, parsed, user, now, Outcome.REFUSED_POLICY, refusal.rule, refusal.message)
        return
    message = ticket.messages.order_by("id").first()
    record.outcome, record.ticket, record.ticket_message = Outcome.TICKET_OPENED, ticket, message
    record.detail += f"severity {severity} ({how})"
    _remember(parsed, ticket, now)
    _attach(record, parsed, user, ticket, message, now)
    if provisional:
        from pacto.automation.actions import system_user

        do_reply(
            system_user(),
            ticket,
            text_to_html(
                f"Opened by email without a severity, and {policy.title} names no default for "
                f"email: Pacto set {policy.severity(severity).name}, the least severe, until an "
                "agent classifies it."
            ),
            public=False,
            channel="email",
            body_format="html",
            now=now,
        )


def _reply_body(parsed: ParsedMessage) -> str:
    body = parsed.text if parsed.is_forward else parsed.reply_text
    kept_files = [a.filename for a in parsed.attachments if not a.inline]
    if not body.strip():
        body = ("Attached: " + ", ".join(kept_files)) if kept_files else parsed.text
    return body.strip() or parsed.subject or "(empty message)"


def _add_reply(record, parsed: ParsedMessage, user: User, match: ThreadMatch, now) -> None:
    ticket = match.ticket
    body = _reply_body(parsed)
    try:
        message = do_reply(
            user, ticket, text_to_html(body), channel="email", body_format="html", now=now
        )
    except ActionError as refusal:
        _refuse(record, parsed, user, now, Outcome.REFUSED_POLICY, refusal.rule, refusal.message)
        return
    record.outcome, record.ticket, record.ticket_message = Outcome.REPLY_ADDED, ticket, message
    record.detail = f"threaded by {match.method.replace('_', ' ')}"
    _remember(parsed, ticket, now)
    _attach(record, parsed, user, ticket, message, now)


def _add_cc_reply(record, parsed: ParsedMessage, cc, match: ThreadMatch, now) -> None:
    """A reply from an address copied on the ticket (``TicketCc``) who may not otherwise see
    it: a public customer reply from that person, with its attachments (kept as for any
    reply)."""
    ticket = match.ticket
    body = _reply_body(parsed)
    try:
        message = do_cc_reply(cc, text_to_html(body), channel="email", now=now)
    except ActionError as refusal:
        _refuse(record, parsed, cc.user, now, Outcome.REFUSED_POLICY, refusal.rule,
                refusal.message)  # fmt: skip
        return
    record.outcome, record.ticket, record.ticket_message = Outcome.REPLY_ADDED, ticket, message
    record.detail = f"threaded by {match.method.replace('_', ' ')}; from {cc.email}, copied"
    _remember(parsed, ticket, now)

    def add(upload):
        return do_add_cc_attachment(cc, upload, message=message, now=now)

    _attach(record, parsed, cc.user or cc.email, ticket, message, now, add=add)


def _remember(parsed: ParsedMessage, ticket: Ticket, now) -> None:
    if not parsed.synthetic_id:
        TicketMailId.objects.get_or_create(
            message_id=parsed.message_id,
            defaults={"ticket": ticket, "direction": "in", "created_at": now},
        )


def _attach(
    record, parsed: ParsedMessage, user: User | str, ticket: Ticket, message: Message, now,
    add=None,
):  # fmt: skip
    """Keep the attachments within the limits; skip signature logos and files already on
    the ticket; say in the log what was kept and why the rest was not. ``user``: the sender
    (an address for a copied outside sender); ``add``: how a file is attached, if not as
    ``user`` (``do_add_attachment``)."""
    seen = {
        entry.get("sha256")
        for entries in InboundMessage.objects.filter(ticket=ticket)
        .exclude(pk=record.pk)
        .values_list("attachments", flat=True)
        for entry in entries or []
        if entry.get("attachment")
    }
    entries = []
    kept = 0
    for part in parsed.attachments:
        entry = {"name": part.filename[:200], "content_type": part.content_type,
                 "size": part.size, "sha256": part.sha256, "inline": part.inline}  # fmt: skip
        if part.size == 0:
            entry["skipped"] = "empty"
        elif part.inline and part.size < settings.PACTO_MAIL_INLINE_IMAGE_MIN_BYTES:
            entry["skipped"] = "small inline image (a signature logo or icon)"
        elif part.sha256 in seen:
            entry["skipped"] = "already attached to this ticket"
        elif kept >= settings.PACTO_MAIL_MAX_ATTACHMENTS:
            entry["skipped"] = f"more than {settings.PACTO_MAIL_MAX_ATTACHMENTS} attachments"
        else:
            upload = SimpleUploadedFile(part.filename, part.data, part.content_type)
            try:
                if add is not None:
                    attachment = add(upload)
                else:
                    attachment = do_add_attachment(user, ticket, upload, message=message, now=now)
            except ActionError as refusal:
                entry["skipped"] = refusal.message
                entry["refused"] = refusal.rule
            else:
                entry["attachment"] = attachment.pk
                kept += 1
                seen.add(part.sha256)
        entries.append(entry)
    record.attachments = entries
    _tell_refused(user, ticket, [e for e in entries if e.get("refused")], record, now)


def _tell_refused(user: User | str, ticket: Ticket, refused: list[dict], record, now) -> None:
    """A refused attachment is never dropped silently: the sender is told which file and
    why, and the agent sees it on the ticket (an internal note)."""
    if not refused:
        return
    from pacto.automation.actions import system_user

    limit_mb = settings.PACTO_ATTACHMENT_MAX_BYTES // 1_000_000
    allowed = ", ".join(sorted(ALLOWED_ATTACHMENT_SUFFIXES))
    enqueue(
        kind="attachments_refused",
        dedupe_key=f"inbound:{record.pk}:attachments_refused",
        recipients=[user],
        ticket=ticket,
        organization=ticket.organization,
        payload={
            "ticket": ticket.pk, "subject": ticket.subject, "limit_mb": limit_mb,
            "allowed": allowed,
            "refused": [{"name": e["name"], "rule": e["refused"], "message": e["skipped"]}
                        for e in refused],
        },
    )  # fmt: skip
    lines = "\n".join(f"- {e['name']}: {e['skipped']}" for e in refused)
    do_reply(
        system_user(),
        ticket,
        text_to_html(
            f"Attachments in {getattr(user, 'email', user)}'s email were not attached (the sender "
            f"was told):\n{lines}"
        ),
        public=False,
        channel="email",
        body_format="html",
        now=now,
    )
