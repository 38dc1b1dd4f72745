"""SLA clocks as people read them: badges, time left, timelines and due sentences.

Shared by the portal, the console and the calculator. Everything here reads the engine's
results (``pacto.sla``) or the clocks it persisted (``SlaClock``) and turns them into words in
the active language and instants in the viewer's time zone; nothing here decides a due time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from pacto.sla.calendar import Calendar
from pacto.sla.clock import ClockResult, ClockState, Event, EventKind, compute_clocks
from pacto.sla.policy import Metric, Policy, TicketFacts
from pacto.tickets.words import (
    METRIC_TITLES,
    duration_text,
    explanation_lines,
    target_text,
)

STATE_LABELS = {
    "running": gettext_lazy("Running"),
    "paused": gettext_lazy("Paused"),
    "breached": gettext_lazy("Breached"),
    "met": gettext_lazy("Met"),
    "stopped": gettext_lazy("Stopped"),
    "no_target": gettext_lazy("No target"),
    "at_risk": gettext_lazy("At risk"),
}
SEGMENT_LABELS = {
    "running": gettext_lazy("counting"),
    "paused": gettext_lazy("paused"),
    "outside_hours": gettext_lazy("outside business hours"),
    "holiday": gettext_lazy("holiday"),
}
# Cities whose IANA name loses its accents or spaces; the rest read fine from the key.
_CITY_NAMES = {"Sao_Paulo": "São Paulo", "Kolkata": "Kolkata", "New_York": "New York"}


# ----------------------------------------------------------------------------- words


def reader_policy(policy: Policy) -> Policy:
    """The policy with its customer-facing texts (severity, status and plan names,
    definitions, examples) in the reader's language, where the policy translates them. For
    pages only: actions keep the document's own texts, so nothing stored mixes languages."""
    return policy.localized(get_language())


def policy_name(policy: Policy) -> str:
    """The policy's title with its version once: "senhasegura Support Policy 7.0", but
    "Allure Security Support Policy 2024" (whose title already carries the year)."""
    if policy.version in policy.title.split():
        return policy.title
    return f"{policy.title} {policy.version}"


def policy_source(policy: Policy) -> str:
    """The published document, unless it only repeats the name already shown."""
    if policy.source.startswith(policy.title):
        rest = policy.source.removeprefix(policy.title).strip(" ,;-—")
        return rest.strip("()")
    return policy.source


def city_of(zone: dt.tzinfo | str) -> str:
    """``America/Sao_Paulo`` → ``São Paulo``: how people name a time zone."""
    key = zone if isinstance(zone, str) else getattr(zone, "key", str(zone))
    last = key.rsplit("/", 1)[-1]
    return _CITY_NAMES.get(last, last.replace("_", " "))


def _in_sentence(text: str) -> str:
    """Portuguese writes weekdays and months in lower case inside a sentence; Django's
    catalog capitalizes them (``Segunda-feira``)."""
    return text.lower() if get_language().startswith("pt") else text


def weekday_time(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """``Monday 23 November, 13:00``: the words of a due sentence."""
    local = instant.astimezone(zone)
    return _in_sentence(
        formats.date_format(local, pgettext("weekday, day, month and time", "l j F, H:i"))
    )


def weekday_date(day: dt.date) -> str:
    return _in_sentence(formats.date_format(day, pgettext("weekday, day and month", "l j F")))


def hours_text(policy: Policy, calendar_name: str) -> str:
    """The weekly working hours of a policy calendar, as written: ``mon-fri 09:00-19:00``."""
    spec = policy.calendars.get(calendar_name)
    if spec is None:
        return _("24 hours a day, 7 days a week")
    if isinstance(spec.hours, str):
        return _("24 hours a day, 7 days a week")
    return "; ".join(f"{days} {', '.join(spans)}" for days, spans in spec.hours.items())


# ----------------------------------------------------------------------------- timelines


@dataclass
class TimelineRow:
    start: dt.datetime
    end: dt.datetime
    kind: str
    label: str
    detail: str
    projected: bool
    x: float = 0.0
    width: float = 0.0


@dataclass
class TimelineMark:
    """A correction or rule drawn on the clock's bar: when it took effect, and what it was."""

    at: dt.datetime
    text: str
    x: float | None = None  # None: outside the bar's span


@dataclass
class Timeline:
    rows: list[TimelineRow]
    now_x: float | None
    start: dt.datetime | None
    end: dt.datetime | None
    hidden: int = 0  # rows beyond the list's limit
    marks: list[TimelineMark] = field(default_factory=list)

    def add_marks(self, marks: list[TimelineMark]) -> None:
        for mark in marks:
            x = None
            if (
                self.start is not None
                and self.end is not None
                and self.start <= mark.at <= self.end
            ):
                span = (self.end - self.start).total_seconds() or 1.0
                x = round((mark.at - self.start).total_seconds() / span * TIMELINE_WIDTH, 2)
            self.marks.append(TimelineMark(mark.at, mark.text, x))


TIMELINE_WIDTH = 1000  # the SVG's user units; rect widths are presentation attributes, so CSP-safe
TIMELINE_ROWS = 40


def timeline(
    segments: list, now: dt.datetime | None = None, policy: Policy | None = None
) -> Timeline:
    """Segments (engine ``Segment`` objects or their stored JSON) as a proportional bar and a
    list: when the clock counted, and why it did not (a pausing status named in the reader's
    language when ``policy`` is given)."""
    rows = []
    for segment in segments:
        if isinstance(segment, dict):
            start = dt.datetime.fromisoformat(segment["start"])
            end = dt.datetime.fromisoformat(segment["end"])
            kind, reason, projected = segment["kind"], segment["reason"], segment["projected"]
            status = segment.get("status")
        else:
            start, end = segment.start, segment.end
            kind, reason, projected = segment.kind, segment.reason, segment.projected
            status = segment.status
        detail = _detail(kind, reason)
        if kind == "paused" and status and policy is not None:
            detail = status_name(policy, status)
        rows.append(
            TimelineRow(start, end, kind, str(SEGMENT_LABELS.get(kind, kind)), detail, projected)
        )
    if not rows:
        return Timeline([], None, None, None)
    first, last = rows[0].start, rows[-1].end
    span = (last - first).total_seconds() or 1.0
    for row in rows:
        row.x = round((row.start - first).total_seconds() / span * TIMELINE_WIDTH, 2)
        row.width = max(
            round((row.end - row.start).total_seconds() / span * TIMELINE_WIDTH, 2), 0.5
        )
    now_x = None
    if now is not None and first <= now <= last:
        now_x = round((now - first).total_seconds() / span * TIMELINE_WIDTH, 2)
    hidden = max(len(rows) - TIMELINE_ROWS, 0)
    return Timeline(rows, now_x, first, last, hidden)


def _detail(kind: str, reason: str) -> str:
    """The engine's reason, minus what the kind already says (``holiday Fri 20 Nov: X`` → X)."""
    match kind:
        case "holiday":
            names = [
                part.split(": ", 1)[-1] for part in reason.removeprefix("holiday ").split("; ")
            ]
            return ", ".join(names)
        case "paused":
            return reason.removeprefix("status ")
        case "running" | "outside_hours":
            return ""
        case _:
            return reason


# ----------------------------------------------------------------------------- clocks


@dataclass
class ClockView:
    """One clock of one ticket, ready for a template."""

    metric: str
    state: str  # running | paused | breached | met | stopped | no_target
    due_at: dt.datetime | None = None
    met_at: dt.datetime | None = None
    breached_at: dt.datetime | None = None
    left: dt.timedelta | None = None  # business time left (running, paused)
    overdue: dt.timedelta | None = None  # real time since the breach
    at_risk: bool = False
    target: str = ""
    calendar: str = ""
    explanation: list[str] = field(default_factory=list)
    timeline: Timeline | None = None

    @property
    def title(self) -> str:
        return str(METRIC_TITLES.get(self.metric, self.metric))

    @property
    def label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def left_text(self) -> str:
        return duration_text(self.left)

    @property
    def overdue_text(self) -> str:
        return duration_text(self.overdue)


def _calendar(policy: Policy, name: str | None) -> Calendar | None:
    if name and name in policy.calendars:
        return policy.calendar(name)
    return None  # "always-open" (calendar days) or no target: real time


def business_left(policy: Policy, calendar_name: str | None, now, due_at) -> dt.timedelta:
    calendar = _calendar(policy, calendar_name)
    if calendar is None:
        return due_at - now
    return calendar.elapsed(now, due_at)


def view_of_result(policy: Policy, result: ClockResult, now: dt.datetime) -> ClockView:
    """A clock the engine just computed (ticket pages, previews)."""
    state = result.state.value
    view = ClockView(
        metric=result.metric.value,
        state=state,
        due_at=result.due_at,
        met_at=result.met_at,
        breached_at=result.breached_at,
        target=target_text(result.target) if result.target else "",
        calendar=result.calendar or "",
        explanation=explanation_lines(result.notes, policy),
        timeline=timeline(result.segments, now, policy),
    )
    if result.state is ClockState.RUNNING and result.due_at is not None:
        view.left = business_left(policy, result.calendar, now, result.due_at)
        view.at_risk = any(w.reached_at is not None for w in result.warnings)
    elif result.state is ClockState.PAUSED:
        view.left = result.remaining
    elif result.state is ClockState.BREACHED and result.met_at is None and result.breached_at:
        view.overdue = now - result.breached_at
    return view


def view_of_stored(policy: Policy, clock, now: dt.datetime) -> ClockView:
    """A clock as the last event (or the worker's last sweep) stored it, brought to ``now``:
    a running clock past its due instant is shown breached before the worker records it."""
    state = clock.state
    view = ClockView(
        metric=clock.metric,
        state=state,
        due_at=clock.due_at,
        met_at=clock.met_at,
        breached_at=clock.breached_at,
        target=clock.target,
        calendar=clock.calendar,
    )
    if state == "running" and clock.due_at is not None:
        if clock.due_at <= now:
            view.state = "breached"
            view.breached_at = clock.due_at
            view.overdue = now - clock.due_at
        else:
            view.left = business_left(policy, clock.calendar, now, clock.due_at)
            view.at_risk = any(
                w.get("reached_at")
                or (w.get("expected_at") and dt.datetime.fromisoformat(w["expected_at"]) <= now)
                for w in clock.warnings or []
            )
    elif state == "paused" and clock.remaining_seconds is not None:
        view.left = dt.timedelta(seconds=clock.remaining_seconds)
    elif state == "breached" and clock.met_at is None and clock.breached_at is not None:
        view.overdue = now - clock.breached_at
    return view


_BADGE_ORDER = {"breached": 0, "running": 1, "paused": 2, "met": 3, "stopped": 4, "no_target": 5}


def badge_clock(views: list[ClockView]) -> ClockView | None:
    """The one clock a queue shows for a ticket: a breach still open first, then the running
    clock due soonest, then a paused one, then the first response's outcome."""
    open_breaches = [v for v in views if v.state == "breached" and v.met_at is None]
    if open_breaches:
        return open_breaches[0]
    running = sorted((v for v in views if v.state == "running"), key=lambda v: v.due_at)
    if running:
        return running[0]
    for state in ("paused", "breached", "met", "stopped", "no_target"):
        for view in views:
            if view.state == state:
                return view
    return None


def live_clocks(ticket, now: dt.datetime, *, internal: bool = False) -> list[ClockView]:
    """Every clock of ``ticket`` recomputed by the engine as of ``now`` (ticket pages); the
    timeline marks carry every reason when ``internal`` (the console), else only those the
    customer may read."""
    from pacto.tickets.clocks import compute_ticket_clocks

    policy = ticket.policy
    results = compute_ticket_clocks(ticket, now)
    views = [view_of_result(policy, result, now) for result in results.values()]
    marks = correction_marks(ticket, policy, internal=internal)
    for view in views:
        if view.timeline is not None:
            view.timeline.add_marks(marks)
    return views


# Events shown on every clock's timeline: corrections and the rules that act on the clocks.
MARKED_EVENTS = ("channel", "environment", "type", "severity", "resolution_plan", "exempted")


def correction_marks(ticket, policy: Policy, *, internal: bool = False) -> list[TimelineMark]:
    """``channel changed to phone at 10:02 by Felipe: customer called`` for each correction
    of the ticket (and each rule that acted on its clocks), in the reader's language; the
    reason only where the reader may read it (every one when ``internal``)."""
    marks = []
    zone = timezone.get_current_timezone()
    for event in ticket.events.filter(kind__in=MARKED_EVENTS).select_related("actor"):
        what = event_text(event, policy)
        local = event.at.astimezone(zone)
        reason = event.reason if internal else event.customer_reason
        values = {"what": what, "time": f"{local:%H:%M}", "who": str(event.actor or ""),
                  "reason": reason}  # fmt: skip
        if event.actor and reason:
            text = _("%(what)s at %(time)s by %(who)s: %(reason)s") % values
        elif event.actor:
            text = _("%(what)s at %(time)s by %(who)s") % values
        else:
            text = _("%(what)s at %(time)s") % values
        marks.append(TimelineMark(event.at, text))
    return marks


# ----------------------------------------------------------------------------- due previews


@dataclass
class DuePreview:
    """When the first response would be due if the ticket were opened ``now``."""

    policy: Policy
    severity: object
    plan: object
    channel: str
    zone: ZoneInfo
    clock: ClockView | None
    result: ClockResult | None
    sentence: str
    holidays: list[tuple[dt.date, str]]
    by_phone: DuePreview | None = None

    @property
    def requires_phone_call(self) -> bool:
        return bool(getattr(self.severity, "requires_phone_call", False))


def compute_due(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    channel: str,
    environment: str,
    ticket_type: str = "problem",
    opened_at: dt.datetime,
    metrics: list[Metric] | None = None,
    as_of: dt.datetime | None = None,
) -> dict[Metric, ClockResult]:
    """The engine's clocks for a ticket opened at ``opened_at`` with nothing else happening,
    as of ``as_of`` (default: the opening, the same computation as ``pacto sla due``)."""
    facts = TicketFacts(
        severity=severity, plan=plan, channel=channel, environment=environment, type=ticket_type
    )
    events = [Event(opened_at, EventKind.OPENED)]
    return compute_clocks(policy, facts, events, as_of or opened_at, metrics)


def due_preview(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    channel: str,
    environment: str,
    ticket_type: str,
    now: dt.datetime,
    compare_phone: bool = True,
) -> DuePreview:
    results = compute_due(
        policy,
        plan=plan,
        severity=severity,
        channel=channel,
        environment=environment,
        ticket_type=ticket_type,
        opened_at=now,
        metrics=[Metric.FIRST_RESPONSE],
    )
    result = results.get(Metric.FIRST_RESPONSE)
    zone = policy.calendar().zone
    severity_obj = policy.severity(severity)
    plan_obj = policy.plan(plan)
    clock = view_of_result(policy, result, now) if result else None
    holidays = _holidays_before_due(policy, result) if result else []
    preview = DuePreview(
        policy=policy,
        severity=severity_obj,
        plan=plan_obj,
        channel=channel,
        zone=zone,
        clock=clock,
        result=result,
        holidays=holidays,
        sentence=due_sentence(policy, severity_obj, plan_obj, result, holidays, now),
    )
    if (
        compare_phone
        and severity_obj.requires_phone_call
        and channel != "phone"
        and "phone" in policy.channels
    ):
        preview.by_phone = due_preview(
            policy,
            plan=plan,
            severity=severity,
            channel="phone",
            environment=environment,
            ticket_type=ticket_type,
            now=now,
            compare_phone=False,
        )
    return preview


def _holidays_before_due(policy: Policy, result: ClockResult) -> list[tuple[dt.date, str]]:
    """The working-day holidays the clock skips before it is due."""
    calendar = _calendar(policy, result.calendar)
    if calendar is None:
        return []
    found: list[tuple[dt.date, str]] = []
    for segment in result.segments:
        if segment.kind != "holiday":
            continue
        first = segment.start.astimezone(calendar.zone).date()
        last = segment.end.astimezone(calendar.zone).date()
        for day, name in calendar.holidays.between(first, last):
            if calendar.hours.days[day.weekday()] and (day, name) not in found:
                found.append((day, name))
    return found


def due_sentence(policy, severity, plan, result, holidays, now) -> str:
    """``High on Standard 8x5: due Monday 23 November, 13:00 São Paulo time, because Friday
    20 November is a holiday (Black Consciousness Day).``"""
    names = {"severity": severity.name, "plan": plan.name}
    if result is None or result.target is None:
        return _("%(severity)s on %(plan)s: the policy sets no first-response target.") % names
    zone = policy.calendar().zone
    if result.state is not ClockState.RUNNING or result.due_at is None:
        return _("%(severity)s on %(plan)s: %(target)s.") % {
            **names,
            "target": target_text(result.target),
        }
    sentence = _("%(severity)s on %(plan)s: due %(when)s %(city)s time") % {
        **names,
        "when": weekday_time(result.due_at, zone),
        "city": city_of(zone),
    }
    if holidays:
        days = [
            _("%(day)s is a holiday (%(name)s)") % {"day": weekday_date(day), "name": name}
            for day, name in holidays
        ]
        sentence += _(", because %(days)s") % {"days": _("; ").join(days)}
    elif result.due_at.astimezone(zone).date() != now.astimezone(zone).date():
        sentence += _(", counting business hours only (%(hours)s)") % {
            "hours": hours_text(policy, result.calendar or policy.default_calendar)
        }
    return sentence + "."


# ----------------------------------------------------------------------------- history

# What contacts see of a ticket's history; internal notes, routing and work logs are the
# vendor's (``pacto.accounts.access.can_see_internal``).
PUBLIC_EVENTS = {
    "opened",
    "service",
    "status",
    "severity",
    "escalated",
    "severity_request",
    "severity_declined",
    "confirmed",
    "reopened",
    "access_granted",
    "channel",
    "environment",
    "type",
    "detail",
    "category",
    "version",
    "resolution_plan",
    "third_party",
    "root_cause",
    "out_of_scope",
    "cc_added",
    "cc_removed",
}
LINES = {
    "first": gettext_lazy("first line"),
    "second": gettext_lazy("second line"),
    "senior": gettext_lazy("senior engineers"),
    "product": gettext_lazy("product management"),
}


def status_name(policy: Policy, status_id: str | None) -> str:
    try:
        return reader_policy(policy).status(status_id or "").name
    except Exception:
        return status_id or "—"


def severity_name(policy: Policy, severity_id: str | None) -> str:
    try:
        return reader_policy(policy).severity(severity_id or "").name
    except Exception:
        return severity_id or "—"


# The names the other apps used before these were public.
_status_name = status_name
_severity_name = severity_name


def plan_name(policy: Policy, plan_id: str) -> str:
    try:
        return reader_policy(policy).plan(plan_id).name
    except Exception:
        return plan_id


def _channel_name(channel: str) -> str:
    from pacto.tickets.models import Ticket

    try:
        return str(Ticket.Channel(channel).label)
    except ValueError:
        return channel


def _choice(enum: str, value: str | None) -> str:
    from pacto.tickets.models import Ticket

    try:
        return str(getattr(Ticket, enum)(value).label)
    except ValueError:
        return value or ""


def category_name(policy: Policy, category_id: str | None) -> str:
    if not category_id:
        return ""
    try:
        return policy.category(category_id).name
    except Exception:
        return category_id


# The structured details' labels, shared by the forms that ask for them and the pages that
# show them.
DETAIL_LABELS = {
    "version": gettext_lazy("Software version"),
    "steps": gettext_lazy("Commands and steps that lead to the problem"),
    "expected_result": gettext_lazy("Expected result"),
    "obtained_result": gettext_lazy("Obtained result (what happens instead)"),
    "circumstances": gettext_lazy("Circumstances of discovery"),
    "hardware_os": gettext_lazy("Hardware and operating system"),
    "workaround": gettext_lazy("Workaround in use, if any"),
    "initial_recommendation": gettext_lazy("Your initial recommendation"),
}


def detail_label(field_name: str) -> str:
    labels = {"product": _("Product"), "version": _("Software version"),
              "engineer_name": _("Name of the engineer handling the issue")}  # fmt: skip
    return str(DETAIL_LABELS.get(field_name) or labels.get(field_name) or field_name)


def _person(email: str | None) -> str:
    from pacto.accounts.models import User

    person = User.objects.filter(email=email).first() if email else None
    return str(person) if person else (email or "")


def event_text(event, policy: Policy) -> str:
    """One line of a ticket's history, in the reader's language."""
    data = event.data or {}
    match event.kind:
        case "opened":
            return _("Opened with severity %(severity)s through %(channel)s") % {
                "severity": severity_name(policy, data.get("severity")),
                "channel": _channel_name(data.get("channel", "")),
            }
        case "status":
            return _("Status: %(previous)s → %(status)s") % {
                "previous": status_name(policy, data.get("previous")),
                "status": status_name(policy, data.get("to")),
            }
        case "severity":
            return _("Severity: %(previous)s → %(severity)s") % {
                "previous": severity_name(policy, data.get("previous")),
                "severity": severity_name(policy, data.get("to")),
            }
        case "severity_request":
            return _("Asked for severity %(severity)s (now %(previous)s)") % {
                "severity": severity_name(policy, data.get("to")),
                "previous": severity_name(policy, data.get("previous")),
            }
        case "severity_declined":
            return _("Request for severity %(severity)s declined") % {
                "severity": severity_name(policy, data.get("to")),
            }
        case "escalated":
            if data.get("to") == "account_manager":
                return _("Escalated to the account manager (level %(level)s)") % {
                    "level": data.get("level", "")
                }
            return _("Escalated to support management (level %(level)s)") % {
                "level": data.get("level", "")
            }
        case "confirmed":
            return _("Resolution confirmed")
        case "reopened":
            return _("Reopened")
        case "access_granted":
            return _("Access granted to %(contact)s") % {"contact": data.get("contact", "")}
        case "agent_reply":
            return _("Agent replied")
        case "customer_reply":
            return _("Customer replied")
        case "note":
            return _("Internal note")
        case "assigned":
            to = data.get("to")
            return _("Assigned to %(agent)s") % {"agent": _person(to)} if to else _("Unassigned")
        case "line":
            return _("Moved to the %(line)s") % {"line": LINES.get(data.get("to"), data.get("to"))}
        case "work_logged":
            return _("Logged %(minutes)s min of work") % {"minutes": data.get("minutes", "")}
        case "attached":
            return _("Attached %(name)s") % {"name": data.get("name", "")}
        case "known_issue":
            if data.get("unlinked"):
                return _("No longer linked to known issue %(slug)s") % {
                    "slug": data.get("known_issue", "")
                }
            return _("Linked to known issue %(slug)s") % {"slug": data.get("known_issue", "")}
        case "engineering":
            if data.get("linked"):
                return _("Follows engineering item %(key)s") % {"key": data.get("key", "")}
            return _("Engineering item %(key)s: %(status)s") % {
                "key": data.get("key", ""),
                "status": data.get("status", ""),
            }
        case "channel":
            return _("Channel changed to %(channel)s") % {"channel": _channel_name(data.get("to"))}
        case "environment":
            return _("Environment changed to %(environment)s") % {
                "environment": _choice("Environment", data.get("to"))
            }
        case "type":
            return _("Type changed to %(type)s") % {"type": _choice("Type", data.get("to"))}
        case "detail":
            return _("%(field)s corrected") % {"field": detail_label(data.get("field", ""))}
        case "category":
            return _("Category: %(category)s") % {
                "category": category_name(policy, data.get("to")) or _("none")
            }
        case "version":
            return _("Version corrected to %(version)s") % {"version": data.get("to", "")}
        case "resolution_plan":
            return _("Work-around or resolution plan delivered")
        case "third_party":
            return _("Cause identified in another vendor's product: %(vendor)s") % {
                "vendor": data.get("vendor", "")
            }
        case "exempted":
            return _("%(metric)s clock marked exempt") % {
                "metric": METRIC_TITLES.get(data.get("metric"), data.get("metric", ""))
            }
        case "root_cause":
            return _("Root cause analysis opened as ticket #%(number)s") % {
                "number": data.get("rca", "")
            }
        case "out_of_scope":
            return _("Answered as out of scope: %(category)s") % {
                "category": category_name(policy, data.get("category"))
            }
        case "checklist":
            return _("Checklist: %(item)s") % {"item": data.get("text", "")}
        case "clock_breached":
            return _("%(metric)s target missed") % {
                "metric": METRIC_TITLES.get(data.get("metric"), data.get("metric", ""))
            }
        case "cc_added":
            return _("%(email)s copied on the ticket") % {"email": data.get("email", "")}
        case "cc_removed":
            return _("%(email)s no longer copied") % {"email": data.get("email", "")}
        case "service":
            from pacto.services.display import timeline_text

            return timeline_text(data)
        case _:
            return event.kind


def reopen_deadline(ticket) -> dt.datetime | None:
    """Until when a solved ticket may be reopened (secpod: "3 days"); None: no limit."""
    policy = ticket.policy
    window = policy.reopen.allowed_within
    if window is None or ticket.solved_at is None:
        return None
    calendar = window.counts_on(policy.calendar())
    return calendar.add(ticket.solved_at, window.length(policy.calendar()))
