"""Business calendars: when is the vendor open, and how much working time lies between instants.

A calendar is an IANA time zone, weekly working intervals in local wall-clock time and a set
of holidays. An instant is *working* when its local wall-clock time falls inside a working
interval of its local weekday and that day is not a holiday. An overnight interval
(``22:00-06:00``) belongs to the day on which it starts: the Monday shift runs into Tuesday
morning, and a holiday on Monday cancels the whole shift.

Business time between two instants is the real time elapsed inside working instants, so a
DST change is neither stretched nor shrunk: a 09:00-17:00 day on which clocks spring forward
at 02:00 still holds eight hours, and a ``00:00-24:00`` day holds 23 or 25 hours.

The calendar compiles, one year at a time and on demand, to sorted working intervals in UTC
microseconds with a cumulative prefix of business microseconds. ``elapsed`` and ``add`` are
then two binary searches; ``add_many`` and ``elapsed_many`` do the same for numpy arrays.
For the scalar ``add``, each compiled local day without a DST change gets, when first asked,
a small table of the business position against the wall clock: a start in the calendar's
zone then needs no conversion to UTC, and a due instant on such days none back from it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # numpy is imported where the batch paths need it: the CLI starts faster
    import numpy as np

from pacto.sla.holiday_rules import HolidaySet

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000  # microseconds per second
MINUTE = 60 * US
DAY = 86_400 * US
_EPOCH_ORDINAL = EPOCH.toordinal()
_NEVER_CLOSES = 3653 * DAY  # next_close gives up after ten years of uninterrupted work
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """A calendar definition that cannot be compiled, or a query it cannot answer."""


def to_us(instant: dt.datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch."""
    try:
        delta = instant - EPOCH  # aware minus aware: real elapsed time, fold included
    except TypeError:  # a naive datetime (or a tzinfo without an offset)
        raise CalendarError(
            f"naive datetime {instant.isoformat()}: a time zone is required"
        ) from None
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


_datetime, _fromtimestamp = dt.datetime, dt.datetime.fromtimestamp
_bisect_left, _bisect_right = bisect.bisect_left, bisect.bisect_right
_ZERO = dt.timedelta(0)
# The table of a plain day for the scalar ``add`` (see Calendar._plain_day).
_PlainDay = tuple[tuple[dt.timedelta, ...], tuple[tuple[int, dt.timedelta, bool], ...], int]


def from_us(us: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    """Integer microseconds since the epoch as an aware datetime in ``tz``."""
    seconds, micro = divmod(int(us), US)
    instant = _fromtimestamp(seconds, tz)  # exact: whole seconds; sets fold in a repeat
    return instant.replace(microsecond=micro) if micro else instant


@dataclass(frozen=True, order=True)
class Span:
    """A working interval of one weekday, in minutes after local midnight.

    ``end`` may be 1440 (``24:00``). An ``end`` at or before ``start`` is an overnight
    interval that runs into the next day (``22:00-06:00``).
    """

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> Span:
        match = _SPAN.match(text)
        if not match:
            raise CalendarError(f"working interval {text!r} is not of the form HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise CalendarError(f"working interval {text!r} has an impossible time of day")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == end:
            raise CalendarError(f"working interval {text!r} is empty (use 00:00-24:00)")
        return cls(start, end)

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        return (self.end - self.start) % 1440 or 1440

    def __str__(self) -> str:
        def hhmm(m: int) -> str:
            return f"{m // 60:02d}:{m % 60:02d}"

        return f"{hhmm(self.start)}-{hhmm(self.end)}"


@dataclass(frozen=True)
class WeeklyHours:
    """Working intervals per weekday (Monday = 0)."""

    days: tuple[tuple[Span, ...], ...]

    @classmethod
    def parse(cls, spec: Mapping[str, Sequence[str] | str] | str) -> WeeklyHours:
        """Parse ``{"mon": ["09:00-12:00", "13:00-18:00"], ...}`` or ``"24x7"``.

        Keys may also be ranges (``"mon-fri"``) or ``"weekdays"``/``"weekend"``/``"daily"``.
        """
        if isinstance(spec, str):
            if spec.strip().lower() == "24x7":
                return cls(tuple((Span(0, 1440),) for _ in range(7)))
            raise CalendarError(f"weekly hours {spec!r}: only '24x7' may be given as text")
        days: list[list[Span]] = [[] for _ in range(7)]
        for key, value in spec.items():
            spans = [value] if isinstance(value, str) else list(value)
            for weekday in _weekday_keys(key):
                for text in spans:
                    days[weekday].append(Span.parse(text))
        for weekday, spans in enumerate(days):
            spans.sort()
            for a, b in itertools.pairwise(spans):
                if b.start < (a.start + a.minutes):
                    raise CalendarError(
                        f"weekly hours: {WEEKDAYS[weekday]} intervals {a} and {b} overlap"
                    )
        if not any(days):
            raise CalendarError("weekly hours: no working interval on any day")
        return cls(tuple(tuple(spans) for spans in days))

    def minutes_on(self, weekday: int) -> int:
        return sum(span.minutes for span in self.days[weekday])


def _weekday_keys(key: str) -> list[int]:
    key = key.strip().lower()
    named = {"daily": range(7), "weekdays": range(5), "weekend": range(5, 7)}
    if key in named:
        return list(named[key])
    if "-" in key:
        first, last = (part.strip()[:3] for part in key.split("-", 1))
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise CalendarError(f"weekly hours: {key!r} is not a weekday range like 'mon-fri'")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
        return [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    if key[:3] not in WEEKDAYS:
        raise CalendarError(f"weekly hours: {key!r} is not a weekday (mon..sun)")
    return [WEEKDAYS.index(key[:3])]


@dataclass
class Calendar:
    """A compiled business calendar. Construct it once, query it many times.

    ``business_day`` is the length of one business day for the ``business_days`` unit; by
    default the most common non-zero length of a weekday's working time.
    """

    name: str
    timezone: str
    hours: WeeklyHours
    holidays: HolidaySet = field(default_factory=HolidaySet)
    business_day: dt.timedelta | None = None

    def __post_init__(self) -> None:
        try:
            self.zone = ZoneInfo(self.timezone)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError for odd keys
            raise CalendarError(
                f"calendar {self.name!r}: unknown time zone {self.timezone!r}"
            ) from exc
        if self.business_day is None:
            lengths = [self.hours.minutes_on(d) for d in range(7) if self.hours.minutes_on(d)]
            common = max(sorted(set(lengths)), key=lengths.count)
            self.business_day = dt.timedelta(minutes=common)
        # Compiled state: working intervals [starts[i], ends[i]) in UTC microseconds, sorted,
        # disjoint; cum[i] = business microseconds in all intervals before i.
        self._first_year: int | None = None
        self._last_year: int | None = None
        self._safe_lo = self._safe_hi = 0  # instants surely covered by the compiled years
        self._upper = 0  # the end of the compiled years (intervals are cut off there)
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum: list[int] = []
        self._cum_end: list[int] = []
        # shift[i] = cum[i] - starts[i]: the business position of an instant t inside interval
        # i is t + shift[i], and the instant at business position p in interval i is p - shift[i].
        self._shift: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        # The scalar ``add``'s shortcut for starts in the calendar's own zone, filled as days
        # are queried: local day number (days since the local 1970-01-01) -> the day's table,
        # or None when the day takes the general path (see _plain_day). With the first table
        # after each compile come the compiled intervals cut at local midnights (see _parts).
        self._plain_days: dict[int, _PlainDay | None] = {}
        self._part_starts: list[int] = []
        self._part_ends: list[int] = []
        self._part_shift: list[int] = []
        self._part_cum_end: list[dt.timedelta] = []
        self._part_wall_shift: list[dt.timedelta | None] = []
        self._local_epoch = dt.datetime(1970, 1, 1, tzinfo=self.zone)

    # ------------------------------------------------------------------ queries

    def is_open(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` is a working instant."""
        t = to_us(instant)
        self._cover(t, t)
        i = bisect.bisect_right(self._starts, t) - 1
        return i >= 0 and t < self._ends[i]

    def is_holiday(self, day: dt.date) -> bool:
        return self.holidays.contains(day)

    def holiday_name(self, day: dt.date) -> str | None:
        return self.holidays.name(day)

    def next_open(self, instant: dt.datetime) -> dt.datetime:
        """The first working instant at or after ``instant`` (``instant`` itself when open)."""
        t = to_us(instant)
        self._cover(t, t)
        while True:
            i = bisect.bisect_right(self._starts, t) - 1
            if i >= 0 and t < self._ends[i]:
                return instant
            if i + 1 < len(self._starts):
                return from_us(self._starts[i + 1], instant.tzinfo or UTC)
            self._extend_forward()

    def next_close(self, instant: dt.datetime) -> dt.datetime:
        """The end of the working interval containing ``instant`` or following it.

        A calendar open without a break for more than ten years from ``instant`` (``24x7``
        without holidays) has no next close: that is a ``CalendarError``.
        """
        t = to_us(instant)
        self._cover(t, t)
        while True:
            i = bisect.bisect_right(self._starts, t) - 1
            if i >= 0 and t < self._ends[i]:
                j = i
            elif i + 1 < len(self._starts):
                j = i + 1
            else:
                self._extend_forward()
                continue
            # An interval cut off at the end of the compiled years may go on after it.
            if self._ends[j] < self._upper:
                return from_us(self._ends[j], instant.tzinfo or UTC)
            if self._upper - t > _NEVER_CLOSES:
                raise CalendarError(
                    f"calendar {self.name!r} is open without a break for over ten years "
                    f"from {instant.isoformat()}: it has no next close"
                )
            self._extend_forward()

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time between ``start`` and ``end`` (negative when ``end`` < ``start``)."""
        return dt.timedelta(microseconds=self.elapsed_us(to_us(start), to_us(end)))

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The earliest instant at which business time since ``start`` reaches ``duration``.

        A duration that runs out exactly when a working interval closes is due at the
        close, not at the next opening. The result is in ``start``'s time zone.
        """
        # The hot path of the scalar API. For a start in the calendar's own zone on a day
        # without a DST change, exact timedelta arithmetic on the wall clock (see _plain_day):
        # ``start - local_epoch`` (the same tzinfo object on both sides, so no utcoffset()
        # call) is the wall-clock time, the day's table gives its business position, and a
        # due instant inside such days is ``local_epoch`` plus its wall-clock time.
        tz = start.tzinfo
        if tz is self.zone and type(start) is _datetime and duration > _ZERO:
            # (type: pandas' Timestamp subtracts in UTC; a zero duration is due at ``start``)
            wall = start - self._local_epoch
            try:  # cheaper than .get() when the day is there
                day = self._plain_days[wall.days]
            except KeyError:
                day = self._plain_day(wall.days)
            if day is not None:
                marks, pieces, ahead = day
                i, position, running = pieces[_bisect_right(marks, wall)]
                # Open at ``start``: the position runs with the clock.
                target = position + wall + duration if running else position + duration
                # The part the due instant is in, first within the next two weeks.
                j = _bisect_left(self._part_cum_end, target, i, ahead)
                if j < ahead:
                    shift = self._part_wall_shift[j]
                    if shift is not None:
                        return self._local_epoch + (target - shift)
        micros = (duration.days * 86_400 + duration.seconds) * US + duration.microseconds
        if micros < 0:
            raise CalendarError("add: a negative duration has no due instant")
        return from_us(self.add_us(to_us(start), micros), tz)

    def elapsed_us(self, start: int, end: int) -> int:
        if end < start:
            return -self.elapsed_us(end, start)
        self._cover(start, end)
        return self._position(end) - self._position(start)

    def add_us(self, start: int, duration: int) -> int:
        if duration == 0:  # due at once, even when ``start`` is outside working time
            return start
        if not self._safe_lo <= start <= self._safe_hi:
            self._cover(start, start)
        # The business position of ``start`` (as in ``_position``), plus the duration.
        i = _bisect_right(self._starts, start) - 1
        if i < 0:
            return self._due(duration, 0)
        if start < self._ends[i]:
            return self._due(start + self._shift[i] + duration, i)
        return self._due(self._cum_end[i] + duration, i)

    def _due(self, target: int, i: int) -> int:
        """The earliest instant at business position ``target``, found in interval ``i`` or later."""
        cum_end = self._cum_end
        # Smallest interval whose cumulative end reaches the target: due = inside it.
        j = _bisect_left(cum_end, target, i)
        while j == len(cum_end):
            self._extend_forward()
            cum_end = self._cum_end
            j = _bisect_left(cum_end, target, i)
        return target - self._shift[j]

    def add_many(self, starts: np.ndarray, durations: np.ndarray) -> np.ndarray:
        """Vectorized ``add`` over int64 arrays of epoch microseconds and microseconds."""
        import numpy as np

        starts = np.asarray(starts, dtype=np.int64)
        durations = np.asarray(durations, dtype=np.int64)
        if starts.size == 0:
            return starts.copy()
        if durations.min() < 0:
            raise CalendarError("add_many: a negative duration has no due instant")
        self._cover(int(starts.min()), int(starts.max()))
        s, e, _, cum_end = self._compiled_arrays()
        targets = self._positions(starts, s, e, cum_end)
        targets += durations
        while targets.max() > cum_end[-1]:
            self._extend_forward()
            _, e, _, cum_end = self._compiled_arrays()
        # Smallest interval whose cumulative end reaches the target: due = inside it.
        j = np.searchsorted(cum_end, targets, side="left")
        due = e[j]
        due -= cum_end[j]
        due += targets
        if np.count_nonzero(durations) < durations.size:  # a zero duration is due at its start
            due = np.where(durations == 0, starts, due)
        return due

    def elapsed_many(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Vectorized ``elapsed`` over int64 arrays of epoch microseconds."""
        import numpy as np

        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if starts.size == 0:
            return starts.copy()
        self._cover(int(min(starts.min(), ends.min())), int(max(starts.max(), ends.max())))
        s, e, _, cum_end = self._compiled_arrays()
        return self._positions(ends, s, e, cum_end) - self._positions(starts, s, e, cum_end)

    def compiled(self, first: dt.datetime, last: dt.datetime) -> tuple[np.ndarray, ...]:
        """The compiled (starts, ends, cumulative) arrays covering ``first``..``last``."""
        self._cover(to_us(first), to_us(last))
        return self._compiled_arrays()[:3]

    def working_intervals(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals clipped to ``[start, end)``, in ``start``'s time zone."""
        a, b = to_us(start), to_us(end)
        self._cover(a, b)
        tz = start.tzinfo or UTC
        i = max(bisect.bisect_right(self._starts, a) - 1, 0)
        out = []
        while i < len(self._starts) and self._starts[i] < b:
            lo, hi = max(self._starts[i], a), min(self._ends[i], b)
            if lo < hi:
                out.append((from_us(lo, tz), from_us(hi, tz)))
            i += 1
        return out

    # ------------------------------------------------------------------ compiled core

    def _position(self, t: int) -> int:
        """Business microseconds from the compiled origin to ``t``."""
        i = bisect.bisect_right(self._starts, t) - 1
        if i < 0:
            return 0
        return self._cum_end[i] - max(self._ends[i] - t, 0)

    @staticmethod
    def _positions(t: np.ndarray, s: np.ndarray, e: np.ndarray, cum_end: np.ndarray) -> np.ndarray:
        """``_position`` for an array (a new array, which the caller may modify)."""
        import numpy as np

        i = np.searchsorted(s, t, side="right")
        i -= 1
        np.maximum(i, 0, out=i)  # before the first interval: clipped to 0 below
        # cum_end[i] - max(e[i] - t, 0), and never below 0.
        left = e[i]
        left -= t
        np.maximum(left, 0, out=left)
        pos = cum_end[i]
        pos -= left
        return np.maximum(pos, 0, out=pos)

    def _compiled_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np

        if self._arrays is None:
            s = np.array(self._starts, dtype=np.int64)
            e = np.array(self._ends, dtype=np.int64)
            cum = np.array(self._cum, dtype=np.int64)
            self._arrays = (s, e, cum, cum + (e - s))
        return self._arrays

    def _cover(self, first: int, last: int) -> None:
        """Compile whole local years so that ``first``..``last`` (plus a margin) is covered."""
        if self._safe_lo <= first and last <= self._safe_hi:
            return
        y0 = from_us(first - 2 * DAY, self.zone).year
        y1 = from_us(last + 2 * DAY, self.zone).year
        if self._first_year is not None and self._first_year <= y0 and y1 <= self._last_year:
            return
        lo = y0 if self._first_year is None else min(y0, self._first_year)
        hi = y1 if self._last_year is None else max(y1, self._last_year)
        self._compile(lo, hi)

    def _extend_forward(self) -> None:
        assert self._last_year is not None
        if self._last_year >= 9000:
            raise CalendarError(f"calendar {self.name!r}: no working time left before year 9000")
        years = self._last_year - self._first_year + 1
        self._compile(self._first_year, self._last_year + years)  # doubling: few recompiles

    def _compile(self, first_year: int, last_year: int) -> None:
        intervals: list[tuple[int, int]] = []
        # Start a day early so an overnight shift from 31 December reaches into the range.
        day = dt.date(first_year, 1, 1) - dt.timedelta(days=1)
        stop = dt.date(last_year, 12, 31)
        while day <= stop:
            intervals.extend(self._day_intervals(day))
            day += dt.timedelta(days=1)
        intervals.sort()
        merged: list[list[int]] = []
        for a, b in intervals:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        # Keep only intervals that start inside the compiled years (the extra day was only
        # there for its overnight tail), so that each year is compiled once and exactly.
        lower = to_us(dt.datetime(first_year, 1, 1, tzinfo=self.zone))
        upper = to_us(dt.datetime(last_year + 1, 1, 1, tzinfo=self.zone))
        kept = [(max(a, lower), min(b, upper)) for a, b in merged if b > lower and a < upper]
        self._starts = [a for a, _ in kept]
        self._ends = [b for _, b in kept]
        self._cum = []
        total = 0
        for a, b in kept:
            self._cum.append(total)
            total += b - a
        self._cum_end = [c + (b - a) for c, (a, b) in zip(self._cum, kept, strict=True)]
        self._shift = [c - a for c, (a, _) in zip(self._cum, kept, strict=True)]
        self._first_year, self._last_year = first_year, last_year
        self._safe_lo, self._safe_hi = lower + 3 * DAY, upper - 3 * DAY
        self._upper = upper
        self._arrays = None
        self._plain_days, self._part_starts = {}, []
        if not kept:
            raise CalendarError(
                f"calendar {self.name!r}: no working time in {first_year}-{last_year}"
            )

    def _plain_day(self, number: int) -> _PlainDay | None:
        """The table of local day ``number`` for ``add``'s shortcut, or None for the general path.

        A day is plain when its UTC offset is the same from its midnight to the next (see
        ``_local_day``): each of its wall-clock times then occurs exactly once, whatever its
        ``fold``, at the day's UTC midnight plus the time of day. The table of a plain day
        holds, as wall-clock times (timedeltas since the local epoch), the instants at which a
        working interval opens or closes (``marks``), then for each stretch before, between
        and after them (``pieces``) the part (see ``_parts``) to search the due instant from
        and the business position: a constant while closed, or while open the difference
        between position and wall-clock time. Last comes the first part two weeks ahead,
        which bounds that search in most cases.

        Days with a DST change or a skipped or repeated midnight take the general path. A day
        outside the compiled years is not recorded: the general path compiles it, and the
        next query of that day makes its table.
        """
        day = dt.date.fromordinal(number + _EPOCH_ORDINAL)
        if not (self._starts and self._first_year <= day.year <= self._last_year):
            return None
        if not self._part_starts:  # the first table since the calendar was compiled
            self._parts()
        starts, ends = self._part_starts, self._part_ends
        offset = self._local_day(number)[1]
        table = None
        if offset is not None:
            midnight = number * DAY - offset
            first = max(_bisect_right(starts, midnight) - 1, 0)
            last = _bisect_left(starts, midnight + DAY)
            bounds = {b - midnight for b in starts[first:last] + ends[first:last]}
            inside = sorted(b for b in bounds if 0 < b < DAY)
            pieces = []
            for mark in (0, *inside):
                t = midnight + mark
                i = _bisect_right(starts, t) - 1
                if i < 0:  # before the first compiled interval: position 0
                    pieces.append((0, _ZERO, False))
                elif t < ends[i]:  # open: position = t + shift = wall clock + shift - offset
                    shift = self._part_shift[i] - offset
                    pieces.append((i, dt.timedelta(microseconds=shift), True))
                else:
                    pieces.append((i, self._part_cum_end[i], False))
            marks = tuple(dt.timedelta(microseconds=number * DAY + mark) for mark in inside)
            table = marks, tuple(pieces), _bisect_left(starts, midnight + 15 * DAY)
        self._plain_days[number] = table
        return table

    def _local_day(self, number: int) -> tuple[int, int | None]:
        """The end of local day ``number`` (its next midnight, in UTC microseconds), and its
        UTC offset (microseconds) if the day is plain, else None.

        Plain: 24 hours long, its midnight neither skipped nor repeated, and the offset at its
        last microsecond that of its midnight (a zone changes its offset at most once a day).
        """
        zone = self.zone
        day = dt.date.fromordinal(number + _EPOCH_ORDINAL)
        midnight = to_us(dt.datetime.combine(day, dt.time(), tzinfo=zone))
        next_day = day + dt.timedelta(days=1)
        next_midnight = to_us(dt.datetime.combine(next_day, dt.time(), tzinfo=zone))
        offset = _offset(zone, midnight)
        plain = (
            next_midnight - midnight == DAY
            and midnight == number * DAY - offset
            and _offset(zone, next_midnight - US) == offset
        )
        return next_midnight, offset if plain else None

    def _parts(self) -> None:
        """The shortcut's parts: the compiled intervals cut at local midnights.

        Per part: its start and end (UTC microseconds), the shift of its interval, its
        cumulative end as a timedelta and, when its local day is plain and the offset at its
        end is the day's (a close at a skipped midnight is not), the wall shift: the instant
        at business position ``p`` in the part has the wall-clock time ``p - wall_shift``.
        Due instants in other parts take the general path.
        """
        zone = self.zone
        starts, ends, shifts, cum_ends, walls = [], [], [], [], []
        for start, end, shift in zip(self._starts, self._ends, self._shift, strict=True):
            a = start
            while a < end:
                next_midnight, offset = self._local_day((a + _offset(zone, a)) // DAY)
                # (no cut where a fall-back across midnight repeats it before ``a``)
                b = min(end, next_midnight) if next_midnight > a else end
                plain = offset is not None and _offset(zone, b) == offset
                starts.append(a)
                ends.append(b)
                shifts.append(shift)
                cum_ends.append(dt.timedelta(microseconds=b + shift))
                walls.append(dt.timedelta(microseconds=shift - offset) if plain else None)
                a = b
        self._part_starts, self._part_ends, self._part_shift = starts, ends, shifts
        self._part_cum_end, self._part_wall_shift = cum_ends, walls

    def _day_intervals(self, day: dt.date) -> Iterable[tuple[int, int]]:
        """UTC intervals of the working spans that belong to local ``day``."""
        spans = self.hours.days[day.weekday()]
        if not spans or self.holidays.contains(day):
            return []
        out = []
        for span in spans:
            if span.overnight:
                out += _wall_to_utc(self.zone, day, span.start * MINUTE, DAY)
                if span.end:
                    nxt = day + dt.timedelta(days=1)
                    out += _wall_to_utc(self.zone, nxt, 0, span.end * MINUTE)
            else:
                out += _wall_to_utc(self.zone, day, span.start * MINUTE, span.end * MINUTE)
        return out


def _wall_to_utc(zone: ZoneInfo, day: dt.date, lo: int, hi: int) -> list[tuple[int, int]]:
    """UTC intervals of the instants of local ``day`` whose wall-clock time is in [lo, hi).

    Wall-clock times are microseconds after local midnight. The day is cut into pieces of
    constant UTC offset; each piece maps its wall-clock range back to UTC, so a time skipped
    by DST is simply absent and a repeated hour counts twice, as it does on the wall.
    """
    day_start = to_us(dt.datetime.combine(day, dt.time(), tzinfo=zone))
    next_day = day + dt.timedelta(days=1)
    day_end = to_us(dt.datetime.combine(next_day, dt.time(), tzinfo=zone))
    naive_midnight = (day.toordinal() - _EPOCH_ORDINAL) * DAY  # local midnight as if it were UTC
    out = []
    for u0, u1, offset in _offset_pieces(zone, day_start, day_end):
        wall0 = u0 + offset - naive_midnight
        wall1 = u1 + offset - naive_midnight
        a, b = max(wall0, lo), min(wall1, hi)
        if a < b:
            out.append((a - offset + naive_midnight, b - offset + naive_midnight))
    return out


def _offset(zone: ZoneInfo, t: int) -> int:
    return from_us(t, zone).utcoffset() // dt.timedelta(microseconds=1)


def _offset_pieces(zone: ZoneInfo, u0: int, u1: int) -> list[tuple[int, int, int]]:
    """Split [u0, u1) into pieces of constant UTC offset (found by bisection, to the second)."""
    first, last = _offset(zone, u0), _offset(zone, u1 - US)
    if first == last:
        return [(u0, u1, first)]
    lo, hi = u0, u1 - US  # offset(lo) == first, offset(hi) != first
    while hi - lo > US:
        mid = lo + (hi - lo) // 2 // US * US
        if _offset(zone, mid) == first:
            lo = mid
        else:
            hi = mid
    return [(u0, hi, first), *_offset_pieces(zone, hi, u1)]


ALWAYS = WeeklyHours.parse("24x7")
