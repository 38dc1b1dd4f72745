"""What the vendor owes: contracts pinned to an exact version of a support policy."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacto.audit import AuditEvent, TimelineEvent
from pacto.sla.policy import Policy, loads_policy


class PolicyVersion(models.Model):
    """The exact text of a policy file a contract (and its tickets) runs under.

    Stored whole, so a ticket opened under version 7.0 is computed under 7.0 forever, even
    after the preset or the uploaded file changes.
    """

    policy_id = models.CharField(_("policy"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(max_length=200)
    source_yaml = models.TextField()
    sha256 = models.CharField(max_length=64, unique=True)
    is_preset = models.BooleanField(_("shipped preset"), default=False)
    created_at = models.DateTimeField(_("stored at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["policy_id", "-created_at"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"{self.policy_id}@{self.version}"

    @property
    def policy(self) -> Policy:
        return _parse(self.sha256, self.source_yaml, f"{self.policy_id}.yaml")

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=64)
def _parse(sha256: str, text: str, source: str) -> Policy:
    """Parsed policies are cached by content hash: a policy version never changes."""
    return loads_policy(text, source)


class Contract(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    service_contract_id = models.CharField(_("service contract ID"), max_length=60, unique=True)
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.CharField(_("plan"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    renewal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    go_live_on = models.DateField(_("go-live date"), null=True, blank=True)
    hypercare_weeks = models.PositiveSmallIntegerField(_("hypercare weeks"), default=0)
    hypercare_concluded_on = models.DateField(
        _("hypercare concluded on"),
        null=True,
        blank=True,
        help_text=_("the day of the formal transition to standard support"),
    )
    included_services = models.JSONField(
        _("included services"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"assisted upgrade": 1} per contract year'),
    )
    terminated_on = models.DateField(
        _("terminated on"), null=True, blank=True, help_text=_("the last day of support")
    )
    termination_reason = models.CharField(_("termination reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization__name", "-starts_on"]
        indexes = [models.Index(fields=["organization", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.service_contract_id} ({self.organization}, {self.plan})"

    @property
    def policy(self) -> Policy:
        return self.policy_version.policy

    @property
    def last_day(self) -> dt.date:
        """The last day of support: the end date, or the termination date when earlier."""
        if self.terminated_on is not None and self.terminated_on < self.ends_on:
            return self.terminated_on
        return self.ends_on

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.last_day

    def hypercare_until(self) -> dt.date | None:
        """The last day of hypercare (&money: it "will commence on the Go-Live date, and
        last for an agreed number of weeks described in the contract"; "Extensions to the
        Hypercare period may be agreed upon by both parties"). Once concluded, the day of
        the transition to standard support is the last day (or the planned one, when the
        transition came after it)."""
        if not self.go_live_on or not self.hypercare_weeks:
            return None
        planned = self.hypercare_planned_until()
        if self.hypercare_concluded_on:
            return min(self.hypercare_concluded_on, planned)
        return planned

    def hypercare_planned_until(self) -> dt.date | None:
        """The agreed weeks plus every accepted extension, counted from go-live."""
        if not self.go_live_on or not self.hypercare_weeks:
            return None
        extra = sum(e.weeks for e in self.hypercare_extensions.all() if e.accepted_at is not None)
        return self.go_live_on + dt.timedelta(weeks=self.hypercare_weeks + extra, days=-1)

    def in_hypercare_on(self, day: dt.date) -> bool:
        until = self.hypercare_until()
        return until is not None and self.go_live_on <= day <= until


def contract_end(starts_on: dt.date, years: int = 1) -> dt.date:
    """senhasegura §5.2: a contract "ends the day before the same day of the same month the
    following year for one-year contracts, or subsequent years for more than one-year
    contracts". 29 February anniversaries fall on 28 February in common years."""
    year = starts_on.year + years
    try:
        anniversary = starts_on.replace(year=year)
    except ValueError:
        anniversary = dt.date(year, 3, 1)
    return anniversary - dt.timedelta(days=1)


class ContractProduct(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="products")
    product = models.CharField(_("product"), max_length=100)
    module = models.CharField(_("module"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    # The catalogue module and the version installed; ``product``/``module`` above then hold
    # its names. Products outside the catalogue keep only the free text.
    catalog_module = models.ForeignKey(
        "catalog.Module",
        verbose_name=_("catalogue module"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory",
    )
    installed_version = models.ForeignKey(
        "catalog.Version",
        verbose_name=_("installed version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="installations",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["product", "module"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return f"{self.product} {self.module} x{self.quantity}".strip()


class ContractEvent(AuditEvent):
    """Immutable audit trail of a contract: created, changed, renewed, terminated, reminded."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind} of {self.contract_id} at {self.at:%Y-%m-%d %H:%M}"


class HypercareExtension(models.Model):
    """An extension of hypercare: proposed by the vendor, accepted by the customer's admin
    (&money: "Extensions ... may be agreed upon by both parties")."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="hypercare_extensions"
    )
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    accepted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.declined_at is None


class HypercareSignoff(models.Model):
    """One side's agreement that "the system is stable and no further heightened support
    is required" (&money, Conclusion of hypercare period)."""

    class Side(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        CUSTOMER = "customer", _("Customer")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="hypercare_signoffs"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    signed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "side"], name="one_signoff_per_side")
        ]


class HypercareTransition(models.Model):
    """The record of "a formal transition to standard support or operational procedures",
    with the checks it was made on."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="hypercare_transition"
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    notes = models.TextField(_("notes"), blank=True)
    checks = models.JSONField(default=dict)


class HypercareEvent(TimelineEvent):
    """Every step of a contract's hypercare, visible to the vendor and the customer."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="hypercare_events"
    )
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
