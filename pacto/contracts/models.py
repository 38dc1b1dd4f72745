"""What the vendor owes: contracts pinned to an exact version of a support policy."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    is_preset = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["policy_id", "-created_at"]

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
    included_services = models.JSONField(
        _("included services"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"assisted upgrade": 1} per contract year'),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization__name", "-starts_on"]
        indexes = [models.Index(fields=["organization", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.service_contract_id} ({self.organization}, {self.plan})"

    @property
    def policy(self) -> Policy:
        return self.policy_version.policy

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def hypercare_until(self) -> dt.date | None:
        """The last day of hypercare (seed 004: it "will commence on the Go-Live date, and
        last for an agreed number of weeks described in the contract")."""
        if not self.go_live_on or not self.hypercare_weeks:
            return None
        return self.go_live_on + dt.timedelta(weeks=self.hypercare_weeks, days=-1)

    def in_hypercare_on(self, day: dt.date) -> bool:
        until = self.hypercare_until()
        return until is not None and self.go_live_on <= day <= until


def contract_end(starts_on: dt.date, years: int = 1) -> dt.date:
    """Seed 000 §5.2: a contract "ends the day before the same day of the same month the
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
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["product", "module"]

    def __str__(self) -> str:
        return f"{self.product} {self.module} x{self.quantity}".strip()
