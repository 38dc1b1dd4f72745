"""``pacto sla|calendar|policy …``: the SLA engine on the command line.

The ``pacto`` console script hands these groups to :func:`main` (``python -m pacto.sla``
does the same). Nothing here imports Django, so the commands start fast and work without a
database or settings.

Commands::

    pacto sla due --policy NAME|FILE [--plan P] --severity S [--channel C]
                  [--environment E] [--type T] --opened ISO [--events FILE|-] [--now ISO|now]
    pacto calendar add --policy NAME|FILE [--calendar NAME] --start ISO --minutes N
    pacto calendar add --policy NAME|FILE [--calendar NAME] --input FILE|-
    pacto calendar elapsed --policy NAME|FILE [--calendar NAME] --start ISO --end ISO
    pacto policy list | show NAME|FILE [--json] | check FILE | schema
    pacto availability compute --policy NAME|FILE --month YYYY-MM --results FILE
                               [--windows FILE] [--unknown exclude|down]
    pacto services price --policy NAME|FILE [--calendar NAME] --start ISO --end ISO
                         --day-rate N [--hours-per-day 8] [--off-hours-multiplier M]
    pacto services price --policy NAME|FILE ... --day-rate N --input FILE|-

Instants are read as ISO 8601 with a UTC offset (``Z`` or ``±HH:MM``) and written in UTC
with a ``Z``. ``sla due`` never reads the system clock unless told ``--now now``: by default
"now" is the latest of the opening and the last event, so the same input always gives the
same output.

Exit status: 0 done; 1 an error in the policy, the calendar or the ticket's history
(``pacto: error: …`` on stderr, never a traceback); 2 a usage error, or a bad line of
``calendar add --input``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import numpy as np

from pacto.sla.availability import (
    UNKNOWN_RULES,
    AvailabilityError,
    Month,
    SlotStatus,
    Window,
    policy_figure,
)
from pacto.sla.calendar import US, Calendar, CalendarError, to_us
from pacto.sla.clock import ClockError, ClockResult, Event, EventKind, compute_clocks
from pacto.sla.explain import explain_text
from pacto.sla.policy import (
    CHANNELS,
    ENVIRONMENTS,
    TICKET_TYPES,
    Metric,
    Policy,
    PolicyError,
    TicketFacts,
    json_schema,
    load_policy,
    preset,
    preset_names,
)

CHUNK = 100_000  # lines of ``calendar add --input`` converted per vectorized call
MAX_MINUTES = 1_000_000_000  # ~1900 years of business time; beyond it int64 is at risk
EVENT_KINDS = [k.value for k in EventKind if k is not EventKind.OPENED]


class InputError(ValueError):
    """A bad record of a batch input: reported with its line number, exit status 2."""


# ----------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (or the help)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.run(args)
    except InputError as exc:
        print(f"pacto: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # ``pacto … | head``: the reader has stopped listening
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (PolicyError, CalendarError, ClockError, AvailabilityError, ValueError, OSError) as exc:
        print(f"pacto: error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pacto", description="Pacto's SLA engine: due instants, business time, policies."
    )
    groups = parser.add_subparsers(
        dest="group", required=True, metavar="{sla,calendar,policy,availability,services}"
    )

    sla = groups.add_parser("sla", help="SLA clocks of a ticket").add_subparsers(
        dest="command", required=True
    )
    due = sla.add_parser(
        "due",
        help="when a ticket's responses are due",
        description="Replay a ticket's history and print its SLA clocks as one JSON object. "
        "The system clock is read only with --now now.",
    )
    _policy_option(due)
    due.add_argument("--plan", help="plan id (default: the policy's first plan)")
    due.add_argument("--severity", required=True, help="severity id")
    due.add_argument("--channel", choices=CHANNELS, default="portal")
    due.add_argument("--environment", choices=ENVIRONMENTS, default="production")
    due.add_argument("--type", choices=TICKET_TYPES, default="problem", dest="ticket_type")
    due.add_argument("--opened", required=True, help="ISO 8601 instant with a UTC offset")
    due.add_argument(
        "--events",
        metavar="FILE",
        help="JSON lines or a JSON array of {at, kind, value, reason}; '-' for stdin",
    )
    due.add_argument(
        "--now",
        help="ISO 8601 instant, or 'now' for the current time "
        "(default: the latest of --opened and the last event)",
    )
    due.set_defaults(run=sla_due)

    calendar = groups.add_parser("calendar", help="business-time arithmetic").add_subparsers(
        dest="command", required=True
    )
    add = calendar.add_parser("add", help="the instant N business minutes after a start")
    _policy_option(add)
    _calendar_option(add)
    add.add_argument("--start", help="ISO 8601 instant with a UTC offset")
    add.add_argument("--minutes", type=float, help="business minutes to add")
    add.add_argument(
        "--input",
        metavar="FILE",
        help='JSON lines {"start": ISO, "minutes": N} ("-" for stdin); '
        'writes JSON lines {"due": ISO} in the same order',
    )
    add.set_defaults(run=calendar_add)
    elapsed = calendar.add_parser("elapsed", help="business seconds between two instants")
    _policy_option(elapsed)
    _calendar_option(elapsed)
    elapsed.add_argument("--start", required=True)
    elapsed.add_argument("--end", required=True)
    elapsed.set_defaults(run=calendar_elapsed)

    policy = groups.add_parser("policy", help="support policies").add_subparsers(
        dest="command", required=True
    )
    policy.add_parser("list", help="the preset policies").set_defaults(run=policy_list)
    show = policy.add_parser("show", help="a policy in plain words")
    show.add_argument("policy", metavar="NAME|FILE")
    show.add_argument("--json", action="store_true", help="the whole validated policy as JSON")
    show.set_defaults(run=policy_show)
    check = policy.add_parser("check", help="validate a policy file")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(run=policy_check)
    policy.add_parser("schema", help="the JSON Schema of policy files").set_defaults(
        run=policy_schema
    )

    availability = groups.add_parser(
        "availability", help="monthly availability within operating hours"
    ).add_subparsers(dest="command", required=True)
    compute = availability.add_parser(
        "compute",
        help="the monthly availability figure from probe results",
        description="Count the month's eligible slots (start in the policy's availability "
        "calendar, outside the windows) and print the figure as one JSON object.",
    )
    _policy_option(compute)
    compute.add_argument("--month", required=True, metavar="YYYY-MM")
    compute.add_argument(
        "--results",
        required=True,
        metavar="FILE",
        help="lines slot_start,status (ISO 8601 with offset; up|down|unknown); '-' for stdin",
    )
    compute.add_argument(
        "--windows", metavar="FILE", help='JSON lines {"start": ISO, "end": ISO} to exclude'
    )
    compute.add_argument(
        "--unknown",
        choices=UNKNOWN_RULES,
        help="slots without a result or unknown (default: the policy's availability.unknown)",
    )
    compute.set_defaults(run=availability_compute)

    services = groups.add_parser(
        "services", help="professional services: exact off-hours pricing"
    ).add_subparsers(dest="command", required=True)
    price = services.add_parser(
        "price",
        help="split work into business and off-hours time and price it",
        description="Amount = (business hours + off-hours hours x multiplier) x day rate / "
        "hours per day, rounded half up to cents. Prints one JSON object (or, with --input, "
        "one JSON line per input line).",
    )
    _policy_option(price)
    price.add_argument("--calendar", help="calendar name (default: the policy's services calendar)")
    price.add_argument("--start", help="ISO 8601 instant with a UTC offset")
    price.add_argument("--end", help="ISO 8601 instant with a UTC offset")
    price.add_argument("--day-rate", required=True, help="the price of one day of work")
    price.add_argument(
        "--hours-per-day", help="hours a day rate buys (default: the policy's, else 8)"
    )
    price.add_argument(
        "--off-hours-multiplier",
        help="the off-hours increase (default: the policy's, else 1)",
    )
    price.add_argument(
        "--input",
        metavar="FILE",
        help='JSON lines {"start": ISO, "end": ISO} ("-" for stdin); one result per line',
    )
    price.set_defaults(run=services_price)
    return parser


def _policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy", required=True, metavar="NAME|FILE", help="a preset name or a policy file"
    )


def _calendar_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calendar", help="calendar name (default: the policy's default)")


# ----------------------------------------------------------------------------- sla due


def sla_due(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    opened = parse_instant(args.opened, "--opened")
    plan = args.plan or policy.plans[0].id
    policy.plan(plan)  # an unknown plan is an error naming the defined ones
    _check_channel(policy, args.channel, "--channel")
    facts = TicketFacts(
        severity=args.severity,
        plan=plan,
        channel=args.channel,
        environment=args.environment,
        type=args.ticket_type,
    )
    events = [Event(opened, EventKind.OPENED)]
    if args.events:
        events += read_events(args.events, policy)
    if args.now is None:
        now = max(event.at for event in events)
    elif args.now.strip().lower() == "now":
        now = dt.datetime.now(dt.UTC)
    else:
        now = parse_instant(args.now, "--now")
    # First response and resolution always (the output names their due instants), and any
    # other metric the policy sets targets for.
    metrics = [m for m in Metric if m in policy.metrics() or m is not Metric.PERIODIC_UPDATE]
    results = compute_clocks(policy, facts, events, now, metrics)
    _print(json.dumps(due_report(policy, results), indent=2, ensure_ascii=False))
    return 0


def due_report(policy: Policy, results: dict[Metric, ClockResult]) -> dict[str, Any]:
    """The JSON document of ``sla due``: a public contract, keep its keys stable."""

    def due(metric: Metric) -> str | None:
        result = results.get(metric)
        return iso_z(result.due_at) if result else None

    return {
        "policy": policy.key,
        "response_due": due(Metric.FIRST_RESPONSE),
        "resolution_due": due(Metric.RESOLUTION),
        "clocks": {str(metric): clock_json(result) for metric, result in results.items()},
        "explain": explain_text(results, policy.calendar().zone),
    }


def clock_json(result: ClockResult) -> dict[str, Any]:
    return {
        "state": str(result.state),
        "target": str(result.target) if result.target is not None else None,
        "calendar": result.calendar,
        "due_at": iso_z(result.due_at),
        "met_at": iso_z(result.met_at),
        "breached_at": iso_z(result.breached_at),
        "elapsed_seconds": seconds(result.elapsed),
        "remaining_seconds": seconds(result.remaining) if result.remaining is not None else None,
        "warnings": [
            {
                "label": c.label,
                "reached_at": iso_z(c.reached_at),
                "expected_at": iso_z(c.expected_at),
            }
            for c in result.warnings
        ],
        "previous_breaches": [iso_z(at) for at in result.previous_breaches],
    }


def read_events(source: str, policy: Policy) -> list[Event]:
    """``--events``: a JSON array, or JSON lines, of ``{at, kind, value, reason}``."""
    text = _read_text(source)
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--events: not valid JSON: {exc}") from None
        if not isinstance(items, list):
            raise ValueError("--events: a JSON array of events is expected")
        records = [(f"item {i}", item) for i, item in enumerate(items)]
    else:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append((f"line {number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"--events line {number}: not valid JSON: {exc}") from None
    return [_event(f"--events {where}", item, policy) for where, item in records]


def _event(where: str, item: Any, policy: Policy) -> Event:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: an event is an object {{at, kind, value, reason}}")
    unknown = set(item) - {"at", "kind", "value", "reason"}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind = item.get("kind")
    if kind not in EVENT_KINDS:
        raise ValueError(f"{where}: kind: {kind!r} is not one of {', '.join(EVENT_KINDS)}")
    value = item.get("value")
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: value: a string is expected, got {value!r}")
    if kind != EventKind.AGENT_REPLY and not value:
        raise ValueError(f"{where}: value: a {kind} event needs a value")
    match kind:
        case EventKind.STATUS:
            policy.status(value)
        case EventKind.SEVERITY:
            policy.severity(value)
        case EventKind.PLAN:
            policy.plan(value)
        case EventKind.CHANNEL:
            _check_channel(policy, value, f"{where}: value")
        case EventKind.ENVIRONMENT | EventKind.TYPE:
            known = ENVIRONMENTS if kind == EventKind.ENVIRONMENT else TICKET_TYPES
            if value not in known:
                raise ValueError(f"{where}: value: {value!r} is not one of {', '.join(known)}")
    if "at" not in item:
        raise ValueError(f"{where}: at: missing")
    reason = item.get("reason")
    return Event(
        parse_instant(item.get("at"), f"{where}: at"),
        EventKind(kind),
        value,
        None if reason is None else str(reason),
    )


def _check_channel(policy: Policy, channel: str, where: str) -> None:
    if not policy.accepts_channel(channel):
        raise ValueError(
            f"{where}: policy {policy.id} takes no tickets by {channel!r} "
            f"(channels: {', '.join(policy.accepted_channels)})"
        )


# ----------------------------------------------------------------------------- calendar


def calendar_add(args: argparse.Namespace) -> int:
    calendar = load_policy(args.policy).calendar(args.calendar)
    if args.input is not None:
        if args.start is not None or args.minutes is not None:
            raise ValueError("--input takes the starts and minutes from the file, not options")
        with _open_input(args.input) as stream:
            for chunk in _chunks(_add_records(stream), CHUNK):
                import numpy as np  # only the batch path pays for numpy's import

                starts = np.fromiter((s for s, _ in chunk), dtype=np.int64, count=len(chunk))
                minutes = np.fromiter((m for _, m in chunk), dtype=np.int64, count=len(chunk))
                sys.stdout.write(
                    "".join(
                        f'{{"due": "{due}"}}\n'
                        for due in iso_z_many(calendar.add_many(starts, minutes))
                    )
                )
        return 0
    if args.start is None or args.minutes is None:
        raise ValueError("calendar add needs --start and --minutes (or --input FILE)")
    start = parse_instant(args.start, "--start")
    duration = dt.timedelta(microseconds=_minutes_us(args.minutes, "--minutes"))
    _print(iso_z(calendar.add(start, duration)))
    return 0


def _json_lines(
    lines: Iterable[str], option: str, fields: dict[str, str]
) -> Iterator[tuple[str, dict]]:
    """``(where, record)`` for each non-blank line of a JSON-lines input: an object holding
    each of ``fields`` (name → what it holds, for the messages; ``where`` names the option
    and the line)."""
    shape = ", ".join(f'"{name}": {kind}' for name, kind in fields.items())
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{option} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON: {exc}") from None
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected an object {{{shape}}}")
        for name in fields:
            if name not in record:
                raise InputError(f"{where}: {name}: missing")
        yield where, record


def _add_records(stream: TextIO) -> Iterator[tuple[int, int]]:
    """(start, duration) in epoch microseconds for each non-blank line of ``--input``."""
    for where, record in _json_lines(stream, "--input", {"start": "ISO", "minutes": "N"}):
        try:
            start = to_us(parse_instant(record["start"], f"{where}: start"))
            minutes = _minutes_us(record["minutes"], f"{where}: minutes")
        except (ValueError, OverflowError) as exc:
            raise InputError(str(exc)) from None
        yield start, minutes


def _minutes_us(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: {value!r} is not a number of minutes")
    if value < 0:
        raise ValueError(f"{where}: {value!r} is negative; a due instant needs minutes >= 0")
    if value > MAX_MINUTES:
        raise ValueError(f"{where}: {value!r} is more than {MAX_MINUTES} minutes")
    return round(value * 60 * US)


def _chunks(records: Iterator[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    chunk: list[tuple[int, int]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def calendar_elapsed(args: argparse.Namespace) -> int:
    calendar: Calendar = load_policy(args.policy).calendar(args.calendar)
    start = parse_instant(args.start, "--start")
    end = parse_instant(args.end, "--end")
    _print(json.dumps(seconds(calendar.elapsed(start, end))))
    return 0


# ----------------------------------------------------------------------------- policy


def policy_list(args: argparse.Namespace) -> int:
    status = 0
    for name in preset_names():
        try:
            policy = preset(name)
        except PolicyError as exc:
            print(f"pacto: error: preset {name}: {exc}", file=sys.stderr)
            status = 1
            continue
        _print(f"{policy.id:<14} {policy.version:<8} {policy.title}")
    return status


def policy_check(args: argparse.Namespace) -> int:
    try:
        policy = load_policy(args.file)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    _print(f"{args.file}: ok (policy {policy.key}, {len(policy.targets)} targets)")
    return 0


def policy_schema(args: argparse.Namespace) -> int:
    _print(json_schema())
    return 0


def policy_show(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    if args.json:
        data = policy.model_dump(mode="json", by_alias=True)
        _print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print("\n".join(describe_policy(policy)))
    return 0


# The heading of each part of a policy in ``policy show``; a part without one here (a key
# added later) is printed under its own name by ``_plain``, so no part is ever left out.
SECTIONS = {
    "calendars": "Calendars",
    "plans": "Plans",
    "severities": "Severities (most severe first)",
    "channels": "Channels",
    "environments": "Environments",
    "statuses": "Statuses and pauses",
    "targets": "Targets (the first matching row wins)",
    "reopen": "Reopen",
    "lifecycle": "Lifecycle",
    "escalation": "Escalation",
    "support_lines": "Support lines",
    "paging": "On-call paging",
    "severity_changes": "Severity changes",
    "required_details": "Required details (who supplies them, and when)",
    "categories": "Categories (in and out of scope)",
    "checklists": "Checklists",
    "root_cause_analysis": "Root cause analysis",
    "senior_routing": "Senior engineer routing",
    "close_agreement": "Closing needs the customer's agreement",
    "resolution_plan": "Work-around or resolution plan",
    "third_party_cause": "Third-party cause",
    "breach_exemption": "Breach exemptions",
    "availability": "Availability",
    "hypercare": "Hypercare",
    "services": "Professional services",
    "notes": "Notes",
}
# Parts shown inside another part's section, or in the header.
_SHOWN_WITH = {
    "schema_", "id", "version", "title", "vendor", "source", "languages", "default_calendar",
    "excluded_channels", "default_severity", "working_status", "working_status_cite",
}  # fmt: skip


# Parts recorded and shown, which Pacto does not act on yet (later work acts on them).
_NOT_YET = {
    "availability": "recorded; the availability measurement and report act on it",
    "hypercare": "recorded; the contract's hypercare period acts on it",
}


def section_title(field: str) -> str:
    return SECTIONS.get(field) or field.replace("_", " ").capitalize()


def describe_policy(policy: Policy) -> list[str]:
    """A policy in plain lines: what it promises, when, and which sentence says so. Every
    part of the policy is shown (``SECTIONS``); a part without a describer of its own is
    printed field by field."""
    out = [f"{policy.key} — {policy.title}", f"Vendor: {policy.vendor}", f"Source: {policy.source}"]
    out.append(f"Languages: {', '.join(policy.languages)}")
    describers = {
        "calendars": _calendars, "plans": _plans, "severities": _severities,
        "channels": _channels, "environments": _environments, "statuses": _statuses,
        "targets": _targets, "reopen": _reopen, "lifecycle": _lifecycle,
        "escalation": _escalation, "support_lines": _support_lines, "paging": _paging,
        "severity_changes": _severity_changes, "required_details": _required_details,
        "categories": _categories, "checklists": _checklists,
        "root_cause_analysis": _root_cause, "senior_routing": _senior,
        "close_agreement": _close_agreement, "resolution_plan": _resolution_plan,
        "third_party_cause": _third_party, "breach_exemption": _breach_exemption,
        "services": _services, "notes": _notes,
    }  # fmt: skip
    for field in type(policy).model_fields:
        if field in _SHOWN_WITH:
            continue
        value = getattr(policy, field)
        describe = describers.get(field)
        if describe is not None:
            lines = describe(policy)
        elif value in (None, [], {}):
            lines = ["  none"]
        else:
            lines = _plain(value, "  ") + [f"  ({note})" for note in [_NOT_YET.get(field)] if note]
        out += ["", section_title(field), *lines]
    return out


def _calendars(policy: Policy) -> list[str]:
    out = [f"  default: {policy.default_calendar}"]
    for name, spec in policy.calendars.items():
        hours = (
            spec.hours
            if isinstance(spec.hours, str)
            else "; ".join(f"{days} {', '.join(spans)}" for days, spans in spec.hours.items())
        )
        day = policy.calendar(name).business_day
        out.append(f"  {name}: {spec.timezone}, {hours}, business day {_hours(day)}")
        out.append(f"    holidays: {_holiday_source(spec.holidays)}")
        out += _cite(spec.holidays.cite)
        out += _cite(spec.cite)
    return out


def _plans(policy: Policy) -> list[str]:
    out = []
    for plan in policy.plans:
        coverage = ", ".join(f"{k} → {v}" for k, v in plan.coverage.items())
        out.append(f"  {plan.id}: {plan.name}" + (f" (coverage: {coverage})" if coverage else ""))
        if plan.description:
            out.append(f"    {plan.description}")
        if plan.included_services:
            out.append(f"    included services: {'; '.join(plan.included_services)}")
        out += _cite(plan.cite)
    return out


def _severities(policy: Policy) -> list[str]:
    out = []
    for severity in policy.severities:
        label = f" [{severity.label}]" if severity.label else ""
        flags = [
            text
            for flag, text in (
                (severity.pages_on_call, "pages on call"),
                (severity.requires_phone_call, "needs a phone call"),
            )
            if flag
        ]
        extra = f" ({', '.join(flags)})" if flags else ""
        out.append(f"  {severity.id}{label}: {severity.name}{extra} — {severity.definition}")
        if severity.aliases:
            out.append(f"    also written: {', '.join(severity.aliases)}")
        for example in severity.examples:
            out.append(f"    e.g. {example}")
        out += _cite(severity.cite)
    return out


def _channels(policy: Policy) -> list[str]:
    out = [f"  takes tickets by: {', '.join(policy.accepted_channels)}"]
    if policy.api_is_portal:
        out.append("  api: the ticketing system's own door, counted exactly like portal tickets")
    if policy.excluded_channels:
        out.append(f"  refuses: {', '.join(policy.excluded_channels)}")
    for channel, severity in policy.default_severity.items():
        out.append(f"  a {channel} ticket without a severity is {severity}")
    if not policy.default_severity:
        out.append("  no default severity: the requester (or the vendor) names one")
    return out


def _environments(policy: Policy) -> list[str]:
    return [f"  {', '.join(policy.environments)}"]


def _statuses(policy: Policy) -> list[str]:
    out = []
    for status in policy.statuses:
        pauses = f", pauses {', '.join(status.pauses)}" if status.pauses else ""
        out.append(f"  {status.id}: {status.name} ({status.category}{pauses})")
        if status.description:
            out.append(f"    {' '.join(status.description.split())}")
        out += _cite(status.cite)
    if policy.working_status:
        out.append(f"  when the vendor has to act, the ticket goes to {policy.working_status}")
        out += _cite(policy.working_status_cite)
    return out


def _targets(policy: Policy) -> list[str]:
    out = []
    for i, row in enumerate(policy.targets):
        calendar = row.calendar or policy.default_calendar
        target = f"{row.target} on {calendar}" if row.target is not None else "no target"
        warn = f", warn at {', '.join(map(_warn, row.warn_at))}" if row.warn_at else ""
        out.append(f"  [{i}] {row.metric} — {row.when.describe()}: {target}{warn}")
        out += _cite(row.cite)
    return out


def _reopen(policy: Policy) -> list[str]:
    reopen = policy.reopen
    window = f"within {reopen.allowed_within}" if reopen.allowed_within else "at any time"
    clock = {"resume": "resumes", "new_cycle": "starts a new cycle"}[reopen.resolution_clock]
    return [f"  {window} after solved; the resolution clock {clock}", *_cite(reopen.cite)]


def _lifecycle(policy: Policy) -> list[str]:
    out = []
    for rule in policy.lifecycle:
        trigger = []
        if rule.after is not None:
            trigger.append(
                f"after {rule.after}" + (f" on {rule.calendar}" if rule.calendar else "")
            )
        if rule.followups is not None:
            answer = rule.answer_within or rule.remind_every
            trigger.append(
                f"after {rule.followups} follow-ups every {rule.remind_every} "
                f"(agents' follow-ups count) and {answer} without an answer"
            )
        only = f" (only when {rule.only_when})" if rule.only_when else ""
        out.append(
            f"  {rule.id}: {rule.from_status} → {rule.to_status} {' or '.join(trigger)}{only}"
        )
        if rule.on_customer_reply == "stop":
            out.append("    a customer reply stops it; the vendor's next reply starts it again")
        elif rule.on_customer_reply == "reopen":
            out.append("    a customer reply reopens the ticket")
        out += _cite(rule.cite)
    return out or ["  none"]


def _escalation(policy: Policy) -> list[str]:
    escalation = policy.escalation
    out = [f"  warnings at {', '.join(map(_warn, escalation.warn_at))} of each target"]
    for i, action in enumerate(escalation.on_breach):
        steps = [f"notify {', '.join(action.notify)}"]
        if action.raise_level:
            steps.insert(0, "raise the escalation level")
        if action.move_to_line:
            steps.append(f"move to the {action.move_to_line} line")
        out.append(
            f"  on_breach[{i}]: a missed {action.metric} ({action.when.describe()}): "
            + ", ".join(steps)
        )
        out += _cite(action.cite)
    if escalation.customer_may_escalate:
        out.append(
            "  customers may escalate; it notifies "
            + ", ".join(escalation.customer_escalation_notifies)
        )
    else:
        out.append("  customers may not escalate")
    out += _cite(escalation.cite)
    return out


def _support_lines(policy: Policy) -> list[str]:
    lines = policy.support_lines
    out = [
        "  a breach rule's line move happens by itself"
        if lines.move_on_breach
        else "  only an agent moves a ticket to second line, with the reason"
    ]
    if lines.second_line_when:
        out.append(f"  second line when: {' '.join(lines.second_line_when.split())}")
    return out + _cite(lines.cite)


def _paging(policy: Policy) -> list[str]:
    paging = policy.paging
    if paging is None:
        return ["  none"]
    severities = [s.id for s in policy.severities if s.pages_on_call] or ["none"]
    channels = ", ".join(paging.channels) if paging.channels else "every channel"
    return [
        f"  severities that page: {', '.join(severities)}; channels: {channels}",
        "  a page goes out while the ticket's first-response clock runs, never before",
        f"  acknowledge within {paging.acknowledge_within}; {paging.repages} re-page(s), then "
        + paging.then.replace("_", " "),
        *_cite(paging.cite),
    ]


def _severity_changes(policy: Policy) -> list[str]:
    changes = policy.severity_changes
    return [
        "  an upgrade "
        + ("needs evidence of the increased impact" if changes.upgrade_requires_justification
           else "needs no justification"),
        "  a downgrade " + ("needs a reason" if changes.downgrade_requires_reason else
                            "needs no reason"),
        "  the customer " + ("is told" if changes.notify_customer else "is not told"),
        *_cite(changes.cite),
    ]  # fmt: skip


_SUPPLIERS = {
    "customer": "the customer, when opening",
    "engineer_before_first_response": "the engineer, before the first response",
    "engineer_before_solving": "the engineer, before solving",
}


def _required_details(policy: Policy) -> list[str]:
    out = []
    for detail in policy.required_details:
        out.append(f"  {detail.field}: {_SUPPLIERS[detail.supplied_by]}")
        out += _cite(detail.cite)
    return out or ["  none"]


def _services(policy: Policy) -> list[str]:
    spec = policy.services
    out = []
    if spec.catalogue or spec.included:
        multiplier = (
            f"x{spec.off_hours_multiplier}"
            if spec.off_hours_multiplier
            else "the contract's rate card"
        )
        out.append(
            f"  priced on calendar {spec.calendar or policy.default_calendar}: a day is "
            f"{spec.hours_per_day:g} hours; off hours {multiplier}"
            + ("; on-site logistics passed through" if spec.on_site_logistics else "")
            + ("; the customer approves every quote first" if spec.prior_approval else "")
        )
        out += _cite(spec.cite)
    for item in spec.catalogue:
        sizes = [
            f"{label} {value:g} {item.unit}{'s' if value != 1 else ''}"
            for label, value in (
                ("estimated", item.estimated_units),
                ("minimum", item.minimum_units),
            )
            if value is not None
        ]
        name = item.name + (f" / {item.name_pt_br}" if item.name_pt_br else "")
        out.append(
            f"  {item.code}: {name} (per {item.unit}" + "".join(f", {s}" for s in sizes) + ")"
        )
        out += _cite(item.cite)
    for item in spec.included:
        plans = ", ".join(item.plans)
        extra = f", {item.units:g} units" if item.units else ""
        extra += f", {item.engineers} engineers" if item.engineers > 1 else ""
        out.append(f"  included in {plans}: {item.service} x{item.count} per contract year{extra}")
        out += _cite(item.cite)
    if spec.remote_sessions:
        rs = spec.remote_sessions
        limit = f"at most {rs.limit}" if rs.limit else "no length limit"
        tools = f" via {', '.join(rs.tools)}" if rs.tools else ""
        out.append(f"  remote sessions: {limit}{tools}")
        if rs.prepare:
            out.append(f"    the customer prepares: {rs.prepare}")
        out += _cite(rs.cite)
    if spec.waiver:
        kinds = ", ".join(k.replace("_", " ") for k in spec.waiver.required_for)
        out.append(
            f"  modification waiver before any {kinds}: {' '.join(spec.waiver.text.split())}"
        )
        out += _cite(spec.waiver.cite)
    if not out:
        out.append("  none")
        out += _cite(spec.cite)
    return out


def _categories(policy: Policy) -> list[str]:
    out = []
    for category in policy.categories:
        scope = "in scope" if category.scope == "in_scope" else "OUT of scope"
        if category.referral:
            scope += ", refers to professional services"
        out.append(f"  {category.id}: {category.name} ({scope})")
        out += _cite(category.cite)
    return out or ["  none"]


def _checklists(policy: Policy) -> list[str]:
    out = []
    for checklist in policy.checklists:
        out.append(f"  {checklist.id}: {checklist.name}, on each new ticket of "
                   f"{checklist.when.describe()}; each step ticked with a note:")  # fmt: skip
        out += [f"    {n}. {item}" for n, item in enumerate(checklist.items, 1)]
        out += _cite(checklist.cite)
    return out or ["  none"]


def _root_cause(policy: Policy) -> list[str]:
    rule = policy.root_cause_analysis
    if rule is None:
        return ["  none"]
    return [
        f"  solving a ticket of {rule.when.describe()} opens a linked {rule.type} ticket at "
        f"{rule.severity} for the same organization (customer-visible, its own clocks)",
        *_cite(rule.cite),
    ]


def _senior(policy: Policy) -> list[str]:
    rule = policy.senior_routing
    if rule is None:
        return ["  none"]
    return [
        f"  tickets of {rule.when.describe()} go to the senior queue and are offered to "
        "senior engineers first",
        *_cite(rule.cite),
    ]


def _close_agreement(policy: Policy) -> list[str]:
    rule = policy.close_agreement
    if rule is None:
        return ["  no: an agent closes tickets"]
    out = ["  an agent closes only when the customer confirms the resolution"]
    if rule.other_arrangement:
        out.append("  or with a recorded other arrangement")
    if rule.exceptions:
        out.append(f"  lifecycle rules that close regardless: {', '.join(rule.exceptions)}")
    return out + _cite(rule.cite)


def _clock_rule(rule, what: str) -> list[str]:
    if rule is None:
        return ["  none"]
    metrics = ", ".join(m.value for m in rule.metrics)
    return [f"  {what}: {metrics}", *_cite(rule.cite)]


def _resolution_plan(policy: Policy) -> list[str]:
    return _clock_rule(policy.resolution_plan, "an agent's delivered work-around or plan "
                       "(a public message) meets, the case staying open")  # fmt: skip


def _third_party(policy: Policy) -> list[str]:
    return _clock_rule(policy.third_party_cause, "a recorded other vendor's cause (vendor, why) "
                       "stops and exempts, and the customer is told")  # fmt: skip


def _breach_exemption(policy: Policy) -> list[str]:
    rule = policy.breach_exemption
    if rule is None:
        return ["  none"]
    return [f"  a support manager may mark a breach exempt: {', '.join(rule.reasons)}; "
            "exempt breaches are listed apart", *_cite(rule.cite)]  # fmt: skip


def _notes(policy: Policy) -> list[str]:
    return [f"  - {note}" for note in policy.notes] or ["  none"]


def _plain(value: Any, indent: str) -> list[str]:
    """Any part of a policy as indented ``name: value`` lines (cites last)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True, by_alias=True)
    if isinstance(value, dict):
        out, cite = [], value.get("cite")
        for key, item in value.items():
            if key == "cite" or item in ([], {}, None):
                continue
            name = str(key).replace("_", " ")
            if isinstance(item, dict | list):
                out += [f"{indent}{name}:", *_plain(item, indent + "  ")]
            else:
                out.append(f"{indent}{name}: {item}")
        return out + ([f"{indent}cite: {' '.join(str(cite).split())}"] if cite else [])
    if isinstance(value, list):
        out = []
        for item in value:
            lines = _plain(item, indent + "  ")
            if (lines and isinstance(item, dict | list)) or hasattr(item, "model_dump"):
                out += [f"{indent}-", *lines]
            else:
                out.append(f"{indent}- {item}")
        return out
    return [f"{indent}{value}"]


def _holiday_source(spec: Any) -> str:
    parts = []
    if spec.country:
        where = spec.country + (f"/{spec.subdivision}" if spec.subdivision else "")
        parts.append(f"{where} ({', '.join(spec.categories)})")
    if spec.dates:
        parts.append(f"{len(spec.dates)} listed dates")
    if spec.dates and spec.dates_replace_rules:
        parts.append("in the years they list, exactly those; in every other year")
    if spec.annual:
        parts.append(
            "yearly "
            + ", ".join(
                f"{a.date} {a.name}" + (" (as observed)" if a.observed else "") for a in spec.annual
            )
        )
    if spec.weekday:
        ordinal = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
        parts.append(
            "weekday rules "
            + ", ".join(
                f"{ordinal[w.nth]} {w.weekday} of month {w.month}"
                + (f" +{w.offset_days} d" if w.offset_days else "")
                + f" {w.name}"
                for w in spec.weekday
            )
        )
    if spec.easter:
        parts.append("Easter " + ", ".join(f"{e.offset:+d} d {e.name}" for e in spec.easter))
    if spec.ical:
        parts.append(f"iCal {spec.ical}")
    if spec.remove:
        parts.append(f"except {', '.join(spec.remove)}")
    return "; ".join(parts) or "none"


def _cite(cite: str | None) -> list[str]:
    return [f"      cite: {' '.join(cite.split())}"] if cite else []


def _warn(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, float) else str(value)


def _hours(delta: dt.timedelta | None) -> str:
    return "-" if delta is None else f"{delta.total_seconds() / 3600:g} h"


# ----------------------------------------------------------------------------- availability


def availability_compute(args: argparse.Namespace) -> int:
    import numpy as np

    policy = load_policy(args.policy)
    month = Month.parse(args.month)
    slots: list[int] = []
    codes: list[int] = []
    with _open_input(args.results) as stream:
        for number, line in enumerate(stream, start=1):
            text = line.strip()
            if not text or text.startswith("#") or text.lower().startswith("slot_start"):
                continue
            where = f"--results line {number}"
            parts = [part.strip() for part in text.split(",")]
            if len(parts) != 2:
                raise InputError(f"{where}: expected slot_start,status")
            try:
                slots.append(to_us(parse_instant(parts[0], f"{where}: slot_start")))
                codes.append(SlotStatus.parse(parts[1]).value)
            except (ValueError, CalendarError) as exc:
                raise InputError(f"{where}: {exc}") from None
    windows = []
    if args.windows:
        lines = _read_text(args.windows).splitlines()
        for where, item in _json_lines(lines, "--windows", {"start": "ISO", "end": "ISO"}):
            try:
                windows.append(
                    Window(
                        parse_instant(item["start"], f"{where}: start"),
                        parse_instant(item["end"], f"{where}: end"),
                    )
                )
            except ValueError as exc:
                raise InputError(str(exc)) from None
    figure = policy_figure(
        policy,
        month,
        np.array(slots, dtype=np.int64),
        np.array(codes, dtype=np.int8),
        windows=windows,
        unknown=args.unknown,
    )
    document = {"policy": policy.key, **figure.as_json()}
    _print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


# ----------------------------------------------------------------------------- services


def services_price(args: argparse.Namespace) -> int:
    from pacto.sla.services import decimal, price

    policy = load_policy(args.policy)
    spec = policy.services
    calendar = policy.calendar(args.calendar or spec.calendar)
    day_rate = decimal(args.day_rate, "--day-rate", minimum=Decimal(0))
    hours_per_day = decimal(
        args.hours_per_day if args.hours_per_day is not None else spec.hours_per_day,
        "--hours-per-day",
    )
    multiplier = decimal(
        args.off_hours_multiplier
        if args.off_hours_multiplier is not None
        else spec.off_hours_multiplier or 1,
        "--off-hours-multiplier",
    )

    def one(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        priced = price(
            calendar,
            start,
            end,
            day_rate=day_rate,
            hours_per_day=hours_per_day,
            off_hours_multiplier=multiplier,
        )
        return priced.as_json(calendar.zone)

    if args.input is not None:
        if args.start is not None or args.end is not None:
            raise ValueError("--input takes the starts and ends from the file, not options")
        with _open_input(args.input) as stream:
            for where, record in _json_lines(stream, "--input", {"start": "ISO", "end": "ISO"}):
                try:
                    start = parse_instant(record["start"], f"{where}: start")
                    end = parse_instant(record["end"], f"{where}: end")
                    result = one(start, end)
                except ValueError as exc:
                    raise InputError(str(exc) if where in str(exc) else f"{where}: {exc}") from None
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    if args.start is None or args.end is None:
        raise ValueError("services price needs --start and --end (or --input FILE)")
    result = one(parse_instant(args.start, "--start"), parse_instant(args.end, "--end"))
    _print(json.dumps({"policy": policy.key, "calendar": calendar.name, **result}, indent=2))
    return 0


# ----------------------------------------------------------------------------- helpers


def parse_instant(text: Any, where: str) -> dt.datetime:
    """An ISO 8601 instant that must carry its UTC offset; ``where`` names the field."""
    if not isinstance(text, str):
        raise ValueError(f"{where}: an ISO 8601 instant is expected, got {text!r}")
    try:
        instant = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not an ISO 8601 instant") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{where}: {text!r} has no UTC offset; add Z or ±HH:MM (e.g. {text}Z)")
    return instant


def iso_z(instant: dt.datetime | None) -> str | None:
    """``2026-11-23T16:00:00Z`` (microseconds only when there are some)."""
    if instant is None:
        return None
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def iso_z_many(instants_us: np.ndarray) -> list[str]:
    """:func:`iso_z` for an array of epoch microseconds, formatted by numpy."""
    import numpy as np

    moments = np.asarray(instants_us, dtype=np.int64).astype("datetime64[us]")
    whole = np.datetime_as_string(moments, unit="s")
    if (np.asarray(instants_us) % US == 0).all():
        return [f"{text}Z" for text in whole]
    fine = np.datetime_as_string(moments, unit="us")
    exact = np.asarray(instants_us) % US == 0
    return [f"{w if e else f}Z" for w, f, e in zip(whole, fine, exact, strict=True)]


def seconds(delta: dt.timedelta) -> int | float:
    """A duration in seconds: an integer when whole."""
    value = delta.total_seconds()
    return int(value) if value.is_integer() else value


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text(encoding="utf-8")


def _open_input(source: str) -> AbstractContextManager[TextIO]:
    if source == "-":
        return contextlib.nullcontext(sys.stdin)  # read stdin, but leave it open
    return open(source, encoding="utf-8")


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
