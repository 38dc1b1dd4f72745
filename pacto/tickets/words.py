"""The reader's words for what the engine says: durations, targets, instants and the
engine's phrases (clock explanations, system reasons) in the active language and the
reader's zone. Below the pages (the portal, the console and the reports all use it), so it
holds no page's logic; ``pacto.portal.display`` builds on it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from pacto.sla.phrases import Ref, render
from pacto.sla.policy import Metric, Policy
from pacto.sla.units import Duration, Unit
from pacto.tickets.models import Ticket

METRIC_TITLES = {
    Metric.FIRST_RESPONSE.value: gettext_lazy("First response"),
    Metric.RESOLUTION.value: gettext_lazy("Resolution"),
    Metric.PERIODIC_UPDATE.value: gettext_lazy("Periodic update"),
}


# What a change did to a clock, as a confirmation says it (console: "Status changed to
# Waiting on customer: the resolution clock is paused; the first-response clock keeps
# running, as the policy says."). Keys: the clock's state before and after.
CLOCK_NAMES = {
    Metric.FIRST_RESPONSE.value: gettext_lazy("the first-response clock"),
    Metric.RESOLUTION.value: gettext_lazy("the resolution clock"),
    Metric.PERIODIC_UPDATE.value: gettext_lazy("the periodic-update clock"),
}
_CLOCK_CHANGES = {
    ("running", "paused"): gettext_lazy("%(clock)s is paused"),
    ("paused", "running"): gettext_lazy("%(clock)s runs again"),
    ("running", "running"): gettext_lazy("%(clock)s keeps running"),
    ("paused", "paused"): gettext_lazy("%(clock)s stays paused"),
    ("running", "met"): gettext_lazy("%(clock)s is met"),
    ("paused", "met"): gettext_lazy("%(clock)s is met"),
    ("running", "stopped"): gettext_lazy("%(clock)s stops"),
    ("paused", "stopped"): gettext_lazy("%(clock)s stops"),
}


def clock_states(ticket: Ticket) -> dict[str, str]:
    """Each stored clock's state (``running``, ``paused``, ``met`` …) by metric."""
    return dict(ticket.clocks.values_list("metric", "state"))


def clock_changes(before: dict[str, str], after: dict[str, str], *, moved_only=False) -> str:
    """What happened to the clocks between two ``clock_states``, clause by clause, in the
    reader's language; empty when no running or paused clock was touched. ``moved_only``
    leaves out the clocks whose state stayed as it was."""
    clauses = [
        _CLOCK_CHANGES[(before[metric], after[metric])] % {"clock": CLOCK_NAMES[metric]}
        for metric in CLOCK_NAMES
        if (before.get(metric), after.get(metric)) in _CLOCK_CHANGES
        and not (moved_only and before[metric] == after[metric])
    ]
    return "; ".join(str(clause) for clause in clauses)


def with_clock_changes(done: str, ticket: Ticket, before: dict[str, str], *, moved_only=False):
    """A confirmation: ``done`` ("Status changed to Waiting on customer"), and what it did to
    the ticket's clocks since ``before`` by its policy, when it touched one ("…: the
    first-response clock is paused, as the policy says.")."""
    clocks = clock_changes(before, clock_states(ticket), moved_only=moved_only)
    if not clocks:
        return _("%(done)s.") % {"done": done}
    return _("%(done)s: %(clocks)s, as the policy says.") % {"done": done, "clocks": clocks}


def duration_text(delta: dt.timedelta | None) -> str:
    """``2 d 3 h 05 min`` — short, the same in English and Portuguese."""
    if delta is None:
        return "—"
    negative = delta < dt.timedelta(0)
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return ("−" if negative else "") + " ".join(parts)


def target_text(target: Duration | None) -> str:
    """A policy target in the reader's language: ``4 business hours``, ``4 horas úteis``."""
    if target is None:
        return _("no target")
    n = f"{target.amount:g}"
    count = int(target.amount) if float(target.amount).is_integer() else 2
    match target.unit:
        case Unit.MINUTES:
            text = ngettext("%(n)s minute", "%(n)s minutes", count)
        case Unit.HOURS:
            text = ngettext("%(n)s business hour", "%(n)s business hours", count)
        case Unit.BUSINESS_DAYS:
            text = ngettext("%(n)s business day", "%(n)s business days", count)
        case _:
            text = ngettext("%(n)s calendar day", "%(n)s calendar days", count)
    return text % {"n": n}


def when(
    instant: dt.datetime | None, zone: dt.tzinfo | None = None, *, with_zone: bool = False
) -> str:
    """``Mon 23 Nov 2026 13:00`` in ``zone`` (default: the viewer's), localized; with the
    zone's abbreviation after it when ``with_zone`` (``-03`` for São Paulo). The one format
    of an instant on every page (the ``when`` template filter), in the engine's explanations
    and in emails."""
    if instant is None:
        return "—"
    local = instant.astimezone(zone or timezone.get_current_timezone())
    text = formats.date_format(local, pgettext("date and time format", "D j M Y H:i"))
    return f"{text} {local.tzname()}" if with_zone else text


def day(value: dt.date | dt.datetime | None, zone: dt.tzinfo | None = None) -> str:
    """``Mon 23 Nov 2026``, localized: the one format of a day on every page (the ``day``
    template filter). An instant is read in ``zone`` (default: the viewer's)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone or timezone.get_current_timezone()).date()
    return formats.date_format(value, pgettext("date format", "D j M Y"))


def _policy_name(policy: Policy, kind: str, ref: Ref) -> str:
    """A severity, status or plan by the reader's policy; the engine's text if unknown."""
    try:
        return getattr(policy.localized(get_language()), kind)(ref.id).name
    except Exception:
        return ref.text


def _label(choices, ref: Ref) -> str:
    try:
        return str(choices(ref.id).label)
    except ValueError:
        return ref.text


class ReaderWords:
    """How the reader writes the engine's phrases (``pacto.sla.phrases``): the active
    language's catalogue, the reader's zone and date format, the policy's names in the
    reader's language where the policy translates them (the original, whole, where not)."""

    def __init__(self, policy: Policy, zone: dt.tzinfo | None = None) -> None:
        self.policy = policy
        self.zone = zone or timezone.get_current_timezone()

    def translate(self, text: str) -> str:
        return _(text) if text else text

    def when(self, instant: dt.datetime) -> str:
        return when(instant, self.zone, with_zone=True)

    def duration(self, delta: dt.timedelta) -> str:
        return duration_text(delta)

    def target(self, target: Duration) -> str:
        return target_text(target)

    def name(self, ref: Ref) -> str:
        match ref.kind:
            case "status":
                return _policy_name(self.policy, "status", ref)
            case "severity":
                return _policy_name(self.policy, "severity", ref)
            case "plan":
                return _policy_name(self.policy, "plan", ref)
            case "channel":
                return _label(Ticket.Channel, ref)
            case "environment":
                return _label(Ticket.Environment, ref)
            case "type":
                return _label(Ticket.Type, ref)
            case "hypercare":
                return pgettext("hypercare", ref.id)  # on / off
            case "metric":
                return str(METRIC_TITLES.get(ref.id, ref.text))
            case _:
                return ref.text


def explanation_lines(notes: list, policy: Policy, zone: dt.tzinfo | None = None) -> list[str]:
    """A clock's explanation (phrases, or lines stored as text) in the reader's words."""
    words = ReaderWords(policy, zone)
    return [render(note, words) for note in notes]
