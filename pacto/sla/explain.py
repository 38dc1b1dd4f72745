"""Clocks explained in plain lines, for the command line and the web calculator.

Per clock: a header that says where it stands (due, met, breached, paused…), the clock's own
explanation (each rule applied, each pause, with the policy's cite), then a compact timeline
of its segments: when it counted, and why it did not (outside hours, a named holiday, a
pausing status). Times are shown in the policy's time zone, with UTC beside the due instant.
"""

from __future__ import annotations

import datetime as dt

from pacto.sla.clock import ClockResult, ClockState, Segment
from pacto.sla.policy import Metric
from pacto.sla.units import describe

TITLES = {
    Metric.FIRST_RESPONSE: "First response",
    Metric.RESOLUTION: "Resolution",
    Metric.PERIODIC_UPDATE: "Periodic update",
}
MAX_TIMELINE = 30  # segments shown per clock; a long history keeps its first ones


def explain_text(results: dict[Metric, ClockResult], tz: dt.tzinfo) -> list[str]:
    """Every clock's header, explanation and timeline, in the order of ``results``."""
    lines: list[str] = []
    for metric, result in results.items():
        lines.append(f"{TITLES.get(metric, str(metric))}: {_status(result, tz)}")
        lines += [f"  {line}" for line in result.explanation]
        lines += [f"  previous cycle breached {_when(at, tz)}" for at in result.previous_breaches]
        lines += _timeline(result.segments, tz)
    return lines


def _status(result: ClockResult, tz: dt.tzinfo) -> str:
    target = ""
    if result.target is not None:
        target = f" — {result.target} on {result.calendar}"
    match result.state:
        case ClockState.RUNNING:
            return f"due {_when_utc(result.due_at, tz)}{target}"
        case ClockState.MET:
            return f"met {_when(result.met_at, tz)}, due {_when_utc(result.due_at, tz)}{target}"
        case ClockState.BREACHED:
            met = f", met {_when(result.met_at, tz)}" if result.met_at else ""
            return f"breached {_when_utc(result.breached_at, tz)}{met}{target}"
        case ClockState.PAUSED:
            left = describe(result.remaining) if result.remaining is not None else "-"
            return f"paused, {left} left — no due instant while paused{target}"
        case ClockState.NO_TARGET:
            return "no target — the policy sets none for this ticket"
        case _:
            return f"stopped{target}"


def _when(instant: dt.datetime | None, tz: dt.tzinfo) -> str:
    if instant is None:
        return "-"
    local = instant.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def _when_utc(instant: dt.datetime | None, tz: dt.tzinfo) -> str:
    if instant is None:
        return "-"
    local, utc = instant.astimezone(tz), instant.astimezone(dt.UTC)
    same_day = utc.date() == local.date()
    return (
        f"{_when(instant, tz)} ({utc:%H:%M} UTC)"
        if same_day
        else (f"{_when(instant, tz)} ({utc:%a %d %b %H:%M} UTC)")
    )


def _timeline(segments: list[Segment], tz: dt.tzinfo) -> list[str]:
    lines = []
    for segment in segments[:MAX_TIMELINE]:
        start, end = segment.start.astimezone(tz), segment.end.astimezone(tz)
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %H:%M}"
        note = " (if nothing changes)" if segment.projected else ""
        lines.append(f"    {start:%a %d %b %H:%M} → {until}  {_kind(segment)}{note}")
    if len(segments) > MAX_TIMELINE:
        lines.append(f"    … {len(segments) - MAX_TIMELINE} more segments")
    return lines


def _kind(segment: Segment) -> str:
    match segment.kind:
        case "running":
            return segment.reason  # "counting on business"
        case "paused":
            return f"paused: {segment.reason}"
        case _:
            return segment.reason  # "outside business hours", "holiday Fri 20 Nov: …"
