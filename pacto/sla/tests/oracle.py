"""A brute-force business-time oracle for the property tests of ``pacto.sla.calendar``.

It shares no code with the engine: it walks time one UTC minute at a time, turns each minute
into local wall-clock time with ``zoneinfo`` and decides from the weekly intervals and the
holiday dates whether that minute is working. Everything else is counting:

- ``elapsed(a, b)`` is the number of working minutes in ``[a, b)``;
- ``add(a, n)`` is the end of the minute in which the ``n``-th working minute after ``a``
  is completed (so a target that runs out at a close is due at that close);
- ``is_open``, ``next_open``, ``next_close`` and ``working_intervals`` look at single minutes
  or runs of them.

Instants are whole minutes since the Unix epoch (UTC). The oracle is only exact for
calendars whose boundaries fall on whole minutes, which holds for every interval written as
``HH:MM`` in a zone whose offsets are whole minutes.

Semantics, as the engine's contract states them:

- a working interval belongs to the local day on which it starts; ``end <= start`` means it
  runs overnight into the next day, ``24:00`` is the end of the day;
- a holiday cancels every interval that belongs to it, overnight tails included, but not
  the tail of the previous day's overnight interval;
- wall-clock time is what ``astimezone`` shows (fold-aware): a minute skipped by DST never
  happens, a repeated wall-clock minute happens twice, each time on the same local date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from zoneinfo import ZoneInfo

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_MINUTE = dt.timedelta(minutes=1)
MINUTES_PER_DAY = 1440
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OracleGaveUp(RuntimeError):
    """The walk went past the oracle's horizon without an answer."""


def minute_of(instant: dt.datetime) -> int:
    """An aware, minute-aligned datetime as whole minutes since the epoch."""
    assert instant.tzinfo is not None, "the oracle needs aware datetimes"
    minutes, rest = divmod(instant - EPOCH, ONE_MINUTE)
    assert not rest, f"{instant} is not on a whole minute"
    return minutes


def instant_of(minute: int, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    return (EPOCH + minute * ONE_MINUTE).astimezone(zone)


@lru_cache(maxsize=16_384)
def _local_clock(zone_name: str, utc_day: int) -> tuple[tuple[int, int], ...]:
    """(local date ordinal, local wall-clock minute of day) for each minute of a UTC day."""
    zone = ZoneInfo(zone_name)
    midnight = EPOCH + dt.timedelta(days=utc_day)
    out = []
    for k in range(MINUTES_PER_DAY):
        local = (midnight + k * ONE_MINUTE).astimezone(zone)
        out.append((local.toordinal(), local.hour * 60 + local.minute))
    return tuple(out)


def local_clock(zone_name: str, minute: int) -> tuple[int, int]:
    day, k = divmod(minute, MINUTES_PER_DAY)
    return _local_clock(zone_name, day)[k]


_HHMM = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def parse_interval(text: str) -> tuple[int, int]:
    """``"22:00-06:00"`` as (1320, 360); ``24:00`` is 1440."""
    match = _HHMM.match(text.strip())
    assert match, f"oracle: bad interval {text!r}"
    h1, m1, h2, m2 = map(int, match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


class Oracle:
    """Minute-by-minute business time for one calendar.

    ``week`` maps weekday names (``mon``..``sun``) to lists of ``HH:MM-HH:MM`` texts;
    ``holidays`` are local dates. ``horizon`` bounds every walk (in minutes).
    """

    def __init__(
        self,
        zone: str,
        week: Mapping[str, Sequence[str]],
        holidays: Iterable[dt.date] = (),
        horizon: int = 400 * MINUTES_PER_DAY,
    ) -> None:
        self.zone = zone
        self.days: list[list[tuple[int, int]]] = [
            [parse_interval(text) for text in week.get(name, ())] for name in DAY_NAMES
        ]
        self.holidays = frozenset(day.toordinal() for day in holidays)
        self.horizon = horizon
        self._owned: dict[int, tuple[bytearray, bytearray]] = {}
        self._masks: dict[int, list[bool]] = {}

    # ------------------------------------------------------------------ one minute

    def owned(self, ordinal: int) -> tuple[bytearray, bytearray]:
        """The wall-clock minutes a local date owns: on itself, and on the next date.

        Both are indexed by wall-clock minute of day (0..1439). The second holds the tails
        of the date's overnight intervals, which are worked on the following date.
        """
        known = self._owned.get(ordinal)
        if known is None:
            today, tomorrow = bytearray(MINUTES_PER_DAY), bytearray(MINUTES_PER_DAY)
            if ordinal not in self.holidays:
                weekday = (ordinal + 6) % 7  # date.fromordinal(1) is a Monday
                for start, end in self.days[weekday]:
                    if end > start:
                        today[start:end] = b"\x01" * (end - start)
                    else:  # overnight: to midnight, then on the next date until ``end``
                        today[start:] = b"\x01" * (MINUTES_PER_DAY - start)
                        tomorrow[:end] = b"\x01" * end
            known = self._owned[ordinal] = (today, tomorrow)
        return known

    def _mask(self, utc_day: int) -> list[bool]:
        """Working or not, for each minute of a UTC day."""
        mask = self._masks.get(utc_day)
        if mask is None:
            mask = []
            for ordinal, wall in _local_clock(self.zone, utc_day):
                mask.append(bool(self.owned(ordinal)[0][wall] or self.owned(ordinal - 1)[1][wall]))
            self._masks[utc_day] = mask
        return mask

    def working(self, minute: int) -> bool:
        """Whether the UTC minute ``[minute, minute + 1)`` is working time."""
        day, k = divmod(minute, MINUTES_PER_DAY)
        return self._mask(day)[k]

    # ------------------------------------------------------------------ queries

    def elapsed(self, a: int, b: int) -> int:
        if b < a:
            return -self.elapsed(b, a)
        assert b - a <= self.horizon, "oracle: elapsed span beyond the horizon"
        return sum(1 for m in range(a, b) if self.working(m))

    def add(self, start: int, minutes: int) -> int:
        assert minutes >= 0
        if minutes == 0:
            return start
        done = 0
        for m in range(start, start + self.horizon):
            if self.working(m):
                done += 1
                if done == minutes:
                    return m + 1
        raise OracleGaveUp(f"add({start}, {minutes})")

    def is_open(self, minute: int) -> bool:
        return self.working(minute)

    def next_open(self, minute: int) -> int:
        for m in range(minute, minute + self.horizon):
            if self.working(m):
                return m
        raise OracleGaveUp(f"next_open({minute})")

    def next_close(self, minute: int) -> int:
        for m in range(self.next_open(minute) + 1, minute + self.horizon):
            if not self.working(m):
                return m
        raise OracleGaveUp(f"next_close({minute})")

    def working_intervals(self, a: int, b: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for m in range(a, b):
            if not self.working(m):
                continue
            if out and out[-1][1] == m:
                out[-1] = (out[-1][0], m + 1)
            else:
                out.append((m, m + 1))
        return out


# ---------------------------------------------------------------------- availability


def availability_oracle(
    oracle: Oracle,
    year: int,
    month: int,
    interval: int,
    results: Mapping[int, str],
    windows: Sequence[tuple[int, int]] = (),
    unknown: str = "exclude",
) -> dict:
    """The monthly availability figure, one slot at a time.

    ``interval`` and every instant are whole minutes since the epoch; ``results`` maps a slot
    start to ``up``, ``down`` or ``unknown``. A slot counts when its start lies in the local
    month, in a working minute and in no window ``[start, end)``. The figure is returned as
    a fraction (up, counted) so the caller can check the rounding separately.
    """
    zone = ZoneInfo(oracle.zone)
    first = minute_of(dt.datetime(year, month, 1, tzinfo=zone))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    last = minute_of(dt.datetime(nxt.year, nxt.month, 1, tzinfo=zone))
    eligible, excluded, up, down, unknown_count, failing = 0, 0, 0, 0, 0, []
    for slot in range(first, last):
        if slot % interval or not oracle.working(slot):
            continue
        if any(a <= slot < b for a, b in windows):
            excluded += 1
            continue
        eligible += 1
        status = results.get(slot, "unknown")
        if status == "up":
            up += 1
        elif status == "down":
            down += 1
            failing.append(slot)
        else:
            unknown_count += 1
            if unknown == "down":
                failing.append(slot)
    counted_down = down + (unknown_count if unknown == "down" else 0)
    return {
        "eligible": eligible,
        "excluded": excluded,
        "up": up,
        "down": down,
        "unknown": unknown_count,
        "counted": up + counted_down,
        "failing": failing,
    }
