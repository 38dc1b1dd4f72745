"""Tickets, their conversation, their immutable history and their persisted SLA clocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pacto.tickets.content import TEXT_PREVIEW_BYTES, preview_kind

# The structured details of a problem report (``Ticket.details``), by name.
DETAIL_FIELDS = (
    "steps",
    "expected_result",
    "obtained_result",
    "circumstances",
    "hardware_os",
    "workaround",
    "initial_recommendation",
)
# What may be corrected after opening, with a reason (``do_correct``; the API's CorrectionIn).
CORRECTABLE = ("channel", "environment", "type", "category", "product", "version", *DETAIL_FIELDS)


class Ticket(models.Model):
    class Type(models.TextChoices):
        PROBLEM = "problem", _("Problem")
        QUESTION = "question", _("Question")
        FEATURE_REQUEST = "feature_request", _("Feature request")
        ACCESS_REQUEST = "access_request", _("Access request")
        SERVICE_REQUEST = "service_request", _("Service request")
        NOTICE = "notice", _("Notice")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        API = "api", _("API")

    class SlaMode(models.TextChoices):
        """How the policy's targets apply (Xecuritas: the process "applies to released,
        supported Xecuritas products as opposed to unsupported/discontinued products; beta
        and field test technology is covered by a separate policy")."""

        POLICY = "policy", _("Under the contract's policy")
        WITHOUT_TARGETS = "without_targets", _("Accepted without SLA targets")
        BETA_POLICY = "beta_policy", _("Under the beta policy")

    class Environment(models.TextChoices):
        PRODUCTION = "production", _("Production")
        NON_PRODUCTION = "non-production", _("Non-production")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="tickets"
    )
    partner = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_tickets",
        help_text=_("the partner whose certified contact opened it on the customer's behalf"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="tickets"
    )
    policy_version = models.ForeignKey(
        "contracts.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )
    plan = models.CharField(max_length=60)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.PROBLEM)
    subject = models.CharField(_("subject"), max_length=250)
    product = models.CharField(_("product"), max_length=100, blank=True)
    version = models.CharField(_("software version"), max_length=60, blank=True)
    # The catalogue version the ticket is about (``product``/``version`` above then hold its
    # names; tickets on products outside the catalogue keep only the free text).
    product_version = models.ForeignKey(
        "catalog.Version",
        verbose_name=_("product version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    support_status = models.CharField(_("support status of the version"), max_length=16, blank=True)
    sla_mode = models.CharField(max_length=16, choices=SlaMode.choices, default=SlaMode.POLICY)
    known_issue = models.ForeignKey(
        "catalog.KnownIssue",
        verbose_name=_("known issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    engineering_item = models.ForeignKey(
        "catalog.EngineeringItem",
        verbose_name=_("engineering item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # A vendor notice (software issue, release, maintenance) opened once per organization
    # and publishing step: e.g. ``publication:12``. Unique, so it is never opened twice.
    notice_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    environment = models.CharField(
        max_length=16, choices=Environment.choices, default=Environment.PRODUCTION
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PORTAL)
    proposed_severity = models.CharField(_("severity proposed by the customer"), max_length=40)
    severity = models.CharField(_("severity"), max_length=40)
    # The details the policies demand (senhasegura §7.6, Xecuritas "recorded information").
    steps = models.TextField(_("commands and steps"), blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    obtained_result = models.TextField(_("obtained result"), blank=True)
    circumstances = models.TextField(_("circumstances of discovery"), blank=True)
    hardware_os = models.CharField(_("hardware and operating system"), max_length=250, blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    initial_recommendation = models.TextField(_("initial recommendation"), blank=True)
    access_request = models.JSONField(
        default=dict, blank=True, help_text=_("for access requests: the person to authorize")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    support_line = models.CharField(max_length=8, default="first")
    # The policy's category of the request (``categories``: &money's 2nd-level list,
    # senhasegura §5.4 scope items and §5.5 out-of-scope items); blank: not categorized.
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    # The ticket this one follows up (senhasegura §6: the root cause analysis of a solved
    # urgent or high ticket).
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    # The closed ticket this one takes up again ("open a follow-up" on a closed ticket: a
    # closed ticket is archived and takes no reply, so the customer starts a linked one).
    continues = models.ForeignKey(
        "self",
        verbose_name=_("follow-up to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="continued_in",
    )
    status = models.CharField(_("status"), max_length=40)
    status_category = models.CharField(max_length=24, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    details_requested = models.BooleanField(
        default=False, help_text=_("the vendor asked for details or logs not yet received")
    )
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    # A summary of the clocks below, kept by ``clocks.store_clocks`` and the clock sweep (the
    # only writers of clocks), so the console's queue orders and counts tickets from this
    # row alone instead of probing every ticket's clocks (a speed-up: ``queues`` could read
    # ``SlaClock`` directly again). ``sla_due_at``: the earliest due instant of a running
    # clock that counts; ``sla_risk_at``: from when one is at risk (a warning threshold
    # reached); ``sla_breached``: a recorded breach, not met and not exempt; ``sla_exempt``:
    # a clock marked exempt.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_risk_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    sla_exempt = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status_category"]),
            models.Index(fields=["assignee", "status_category"]),
            # The console's queue: its default order and its tabs' counts read this index
            # alone (``pacto.console.queues``).
            models.Index(
                fields=[
                    "status_category",
                    "sla_due_at",
                    "sla_risk_at",
                    "sla_breached",
                    "sla_exempt",
                    "opened_at",
                    "assignee",
                    "support_line",
                ],
                name="ticket_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def policy(self):
        return self.policy_version.policy

    @property
    def is_open(self) -> bool:
        return self.status_category not in ("solved", "closed")

    @cached_property
    def opened_by_vendor(self) -> str:
        """What of the vendor's opened this ticket on the customer's behalf (``monitoring``),
        or "" for a ticket a contact reported (or an agent logged from a call or an email)."""
        opened = self.events.filter(kind=TicketEvent.Kind.OPENED).only("data").first()
        return (opened.data.get("opened_by") or "") if opened else ""


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(
        default=True, help_text=_("public reply; unset for an internal note agents only see")
    )
    body_html = models.TextField(help_text=_("sanitized HTML"))
    body_text = models.TextField()
    channel = models.CharField(max_length=8, default="portal")
    # The address a person copied on the ticket (``TicketCc``) wrote from, when that person
    # has no account: the message is theirs, so ``author`` stays empty rather than naming the
    # requester, and the conversation shows this address as the sender.
    from_email = models.EmailField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message {self.pk} on #{self.ticket_id}"

    @property
    def sender(self) -> str:
        """Who wrote it, as the conversation names them: the author, or the copied address."""
        if self.author is not None:
            return self.author.get_full_name() or self.author.email
        return self.from_email


# How many people one ticket may copy: enough for a customer's team and a partner, few enough
# that a ticket's replies cannot be turned into a mailing list.
MAX_CCS_PER_TICKET = 20


class TicketCc(models.Model):
    """A person copied on a ticket: they receive its public replies by email and may answer
    them. ``user`` is set when the address belongs to a contact of the ticket's organization
    (their own email preferences then apply); otherwise the address is an outside one."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ccs")
    email = models.EmailField(_("email address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "email"], name="one_cc_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.email} on #{self.ticket_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.ticket_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def preview(self) -> str:
        """``image``, ``text`` or ``""``: how the ticket page shows this file inline."""
        return preview_kind(self.name)

    def text_head(self) -> str:
        """The start of a text log, for its preview on the ticket page."""
        with self.file.open("rb") as stream:
            head = stream.read(TEXT_PREVIEW_BYTES + 1)
        text = head[:TEXT_PREVIEW_BYTES].decode("utf-8", errors="replace")
        return text + ("\n…" if len(head) > TEXT_PREVIEW_BYTES else "")


# The kinds of history entry whose reason a contact types themselves when they are the actor:
# why they reopen, escalate or ask for another severity, and why they correct their report.
# A status change a contact's action causes carries Pacto's words instead ("resolution
# confirmed"), or repeats the reopen reason shown on its own line.
CONTACT_WORDED_KINDS = frozenset({"reopened", "escalated", "severity_request", "version", "detail"})


def customer_reason(kind: str, reason: str, data: dict | None, by_contact: bool) -> str:
    """The reason of a history entry that the customer side may read; blank when it is the
    vendor's own. A reason reaches the customer when a contact wrote it (``by_contact``, for
    the kinds a contact words, except Pacto's automatic moves), or when the member of staff
    who wrote it marked it public (``data["reason_public"]``). Everything else is private:
    an agent's reason for a status, severity or escalation, and the system's reasons (in
    English, for the vendor; the history line itself already says what happened)."""
    data = data or {}
    if not reason:
        return ""
    if data.get("reason_public") is True:
        return reason
    if by_contact and kind in CONTACT_WORDED_KINDS and not data.get("automatic"):
        return reason
    return ""


class TicketEvent(models.Model):
    """One immutable line of a ticket's history. The SLA clocks are replayed from these."""

    class Kind(models.TextChoices):
        OPENED = "opened"
        STATUS = "status"
        SEVERITY = "severity"
        AGENT_REPLY = "agent_reply"
        CUSTOMER_REPLY = "customer_reply"
        NOTE = "note"
        ASSIGNED = "assigned"
        LINE = "line"
        ESCALATED = "escalated"
        SEVERITY_REQUEST = "severity_request"
        SEVERITY_DECLINED = "severity_declined"
        CONFIRMED = "confirmed"
        REOPENED = "reopened"
        ACCESS_GRANTED = "access_granted"
        WORK_LOGGED = "work_logged"
        CLOCK_BREACHED = "clock_breached"
        ATTACHED = "attached"
        VERSION = "version"
        KNOWN_ISSUE = "known_issue"
        ENGINEERING = "engineering"
        # Corrections after opening (each with a reason; the clocks replay them).
        CHANNEL = "channel"
        ENVIRONMENT = "environment"
        TYPE = "type"
        DETAIL = "detail"  # a structured detail, product or version text corrected
        CATEGORY = "category"
        # Policy rules acted on by an agent.
        RESOLUTION_PLAN = "resolution_plan"
        THIRD_PARTY = "third_party"
        EXEMPTED = "exempted"
        CHECKLIST = "checklist"
        ROOT_CAUSE = "root_cause"
        OUT_OF_SCOPE = "out_of_scope"
        # People copied on the ticket (``TicketCc``).
        CC_ADDED = "cc_added"
        CC_REMOVED = "cc_removed"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        # (kind, at): the console's bell and its customer-requests queue look for a few
        # kinds among every ticket's events.
        indexes = [models.Index(fields=["ticket", "at"]), models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def customer_reason(self) -> str:
        """The reason as the customer side reads it (``customer_reason``); blank: private."""
        by_contact = self.actor is not None and self.actor.is_contact
        return customer_reason(self.kind, self.reason, self.data, by_contact)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ticket events are immutable")
        super().save(*args, **kwargs)


class SlaClock(models.Model):
    """The engine's verdict for one metric of one ticket, persisted on every event."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(max_length=24)
    state = models.CharField(max_length=12, db_index=True)
    target = models.CharField(max_length=60, blank=True)
    calendar = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True, db_index=True)
    met_at = models.DateTimeField(null=True)
    breached_at = models.DateTimeField(null=True)
    elapsed_seconds = models.FloatField(default=0)
    remaining_seconds = models.FloatField(null=True)
    next_check_at = models.DateTimeField(
        null=True, db_index=True, help_text=_("next warning or breach the worker must act on")
    )
    warnings = models.JSONField(default=list)
    segments = models.JSONField(default=list)
    # The paused segments' length up to the computation (not the projection after it), kept
    # beside them so reports sum a column instead of reading every clock's segments.
    paused_seconds = models.FloatField(default=0)
    explanation = models.JSONField(default=list)
    exempt_reason = models.CharField(
        max_length=300, blank=True, help_text=_("why the clock is exempt; blank: it counts")
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ticket", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="one_clock_per_metric")
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.metric} {self.state}"
