"""Machine-level schedule of assigned jobs (CP-SAT), and re-planning around a change.
The plan's vocabulary and checker are in `machine_plan`, the plans made without a
solver in `machine_starts`; both are re-exported here for callers.

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

import functools
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from . import machine_windows
from .machine_plan import (
    Alternative,
    Job,
    Slot,
    check,
    closed_outside,
    merged,
    shifts,
    travel,
)
from .machine_starts import (
    Replan,
    cone,
    dispatch,
    list_schedule,
    list_schedules,
    mend_by_priority,
    objective_of,
    repair,
    replan_objective,
)
from .solver import STATUS, InfeasibleSolution, run, run_then_improve

logger = logging.getLogger(__name__)

__all__ = [
    "Alternative",
    "Job",
    "Schedule",
    "Slot",
    "check",
    "closed_outside",
    "dispatch",
    "list_schedule",
    "mend_by_priority",
    "repair",
    "schedule",
    "shifts",
]


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


def _previous(jobs: list[Job], previous: Sequence[Slot]) -> dict[tuple[str, int], Slot]:
    """The old plan's slots of the jobs still to plan: a job taken out since (an offer
    withdrawn) or an operation it no longer has leaves its slot behind, not a key that
    names nothing."""
    ops = {j.id: len(j.ops) for j in jobs}
    return {(s.job, s.op): s for s in previous if s.op < ops.get(s.job, 0)}


def _frozen(
    prev: dict[tuple[str, int], Slot],
    downtime: dict[str, list[tuple[int, int]]],
    now: int,
    pinned: Collection[tuple[str, int]],
) -> dict[tuple[str, int], Slot]:
    """Started (or pinned) work stays, unless a new downtime window cuts through it: then
    it is redone."""
    pinned = set(pinned)
    return {
        k: s
        for k, s in prev.items()
        if (s.start < now or k in pinned)
        and not any(a < s.end and s.start < b for a, b in downtime.get(s.machine, []))
    }


# Share of a re-plan's budget for the operations the change can reach, before the whole
# plan gets the rest from the answer found.
CONE_SHARE = 0.7
# Lookaheads (in mean operation durations) of the priority mends a re-plan tries.
LOOKAHEADS = (0.05, 0.1, 0.25)
# The local search on the mend, then CP-SAT windows (`machine_windows`), run for this
# share of a re-plan's budget, at most SEARCH_CAP_S; the solver gets what is left, unless
# that is under MIN_SOLVER_S (then their plan is the answer). Why: at 3.5 s on
# bench/machines_group.py the whole model never improved on the search in the 1.4 s that
# a share of 0.6 left it (building the model takes a good part of that), while the
# search kept finding cheaper plans: after 15,000 timings (about 2 s) it was still 1–3 %
# better than after 5,000, and improvements come after long flat stretches (stopping
# after 5,000 fruitless timings cost 3–6 %). Given tens of seconds the solver does go
# further than the search (from its 23,649 to 22,457 in 15 s on one breakdown), so a
# long re-plan gives the solver most of its time.
SEARCH_SHARE = 0.95
SEARCH_CAP_S = 5.0
MIN_SOLVER_S = 1.0


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
    person, kept where they are like started work.

    A re-plan whose change reaches only part of the plan (a breakdown in one shop)
    first solves that part with the rest kept where it was, then the whole plan from
    that answer: the part is a model the solver can finish in an interactive budget."""
    started_at = time.perf_counter()
    once = functools.partial(
        _schedule_once,
        downtime=downtime,
        now=now,
        move_penalty=move_penalty,
        makespan_weight=makespan_weight,
        workers=workers,
        seed=seed,
        shop_of=shop_of,
        transport=transport,
    )
    down = {m: merged(w) for m, w in (downtime or {}).items()}
    if not previous:
        fresh = _fresh(jobs, once, time_limit_s, started_at)
        if fresh.slots:  # the groups' plans together, checked as one
            check(jobs, down, fresh.slots, {}, shop_of, transport)
        return fresh
    prev = _previous(jobs, previous)
    frozen = _frozen(prev, down, now, pinned)
    mended = repair(jobs, down, prev, frozen, now, shop_of, transport)
    reach = cone(jobs, prev, frozen, mended)
    loose = [k for k in prev if k not in frozen] + [
        (j.id, k) for j in jobs for k in range(len(j.ops)) if (j.id, k) not in prev
    ]
    split = bool(reach) and len(reach) < len(loose)
    outside = {k for k in prev if k not in reach} if split else set()
    fixed = {**frozen, **{k: prev[k] for k in outside}}
    # The start: the cheapest of the mends, each checked (one that cannot honour a
    # pinned operation is left out): the old order, and the priority rule at each
    # lookahead; then a local search on it and CP-SAT windows for a share of the budget.
    # Jittered draws of the rule had that time before: after the bench's breakdown of
    # its busiest machine they ended at 31,398 where the search ends near 25,000, with
    # 24,687 for 60 s of the solver.
    problem = Replan(
        jobs,
        down,
        prev,
        fixed,
        frozen,
        now,
        makespan_weight,
        move_penalty,
        shop_of or {},
        transport or {},
    )
    start, start_cost = None, 0
    for i in range(-1, len(LOOKAHEADS)):
        plan = (
            mended
            if i < 0
            else mend_by_priority(
                jobs, down, prev, fixed, now, shop_of, transport, lookahead=LOOKAHEADS[i]
            )
        )
        try:
            check(jobs, down, plan, fixed, shop_of, transport)
        except InfeasibleSolution:
            continue
        cost = problem.cost(plan)
        if start is None or cost < start_cost:
            start, start_cost = plan, cost
    if start is not None:
        deadline = started_at + min(SEARCH_SHARE * time_limit_s, SEARCH_CAP_S)
        searched = machine_windows.search_and_refine(
            problem, start, deadline, workers=workers, seed=seed
        )
        try:  # a fault in the search costs its answer, never the re-plan
            check(jobs, down, searched, fixed, shop_of, transport)
        except InfeasibleSolution:
            logger.exception("the local search's plan failed the checker; kept the mend")
        else:
            cost = problem.cost(searched)
            if cost < start_cost:
                start, start_cost = searched, cost
    if start is not None and time_limit_s - (time.perf_counter() - started_at) < MIN_SOLVER_S:
        elapsed = time.perf_counter() - started_at
        return _planned(
            jobs, _in_job_order(jobs, start), prev, "feasible", start_cost, None, elapsed
        )
    if not split:
        return once(
            jobs, previous=previous, time_limit_s=time_limit_s, pinned=pinned, start_from=start
        )
    left = time_limit_s - (time.perf_counter() - started_at)
    part = once(
        jobs,
        previous=previous,
        time_limit_s=max(left * CONE_SHARE, 0.05),
        pinned=set(pinned) | outside,
        start_from=start,
        improve=True,
    )
    left = time_limit_s - (time.perf_counter() - started_at)
    if not part.slots or (part.status == "optimal" and left <= 0):
        return replace(part, time_s=time.perf_counter() - started_at)
    whole = once(
        jobs, previous=previous, time_limit_s=max(left, 0.05), pinned=pinned, start_from=part.slots
    )
    better = whole.objective is not None and whole.objective <= (part.objective or 0)
    return replace(whole if better else part, time_s=time.perf_counter() - started_at)


def components(jobs: list[Job]) -> list[list[Job]]:
    """Jobs in groups that share no machine (no operation of one group may use a machine
    of another): shops whose jobs never cross, say. Each group is a plan of its own but
    for the makespan, which is the latest of theirs."""
    root: dict[str, str] = {}

    def find(m: str) -> str:
        while root.setdefault(m, m) != m:
            root[m] = root[root[m]]
            m = root[m]
        return m

    for job in jobs:
        machines = [m for alts in job.ops for m, _ in alts]
        for m in machines[1:]:
            root[find(m)] = find(machines[0])
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        key = find(job.ops[0][0][0]) if job.ops else ""
        groups.setdefault(key, []).append(job)
    return list(groups.values())


# Share of a fresh plan's budget for a first answer of every group that shares no
# machine with the others; the group that sets the makespan gets the rest.
GROUP_SHARE = 0.3


def _fresh(
    jobs: list[Job],
    once: functools.partial[Schedule],
    time_limit_s: float,
    started_at: float,
) -> Schedule:
    """A fresh plan. Where the jobs fall into groups sharing no machine (the shops of a
    group whose jobs stay in one shop), each group is solved alone for a share of the
    budget by its size, and then the group whose makespan is the plan's gets the rest,
    from its first answer: one model of all of them spreads the search over groups whose
    answers do not matter to the makespan. On the 60-machine bench (ten shops), at
    3.5 s and under load: 4,329 and 4,301 (two seeds) against 4,378–4,421 in one model.

    The plan's bound is the best of the groups' (each group's lateness and makespan is
    part of the whole's objective); its status is "optimal" only for a single group."""
    groups = components(jobs)
    if len(groups) <= 1:
        return once(jobs, time_limit_s=time_limit_s)
    total = sum(len(j.ops) for j in jobs) or 1
    results = []
    for group in groups:
        share = GROUP_SHARE * time_limit_s * sum(len(j.ops) for j in group) / total
        results.append(once(group, time_limit_s=max(share, 0.05)))
    if any(not r.slots for r in results):
        # a group with no plan: nothing to improve; say so as one model would
        bad = next(r for r in results if not r.slots)
        return replace(bad, time_s=time.perf_counter() - started_at)
    worst = max(range(len(groups)), key=lambda i: results[i].makespan or 0)
    left = time_limit_s - (time.perf_counter() - started_at)
    if left > 0.05 and results[worst].status != "optimal":
        again = once(groups[worst], time_limit_s=left, start_from=results[worst].slots)
        if again.objective is not None and again.objective <= (results[worst].objective or 0):
            results[worst] = again
    slots = _in_job_order(jobs, [s for r in results for s in r.slots])
    bounds = [r.bound for r in results if r.bound is not None]
    weight = once.keywords["makespan_weight"]
    return _planned(
        jobs,
        slots,
        {},
        "feasible",
        objective_of(jobs, slots, weight),
        max(bounds) if len(bounds) == len(results) else None,
        time.perf_counter() - started_at,
    )


def _schedule_once(
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
    start_from: Sequence[Slot] | None = None,
    improve: bool = False,
) -> Schedule:
    """One CP-SAT model of the whole plan. `start_from`: a feasible plan to start from
    (a re-plan's first part), in place of the mended old plan. `improve`: the whole
    search for a quarter of the budget, then neighbourhood search from its best answer
    (`solver.run_then_improve`: on the re-plan's part, three seeds of three, a little
    better than the whole search alone)."""
    started_at = time.perf_counter()
    # Windows may overlap (a breakdown in a closed hour): each machine's are merged, as
    # its fixed intervals may not overlap one another.
    # Only the machines these jobs may use: a group's model carries no other shop's
    # calendar.
    used = {m for job in jobs for alts in job.ops for m, _ in alts}
    downtime = {m: merged(w) for m, w in (downtime or {}).items() if m in used}
    shop_of, transport = shop_of or {}, transport or {}
    # data
    prev = _previous(jobs, previous or ())
    frozen = _frozen(prev, downtime, now, pinned)
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
    # A re-plan starts from the old plan mended around the change, and its bound is the
    # same: moves are never negative either.
    started_plan: list[Slot] = []
    started_objective = 0
    if not prev and not start_from:  # the best of the dispatchers' plans
        started_plan = min(
            (
                dispatch(jobs, downtime, now, shop_of, transport),
                *list_schedules(jobs, downtime, now, shop_of, transport),
            ),
            key=lambda plan: objective_of(jobs, plan, makespan_weight),
        )
        started_objective = objective_of(jobs, started_plan, makespan_weight)
    else:
        try:
            started_plan = (
                list(start_from)
                if start_from
                else repair(jobs, downtime, prev, frozen, now, shop_of, transport)
            )
            check(jobs, downtime, started_plan, frozen, shop_of, transport)
            started_objective = replan_objective(
                jobs, started_plan, prev, frozen, makespan_weight, move_penalty
            )
        except InfeasibleSolution:
            # A pinned operation the mend could not honour (work before it now ends
            # later): the solver starts from the old plan as it was.
            started_plan = []
    if started_plan and makespan_weight >= 1:
        horizon = min(horizon, started_objective // makespan_weight)
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
                    wait = travel(ma, mb, shop_of, transport)
                    if wait <= 0:
                        continue
                    lits = [lit for lit in (lit_a, lit_b) if lit is not None]
                    model.add(start[job.id, k] >= end[job.id, k - 1] + wait).only_enforce_if(lits)
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
    # The hint: the better dispatcher's plan, or the mended old plan; complete (ends,
    # lateness, moves and the makespan too), so the solver takes it as its first answer.
    for slot in started_plan:
        key = (slot.job, slot.op)
        if key in frozen:
            continue
        model.add_hint(start[key], slot.start)
        model.add_hint(end[key], slot.end)
        for machine, choice in pick[key].items():
            if choice is not None:
                model.add_hint(choice, machine == slot.machine)
    hinted_end = {(s.job, s.op): s.end for s in started_plan}
    if started_plan:
        for job in jobs:
            if job.id in tard:
                last_end = hinted_end[job.id, len(job.ops) - 1]
                model.add_hint(tard[job.id], max(0, last_end - (job.due or 0)))
        model.add_hint(makespan, max(hinted_end.values(), default=0))
    hinted_start = {(s.job, s.op): s.start for s in started_plan}
    moves = []
    for key, p in prev.items():
        if key in frozen or key not in start:
            continue
        shift = model.new_int_var(0, horizon, f"shift_{key[0]}_{key[1]}")
        model.add_abs_equality(shift, start[key] - p.start)
        moves.append(shift)
        if started_plan:
            model.add_hint(shift, abs(hinted_start[key] - p.start))
            continue
        model.add_hint(start[key], max(p.start, now))
        previous_lit = pick[key].get(p.machine)
        if previous_lit is not None:
            model.add_hint(previous_lit, True)
    if moves:
        terms.append(move_penalty * sum(moves))
    model.minimize(sum(terms))
    # solve
    if improve:
        solver, status, _ = run_then_improve(model, time_limit_s, workers, seed)
    else:
        solver, status = run(model, time_limit_s, workers, seed)
    # extract
    elapsed = time.perf_counter() - started_at
    if status == cp_model.UNKNOWN and started_plan:
        # No answer within the budget (a large plan on a busy machine): the start has
        # passed the checker, and a plan is worth more than none.
        as_solved = _in_job_order(jobs, started_plan)
        return _planned(jobs, as_solved, prev, "feasible", started_objective, None, elapsed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Schedule(STATUS.get(status, "unknown"), None, None, None, None, (), elapsed)
    slots = []
    for job in jobs:
        for k in range(len(job.ops)):
            key = (job.id, k)
            machine = next(m for m, lit in pick[key].items() if lit is None or solver.value(lit))
            slots.append(Slot(job.id, k, machine, solver.value(start[key]), solver.value(end[key])))
    check(jobs, downtime, slots, frozen, shop_of, transport)
    return _planned(
        jobs,
        slots,
        prev,
        STATUS[status],
        solver.objective_value,
        solver.best_objective_bound,
        elapsed,
    )


def _in_job_order(jobs: list[Job], slots: Sequence[Slot]) -> list[Slot]:
    """Slots as a solved plan lists them: by the jobs' order, then operation."""
    order = {j.id: i for i, j in enumerate(jobs)}
    return sorted(slots, key=lambda s: (order[s.job], s.op))


def _planned(
    jobs: list[Job],
    slots: Sequence[Slot],
    prev: dict[tuple[str, int], Slot],
    status: str,
    objective: float,
    bound: float | None,
    elapsed: float,
) -> Schedule:
    """A checked plan as the caller sees it: lateness per job, makespan, what moved."""
    last: dict[str, int] = {}
    for s in slots:
        last[s.job] = max(last.get(s.job, 0), s.end)
    moved = sum(
        1
        for s in slots
        if (s.job, s.op) in prev
        and (prev[s.job, s.op].start, prev[s.job, s.op].machine) != (s.start, s.machine)
    )
    return Schedule(
        status,
        objective,
        bound,
        abs(objective - bound) / max(abs(objective), 1) if bound is not None else None,
        max(last.values(), default=0),
        tuple(
            (j.id, max(0, last[j.id] - j.due)) for j in jobs if j.due is not None and j.id in last
        ),
        elapsed,
        tuple(slots),
        moved,
    )
