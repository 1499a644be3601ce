"""The vocabulary of a machine plan, and its checker: jobs (chains of operations, each on
one of its eligible machines, with release and due times and a weight for lateness),
the slots a plan gives them, working calendars as downtime, transport between shops,
and the independent check every plan passes before anyone sees it. Times are integers
in one unit (minutes, say) chosen by the caller. An operation does not pause over a
closed hour: it must fit in one open window (a laser job is not left half cut overnight).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from .solver import InfeasibleSolution

Alternative = tuple[str, int]  # (machine, duration)


@dataclass(frozen=True)
class Job:
    id: str
    ops: tuple[tuple[Alternative, ...], ...]
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Slot:
    job: str
    op: int
    machine: str
    start: int
    end: int


def closed_outside(open_windows: list[tuple[int, int]], horizon: int) -> list[tuple[int, int]]:
    """The closed hours of a working calendar: everything in [0, horizon) outside the
    open windows (shifts), as downtime windows."""
    closed, t = [], 0
    for a, b in sorted(open_windows):
        if a > t:
            closed.append((t, min(a, horizon)))
        t = max(t, b)
    if t < horizon:
        closed.append((t, horizon))
    return [(a, b) for a, b in closed if a < b]


def shifts(
    days: int, start: int, end: int, day: int = 1440, workdays: int = 5
) -> list[tuple[int, int]]:
    """Open windows of a day shift from `start` to `end` (minutes after midnight) on the
    first `workdays` of every week, for `days` days."""
    return [(d * day + start, d * day + end) for d in range(days) if d % 7 < workdays]


def travel(a: str, b: str, shop_of: dict[str, str], transport: dict[tuple[str, str], int]) -> int:
    sa, sb = shop_of.get(a), shop_of.get(b)
    if sa is None or sb is None or sa == sb:
        return 0
    return transport.get((sa, sb), 0)


def check(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    slots: Sequence[Slot],
    frozen: dict[tuple[str, int], Slot] | None = None,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
) -> None:
    shop_of, transport = shop_of or {}, transport or {}
    by_key = {(s.job, s.op): s for s in slots}
    busy: dict[str, list[tuple[int, int]]] = {m: list(w) for m, w in downtime.items()}
    for job in jobs:
        prev_end = job.release
        prev_machine = None
        for k, alts in enumerate(job.ops):
            s = by_key.get((job.id, k))
            if s is None:
                raise InfeasibleSolution(f"{job.id} op {k} not scheduled")
            if (s.machine, s.end - s.start) not in alts:
                raise InfeasibleSolution(
                    f"{job.id} op {k}: {s.machine} for {s.end - s.start} not allowed"
                )
            wait = travel(prev_machine, s.machine, shop_of, transport) if prev_machine else 0
            if s.start < prev_end + wait:
                raise InfeasibleSolution(
                    f"{job.id} op {k} starts before its release or predecessor (or its transport)"
                )
            prev_end, prev_machine = s.end, s.machine
            busy.setdefault(s.machine, []).append((s.start, s.end))
    for machine, spans in busy.items():
        spans.sort()
        for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise InfeasibleSolution(f"{machine} is double-booked or down at {s2}")
    for key, slot in (frozen or {}).items():
        if by_key[key] != slot:
            raise InfeasibleSolution(f"{key} had started and was moved")


def merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def earliest_gap(spans: list[tuple[int, int]], earliest: int, d: int) -> int:
    """The first start at or after `earliest` where `d` fits between sorted spans that
    never overlap (merged downtime and bookings): skip the spans that end before
    `earliest`, then walk the gaps. Both dispatchers place work with it."""
    t = earliest
    for a, b in spans[max(0, bisect.bisect_left(spans, (earliest, earliest)) - 1) :]:
        if t + d <= a:
            break
        t = max(t, b)
    return t
