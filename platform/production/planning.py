"""A shop's machine plan: its open work as scheduling.link turns placements into jobs,
scheduled by scheduling.machines on its machines and working calendar.

Time is minutes from local midnight of the day the plan is made. A machine is open on
the shop's working days from SHIFT_START_MIN for its shifts' hours (closed days, public
holidays and closures are downtime), and an operation never runs over a closed hour. A
process the quote gave no machine hours (paint, plating, weld, …) takes no machine here.
What has started stays where it is; everything else pays a penalty for moving.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from scheduling.allocation import Line, Placement
from scheduling.link import Machine as LinkMachine
from scheduling.link import jobs_from_allocation
from scheduling.machines import Slot, closed_outside, schedule

SHIFT_START_MIN = 8 * 60  # the day shift starts at 08:00
DAY_MIN = 1440
MIN_HORIZON_DAYS = 60
PLAN_LIMIT_S = 5.0


@dataclass(frozen=True)
class Planned:
    work_id: int
    seq: int
    process: str
    machine_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Plan:
    status: str
    operations: list[Planned]
    skipped: list[str]  # why a work has no operation on a machine


def origin_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def open_windows_min(cap: Any, first_day: date, days: int) -> list[tuple[int, int]]:
    """The shop's open hours as minutes from midnight of `first_day`: on each working
    day (its weekly days off, public holidays and closures are not), from
    SHIFT_START_MIN for its shifts' hours."""
    from shops import capacity

    working = capacity.working_days(cap.calendar, cap.closures, first_day, days)
    open_min = int(cap.calendar.hours_per_day * 60)
    return [
        (d * DAY_MIN + SHIFT_START_MIN, d * DAY_MIN + min(SHIFT_START_MIN + open_min, DAY_MIN))
        for d, ok in enumerate(working)
        if ok
    ]


def plan_shop(
    shop: Any,
    works: list[Any],
    previous: list[Any],
    now: datetime,
    breakdowns: list[Any] | None = None,
) -> Plan:
    """`works`: the shop's open Work rows (with line); `previous`: their Operation rows;
    `breakdowns`: windows (start, end, machine_id) a machine is out of use."""
    from shops.models import Machine
    from shops.selectors import capabilities

    cap = capabilities(shop.group).get(shop.pk)
    machines = list(Machine.objects.filter(shop=shop, active=True))
    if cap is None or not machines or not works:
        return Plan("empty", [], [] if works else [])
    # Minutes count from the midnight before the earliest operation that has started
    # (the plan keeps it), or today's.
    today = min(
        [timezone.localdate(now)]
        + [timezone.localtime(op.start).date() for op in previous if op.started or op.done]
    )
    origin = origin_of(today)
    last_due = max(w.due_date for w in works)
    days = max((last_due - today).days + 30, MIN_HORIZON_DAYS)
    windows = open_windows_min(cap, today, days)
    downtime_all = closed_outside(windows, days * DAY_MIN)

    by_process = {m.process for m in machines}
    lines, placements, skipped = [], [], []
    for w in works:
        quote = next((q for q in w.line.quote if q.get("shop_id") == shop.pk), None)
        hours = dict((quote or {}).get("hours", {}))
        procs = tuple(p for p in w.line.processes if hours.get(p, 0) > 0 and p in by_process)
        left_out = [p for p in w.line.processes if p not in procs]
        if left_out:
            skipped.append(f"{w.line.label}: {', '.join(left_out)} not on a machine")
        if not procs:
            continue
        lines.append(
            Line(
                id=str(w.pk),
                processes=procs,
                material=w.line.material,
                thickness_mm=w.line.thickness_mm,
                size_mm=(0.0, 0.0),
                due_period=max((w.due_date - today).days, 0),
                cost_jpy={shop.name: 0.0},
                hours={shop.name: {p: hours[p] for p in procs}},
            )
        )
        placements.append(Placement(str(w.pk), shop.name, 0, 0.0, 0, "", None))
    if not lines:
        return Plan("empty", [], skipped)
    link_machines = [LinkMachine(str(m.pk), shop.name, m.process, m.speed_factor) for m in machines]
    jobs, shop_of = jobs_from_allocation(placements, lines, link_machines, DAY_MIN)
    now_min = max(int((now - origin).total_seconds() // 60), 0)

    # What has started keeps its machine and its reported times (a delay lengthens it);
    # so does what a person moved by hand (pinned).
    def minutes(op: Any) -> tuple[int, int]:
        # Start rounded down and end rounded up to the minute: a reported end at 04:28:29
        # must not let the next operation start at 04:28 (the plan would run it before
        # the floor says this one ends).
        a = int((op.start - origin).total_seconds() // 60)
        z = -int(-(op.end - origin).total_seconds() // 60)
        return a, max(z, a + 1)

    held = {op.pk: minutes(op) for op in previous if op.started or op.done or op.pinned}
    fixed = {
        (str(op.work_id), op.seq): (str(op.machine_id), held[op.pk][1] - held[op.pk][0])
        for op in previous
        if op.pk in held
    }
    jobs = [
        replace(
            j,
            release=max(j.release, now_min)
            if not any((j.id, k) in fixed for k in range(len(j.ops)))
            else j.release,
            ops=tuple(
                (fixed[j.id, k],) if (j.id, k) in fixed else alts for k, alts in enumerate(j.ops)
            ),
        )
        for j in jobs
    ]

    # Work done stays out of the plan; what has started stays where it is.
    # The core takes a previous slot that began before now as started and keeps it. Here
    # only what the floor reported (or a person pinned) is kept: an operation whose
    # planned start passed unreported has not started, so its slot counts from now (the
    # move penalty then measures a move from where it could still be).
    def slot(op: Any) -> Slot:
        a, z = minutes(op)
        if a < now_min and not (op.started or op.done or op.pinned):
            a, z = now_min, now_min + (z - a)
        return Slot(str(op.work_id), op.seq, str(op.machine_id), a, z)

    prev = [slot(op) for op in previous]
    downtime = {str(m.pk): list(downtime_all) for m in machines}
    for b in breakdowns or []:
        if str(b.machine_id) in downtime:
            a = max(int((b.start - origin).total_seconds() // 60), 0)
            z = int((b.end - origin).total_seconds() // 60)
            if z > a:
                downtime[str(b.machine_id)].append((a, z))
    result = schedule(
        jobs,
        downtime,
        previous=prev or None,
        now=now_min,
        time_limit_s=PLAN_LIMIT_S,
        shop_of=shop_of,
        pinned={(str(op.work_id), op.seq) for op in previous if op.pinned},
    )
    if not result.slots:
        return Plan(result.status, [], skipped)
    procs_of = {line.id: line.processes for line in lines}
    return Plan(
        result.status,
        [
            Planned(
                int(s.job),
                s.op,
                procs_of[s.job][s.op],
                int(s.machine),
                origin + timedelta(minutes=s.start),
                origin + timedelta(minutes=s.end),
            )
            for s in result.slots
        ],
        skipped,
    )
