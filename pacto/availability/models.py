"""Probes, their results, service windows and hypercare status reports.

One result per probe per slot (the policy's ``availability.interval`` on a UTC grid): the
primary key is (probe, slot), and every writer inserts-or-ignores, so a restarted or
duplicated prober, a monitor pushing twice or an import run again never writes a slot twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacto.sla.availability import SlotStatus


class Probe(models.Model):
    class Kind(models.TextChoices):
        HTTP = "http", _("HTTP(S) request")
        TCP = "tcp", _("TCP connect")

    name = models.SlugField(_("name"), max_length=80, unique=True)
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="probes"
    )
    service = models.CharField(_("service"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HTTP)
    url = models.CharField(_("URL"), max_length=500, blank=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    expected_status = models.PositiveSmallIntegerField(_("expected status"), default=200)
    expected_text = models.CharField(_("expected text"), max_length=200, blank=True)
    timeout_seconds = models.FloatField(_("timeout (seconds)"), default=10.0)
    is_active = models.BooleanField(_("active"), default=True)
    # The next slot the scheduler owes this probe a measurement for (indexed: due probes
    # are found by it, like every timed row in Pacto).
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failure_ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def target(self) -> str:
        return self.url if self.kind == self.Kind.HTTP else f"{self.host}:{self.port}"

    @property
    def organization(self):
        return self.contract.organization

    @property
    def policy(self):
        return self.contract.policy

    def interval(self) -> dt.timedelta:
        spec = self.policy.availability
        calendar = self.policy.calendar(spec.calendar)
        return spec.interval.length(calendar)


class ProbeResult(models.Model):
    class Status(models.IntegerChoices):
        DOWN = SlotStatus.DOWN, _("down")
        UP = SlotStatus.UP, _("up")
        UNKNOWN = SlotStatus.UNKNOWN, _("unknown")

    class Source(models.IntegerChoices):
        PROBER = 0, _("Pacto's prober")
        PUSHED = 1, _("pushed by a monitor")
        IMPORTED = 2, _("imported")

    pk = models.CompositePrimaryKey("probe", "slot_start")
    # The primary key's index (probe, slot_start) serves lookups by probe: no second index.
    probe = models.ForeignKey(
        Probe, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    slot_start = models.DateTimeField(_("slot start"))
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    source = models.PositiveSmallIntegerField(choices=Source.choices, default=Source.PROBER)

    class Meta:
        ordering = ["probe", "slot_start"]
        indexes = [
            # The monthly figure reads (probe, slot, status) for each run of operating hours
            # from this index alone (an index-only scan on PostgreSQL; INCLUDE is ignored
            # elsewhere), and the few failing results from the partial one.
            models.Index(
                fields=["probe", "slot_start"], include=["status"], name="result_probe_slot_status"
            ),
            models.Index(
                fields=["probe", "slot_start"],
                condition=~models.Q(status=SlotStatus.UP),
                name="result_not_up",
            ),
        ]


class ServiceWindow(models.Model):
    """A service window of a contract's service (blank: every service of the contract).

    Planned windows may recur monthly (senhasegura §12.1: "technical shutdowns for periods of
    at least one hour per month"); extraordinary ones "may occur within the operating
    hours ... Service Provider will endeavor to provide notice" (&money). Only announced
    windows leave the figure ("excluding extraordinary service windows"); one announced
    later than the policy's notice is marked late in the report.
    """

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned maintenance")
        EXTRAORDINARY = "extraordinary", _("Extraordinary service window")

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="service_windows"
    )
    service = models.CharField(_("service"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.TextField(_("reason"))
    recurs_monthly = models.BooleanField(_("recurs monthly"), default=False)
    recurs_until = models.DateField(_("recurs until"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    notice_late = models.BooleanField(_("late notice"), default=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["contract", "starts_at"])]

    def occurrences(
        self, first: dt.datetime, last: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The window's occurrences overlapping ``[first, last)``: monthly ones repeat on the
        same day of the month at the same UTC time (a day the month lacks is skipped)."""
        length = self.ends_at - self.starts_at
        out = []
        if not self.recurs_monthly:
            candidates = [self.starts_at]
        else:
            candidates = []
            start = self.starts_at
            year, month = start.year, start.month
            stop = min(last.date(), self.recurs_until or last.date())
            while dt.date(year, month, 1) <= stop:
                with contextlib.suppress(ValueError):
                    candidates.append(start.replace(year=year, month=month))
                year, month = year + month // 12, month % 12 + 1
        for start in candidates:
            if start < last and start + length > first:
                out.append((start, start + length))
        return out


class AvailabilityNotice(models.Model):
    """A month's below-target alert or a probe's failure ticket, written once (its key)."""

    key = models.CharField(max_length=200, unique=True)
    at = models.DateTimeField(default=timezone.now)


class HypercareReport(models.Model):
    """A status report sent to the customer during hypercare (&money: "Regular updates
    will be provided to the customer regarding system performance, any issues encountered,
    and their resolution status"); kept for the portal."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="hypercare_reports"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    availability = models.CharField(max_length=12, blank=True)
    open_incidents = models.JSONField(default=list)
    solved_incidents = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_end"], name="one_report_per_period")
        ]
