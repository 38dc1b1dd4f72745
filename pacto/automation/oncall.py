"""Who is on call at an instant: a pure function of a rotation's data (no Django, no clock).

A rotation hands the pager from one member to the next once a week, on a weekday at a
wall-clock time in the rotation's time zone ("Monday 09:00 America/Sao_Paulo"), so a handoff
stays at 09:00 local across daylight-saving changes. An override (a swap, a holiday cover)
puts someone else on call for a span of real time; when overrides overlap, the latest wins.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Override:
    user: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    order: int = 0  # a later override (higher order) wins over an earlier one

    def covers(self, at: dt.datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Rotation:
    members: tuple[int, ...]  # user ids in turn order
    time_zone: str = "UTC"
    handoff_weekday: int = 0  # Monday
    handoff_time: dt.time = dt.time(9, 0)
    starts_on: dt.date = dt.date(2000, 1, 3)
    overrides: tuple[Override, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def first_handoff_date(self) -> dt.date:
        return self.starts_on + dt.timedelta(
            days=(self.handoff_weekday - self.starts_on.weekday()) % 7
        )

    def handoff(self, week: int) -> dt.datetime:
        """The instant of handoff number ``week`` (0: the first), at local wall-clock time.

        A handoff time that does not exist on a spring-forward day is taken as the instant
        the clocks jump to (``fold=0`` of the skipped wall time, normalised).
        """
        day = self.first_handoff_date() + dt.timedelta(days=7 * week)
        local = dt.datetime.combine(day, self.handoff_time, tzinfo=self.zone)
        return local.astimezone(dt.UTC).astimezone(self.zone)


def _aware(at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()}: a time zone is required")


def week_index(rotation: Rotation, at: dt.datetime) -> int | None:
    """How many handoffs have happened at ``at`` minus one (``None`` before the first)."""
    _aware(at)
    local_day = at.astimezone(rotation.zone).date()
    week = (local_day - rotation.first_handoff_date()).days // 7
    # The local date says which week; the exact handoff instant decides the handoff day.
    while week >= 0 and at < rotation.handoff(week):
        week -= 1
    while at >= rotation.handoff(week + 1):
        week += 1
    return week if week >= 0 else None


def scheduled_at(rotation: Rotation, at: dt.datetime) -> int | None:
    """The member whose turn it is at ``at``, ignoring overrides."""
    if not rotation.members:
        return None
    week = week_index(rotation, at)
    if week is None:
        return None
    return rotation.members[week % len(rotation.members)]


def on_call_at(rotation: Rotation, at: dt.datetime) -> int | None:
    """The user on call at ``at``: the latest override covering it, else the member whose
    turn it is; ``None`` before the rotation starts or when it has nobody."""
    _aware(at)
    covering = [o for o in rotation.overrides if o.covers(at)]
    if covering:
        return max(covering, key=lambda o: (o.order, o.starts_at)).user
    return scheduled_at(rotation, at)


def shifts(
    rotation: Rotation, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, int | None]]:
    """Who is on call over ``[start, end)``, as ``(from, until, user)`` spans (for a schedule
    page): handoffs and override boundaries cut the spans."""
    _aware(start)
    _aware(end)
    cuts = {start, end}
    week = week_index(rotation, start)
    week = -1 if week is None else week
    while (moment := rotation.handoff(week + 1)) < end:
        if moment > start:
            cuts.add(moment)
        week += 1
    for override in rotation.overrides:
        for moment in (override.starts_at, override.ends_at):
            if start < moment < end:
                cuts.add(moment)
    ordered = sorted(cuts)
    spans: list[tuple[dt.datetime, dt.datetime, int | None]] = []
    for lo, hi in itertools.pairwise(ordered):
        user = on_call_at(rotation, lo)
        if spans and spans[-1][2] == user and spans[-1][1] == lo:
            spans[-1] = (spans[-1][0], hi, user)
        else:
            spans.append((lo, hi, user))
    return spans
