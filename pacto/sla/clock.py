"""SLA clocks: what a ticket's history means for each promise of its policy.

A clock is a pure function of the policy, the ticket's facts when opened, its events and
``now``. It is replayed from the start every time, so it can be recomputed after a calendar
change and explained line by line.

Rules (see the README's design notes):
- a clock starts when the ticket is opened and counts business time on the calendar of the
  target row in force;
- it does not run while the ticket is in a status the policy marks as pausing it; business
  time already counted is kept;
- first response is met by the first public agent reply; resolution by solved (or closed);
  a clock met (or paused) exactly at its due instant is on time: it is breached at the due
  instant only once it runs past it;
  a periodic-update clock starts over at every public agent reply, and when the ticket
  enters a status in which it runs from one that paused it;
- a severity (or channel, environment, plan, type) change keeps the elapsed business time;
  the new row's target applies from then on, counted on the new row's calendar; if the
  elapsed time is already past the new target, the change itself is recorded as the breach;
- reopening after solved resumes the resolution clock or starts a new cycle, as the policy
  says; a breach of an earlier cycle stays in ``previous_breaches``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from pacto.sla.calendar import Calendar, to_us
from pacto.sla.phrases import Phrase, Ref, Series, english, gettext_noop, render
from pacto.sla.policy import Metric, Policy, PolicyError, StatusCategory, Target, TicketFacts
from pacto.sla.units import Duration

US = dt.timedelta(microseconds=1)
MAX_SEGMENTS = 400


class EventKind(StrEnum):
    OPENED = "opened"
    STATUS = "status"  # value: the policy's status id
    SEVERITY = "severity"  # value: severity id
    AGENT_REPLY = "agent_reply"  # a public reply by an agent
    CHANNEL = "channel"
    ENVIRONMENT = "environment"
    PLAN = "plan"
    TYPE = "type"
    HYPERCARE = "hypercare"  # value: "on" or "off" (the contract's hypercare began or ended)
    # A work-around or alternate resolution plan was delivered: the resolution clock is met
    # while the case stays open (Xecuritas "resolved or an acceptable work-around or
    # alternate resolution plan has been delivered").
    RESOLUTION_PLAN = "resolution_plan"
    # value: a metric; the clock is exempt from then on (reason: why). A running clock stops,
    # so nothing escalates; a breach already recorded stays, marked exempt.
    EXEMPT = "exempt"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"  # past its target, whether or not met since
    STOPPED = "stopped"  # ended without being met or breached (e.g. closed before any reply)
    NO_TARGET = "no_target"


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    kind: EventKind
    value: str | None = None
    reason: str | Phrase | None = None  # a Phrase: a system reason, rendered per reader

    def __post_init__(self) -> None:
        to_us(self.at)  # rejects naive datetimes with a clear message
        object.__setattr__(self, "kind", EventKind(self.kind))


@dataclass(frozen=True)
class Segment:
    start: dt.datetime
    end: dt.datetime
    kind: str  # running | paused | outside_hours | holiday
    reason: str
    projected: bool = False  # after ``now``: what will happen if nothing changes
    status: str | None = None  # paused: the id of the pausing status (named per reader)


@dataclass(frozen=True)
class Checkpoint:
    """A warning threshold (or the target itself) and when the clock reaches it."""

    label: str
    threshold: dt.timedelta
    reached_at: dt.datetime | None  # in the past (at or before now)
    expected_at: dt.datetime | None  # in the future, if the clock keeps running


@dataclass
class ClockResult:
    metric: Metric
    state: ClockState
    target: Duration | None
    target_length: dt.timedelta | None
    calendar: str | None
    rule: Target | None
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    elapsed: dt.timedelta
    remaining: dt.timedelta | None
    warnings: list[Checkpoint]
    segments: list[Segment]
    notes: list[Phrase]  # the explanation, rendered per reader (``pacto.sla.phrases``)
    previous_breaches: list[dt.datetime] = field(default_factory=list)
    exempt: str | None = None  # why the clock is exempt (third-party cause, misassigned severity)
    zone: dt.tzinfo | None = None  # the policy's zone, in which the English lines give times

    @property
    def explanation(self) -> list[str]:
        """The explanation in English, times in the policy's zone (command line, API)."""
        words = english(self.zone)
        return [render(note, words) for note in self.notes]

    @property
    def next_checkpoint_at(self) -> dt.datetime | None:
        """The next instant at which this clock needs attention (a warning or the breach)."""
        upcoming = [c.expected_at for c in self.warnings if c.expected_at is not None]
        if self.state is ClockState.RUNNING and self.due_at is not None:
            upcoming.append(self.due_at)
        return min(upcoming, default=None)


class ClockError(ValueError):
    pass


@dataclass
class _Clock:
    """Mutable state of one clock while the ticket's history is replayed."""

    metric: Metric
    policy: Policy
    tz: dt.tzinfo
    started_at: dt.datetime | None = None
    cursor: dt.datetime | None = None
    elapsed: dt.timedelta = dt.timedelta(0)
    rule: Target | None = None
    calendar: Calendar | None = None
    target_length: dt.timedelta | None = None
    paused_by: str | None = None
    paused_status: str | None = None  # the id of the status in ``paused_by``
    met_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    breached_at: dt.datetime | None = None
    due_at_met: dt.datetime | None = None
    elapsed_at_now: dt.timedelta = dt.timedelta(0)
    previous_breaches: list[dt.datetime] = field(default_factory=list)
    exempt: str | None = None
    exempt_reason: Phrase | str | None = None
    reached: dict[str, dt.datetime] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    notes: list[Phrase] = field(default_factory=list)

    # -------------------------------------------------------------- state

    @property
    def ended(self) -> bool:
        return self.met_at is not None or self.stopped_at is not None

    @property
    def running(self) -> bool:
        return self.started_at is not None and not self.ended and self.paused_by is None

    def thresholds(self) -> list[tuple[str, dt.timedelta]]:
        if self.target_length is None or self.rule is None:
            return []
        shares = self.rule.warn_at or self.policy.escalation.warn_at
        out = []
        for warn in shares:
            if isinstance(warn, Duration):
                length = warn.length(self.calendar)
                label = f"warning at {warn}"
            else:
                length = self.target_length * warn
                label = f"warning at {warn:.0%}"
            if length < self.target_length:
                out.append((label, length))
        out.append(("breach", self.target_length))
        return out

    # -------------------------------------------------------------- time passing

    def advance(self, until: dt.datetime, projected: bool = False) -> None:
        """Let time pass from the cursor to ``until`` in the current state."""
        if self.cursor is None or until <= self.cursor or self.ended:
            self.cursor = until if self.cursor is not None else None
            return
        start = self.cursor
        if self.paused_by is not None:
            self._segment(start, until, "paused", self.paused_by, projected, self.paused_status)
        elif self.calendar is not None and self.target_length is None:
            self.elapsed += self.calendar.elapsed(start, until)  # kept for a later target
        elif self.calendar is not None:
            gained = self.calendar.elapsed(start, until)
            for label, threshold in [] if projected else self.thresholds():
                if label not in self.reached and self.elapsed + gained >= threshold:
                    if threshold <= self.elapsed:  # already there when the rule changed
                        instant = start
                    else:
                        instant = self.calendar.add(start, threshold - self.elapsed)
                    if label == "breach" and instant >= until:
                        continue  # due exactly at ``until``: an event now is still on time
                    self.reached[label] = instant
                    if label == "breach" and self.breached_at is None:
                        self.breached_at = self.reached[label]
            self._running_segments(start, until, projected)
            self.elapsed += gained
        self.cursor = until

    def _running_segments(self, start: dt.datetime, end: dt.datetime, projected: bool) -> None:
        calendar = self.calendar
        assert calendar is not None
        last = start
        for open_at, close_at in calendar.working_intervals(start, end):
            if open_at > last:
                self._gap(last, open_at, projected)
            self._segment(open_at, close_at, "running", f"counting on {calendar.name}", projected)
            last = close_at
        if last < end:
            self._gap(last, end, projected)

    def _gap(self, start: dt.datetime, end: dt.datetime, projected: bool) -> None:
        """A stretch the clock does not count: the holidays that fall on working days are
        named for their own day only; the rest (nights, weekends) is outside business hours,
        so a weekend before a Monday holiday is not called the holiday."""
        calendar = self.calendar
        assert calendar is not None
        zone = calendar.zone
        local_start = start.astimezone(zone).date()
        local_end = end.astimezone(zone).date()
        cursor = start
        for day, name in calendar.holidays.between(local_start, local_end):
            if not calendar.hours.days[day.weekday()]:
                continue  # a holiday on a day the calendar never opens changes nothing
            day_start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
            day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
            holiday_start, holiday_end = max(day_start, start), min(day_end, end)
            if holiday_start >= holiday_end:
                continue
            if cursor < holiday_start:
                self._outside_hours(cursor, holiday_start, projected)
            reason = f"holiday {day:%a %d %b}: {name}"
            self._segment(max(cursor, holiday_start), holiday_end, "holiday", reason, projected)
            cursor = max(cursor, holiday_end)
        if cursor < end:
            self._outside_hours(cursor, end, projected)

    def _outside_hours(self, start: dt.datetime, end: dt.datetime, projected: bool) -> None:
        assert self.calendar is not None
        reason = f"outside {self.calendar.name} hours"
        self._segment(start, end, "outside_hours", reason, projected)

    def _segment(self, start, end, kind, reason, projected, status=None) -> None:
        last = self.segments[-1] if self.segments else None
        if (
            last
            and last.end == start
            and (last.kind, last.reason, last.projected) == (kind, reason, projected)
        ):
            self.segments[-1] = Segment(last.start, end, kind, reason, projected, status)
        elif len(self.segments) < MAX_SEGMENTS:
            self.segments.append(Segment(start, end, kind, reason, projected, status))

    # -------------------------------------------------------------- rule changes

    def apply_rule(self, facts: TicketFacts, at: dt.datetime, why: Phrase) -> None:
        rule = self.policy.target_for(self.metric, facts)
        self.rule = rule
        if floor := self.policy.hypercare_floor(facts):
            why = Phrase(
                gettext_noop("%(why)s (under hypercare, severity %(severity)s is treated as %(floor)s)"),
                {"why": why, "severity": _ref(self.policy, "severity", facts.severity),
                 "floor": _ref(self.policy, "severity", floor)},
            )  # fmt: skip
        if rule is None or rule.target is None:
            self.calendar = self.policy.calendar(rule.calendar if rule else None)
            self.target_length = None
            if rule is None:
                source = Phrase(
                    gettext_noop("no row of the policy's target table matches %(facts)s"),
                    {"facts": facts_phrase(facts, self.policy)},
                )
            else:
                source = Phrase(
                    gettext_noop("the policy sets no target for %(rows)s%(cite)s"),
                    {"rows": match_phrase(rule.when, self.policy), "cite": _cite(rule)},
                )
            self.notes.append(
                Phrase(
                    gettext_noop("%(at)s %(why)s: %(source)s."),
                    {"at": at, "why": why, "source": source},
                )
            )
            return
        base = self.policy.calendar(rule.calendar)
        self.calendar = rule.target.counts_on(base)
        self.target_length = rule.target.length(base)
        self.notes.append(
            Phrase(
                gettext_noop("%(at)s %(why)s: target %(target)s (%(length)s on %(calendar)s) for "
                   "%(rows)s%(cite)s."),
                {"at": at, "why": why, "target": rule.target, "length": self.target_length,
                 "calendar": self.calendar.name, "rows": match_phrase(rule.when, self.policy),
                 "cite": _cite(rule)},
            )
        )  # fmt: skip
        # Also after a row without a target: the elapsed time it kept counts against the new one.
        if self.started_at is not None and not self.ended:
            for label, threshold in self.thresholds():
                if label != "breach" and label not in self.reached and threshold <= self.elapsed:
                    self.reached[label] = at  # a warning the new target puts behind us
            if self.breached_at is None and self.elapsed > self.target_length:
                self.breached_at = at
                self.reached["breach"] = at
                self.notes.append(
                    Phrase(
                        gettext_noop("%(at)s already %(elapsed)s elapsed, past the new target: the change "
                           "is recorded as a breach."),
                        {"at": at, "elapsed": self.elapsed},
                    )
                )  # fmt: skip

    def result(self, now: dt.datetime) -> ClockResult:
        remaining = None
        if self.target_length is not None:
            remaining = self.target_length - self.elapsed
        due = None
        warnings: list[Checkpoint] = []
        if self.met_at is not None:
            due = self.due_at_met
            state = ClockState.BREACHED if self.breached_at else ClockState.MET
        elif self.stopped_at is not None:
            state = ClockState.STOPPED if not self.breached_at else ClockState.BREACHED
        elif self.started_at is None:
            state = ClockState.STOPPED
        elif self.target_length is None:
            state = ClockState.NO_TARGET
        else:
            if self.breached_at is not None:
                due = self.breached_at
            elif self.paused_by is None:
                assert self.calendar is not None and remaining is not None
                due = self.calendar.add(now, remaining)
            state = (
                ClockState.BREACHED
                if self.breached_at
                else ClockState.PAUSED
                if self.paused_by
                else ClockState.RUNNING
            )
        for label, threshold in self.thresholds():
            if label == "breach":
                continue
            reached = self.reached.get(label)
            expected = None
            if reached is None and state is ClockState.RUNNING and self.calendar is not None:
                expected = self.calendar.add(now, threshold - self.elapsed)
            warnings.append(Checkpoint(label, threshold, reached, expected))
        if state is ClockState.RUNNING and due is not None:
            self.advance(due, projected=True)
        return ClockResult(
            metric=self.metric,
            state=state,
            target=self.rule.target if self.rule else None,
            target_length=self.target_length,
            calendar=self.calendar.name if self.calendar and self.target_length else None,
            rule=self.rule,
            started_at=self.started_at,
            due_at=due,
            met_at=self.met_at,
            breached_at=self.breached_at,
            elapsed=self.elapsed_at_now,
            remaining=remaining,
            warnings=warnings,
            segments=self.segments,
            notes=self.notes + self._closing_note(state, due),
            previous_breaches=self.previous_breaches,
            exempt=self.exempt,
            zone=self.tz,
        )

    def _closing_note(self, state: ClockState, due: dt.datetime | None) -> list[Phrase]:
        if self.exempt:
            return [Phrase(gettext_noop("Exempt: %(reason)s."), {"reason": self.exempt_reason})]
        match state:
            case ClockState.RUNNING:
                return [Phrase(gettext_noop("Due %(at)s if the clock keeps running."), {"at": due})]
            case ClockState.PAUSED:
                assert self.target_length is not None
                return [
                    Phrase(
                        gettext_noop("Paused (%(why)s); %(left)s left."),
                        {"why": self.paused_phrase, "left": self.target_length - self.elapsed},
                    )
                ]
            case ClockState.MET:
                return [
                    Phrase(
                        gettext_noop("Met %(met)s, due %(due)s."), {"met": self.met_at, "due": due}
                    )
                ]
            case ClockState.BREACHED:
                return [Phrase(gettext_noop("Breached %(at)s."), {"at": self.breached_at})]
            case ClockState.NO_TARGET:
                return [Phrase(gettext_noop("No target applies."))]
            case _:
                return [Phrase(gettext_noop("Stopped."))]

    @property
    def paused_phrase(self) -> Phrase | str | None:
        if self.paused_status is None:
            return self.paused_by
        return _status_phrase(self.policy, self.paused_status)


def facts_text(facts: TicketFacts, policy: Policy | None = None) -> str:
    return str(facts_phrase(facts, policy))


def facts_phrase(facts: TicketFacts, policy: Policy | None = None) -> Phrase:
    channel: Phrase | Ref = _ref(policy, "channel", facts.channel)
    if policy is not None and policy.counted_as(facts.channel) != facts.channel:
        channel = Phrase(
            gettext_noop("%(channel)s (counted as %(as)s)"),
            {"channel": channel, "as": _ref(policy, "channel", policy.counted_as(facts.channel))},
        )
    return Phrase(
        gettext_noop("severity %(severity)s, plan %(plan)s, channel %(channel)s, environment "
           "%(environment)s, type %(type)s"),
        {"severity": _ref(policy, "severity", facts.severity),
         "plan": _ref(policy, "plan", facts.plan) if facts.plan else "-", "channel": channel,
         "environment": _ref(policy, "environment", facts.environment),
         "type": _ref(policy, "type", facts.type)},
    )  # fmt: skip


# What each field of a target row is called in an explanation ("severity urgent or high").
_MATCH_FIELDS = {
    "severity": gettext_noop("severity %(values)s"),
    "plan": gettext_noop("plan %(values)s"),
    "channel": gettext_noop("channel %(values)s"),
    "environment": gettext_noop("environment %(values)s"),
    "type": gettext_noop("type %(values)s"),
}


def match_phrase(match, policy: Policy | None = None) -> Phrase:
    """``Match.describe()`` as a phrase: "severity urgent or high, plan premier"."""
    parts = [
        Phrase(
            _MATCH_FIELDS[name],
            {"values": Series(tuple(_ref(policy, name, v) for v in values), gettext_noop(" or "))},
        )
        for name, values in match.model_dump(exclude_none=True).items()
    ]
    if not parts:
        return Phrase(gettext_noop("every ticket"))
    return Phrase("%(rows)s", {"rows": Series(tuple(parts), gettext_noop(", "))})


def _ref(policy: Policy | None, kind: str, value: str | None) -> Ref:
    return Ref(kind, value or "", value or "")


def _status_phrase(policy: Policy, status_id: str) -> Phrase:
    status = policy.status(status_id)
    return Phrase(
        gettext_noop("status %(status)s"), {"status": Ref("status", status.id, status.name)}
    )


def _cite(rule: Target) -> Phrase | str:
    return Phrase(" [%(cite)s]", {"cite": rule.cite}) if rule.cite else ""


def compute_clocks(
    policy: Policy,
    facts: TicketFacts,
    events: list[Event],
    now: dt.datetime,
    metrics: list[Metric] | None = None,
) -> dict[Metric, ClockResult]:
    """Replay a ticket's events and return one clock per metric, as of ``now``.

    ``facts`` are the ticket's facts when it was opened; the first event must be
    ``opened``. Events after ``now`` are an error: the engine never guesses the future.
    """
    to_us(now)
    if not events or events[0].kind is not EventKind.OPENED:
        raise ClockError("events: the first event must be 'opened'")
    ordered = sorted(events, key=lambda e: e.at)
    if ordered[0].at < events[0].at:
        raise ClockError(
            f"events: an event at {ordered[0].at.isoformat()} is before the ticket was opened "
            f"({events[0].at.isoformat()})"
        )
    if ordered[-1].at > now:
        raise ClockError(
            f"events: an event at {ordered[-1].at.isoformat()} is after now ({now.isoformat()})"
        )
    for value, kind in ((facts.severity, "severity"), (facts.plan, "plan")):
        if value is not None:
            getattr(policy, kind)(value)  # raises PolicyError naming what is defined
    tz = policy.calendar().zone
    clocks = [_Clock(m, policy, tz) for m in (metrics or policy.metrics())]
    status = policy.status_for(StatusCategory.NEW)

    for event in ordered:
        for clock in clocks:
            clock.advance(event.at)
        match event.kind:
            case EventKind.OPENED:
                for clock in clocks:
                    clock.started_at = clock.cursor = event.at
                    clock.apply_rule(facts, event.at, Phrase(gettext_noop("opened")))
                    _set_pause(clock, status)
            case EventKind.STATUS:
                previous, status = status, policy.status(event.value or "")
                for clock in clocks:
                    _on_status(clock, previous, status, event)
            case EventKind.AGENT_REPLY:
                for clock in clocks:
                    _on_agent_reply(clock, event)
            case EventKind.RESOLUTION_PLAN:
                for clock in clocks:
                    if clock.metric is Metric.RESOLUTION and clock.started_at and not clock.ended:
                        _meet(
                            clock,
                            event.at,
                            _why(
                                Phrase(gettext_noop("work-around or resolution plan delivered")),
                                event,
                            ),
                        )
            case EventKind.EXEMPT:
                metric = Metric(event.value or "")
                for clock in clocks:
                    if clock.metric is metric:
                        _exempt(clock, event)
            case _:
                field_name = event.kind.value
                if event.kind is EventKind.SEVERITY:
                    policy.severity(event.value or "")
                value = event.value
                if event.kind is EventKind.HYPERCARE:
                    if value not in ("on", "off"):
                        raise ClockError(f"events: hypercare value {value!r} is not on or off")
                    value = value == "on"
                facts = facts.model_copy(update={field_name: value})
                why = _why(
                    Phrase(
                        _CHANGED[event.kind],
                        {"value": _ref(policy, field_name, event.value)},
                    ),
                    event,
                )
                for clock in clocks:
                    clock.apply_rule(facts, event.at, why)

    results = {}
    for clock in clocks:
        clock.advance(now)
        clock.elapsed_at_now = clock.elapsed
        results[clock.metric] = clock.result(now)
    return results


# "channel changed to phone": each field that changes a ticket's target row.
_CHANGED = {
    EventKind.SEVERITY: gettext_noop("severity changed to %(value)s"),
    EventKind.CHANNEL: gettext_noop("channel changed to %(value)s"),
    EventKind.ENVIRONMENT: gettext_noop("environment changed to %(value)s"),
    EventKind.PLAN: gettext_noop("plan changed to %(value)s"),
    EventKind.TYPE: gettext_noop("type changed to %(value)s"),
    EventKind.HYPERCARE: gettext_noop("hypercare changed to %(value)s"),
}


def _why(what: Phrase, event: Event) -> Phrase:
    if not event.reason:
        return what
    return Phrase(gettext_noop("%(what)s (%(reason)s)"), {"what": what, "reason": event.reason})


def _exempt(clock: _Clock, event: Event) -> None:
    """The clock no longer counts against the policy from ``event.at`` on: a running clock
    stops (nothing further escalates); a breach already recorded stays, marked exempt."""
    clock.exempt = str(event.reason or "exempt")
    clock.exempt_reason = event.reason or Phrase(gettext_noop("exempt"))
    if clock.started_at is not None and not clock.ended:
        clock.stopped_at = event.at
    clock.notes.append(
        Phrase(
            "%(at)s %(why)s.",
            {"at": event.at, "why": _why(Phrase(gettext_noop("marked exempt")), event)},
        )
    )


def _set_pause(clock: _Clock, status) -> None:
    """Pause the clock while ``status`` pauses its metric; let it run otherwise."""
    if clock.metric in status.pauses:
        clock.paused_by, clock.paused_status = f"status {status.name}", status.id
    else:
        clock.paused_by = clock.paused_status = None


def _on_status(clock: _Clock, previous, status, event: Event) -> None:
    done = status.category in (StatusCategory.SOLVED, StatusCategory.CLOSED)
    was_done = previous.category in (StatusCategory.SOLVED, StatusCategory.CLOSED)
    at = event.at
    named = _status_phrase(clock.policy, status.id)
    if done and not clock.ended and clock.started_at is not None:
        if clock.metric is Metric.RESOLUTION:
            _meet(clock, at, named)
        else:
            clock.stopped_at = at
            clock.notes.append(
                Phrase(
                    gettext_noop("%(at)s %(status)s: clock stopped."), {"at": at, "status": named}
                )
            )
    elif was_done and not done:
        _reopen(clock, at, status)
    was_paused = clock.paused_by is not None
    _set_pause(clock, status)
    if clock.metric is Metric.PERIODIC_UPDATE and was_paused and clock.paused_by is None:
        # Updates are owed from the moment the status that owes them is entered (secpod,
        # Waiting on Third Party: "Updates will be provided"), not from an older reply.
        _start_over(
            clock,
            at,
            Phrase(gettext_noop("%(status)s: the update clock starts"), {"status": named}),
        )
    if not clock.ended:
        text = (
            gettext_noop("%(at)s %(status)s: clock paused, %(elapsed)s elapsed.")
            if clock.paused_by
            else gettext_noop("%(at)s %(status)s: clock running, %(elapsed)s elapsed.")
        )
        clock.notes.append(Phrase(text, {"at": at, "status": named, "elapsed": clock.elapsed}))


def _meet(clock: _Clock, at: dt.datetime, why: Phrase) -> None:
    clock.met_at = at
    if clock.target_length is not None and clock.calendar is not None:
        clock.due_at_met = clock.breached_at or clock.calendar.add(
            at, clock.target_length - clock.elapsed
        )
    clock.notes.append(
        Phrase(
            gettext_noop("%(at)s %(why)s: met after %(elapsed)s."),
            {"at": at, "why": why, "elapsed": clock.elapsed},
        )
    )


def _reopen(clock: _Clock, at: dt.datetime, status) -> None:
    if clock.metric is Metric.FIRST_RESPONSE:
        if clock.stopped_at is not None:
            clock.stopped_at = None  # closed before any reply: still owed one
        return
    if clock.metric is Metric.RESOLUTION and clock.policy.reopen.resolution_clock == "new_cycle":
        if clock.breached_at is not None:
            clock.previous_breaches.append(clock.breached_at)
        clock.elapsed = dt.timedelta(0)
        clock.breached_at = None
        clock.reached.clear()
        clock.notes.append(
            Phrase(gettext_noop("%(at)s reopened: a new resolution cycle starts."), {"at": at})
        )
    else:
        clock.notes.append(Phrase(gettext_noop("%(at)s reopened: the clock resumes."), {"at": at}))
    clock.met_at = clock.stopped_at = clock.due_at_met = None


def _on_agent_reply(clock: _Clock, event: Event) -> None:
    if clock.started_at is None or clock.ended:
        return
    if clock.metric is Metric.FIRST_RESPONSE:
        _meet(clock, event.at, Phrase(gettext_noop("first public agent reply")))
    elif clock.metric is Metric.PERIODIC_UPDATE:
        _start_over(
            clock, event.at, Phrase(gettext_noop("agent update: the update clock starts over"))
        )


def _start_over(clock: _Clock, at: dt.datetime, why: Phrase) -> None:
    if clock.breached_at is not None:
        clock.previous_breaches.append(clock.breached_at)
    clock.elapsed = dt.timedelta(0)
    clock.breached_at = None
    clock.reached.clear()
    clock.notes.append(Phrase("%(at)s %(why)s.", {"at": at, "why": why}))


__all__ = [
    "Checkpoint",
    "ClockError",
    "ClockResult",
    "ClockState",
    "Event",
    "EventKind",
    "PolicyError",
    "Segment",
    "compute_clocks",
]
