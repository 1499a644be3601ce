"""Generalized assignment on CP-SAT, and an independent checker of its answers.

The plain model is the textbook one (an exactly-one per job, a knapsack per agent),
solved whole. Ours (`gap_search`) solves the LP relaxation first and lets CP-SAT search
the pairs the LP ranks cheapest, growing that core round by round, with the
greedy-with-regret assignment as its first hint when one exists. Both are checked by
the same independent checker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .gap_search import search
from .instances import GapInstance
from .solver import STATUS, InfeasibleSolution, run


@dataclass(frozen=True)
class GapResult:
    instance: str
    sense: str
    model: str
    status: str
    objective: int | None
    bound: float | None
    gap: float | None  # |objective − bound| / |objective|
    time_s: float
    assignment: tuple[int, ...]  # agent of each job

    def as_dict(self) -> dict[str, object]:
        return {
            "instance": self.instance,
            "sense": self.sense,
            "model": self.model,
            "objective": self.objective,
            "bound": self.bound,
            "status": self.status,
            "gap": self.gap,
            "time_s": round(self.time_s, 3),
            "assignment": list(self.assignment),
        }


def check_gap(inst: GapInstance, assignment: tuple[int, ...], objective: int) -> None:
    """Independent of the model: every job on a real agent, no agent over capacity, and
    the objective recomputed from the data."""
    if len(assignment) != inst.jobs:
        raise InfeasibleSolution(f"{len(assignment)} jobs assigned, {inst.jobs} expected")
    load = [0] * inst.agents
    total = 0
    for job, agent in enumerate(assignment):
        if not 0 <= agent < inst.agents:
            raise InfeasibleSolution(f"job {job} on agent {agent}")
        load[agent] += inst.resources[agent][job]
        total += inst.costs[agent][job]
    for agent, (used, cap) in enumerate(zip(load, inst.capacities, strict=True)):
        if used > cap:
            raise InfeasibleSolution(f"agent {agent} uses {used} > capacity {cap}")
    if total != objective:
        raise InfeasibleSolution(f"objective {objective} but the assignment costs {total}")


def greedy(inst: GapInstance, sense: str) -> tuple[int, ...] | None:
    """Martello–Toth style: place first the job that would lose most by not getting its
    best agent (its regret), on that agent if it still fits."""
    sign = 1 if sense == "min" else -1
    free = list(inst.capacities)
    left = set(range(inst.jobs))
    out = [-1] * inst.jobs
    while left:
        best_job, best_agent, best_regret = None, None, None
        for j in left:
            options = sorted(
                (sign * inst.costs[i][j], i)
                for i in range(inst.agents)
                if inst.resources[i][j] <= free[i]
            )
            if not options:
                return None
            regret = options[1][0] - options[0][0] if len(options) > 1 else float("inf")
            if best_regret is None or regret > best_regret:
                best_job, best_agent, best_regret = j, options[0][1], regret
        assert best_job is not None and best_agent is not None
        out[best_job] = best_agent
        free[best_agent] -= inst.resources[best_agent][best_job]
        left.discard(best_job)
    return tuple(out)


def solve_gap(
    inst: GapInstance,
    sense: str = "min",
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    model_kind: str = "ours",
) -> GapResult:
    if sense not in {"min", "max"}:
        raise ValueError("sense is 'min' or 'max'")
    started = time.perf_counter()
    if model_kind == "ours":
        return _solve_ours(inst, sense, time_limit_s, workers, seed)
    # data
    m, n = inst.agents, inst.jobs
    # variables
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for i in range(m):
        for j in range(n):
            x[i, j] = model.new_bool_var(f"x{i}_{j}")
    # constraints
    for j in range(n):
        model.add_exactly_one(x[i, j] for i in range(m) if (i, j) in x)
    for i in range(m):
        model.add(
            sum(inst.resources[i][j] * x[i, j] for j in range(n) if (i, j) in x)
            <= inst.capacities[i]
        )
    # objective
    cost = sum(inst.costs[i][j] * v for (i, j), v in x.items())
    if sense == "min":
        model.minimize(cost)
    else:
        model.maximize(cost)
    # solve
    solver, status = run(model, time_limit_s, workers, seed)
    # extract
    elapsed = time.perf_counter() - started
    name = STATUS.get(status, "unknown")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return GapResult(inst.name, sense, model_kind, name, None, None, None, elapsed, ())
    assignment = tuple(
        next(i for i in range(m) if (i, j) in x and solver.value(x[i, j])) for j in range(n)
    )
    objective = int(round(solver.objective_value))
    check_gap(inst, assignment, objective)
    bound = float(solver.best_objective_bound)
    gap = abs(objective - bound) / max(abs(objective), 1)
    return GapResult(inst.name, sense, model_kind, name, objective, bound, gap, elapsed, assignment)


def _solve_ours(
    inst: GapInstance, sense: str, time_limit_s: float, workers: int, seed: int
) -> GapResult:
    started = time.perf_counter()
    sign = 1 if sense == "min" else -1
    found = search(inst, sense, time_limit_s, workers, seed, hint=greedy(inst, sense))
    elapsed = time.perf_counter() - started
    if found.assignment is None or found.cost is None:
        status = "infeasible" if found.infeasible else "unknown"
        return GapResult(inst.name, sense, "ours", status, None, None, None, elapsed, ())
    objective = sign * found.cost
    check_gap(inst, found.assignment, objective)
    bound = None if found.bound is None else sign * found.bound
    gap = None if bound is None else abs(objective - bound) / max(abs(objective), 1)
    status = "optimal" if found.proven else "feasible"
    return GapResult(
        inst.name, sense, "ours", status, objective, bound, gap, elapsed, found.assignment
    )
