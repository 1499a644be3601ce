"""Exchanges among a few agents, each solved exactly, to improve a GAP assignment
(issue 15, item 2).

Why: on type D the first core's CP-SAT search ends a tenth to a quarter of a percent
above the best known value, and neither a larger core nor the whole model finds more in
the time left — CP-SAT's own neighbourhoods free variables at random or by constraint,
and a better assignment of type D needs several jobs to change agents at once among
agents that trade capacity. Re-solving exactly the jobs of a few agents at a time is a
very large-scale neighbourhood of that kind (the ejection chains of Yagiura, Ibaraki &
Glover 2004 for the GAP build such multi-job exchanges one move at a time): the part is
a GAP of two to six agents and a few dozen jobs, and it may use any pair, not only the
core's.

Parts start at two agents and grow by one each time STALL_PARTS in a row find nothing
cheaper, up to the size that holds about JOBS_PER_PART jobs (a variable neighbourhood
descent: the small parts are proven in milliseconds and find the easy exchanges; the
larger ones reach what needs three or more agents at once). Why not the largest size
from the start: traced on type D 20x200 (after the first core, seed 0), parts of six
agents hit their one-second limit almost every time (16 of 26 proven in 10 s), while
parts of three were all proven (232 in 2.5 s).

Each step draws up to `workers` disjoint groups of agents and solves them at the same
time on one thread each (CP-SAT releases the GIL while it solves); a part's answer
replaces the jobs it freed when it costs no more (sideways steps keep the search moving).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .instances import GapInstance

# Jobs freed by the largest part, on average: about what CP-SAT still proves optimal
# within PART_LIMIT_S on types D and E, mostly. Read at each call, so that setting it
# changes the size: an earlier comparison of 60 with 40 set this name while the size
# was a default argument bound at import, and so measured 60 twice (+0.098 % and
# +0.168 % on the four hardest instances: the spread of one setting, no more).
JOBS_PER_PART = 60
# The longest one part may take; most are proven well before.
PART_LIMIT_S = 1.0
# Parts in a row proven optimal without a cheaper answer after which the search stops
# (its neighbourhoods are spent; the caller's larger models get the time left).
STALL_PARTS = 200


@dataclass(frozen=True)
class Exchanged:
    assignment: tuple[int, ...]
    parts: int  # parts solved
    better: int  # parts whose answer cost less than what they freed
    proven: int  # parts solved to optimality


def pairs_model(
    inst: GapInstance,
    signed: list[list[int]],
    pairs: Iterable[tuple[int, int]],
    agents: Sequence[int],
    jobs: Sequence[int],
    hint: Sequence[int] | None,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]]:
    """The assignment model on the (agent, job) `pairs` only: each of `jobs` to exactly
    one agent of its pairs (none: infeasible), each of `agents` within its capacity,
    the signed cost minimised, and `hint` (the agent of each job) as its start."""
    model = cp_model.CpModel()
    x = {k: model.new_bool_var("") for k in sorted(pairs)}
    for j in jobs:
        model.add_exactly_one(x[i, j] for i in agents if (i, j) in x)
    for i in agents:
        keys = [(i, j) for j in jobs if (i, j) in x]
        model.add(
            cp_model.LinearExpr.weighted_sum(
                [x[k] for k in keys], [inst.resources[i][j] for _, j in keys]
            )
            <= inst.capacities[i]
        )
    keys = list(x)
    model.minimize(
        cp_model.LinearExpr.weighted_sum([x[k] for k in keys], [signed[i][j] for i, j in keys])
    )
    if hint is not None:
        for (i, j), v in x.items():
            model.add_hint(v, hint[j] == i)
    return model, x


def _part(
    inst: GapInstance,
    signed: list[list[int]],
    agents: list[int],
    jobs: list[int],
    current: list[int],
    limit_s: float,
    seed: int,
) -> tuple[dict[int, int], bool] | None:
    """The best assignment of `jobs` to `agents` (whose whole capacities are free, as
    the jobs are all theirs), from the current one as a hint; None if none was found."""
    pairs = [(i, j) for i in agents for j in jobs if inst.resources[i][j] <= inst.capacities[i]]
    model, x = pairs_model(inst, signed, pairs, agents, jobs, current)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(limit_s, 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = {j: next(i for i in agents if (i, j) in x and solver.value(x[i, j])) for j in jobs}
    return chosen, status == cp_model.OPTIMAL


def _free_and_solve(
    inst: GapInstance,
    signed: list[list[int]],
    agents: list[int],
    current: list[int],
    deadline: float,
    seed: int,
) -> tuple[list[int], tuple[dict[int, int], bool] | None]:
    """The jobs now on `agents`, and their best assignment to them (see `_part`)."""
    jobs = [j for j in range(inst.jobs) if current[j] in agents]
    left = min(PART_LIMIT_S, deadline - time.perf_counter())
    return jobs, _part(inst, signed, agents, jobs, current, left, seed)


def part_agents(inst: GapInstance, jobs_per_part: float | None = None) -> int:
    """Agents in the largest part: as many as hold about `jobs_per_part` jobs
    (JOBS_PER_PART if None), at least two."""
    jobs = JOBS_PER_PART if jobs_per_part is None else jobs_per_part
    return max(2, round(jobs * inst.agents / max(inst.jobs, 1)))


def improve(
    inst: GapInstance,
    signed: list[list[int]],
    assignment: tuple[int, ...],
    deadline: float,
    workers: int,
    seed: int,
    max_steps: float = float("inf"),
    jobs_per_part: float | None = None,
) -> Exchanged:
    """`assignment` (feasible) improved until `deadline` (a `time.perf_counter()` value),
    `max_steps` steps or when parts of every size have stalled (STALL_PARTS in a row
    without a cheaper answer, sizes from two agents up to `part_agents`); never
    dearer, and feasible after every step (each part keeps within its own agents'
    capacities, and the other agents' jobs do not move). When a part would hold every
    agent there is nothing to exchange — that is the whole model, which the caller
    solves better on all its workers — and `assignment` comes back as it is."""
    m = inst.agents
    current = list(assignment)
    largest = part_agents(inst, jobs_per_part)
    if largest >= m:
        return Exchanged(tuple(current), 0, 0, 0)
    rng = random.Random(seed)  # noqa: S311 - a search draw, not a secret
    size = 2  # agents a part now: the smallest first, one more each time they stall
    parts = better = proven = stalled = 0
    step = 0
    with ThreadPoolExecutor(max_workers=max(1, min(workers, m // 2))) as pool:
        while step < max_steps and time.perf_counter() < deadline - 0.01:
            if stalled >= STALL_PARTS:
                if size >= largest:
                    break  # every size spent
                size, stalled = size + 1, 0
            step += 1
            groups_per_step = max(1, min(workers, m // size))
            order = list(range(m))
            rng.shuffle(order)
            groups = [order[g * size : (g + 1) * size] for g in range(groups_per_step)]
            futures = [
                pool.submit(
                    _free_and_solve, inst, signed, g, current, deadline, rng.randrange(1 << 30)
                )
                for g in groups
            ]
            results = [f.result() for f in futures]
            # the groups are disjoint: each part's answer stands beside the others'
            for jobs, got in results:
                parts += 1
                if got is None:
                    continue
                chosen, optimal = got
                proven += optimal
                before = sum(signed[current[j]][j] for j in jobs)
                after = sum(signed[chosen[j]][j] for j in jobs)
                if after < before:
                    better += 1
                    stalled = 0
                elif optimal:
                    stalled += 1
                if after <= before:
                    for j in jobs:
                        current[j] = chosen[j]
    return Exchanged(tuple(current), parts, better, proven)
