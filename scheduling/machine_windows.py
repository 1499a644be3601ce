"""Small CP-SAT windows over a re-plan: a few machines and the loose operations planned
on them nearest in time to a drawn one, re-planned by CP-SAT with everything else where
it is (a large neighbourhood search whose neighbourhoods are models of their own).

Why: the local search in `machine_search` stops at plans it cannot leave a step at a
time (23.3–23.6 k on the bench's busiest breakdown after 15,000 or 40,000 timings),
while CP-SAT given the whole reach of the breakdown and tens of seconds goes on to
22.0–22.5 k. That model takes a good part of a second to build, and its own
neighbourhoods are drawn in a model of hundreds of operations; a window of ~30
operations on three machines is a model of a few hundred variables, built in
milliseconds, and re-orders many operations at once where a step moves one. Windows of
up to ~20 operations are mostly proved optimal within a tenth of a second, and mostly
find the search's plan optimal already; larger ones stop at their time limit with the
best found. The gains come from those, on the breakdowns the search leaves furthest
behind (one of the bench's: +5.1 % to 0.0 %).

A window's model keeps everything outside it as constants: the held work, downtime and
other operations on its machines are fixed intervals; a job's operations outside the
window bound when the ones inside may start and end. Its objective is the re-plan's,
less what the window cannot change, so an answer it finds cheaper is cheaper for the
whole plan (which is checked, and costed in full, before it is taken)."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from . import machine_search
from .machine_plan import Job, Slot, merged, travel
from .machine_starts import Key, Replan, _booked

# Operations in a window to start with; it grows after a window solved to optimality and
# shrinks after one that was not, between the two bounds.
WINDOW_OPS = 30
WINDOW_OPS_RANGE = (8, 90)
WINDOW_STEP = 4
# Machines in a window: the drawn operation's and those its neighbours in time may use.
WINDOW_MACHINES = 3
# Solver time for one window, at most: many short windows did better than fewer long
# ones (see SEARCH_SHARE).
WINDOW_S = 0.1
# The local search gets this share of the time, then windows the rest. Measured on
# bench/machines_group.py's three breakdowns from two first plans, medians of 5 seeds at
# 3.5 s against a 60 s re-plan:
#   the search alone                     +4.5/+6.1/+5.1 %  +2.9/-1.8/+2.2 %
#   search 60 %, windows of 0.25 s        +4.5/+5.5/ 0.0 %  +3.7/-3.0/ 0.0 %
#   search 30 %, windows of 0.1 s         +6.9/+4.7/ 0.0 %  +5.8/-3.6/ 0.0 %
#   search 45 %, windows of 0.1 s         +4.0/+3.6/ 0.0 %  +4.5/-2.8/ 0.0 %
# The busiest machine's breakdown needs the search's time, the others the windows'.
# Turns of 0.4 s each after the first search were no better (+5.7/+2.3/+3.0 % on the
# first plan, 3 seeds): a short search from the windows' plan spends its time on the
# first descent again. Given 5 s after 2 s of search, the windows alone take one
# breakdown from 23,649 to 22,167 (a 60 s re-plan: 21,934). Measured again once the
# search timed a step from the first operation it changes (1.1–2.2 times the timings a
# second), 16 seeds from two other first plans, median / mean, shares 0.3 / 0.45 / 0.6:
# busiest 36,414 / 36,364, 36,456 / 36,456, 36,410 / 36,444 and 21,214 / 21,260,
# 21,202 / 21,183, 21,328 / 21,271; S3M2 15,674 / 15,728, 15,517 / 15,544, 15,517 /
# 15,504: within noise, so the share stays.
SEARCH_SHARE = 0.45


def search_and_refine(
    problem: Replan, plan: Sequence[Slot], deadline: float, *, workers: int = 2, seed: int = 0
) -> list[Slot]:
    """`plan` improved by the local search, then by windows, until `deadline`; no
    dearer than it was given."""
    started = time.perf_counter()
    until = started + SEARCH_SHARE * (deadline - started)
    searched = machine_search.improve(problem, list(plan), until, seed=seed)
    return refine(problem, searched, deadline, workers=workers, seed=seed)


def refine(
    problem: Replan,
    plan: Sequence[Slot],
    deadline: float,
    *,
    workers: int = 2,
    seed: int = 0,
    max_windows: float = math.inf,
    window_s: float = WINDOW_S,
) -> list[Slot]:
    """`plan` (which passes the checker, the problem's fixed work held in it) improved
    one window at a time until `deadline` (a `time.perf_counter()` value) or
    `max_windows` windows, each given the solver for at most `window_s`."""
    fixed = problem.fixed
    by_id = {j.id: j for j in problem.jobs}
    slots = {(s.job, s.op): s for s in plan}
    if all(k in fixed for k in slots):
        return list(plan)  # nothing loose to re-plan
    busy = _booked(problem.downtime, fixed)
    rng = random.Random(seed)  # noqa: S311 - a search draw, not a secret
    best = problem.cost(list(slots.values()))
    size = WINDOW_OPS
    tried = 0
    while tried < max_windows and time.perf_counter() < deadline - 0.02:
        tried += 1
        window = _draw(rng, slots, fixed, by_id, size)
        found, proved = _solve_window(
            problem,
            window,
            slots,
            by_id,
            busy,
            min(window_s, deadline - time.perf_counter()),
            workers,
            seed + tried,
        )
        size = (
            min(size + WINDOW_STEP, WINDOW_OPS_RANGE[1])
            if proved
            else max(size - WINDOW_STEP, WINDOW_OPS_RANGE[0])
        )
        if found is None:
            continue
        trial = dict(slots)
        trial.update(found)
        cost = problem.cost(list(trial.values()))
        if cost < best:
            slots, best = trial, cost
    return list(slots.values())


def _draw(
    rng: random.Random,
    slots: dict[Key, Slot],
    fixed: dict[Key, Slot],
    by_id: dict[str, Job],
    size: int,
) -> list[Key]:
    """A drawn loose operation, the machines it and its neighbours in time may use (at
    most WINDOW_MACHINES), and the `size` loose operations on those machines nearest in
    time to it."""
    loose = [k for k in slots if k not in fixed]
    centre = slots[rng.choice(loose)]
    on: dict[str, list[Slot]] = {}
    for k, s in slots.items():
        if k not in fixed:
            on.setdefault(s.machine, []).append(s)
    near = sorted(on[centre.machine], key=lambda s: abs(s.start - centre.start))[:size]
    # Machines the nearby work could move to, or whose work its jobs wait on: most
    # often named first.
    named: dict[str, int] = {}
    for s in near:
        job = by_id[s.job]
        for m, _ in job.ops[s.op]:
            named[m] = named.get(m, 0) + 2
        for op in (s.op - 1, s.op + 1):
            other = slots.get((s.job, op))
            if other is not None and (s.job, op) not in fixed:
                named[other.machine] = named.get(other.machine, 0) + 1
    named.pop(centre.machine, None)
    ranked = sorted(named, key=lambda m: (-named[m], rng.random()))
    machines = [centre.machine, *ranked[: WINDOW_MACHINES - 1]]
    pool = [s for m in machines for s in on.get(m, [])]
    pool.sort(key=lambda s: abs(s.start - centre.start))
    return [(s.job, s.op) for s in pool[:size]]


def _solve_window(
    problem: Replan,
    window: list[Key],
    slots: dict[Key, Slot],
    by_id: dict[str, Job],
    busy: dict[str, list[tuple[int, int]]],
    time_limit_s: float,
    workers: int,
    seed: int,
) -> tuple[dict[Key, Slot] | None, bool]:
    """The window's operations re-planned with everything else kept: the solver's best
    slots for them (the plan's own, hinted, at worst; None if it found none in time),
    and whether it proved them optimal. The caller costs the whole plan before taking
    them."""
    if time_limit_s <= 0.01 or not window:
        return None, False
    now, shop_of, transport = problem.now, problem.shop_of, problem.transport
    previous, frozen = problem.previous, problem.frozen
    makespan_weight, move_penalty = problem.makespan_weight, problem.move_penalty
    inside = set(window)
    machines = sorted({m for k in window for m, _ in by_id[k[0]].ops[k[1]]})
    machines = [m for m in machines if m in {slots[k].machine for k in window}]
    allowed = set(machines)
    horizon = max(s.end for s in slots.values()) + sum(
        max(d for _, d in by_id[k[0]].ops[k[1]]) for k in window
    )
    model = cp_model.CpModel()
    start: dict[Key, cp_model.IntVar] = {}
    end: dict[Key, cp_model.IntVar] = {}
    uses: dict[Key, dict[str, cp_model.IntVar | bool]] = {}
    per_machine: dict[str, list[cp_model.IntervalVar]] = {m: [] for m in machines}
    for k in window:
        job = by_id[k[0]]
        alts = [(m, d) for m, d in job.ops[k[1]] if m in allowed]
        lo = max(now, job.release) if k[1] == 0 else now
        s = model.new_int_var(lo, horizon, f"s{k}")
        e = model.new_int_var(lo, horizon, f"e{k}")
        start[k], end[k] = s, e
        uses[k] = {}
        if len(alts) == 1:
            m, d = alts[0]
            model.add(e == s + d)
            per_machine[m].append(model.new_interval_var(s, d, e, f"i{k}"))
            uses[k][m] = True
        else:
            lits = []
            for m, d in alts:
                lit = model.new_bool_var(f"u{k}{m}")
                per_machine[m].append(model.new_optional_interval_var(s, d, e, lit, f"i{k}{m}"))
                uses[k][m] = lit
                lits.append(lit)
            model.add_exactly_one(lits)
        model.add_hint(s, slots[k].start)
        model.add_hint(e, slots[k].end)
        for m, use in uses[k].items():
            if not isinstance(use, bool):
                model.add_hint(use, m == slots[k].machine)
    # What stays on the window's machines, kept as it is: other loose work, held work
    # and downtime (merged, so touching spans are one interval).
    for m in machines:
        spans = [(s.start, s.end) for k, s in slots.items() if s.machine == m and k not in inside]
        spans += busy.get(m, [])
        for a, b in merged(spans):
            if b > now and a < horizon:
                per_machine[m].append(model.new_fixed_size_interval_var(a, b - a, f"f{m}{a}"))
    for ivs in per_machine.values():
        if len(ivs) > 1:
            model.add_no_overlap(ivs)
    # The jobs' order, with transport between shops: a wait that depends on the machines
    # chosen holds only when they are chosen.
    for k in window:
        jid, op = k
        for neighbour, before in (((jid, op - 1), True), ((jid, op + 1), False)):
            other = slots.get(neighbour)
            if other is None or (neighbour in inside and not before):
                continue  # a pair inside the window is added once, from its later end
            if neighbour in inside:
                if not transport:
                    model.add(start[k] >= end[neighbour])
                    continue
                for ma, la in uses[neighbour].items():
                    for mb, lb in uses[k].items():
                        c = model.add(
                            start[k] >= end[neighbour] + travel(ma, mb, shop_of, transport)
                        )
                        c.only_enforce_if(*[x for x in (la, lb) if not isinstance(x, bool)])
                continue
            if not transport:
                if before:
                    model.add(start[k] >= other.end)
                else:
                    model.add(end[k] <= other.start)
                continue
            for m, use in uses[k].items():
                if before:
                    c = model.add(
                        start[k] >= other.end + travel(other.machine, m, shop_of, transport)
                    )
                else:
                    c = model.add(
                        end[k] + travel(m, other.machine, shop_of, transport) <= other.start
                    )
                if not isinstance(use, bool):
                    c.only_enforce_if(use)
    # The window's part of the objective: its operations' moves, the lateness of the
    # jobs it ends, and the makespan where the window can set it.
    terms = []
    for k in window:
        old = previous.get(k)
        if old is not None and k not in frozen:
            dev = model.new_int_var(0, horizon, f"d{k}")
            model.add(dev >= start[k] - old.start)
            model.add(dev >= old.start - start[k])
            model.add_hint(dev, abs(slots[k].start - old.start))
            terms.append(move_penalty * dev)
        job = by_id[k[0]]
        if k[1] + 1 == len(job.ops) and job.due is not None:
            late = model.new_int_var(0, horizon, f"l{k}")
            model.add(late >= end[k] - job.due)
            model.add_hint(late, max(0, slots[k].end - job.due))
            terms.append(job.weight * late)
    if makespan_weight:
        rest = max((s.end for k, s in slots.items() if k not in inside), default=0)
        span = model.new_int_var(rest, horizon, "makespan")
        for k in window:
            model.add(span >= end[k])
        model.add_hint(span, max(rest, *(slots[k].end for k in window)))
        terms.append(makespan_weight * span)
    model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed % 2**31
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    out = {}
    for k in window:
        m = next(
            m for m, lit in uses[k].items() if isinstance(lit, bool) or solver.boolean_value(lit)
        )
        out[k] = Slot(k[0], k[1], m, solver.value(start[k]), solver.value(end[k]))
    return out, status == cp_model.OPTIMAL
