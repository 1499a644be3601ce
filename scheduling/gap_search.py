"""Generalized assignment on a core of the LP's cheapest pairs (issue 15, item 2).

Why: on the hard GAP types (D and E) the whole CP-SAT model spends most of its budget on
pairs that no good assignment uses — after 20 s on 2 workers it ends 0.3–1.4 % above its
bound on 100–400 jobs, no better than the plain model. The LP relaxation says which pairs
matter: an optimal assignment pays, over the LP value, the reduced cost of every pair it
uses (and the capacity price of room it leaves empty), and the optimum of these types is
a few tenths of a percent above the LP. So, as the exact GAP methods with variable fixing
do (Posta, Ferland & Michelon 2012; the "core problems" of knapsack solvers):

1. solve the LP relaxation (GLOP): its value is the bound, and its reduced costs rank
   every (agent, job) pair;
2. solve the model on the core only — the CORE_PER_JOB·n cheapest pairs, about two per
   job, plus the pairs of the best assignment so far — with CP-SAT and its knapsack cuts
   (linearization level 2): a tenth of the variables, so its search goes much further;
   it may take three quarters of the budget (CORE_SHARE) and stops sooner if proven;
3. improve the core's answer by exchanges among a few agents, each solved exactly on
   all its pairs (gap_exchange.py), parts of two agents first and larger ones as the
   smaller stall, for half the time left or until every size stalls;
4. solve the whole model from the best assignment with what time is left: it gives the
   bound and can prove an optimum. (Without a core answer to exchange from, or on an
   instance too small for parts, a larger core comes first, as before.)

A core optimum that costs no more than LP + the smallest reduced cost left outside is
optimal for the whole problem (any assignment using a pair outside pays at least that);
then the search stops and says so. If GLOP fails or no core has an assignment, the whole
model takes the budget that is left, as before.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from . import gap_exchange
from .instances import GapInstance

# The first core: the cheapest pairs by reduced cost, this many per job on average.
CORE_PER_JOB = 2.0
# Each next core is this much larger, and the last one gets the rest of the budget.
CORE_GROWTH = 1.6
CORE_ROUNDS = 2
# Share of the remaining budget a core gets when it is not the last. Measured at 20 s,
# 2 workers, median of seeds 0-2, the 8 type D/E instances, the same hour (with the
# growing parts of gap_exchange.py): 0.5 gives +0.101 %, 0.75 +0.084 %. On type D
# 20x200 the first core is not proven in 10 s and the exchanges after it find two to
# four cheaper parts: it is the core's search that makes the difference there. Where a
# core is proven sooner (types A-C) the share is not used up and passes on.
CORE_SHARE = 0.75
# Exchanges among a few agents after the first core (gap_exchange.py). Measured at 20 s,
# 2 workers, median of seeds 0-2, mean gap to the reference: on the four hardest
# instances (D 10x200, 20x200, 20x400, E 20x200) +0.098 % with them against +0.169 %
# without, the same hour; over all 8 type D/E instances +0.057 % with them (these with
# the exchanges taking all the time after the first core; see EXCHANGE_SHARE; the same
# setting re-run the next day gave +0.104 %: seeds and the day move the mean by a few
# hundredths of a point). False measures what they are worth.
EXCHANGE = True
# Share of the time left after the first core that the exchanges may take. All of it
# left the whole model too little to prove the optimum of type C at 60 s (c20200: 2,392
# after 60 s against the plain model's proven 2,391 in 27 s).
EXCHANGE_SHARE = 0.5


def _cost(signed: list[list[int]], assignment: tuple[int, ...] | list[int]) -> int:
    return sum(signed[a][j] for j, a in enumerate(assignment))


@dataclass(frozen=True)
class Searched:
    assignment: tuple[int, ...] | None  # agent of each job; None: nothing feasible found
    cost: int | None  # in the minimising sign (cost × sign)
    bound: float | None  # of the whole model, same sign
    proven: bool  # the whole model proved its answer optimal
    rounds: int  # cores solved, the exchanges counting as one
    infeasible: bool  # proved: no assignment exists


def lp_relaxation(
    inst: GapInstance, signed: list[list[int]]
) -> tuple[float, list[list[float]]] | None:
    """The LP relaxation (GLOP): its value, a lower bound of the minimised cost, and the
    reduced cost of every (agent, job). None when the LP is infeasible (then so is the
    instance) or GLOP fails."""
    from ortools.linear_solver import pywraplp

    m, n = inst.agents, inst.jobs
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    x = [[lp.NumVar(0.0, 1.0, "") for _ in range(n)] for _ in range(m)]
    for j in range(n):
        ct = lp.Constraint(1.0, 1.0)
        for i in range(m):
            ct.SetCoefficient(x[i][j], 1.0)
    for i in range(m):
        ct = lp.Constraint(-lp.infinity(), float(inst.capacities[i]))
        for j in range(n):
            ct.SetCoefficient(x[i][j], float(inst.resources[i][j]))
    objective = lp.Objective()
    for i in range(m):
        for j in range(n):
            objective.SetCoefficient(x[i][j], float(signed[i][j]))
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value(), [[x[i][j].reduced_cost() for j in range(n)] for i in range(m)]


def _core(
    inst: GapInstance,
    signed: list[list[int]],
    keep: set[tuple[int, int]],
    limit_s: float,
    workers: int,
    seed: int,
    hint: tuple[int, ...] | None,
    knapsack_cuts: bool,
) -> tuple[tuple[int, ...] | None, bool, float, bool]:
    """The model on the (agent, job) pairs in `keep` only: an assignment (or None),
    whether it is optimal for these pairs, the solver's bound for them, and whether
    it proved that these pairs hold no assignment at all."""
    m, n = inst.agents, inst.jobs
    model, x = gap_exchange.pairs_model(inst, signed, keep, range(m), range(n), hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(limit_s, 0.05)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if knapsack_cuts:
        # On a core, the knapsack cuts of level 2 pay for themselves (D 20×200 at 20 s:
        # 12,366 against 12,395 without); on the whole model they slow it down.
        solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False, -math.inf, status == cp_model.INFEASIBLE
    assignment = tuple(
        next(i for i in range(m) if (i, j) in x and solver.value(x[i, j])) for j in range(n)
    )
    return assignment, status == cp_model.OPTIMAL, float(solver.best_objective_bound), False


def search(
    inst: GapInstance,
    sense: str,
    time_limit_s: float,
    workers: int,
    seed: int,
    hint: tuple[int, ...] | None = None,
) -> Searched:
    started = time.perf_counter()
    deadline = started + time_limit_s
    sign = 1 if sense == "min" else -1
    m, n = inst.agents, inst.jobs
    signed = [[sign * c for c in row] for row in inst.costs]
    fits = {
        (i, j) for i in range(m) for j in range(n) if inst.resources[i][j] <= inst.capacities[i]
    }
    if any(all((i, j) not in fits for i in range(m)) for j in range(n)):
        return Searched(None, None, None, False, 0, True)  # a job no agent can take
    relaxed = lp_relaxation(inst, signed)
    if relaxed is None:  # GLOP failed: the whole model, as the plain one would
        lp_value, reduced = -math.inf, [[0.0] * n for _ in range(m)]
        ranked = [0.0]
    else:
        lp_value, reduced = relaxed
        ranked = sorted(reduced[i][j] for i, j in fits)
    bound = math.ceil(lp_value - 1e-6) if relaxed is not None else -math.inf  # integer costs
    found = hint
    proven = infeasible = False
    rounds = exchanged = 0
    per_job = CORE_PER_JOB
    while time.perf_counter() < deadline - 0.05:
        rounds += 1
        # the cheapest pairs by reduced cost; after CORE_ROUNDS cores, every pair
        whole = relaxed is None or rounds > CORE_ROUNDS
        delta = math.inf if whole else ranked[min(len(ranked) - 1, int(per_job * n))]
        keep = {(i, j) for i, j in fits if reduced[i][j] <= delta}
        if found is not None:
            keep |= {(a, j) for j, a in enumerate(found)}
        last = len(keep) >= len(fits)
        left = deadline - time.perf_counter()
        got, optimal, core_bound, none_here = _core(
            inst,
            signed,
            keep,
            left if last else left * CORE_SHARE,
            workers,
            seed,
            found,
            knapsack_cuts=not last,
        )
        if got is not None and (found is None or _cost(signed, got) < _cost(signed, found)):
            found = got
        if last:
            infeasible = none_here
            if core_bound > -math.inf:
                bound = max(bound, math.ceil(core_bound - 1e-6))
        # An assignment using a pair outside the core pays more than `delta` over the LP
        # (plus the price of any capacity it leaves unused, never negative): a core
        # optimum no dearer than LP + delta is optimal for the whole problem.
        if (
            optimal
            and found is not None
            and (last or _cost(signed, found) <= lp_value + delta + 1e-6)
        ):
            proven = True
        if proven or last:
            break
        if (
            found is not None
            and not exchanged
            and EXCHANGE
            and gap_exchange.part_agents(inst) < inst.agents  # else: the whole model next
        ):
            # a core answer to improve: exchanges among a few agents (gap_exchange.py)
            # find more than a larger core does, so they take its turn and its share;
            # the whole model keeps the rest (it proves the optimum of types A-C)
            until = time.perf_counter() + EXCHANGE_SHARE * (deadline - time.perf_counter())
            result = gap_exchange.improve(inst, signed, found, until, workers, seed)
            found, exchanged = result.assignment, result.parts
            rounds = max(rounds, CORE_ROUNDS)
        per_job *= CORE_GROWTH
    if found is None:
        return Searched(None, None, None, False, rounds, infeasible)
    cost = _cost(signed, found)
    if proven or cost <= bound:
        return Searched(found, cost, float(cost), True, rounds, False)
    return Searched(found, cost, float(bound), False, rounds, False)
