"""A shop's capacity per process and day, from its calendar, machines and closures.

Pure: no Django. The portal loads the rows into these dataclasses, computes here, and
shows or hands on the result (the allocation reads `capacity_h`, the group quote
`earliest_finish`). A period is one day, the first period is `start`.

A day is worked unless it is one of the shop's weekly days off, a Japanese public
holiday (when the shop observes them: the maintained `holidays` library keeps the list,
substitute holidays included), or inside one of the shop's own closures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

ISO_WEEKDAYS = range(1, 8)  # Monday = 1 … Sunday = 7, as date.isoweekday() counts
FIT_TOLERANCE_H = 1e-9  # hours that sum to the need within float noise do fit


@dataclass(frozen=True)
class Calendar:
    hours_per_shift: float
    shifts_per_day: int
    weekly_days_off: frozenset[int]  # ISO weekday numbers
    observes_public_holidays: bool = True

    @property
    def hours_per_day(self) -> float:
        return self.hours_per_shift * self.shifts_per_day


@dataclass(frozen=True)
class Machine:
    process: str
    speed_factor: float  # 1.0 = the shop's standard machine; 2.0 does twice the work an hour
    active: bool = True


@dataclass(frozen=True)
class Closure:
    start: date
    end: date  # inclusive
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Day:
    """One day of the calendar as a person reads it: worked or not, and why not."""

    date: date
    working: bool
    weekly_off: bool
    holiday: str | None  # the public holiday's name (even when the shop works through it)
    closure: str | None  # the reason of the shop's closure covering the day ("" if none given)


def public_holidays(start: date, periods: int, language: str = "ja") -> dict[date, str]:
    """Japanese public holidays from `start` for `periods` days, by date, named in
    `language` ("ja" or "en_US")."""
    if periods <= 0:
        return {}
    end = start + timedelta(days=periods - 1)
    years = range(start.year, end.year + 1)
    found = holidays.Japan(years=years, language=language)
    return {d: name for d, name in found.items() if start <= d <= end}


def days(
    calendar: Calendar,
    closures: Iterable[Closure],
    start: date,
    periods: int,
    *,
    language: str = "ja",
) -> list[Day]:
    closures = tuple(closures)
    named = public_holidays(start, periods, language)
    out = []
    for k in range(periods):
        day = start + timedelta(days=k)
        weekly_off = day.isoweekday() in calendar.weekly_days_off
        holiday = named.get(day)
        closure = next((c.reason for c in closures if c.covers(day)), None)
        off = (
            weekly_off
            or (holiday is not None and calendar.observes_public_holidays)
            or closure is not None
        )
        out.append(Day(day, not off, weekly_off, holiday, closure))
    return out


def working_days(
    calendar: Calendar, closures: Iterable[Closure], start: date, periods: int
) -> list[bool]:
    return [d.working for d in days(calendar, closures, start, periods)]


def capacity_h(
    calendar: Calendar,
    machines: Iterable[Machine],
    closures: Iterable[Closure],
    start: date,
    periods: int,
) -> dict[str, tuple[float, ...]]:
    """Hours per process per day: on a working day, the sum over the process's active
    machines of hours per shift × shifts × speed factor; 0 on a day off. A process
    without an active machine has no entry."""
    per_day: dict[str, float] = {}
    for m in machines:
        if m.active:
            per_day[m.process] = per_day.get(m.process, 0.0) + calendar.hours_per_day * (
                m.speed_factor
            )
    worked = working_days(calendar, closures, start, periods)
    return {p: tuple(h if w else 0.0 for w in worked) for p, h in per_day.items()}


def earliest_finish(
    capacity_h: Mapping[str, Sequence[float]],
    hours_by_process: Mapping[str, float],
    booked_h: Mapping[str, Sequence[float]] | None,
    start: date,
) -> date | None:
    """The first day by which every process's hours fit into the capacity left free by
    what is booked, the processes done in the given order: each begins on the day the
    one before it ends (a period is one day, as the allocation counts it). None when the
    work does not fit within the horizon (the length of `capacity_h`'s rows), or when a
    process that needs hours has no capacity at all."""
    booked_h = booked_h or {}
    cursor = 0
    for process, need_h in hours_by_process.items():
        if need_h <= 0:
            continue
        row = capacity_h.get(process)
        if not row:
            return None
        taken = booked_h.get(process, ())
        have_h = 0.0
        for k in range(cursor, len(row)):
            booked = taken[k] if k < len(taken) else 0.0
            have_h += max(0.0, row[k] - booked)
            if have_h + FIT_TOLERANCE_H >= need_h:
                cursor = k
                break
        else:
            return None
    return start + timedelta(days=cursor)
