"""Professional services: rate cards, quotes and their approvals, scheduled visits, work
logs, included-service entitlements, remote sessions and modification waivers.

Money is ``Decimal`` with two places; every amount is computed by the pure engine
(``pacto.sla.services``) and stored with the rates it used, so an export months later shows
what was approved and billed then, whatever the rate card says now.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacto.audit import TimelineEvent

MONEY = {"max_digits": 14, "decimal_places": 2}
UNITS = {"max_digits": 8, "decimal_places": 2}


class RateCard(models.Model):
    """A contract's prices for professional services (senhasegura §14)."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="rate_card"
    )
    currency = models.CharField(_("currency"), max_length=3, default="BRL")
    day_rate = models.DecimalField(_("day rate"), **MONEY)
    service_rates = models.JSONField(
        _("day rate per service"), default=dict, blank=True, help_text=_('{"health-check": "5000"}')
    )
    hours_per_day = models.DecimalField(_("hours per day"), default=Decimal(8), **UNITS)
    off_hours_multiplier = models.DecimalField(
        _("off-hours multiplier"), default=Decimal("1.5"), max_digits=5, decimal_places=2
    )
    logistics_pass_through = models.BooleanField(
        _("on-site logistics passed through"), default=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def rate_for(self, code: str) -> Decimal:
        value = (self.service_rates or {}).get(code)
        return Decimal(str(value)) if value not in (None, "") else self.day_rate

    def __str__(self) -> str:
        return f"{self.contract}: {self.day_rate} {self.currency}/day"


class Quote(models.Model):
    """An offer for a service on a service-request ticket. It changes only while pending;
    each change bumps ``version``; an approval names the version it approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        OVERRUN = "overrun", _("Additional time")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="quotes")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="quotes"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="overruns"
    )
    service = models.CharField(_("service"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=1)
    currency = models.CharField(max_length=3)
    hours_per_day = models.DecimalField(**UNITS)
    off_hours_multiplier = models.DecimalField(max_digits=5, decimal_places=2)
    logistics = models.DecimalField(_("logistics"), default=Decimal(0), **MONEY)
    logistics_note = models.CharField(_("logistics note"), max_length=200, blank=True)
    total = models.DecimalField(_("total"), default=Decimal(0), **MONEY)
    valid_until = models.DateField(_("valid until"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_version = models.PositiveIntegerField(null=True, blank=True)
    decided_via = models.CharField(max_length=10, blank=True)  # portal, email, api
    decided_snapshot = models.JSONField(default=dict, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["ticket", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"Q-{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def approved_hours(self) -> Decimal:
        """Hours of work this quote (and its approved overruns) pays for."""
        own = sum((line.hours for line in self.lines.all()), Decimal(0))
        extra = sum(
            (o.approved_hours() for o in self.overruns.filter(status=self.Status.APPROVED)),
            Decimal(0),
        )
        return own + extra


class QuoteLine(models.Model):
    class Unit(models.TextChoices):
        DAY = "day", _("day")
        HOUR = "hour", _("hour")

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    service = models.CharField(max_length=60)
    description = models.CharField(max_length=300)
    units = models.DecimalField(**UNITS)
    unit = models.CharField(max_length=4, choices=Unit.choices)
    day_rate = models.DecimalField(**MONEY)
    off_hours_share = models.DecimalField(default=Decimal(0), max_digits=4, decimal_places=3)
    included = models.BooleanField(
        default=False, help_text=_("covered by the contract's included services: no charge")
    )
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]

    @property
    def hours(self) -> Decimal:
        per_day = self.quote.hours_per_day
        return self.units * (per_day if self.unit == self.Unit.DAY else 1)


class Visit(models.Model):
    """Approved work put on the calendar (senhasegura Premier: "must be scheduled through the
    support portal")."""

    class Mode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        ON_SITE = "on_site", _("On site")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="visits")
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.REMOTE)
    location = models.CharField(_("location or link"), max_length=300, blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE: bumps on change
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]


class WorkLog(models.Model):
    """Work delivered on a quote, split by the contract's calendar and priced."""

    class Activity(models.TextChoices):
        WORK = "work", _("Work")
        CONFIGURATION_CHANGE = "configuration_change", _("Configuration change")
        TRAVEL = "travel", _("Travel")

    class Billing(models.TextChoices):
        BILLABLE = "billable", _("Billable")
        OVER_QUOTE = "over_quote", _("Beyond the approved quote: needs approval")
        INCLUDED = "included", _("Included service")
        SUPPORT = "support", _("Support work (not billed)")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="work_logs"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    activity = models.CharField(max_length=24, choices=Activity.choices, default=Activity.WORK)
    mode = models.CharField(max_length=8, choices=Visit.Mode.choices, default=Visit.Mode.REMOTE)
    description = models.TextField(blank=True)
    business_minutes = models.DecimalField(max_digits=12, decimal_places=2)
    off_hours_minutes = models.DecimalField(max_digits=12, decimal_places=2)
    day_rate = models.DecimalField(**MONEY)
    hours_per_day = models.DecimalField(**UNITS)
    off_hours_multiplier = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**MONEY)
    logistics = models.DecimalField(default=Decimal(0), **MONEY)
    billing = models.CharField(max_length=12, choices=Billing.choices, default=Billing.BILLABLE)
    overrun = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="covered_logs"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organization", "starts_at"])]

    @property
    def hours(self) -> Decimal:
        return (self.business_minutes + self.off_hours_minutes) / 60

    @property
    def billed(self) -> bool:
        """Counted in the billing export: within the quote, or its overrun approved."""
        if self.quote_id is None:
            return False
        if self.billing == self.Billing.OVER_QUOTE:
            return self.overrun is not None and self.overrun.is_approved
        return True


class EntitlementUse(models.Model):
    """One delivery of an included service in one contract year (senhasegura Premier: "1
    Assisted upgrade per year"). ``ordinal`` runs 1..count, unique per year: two quotes can
    never both take the last one."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="entitlement_uses"
    )
    service = models.CharField(max_length=60)
    year_starts_on = models.DateField()
    ordinal = models.PositiveSmallIntegerField()
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="entitlement_use")
    reserved_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "service", "year_starts_on", "ordinal"],
                name="one_use_per_entitlement_slot",
            )
        ]


class RemoteSession(models.Model):
    """A remote session with an engineer (senhasegura §7.7: "may be limited to 30 minutes")."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        RESCHEDULE = "reschedule", _("Another time asked")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="remote_sessions"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveIntegerField(_("length (minutes)"))
    tool = models.CharField(_("tool"), max_length=100)
    link = models.CharField(_("link"), max_length=300, blank=True)
    prepare = models.TextField(_("what to have ready"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    customer_note = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    over_limit_warned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"])]


class Waiver(models.Model):
    """A modification waiver (Xecuritas): the policy's exact text, asked by an engineer,
    accepted by an authorized contact."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="waivers")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_text = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]


class ServiceEvent(TimelineEvent):
    """The audit trail of professional services: who did what, when, to which object."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
