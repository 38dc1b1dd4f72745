"""The email channel's records: every message received and what became of it, every
Message-ID that belongs to a ticket's thread, and each ticket's reply address token."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def raw_path(instance: InboundMessage, filename: str) -> str:
    return f"mail/inbound/{instance.received_at:%Y/%m/%d}/{filename}"


class InboundMessage(models.Model):
    """One delivery of one email to Pacto, and its outcome: the log agents read.

    A Message-ID is processed once: a second delivery of it is logged as ``duplicate`` and
    does nothing. A message whose processing failed (``error``) is processed again when it
    is delivered again.
    """

    class Outcome(models.TextChoices):
        TICKET_OPENED = "ticket_opened", _("Ticket opened")
        REPLY_ADDED = "reply_added", _("Reply added")
        REFUSED_UNAUTHORIZED = "refused_unauthorized", _("Refused: sender not authorized")
        REFUSED_POLICY = "refused_policy", _("Refused: the support policy does not allow it")
        IGNORED_AUTO = "ignored_auto", _("Ignored: automatic reply or bounce")
        IGNORED_LOOP = "ignored_loop", _("Ignored: Pacto's own message")
        DUPLICATE = "duplicate", _("Duplicate delivery")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        ERROR = "error", _("Error")

    message_id = models.CharField(_("Message-ID"), max_length=500)
    synthetic_id = models.BooleanField(
        default=False, help_text=_("the message had no Message-ID; this one is its SHA-256")
    )
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    sender_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("date (sender's clock)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    source = models.CharField(
        _("source"), max_length=200, help_text=_("webhook, cli, or imap:<mailbox>")
    )
    raw = models.FileField(_("raw message"), upload_to=raw_path, blank=True, max_length=300)
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    detail = models.TextField(_("detail"), blank=True, help_text=_("why, or the error"))
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mail",
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    threaded_by = models.CharField(
        max_length=20, blank=True, help_text=_("in_reply_to, references, reply_token, subject_tag")
    )
    attachments = models.JSONField(
        default=list, blank=True, help_text=_("name, size, sha256, kept or why not")
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="duplicates"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound email")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(outcome="duplicate"),
                name="inbound_message_processed_once",
            )
        ]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_recent")]

    def __str__(self) -> str:
        return f"{self.message_id} from {self.sender or '?'}: {self.outcome}"


class TicketMailId(models.Model):
    """A Message-ID Pacto received or sent, and the ticket whose thread it belongs to: how
    an answer's In-Reply-To and References find their ticket."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Received")
        OUTBOUND = "out", _("Sent")

    message_id = models.CharField(max_length=500, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="mail_ids")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="mail_id_ticket_time")]

    def __str__(self) -> str:
        return f"{self.message_id} → #{self.ticket_id}"


def new_token() -> str:
    # 12 characters of [a-z0-9]: about 62 bits, and safe in any mail system's local part.
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class TicketReplyToken(models.Model):
    """The secret in a ticket's reply address (``support+t123-<token>@domain``)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="reply_token"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.ticket_id}"
