"""Machine-level schedule of assigned jobs (CP-SAT), and re-planning around a change.

Jobs are chains of operations, each on one of its eligible machines; jobs have release
and due times and a weight for lateness; machines have downtime (breakdowns, and the
hours a calendar says are closed, given the same way). Re-planning takes the current
plan and the current time: what has started stays where it is, and every other
operation pays a penalty for moving, so the new plan changes as little as it must.
Times are integers in one unit (minutes, say) chosen by the caller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

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


@dataclass
class Schedule:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    makespan: int | None
    tardiness: dict[str, int]
    time_s: float
    slots: list[Slot] = field(default_factory=list)
    moved: int = 0


def check(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    slots: list[Slot],
    frozen: dict[tuple[str, int], Slot] | None = None,
) -> None:
    by_key = {(s.job, s.op): s for s in slots}
    busy: dict[str, list[tuple[int, int]]] = {m: list(w) for m, w in downtime.items()}
    for job in jobs:
        prev_end = job.release
        for k, alts in enumerate(job.ops):
            s = by_key.get((job.id, k))
            if s is None:
                raise InfeasibleSolution(f"{job.id} op {k} not scheduled")
            if (s.machine, s.end - s.start) not in alts:
                raise InfeasibleSolution(
                    f"{job.id} op {k}: {s.machine} for {s.end - s.start} not allowed"
                )
            if s.start < prev_end:
                raise InfeasibleSolution(
                    f"{job.id} op {k} starts before its release or predecessor"
                )
            prev_end = s.end
            busy.setdefault(s.machine, []).append((s.start, s.end))
    for machine, spans in busy.items():
        spans.sort()
        for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise InfeasibleSolution(f"{machine} is double-booked or down at {s2}")
    for key, slot in (frozen or {}).items():
        if by_key[key] != slot:
            raise InfeasibleSolution(f"{key} had started and was moved")


def dispatch(
    jobs: list[Job], downtime: dict[str, list[tuple[int, int]]], now: int = 0
) -> list[Slot]:
    """What a foreman would do: jobs by due date (weight breaks ties), each operation on
    the eligible machine that finishes it first, skipping past downtime."""
    free: dict[str, int] = {}
    out = []

    def fit(machine: str, earliest: int, d: int) -> int:
        t = max(earliest, free.get(machine, 0))
        for a, b in sorted(downtime.get(machine, [])):
            if t < b and a < t + d:
                t = b
        return t

    for job in sorted(jobs, key=lambda j: (j.due if j.due is not None else 10**12, -j.weight)):
        ready = max(job.release, now)
        for k, alts in enumerate(job.ops):
            start, machine, d = min((fit(m, ready, d), m, d) for m, d in alts)
            out.append(Slot(job.id, k, machine, start, start + d))
            free[machine] = start + d
            ready = start + d
    return out


def schedule(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]] | None = None,
    *,
    previous: list[Slot] | None = None,
    now: int = 0,
    move_penalty: int = 1,
    makespan_weight: int = 1,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
) -> Schedule:
    started_at = time.perf_counter()
    downtime = downtime or {}
    # data
    prev = {(s.job, s.op): s for s in previous or []}
    # Started work stays, unless a new downtime window cuts through it: then it is redone.
    frozen = {
        k: s
        for k, s in prev.items()
        if s.start < now
        and not any(a < s.end and s.start < b for a, b in downtime.get(s.machine, []))
    }
    horizon = max(
        [j.release for j in jobs] + [e for w in downtime.values() for _, e in w] + [now]
    ) + sum(max(d for _, d in alts) for j in jobs for alts in j.ops)
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
        for slot in dispatch(jobs, downtime, now):
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
        return Schedule(STATUS.get(status, "unknown"), None, None, None, None, {}, elapsed)
    slots = []
    for job in jobs:
        for k in range(len(job.ops)):
            key = (job.id, k)
            machine = next(m for m, lit in pick[key].items() if lit is None or solver.value(lit))
            slots.append(Slot(job.id, k, machine, solver.value(start[key]), solver.value(end[key])))
    check(jobs, downtime, slots, frozen)
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
        {j: solver.value(t) for j, t in tard.items()},
        elapsed,
        slots,
        moved,
    )
