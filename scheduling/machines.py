"""Machine-level schedule of assigned jobs (CP-SAT), and re-planning around a change.

Jobs are chains of operations, each on one of its eligible machines; jobs have release
and due times and a weight for lateness; machines have downtime (breakdowns, and the
hours a working calendar says are closed: `closed_outside` turns shifts into those);
machines may belong to different shops, and a job whose next operation is in another
shop waits for the transport time between them. Re-planning takes the current plan and
the current time: what has started stays where it is, and every other operation pays a
penalty for moving, so the new plan changes as little as it must. Times are integers in
one unit (minutes, say) chosen by the caller. An operation does not pause over a closed
hour: it must fit in one open window (a laser job is not left half cut overnight).
"""

from __future__ import annotations

import bisect
import heapq
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .solver import STATUS, InfeasibleSolution, run

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


@dataclass(frozen=True)
class Schedule:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    makespan: int | None
    tardiness: tuple[tuple[str, int], ...]  # (job, time late) for each job with a due time
    time_s: float
    slots: tuple[Slot, ...] = ()
    moved: int = 0


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


def _travel(a: str, b: str, shop_of: dict[str, str], transport: dict[tuple[str, str], int]) -> int:
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
            travel = _travel(prev_machine, s.machine, shop_of, transport) if prev_machine else 0
            if s.start < prev_end + travel:
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


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _earliest_gap(spans: list[tuple[int, int]], earliest: int, d: int) -> int:
    """The first start at or after `earliest` where `d` fits between sorted spans that
    never overlap (merged downtime and bookings): skip the spans that end before
    `earliest`, then walk the gaps. Both dispatchers place work with it."""
    t = earliest
    for a, b in spans[max(0, bisect.bisect_left(spans, (earliest, earliest)) - 1) :]:
        if t + d <= a:
            break
        t = max(t, b)
    return t


def dispatch(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
) -> list[Slot]:
    """What a foreman would do: jobs by due date (weight breaks ties), each operation on
    the eligible machine that finishes it first, in the earliest gap that holds it
    (between bookings and around downtime), so a job released late does not hold up the
    machine for the jobs before it."""
    # Merged, so the spans on a machine never overlap and the one just before a time is
    # the only one that can cover it (bookings never overlap anything either).
    busy: dict[str, list[tuple[int, int]]] = {m: _merged(w) for m, w in downtime.items()}
    out = []

    def fit(machine: str, earliest: int, d: int) -> int:
        return _earliest_gap(busy.get(machine, []), earliest, d)

    def book(machine: str, a: int, b: int) -> None:
        bisect.insort(busy.setdefault(machine, []), (a, b))

    for job in sorted(jobs, key=lambda j: (j.due if j.due is not None else 10**12, -j.weight)):
        ready = max(job.release, now)
        last = None
        for k, alts in enumerate(job.ops):
            start, machine, d = min(
                (
                    fit(
                        m,
                        ready + (_travel(last, m, shop_of or {}, transport or {}) if last else 0),
                        d,
                    ),
                    m,
                    d,
                )
                for m, d in alts
            )
            out.append(Slot(job.id, k, machine, start, start + d))
            book(machine, start, start + d)
            ready, last = start + d, machine
    return out


def list_schedule(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
) -> list[Slot]:
    """Operation by operation (a non-delay list schedule, Giffler & Thompson): next is
    the operation that can start first, and among those the job with the least slack
    (due date less the work it has left); it goes on the eligible machine that can
    start it first. Unlike `dispatch`, which books whole jobs in due-date order, this
    interleaves jobs, so machines are not left idle behind one job's chain: on the
    60-machine bench it plans 4,545 minutes where `dispatch` plans 5,244, both on time.

    Each job's best next start is kept and recomputed only when a booking touches one
    of its machines, so a step costs the jobs sharing that machine, not every job."""
    busy: dict[str, list[tuple[int, int]]] = {m: _merged(w) for m, w in downtime.items()}
    shop_of, transport = shop_of or {}, transport or {}

    def fit(machine: str, earliest: int, d: int) -> int:
        return _earliest_gap(busy.get(machine, []), earliest, d)

    work_left = {j.id: sum(min(d for _, d in alts) for alts in j.ops) for j in jobs}
    by_id = {j.id: j for j in jobs}
    nxt = {j.id: 0 for j in jobs}
    ready = {j.id: max(j.release, now) for j in jobs}
    last: dict[str, str | None] = {j.id: None for j in jobs}
    no_due = 10**12
    waiting: dict[str, set[str]] = {}  # machine → jobs whose next operation may use it
    # job → its offer (start, slack, end, job, machine, duration); the heap holds offers
    Offer = tuple[int, int, int, str, str, int]
    best: dict[str, Offer] = {}
    heap: list[Offer] = []

    def offer(jid: str) -> None:
        job, k = by_id[jid], nxt[jid]
        slack = (job.due if job.due is not None else no_due) - work_left[jid]
        options = []
        before = last[jid]
        for m, d in job.ops[k]:
            travel = _travel(before, m, shop_of, transport) if before is not None else 0
            at = fit(m, ready[jid] + travel, d)
            options.append((at, slack, at + d, jid, m, d))
            waiting.setdefault(m, set()).add(jid)
        best[jid] = min(options)
        heapq.heappush(heap, best[jid])

    for j in jobs:
        if j.ops:
            offer(j.id)
    out: list[Slot] = []
    while heap:
        item = heapq.heappop(heap)
        start, _, _, jid, m, d = item
        if best.get(jid) != item:
            continue  # stale: this job's offer was recomputed after a booking
        del best[jid]
        job, k = by_id[jid], nxt[jid]
        out.append(Slot(jid, k, m, start, start + d))
        bisect.insort(busy.setdefault(m, []), (start, start + d))
        for alt, _ in job.ops[k]:
            waiting[alt].discard(jid)
        work_left[jid] -= min(dd for _, dd in job.ops[k])
        nxt[jid], ready[jid], last[jid] = k + 1, start + d, m
        if nxt[jid] < len(job.ops):
            offer(jid)
        for other in list(waiting.get(m, ())):
            if other in best:  # its offer on this machine may now start later
                offer(other)
    return out


def _objective_of(jobs: list[Job], slots: list[Slot], makespan_weight: int) -> int:
    """The objective of a fresh plan (no moves): weighted tardiness plus the makespan."""
    last: dict[str, int] = {}
    for s in slots:
        last[s.job] = max(last.get(s.job, 0), s.end)
    tardiness = sum(
        j.weight * max(0, last[j.id] - j.due) for j in jobs if j.due is not None and j.id in last
    )
    return tardiness + makespan_weight * max(last.values(), default=0)


def schedule(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]] | None = None,
    *,
    previous: Sequence[Slot] | None = None,
    now: int = 0,
    move_penalty: int = 1,
    makespan_weight: int = 1,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
    pinned: Collection[tuple[str, int]] = (),
) -> Schedule:
    """`shop_of` maps machines to shops and `transport` gives the time from one shop to
    another (missing pairs: no wait). `pinned`: (job, op) keys of `previous` placed by a
    person, kept where they are like started work."""
    started_at = time.perf_counter()
    # Windows may overlap (a breakdown in a closed hour): each machine's are merged, as
    # its fixed intervals may not overlap one another.
    downtime = {m: _merged(w) for m, w in (downtime or {}).items()}
    shop_of, transport = shop_of or {}, transport or {}
    # data
    prev = {(s.job, s.op): s for s in previous or []}
    # Started (or pinned) work stays, unless a new downtime window cuts through it: then
    # it is redone.
    pinned = set(pinned)
    frozen = {
        k: s
        for k, s in prev.items()
        if (s.start < now or k in pinned)
        and not any(a < s.end and s.start < b for a, b in downtime.get(s.machine, []))
    }
    # From the latest fixed time: releases, downtime, now, and the previous plan (a re-plan
    # may keep work, or be penalised for moving it, beyond what a fresh plan needs).
    horizon = (
        max(
            [j.release for j in jobs]
            + [e for w in downtime.values() for _, e in w]
            + [s.end for s in prev.values()]
            + [now]
        )
        + sum(max(d for _, d in alts) for j in jobs for alts in j.ops)
        + (max(transport.values(), default=0) * sum(len(j.ops) for j in jobs))
    )
    # A fresh plan starts from the dispatcher's, and no better plan can end later than
    # the dispatcher's objective (tardiness is never negative): a horizon that much
    # tighter lets propagation and the LP bite (the sum of all durations is ~5× it).
    started_plan: list[Slot] = []
    if not prev:  # the better of two dispatchers' plans
        started_plan = min(
            (
                dispatch(jobs, downtime, now, shop_of, transport),
                list_schedule(jobs, downtime, now, shop_of, transport),
            ),
            key=lambda plan: _objective_of(jobs, plan, makespan_weight),
        )
    if started_plan and makespan_weight >= 1:
        horizon = min(
            horizon, _objective_of(jobs, started_plan, makespan_weight) // makespan_weight
        )
    # variables
    model = cp_model.CpModel()
    start: dict[tuple[str, int], cp_model.IntVar] = {}
    end: dict[tuple[str, int], cp_model.IntVar] = {}
    pick: dict[tuple[str, int], dict[str, cp_model.IntVar | None]] = {}
    per_machine: dict[str, list[cp_model.IntervalVar]] = {}
    for job in jobs:
        for k, alts in enumerate(job.ops):
            key = (job.id, k)
            if key in frozen:
                f = frozen[key]
                s_var, e_var = model.new_constant(f.start), model.new_constant(f.end)
                per_machine.setdefault(f.machine, []).append(
                    model.new_interval_var(s_var, f.end - f.start, e_var, f"frozen_{job.id}_{k}")
                )
                start[key], end[key] = s_var, e_var
                pick[key] = {f.machine: None}
                continue
            lo = max(job.release, now) if k == 0 else now
            s_var = model.new_int_var(lo, horizon, f"s_{job.id}_{k}")
            e_var = model.new_int_var(lo, horizon, f"e_{job.id}_{k}")
            start[key], end[key] = s_var, e_var
            pick[key] = {}
            lits = []
            for machine, d in alts:
                lit = model.new_bool_var(f"p_{job.id}_{k}_{machine}")
                per_machine.setdefault(machine, []).append(
                    model.new_optional_interval_var(
                        s_var, d, e_var, lit, f"i_{job.id}_{k}_{machine}"
                    )
                )
                pick[key][machine] = lit
                lits.append(lit)
            # constraints: one machine per operation
            model.add_exactly_one(lits)
    for machine, windows in downtime.items():
        for a, b in windows:
            per_machine.setdefault(machine, []).append(
                model.new_fixed_size_interval_var(a, b - a, f"down_{machine}_{a}")
            )
    for intervals in per_machine.values():
        model.add_no_overlap(intervals)
    for job in jobs:
        for k in range(1, len(job.ops)):
            model.add(start[job.id, k] >= end[job.id, k - 1])
            # Handing over to another shop: wait for the transport.
            for ma, lit_a in pick[job.id, k - 1].items():
                for mb, lit_b in pick[job.id, k].items():
                    travel = _travel(ma, mb, shop_of, transport)
                    if travel <= 0:
                        continue
                    lits = [lit for lit in (lit_a, lit_b) if lit is not None]
                    model.add(start[job.id, k] >= end[job.id, k - 1] + travel).only_enforce_if(lits)
    # objective: weighted tardiness, makespan, and moves away from the previous plan
    terms: list[cp_model.LinearExprT] = []
    tard = {}
    for job in jobs:
        last = end[job.id, len(job.ops) - 1]
        if job.due is not None:
            t = model.new_int_var(0, horizon, f"t_{job.id}")
            model.add(t >= last - job.due)
            tard[job.id] = t
            terms.append(job.weight * t)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [end[j.id, len(j.ops) - 1] for j in jobs])
    terms.append(makespan_weight * makespan)
    if not prev:  # a fresh plan starts from the dispatcher's
        for slot in started_plan:
            key = (slot.job, slot.op)
            model.add_hint(start[key], slot.start)
            hinted = pick[key].get(slot.machine)
            if hinted is not None:
                model.add_hint(hinted, True)
    moves = []
    for key, p in prev.items():
        if key in frozen or key not in start:
            continue
        shift = model.new_int_var(0, horizon, f"shift_{key[0]}_{key[1]}")
        model.add_abs_equality(shift, start[key] - p.start)
        moves.append(shift)
        model.add_hint(start[key], max(p.start, now))
        previous_lit = pick[key].get(p.machine)
        if previous_lit is not None:
            model.add_hint(previous_lit, True)
    if moves:
        terms.append(move_penalty * sum(moves))
    model.minimize(sum(terms))
    # solve
    solver, status = run(model, time_limit_s, workers, seed)
    # extract
    elapsed = time.perf_counter() - started_at
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Schedule(STATUS.get(status, "unknown"), None, None, None, None, (), elapsed)
    slots = []
    for job in jobs:
        for k in range(len(job.ops)):
            key = (job.id, k)
            machine = next(m for m, lit in pick[key].items() if lit is None or solver.value(lit))
            slots.append(Slot(job.id, k, machine, solver.value(start[key]), solver.value(end[key])))
    check(jobs, downtime, slots, frozen, shop_of, transport)
    moved = sum(
        1
        for s in slots
        if (s.job, s.op) in prev
        and (prev[s.job, s.op].start, prev[s.job, s.op].machine) != (s.start, s.machine)
    )
    obj, bound = solver.objective_value, solver.best_objective_bound
    return Schedule(
        STATUS[status],
        obj,
        bound,
        abs(obj - bound) / max(abs(obj), 1),
        solver.value(makespan),
        tuple((j, solver.value(t)) for j, t in tard.items()),
        elapsed,
        tuple(slots),
        moved,
    )
