"""What every model here shares: how CP-SAT is run, what its statuses are called, and
the error a checker raises. Time limit, workers and seed always come from the caller."""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

STATUS: dict[int, str] = {
    int(cp_model.OPTIMAL): "optimal",
    int(cp_model.FEASIBLE): "feasible",
    int(cp_model.INFEASIBLE): "infeasible",
    int(cp_model.MODEL_INVALID): "invalid",
    int(cp_model.UNKNOWN): "unknown",
}


class InfeasibleSolution(AssertionError):
    """A checker found a violated constraint: a bug, never returned to a user."""


# Called on each better solution with the solver's objective, its wall time (s) and the
# solver's callback, from which the caller may read variable values (only during the call).
OnSolution = Callable[[float, float, cp_model.CpSolverSolutionCallback], None]


class _Relay(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: OnSolution) -> None:
        super().__init__()
        self._on_solution = on_solution

    def on_solution_callback(self) -> None:
        self._on_solution(self.objective_value, self.wall_time, self)


def run(
    model: cp_model.CpModel,
    time_limit_s: float,
    workers: int,
    seed: int,
    on_solution: OnSolution | None = None,
    lns_only: bool = False,
) -> tuple[cp_model.CpSolver, int]:
    """`lns_only`: every worker improves the hint by large neighbourhood search, none
    searches the whole tree — better answers sooner on large schedules, no proof."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.use_lns_only = lns_only
    if on_solution is None:
        return solver, int(solver.solve(model))
    return solver, int(solver.solve(model, _Relay(on_solution)))


# Share of the budget the whole search gets before neighbourhood search takes over.
FULL_SHARE = 0.25


def run_then_improve(
    model: cp_model.CpModel,
    time_limit_s: float,
    workers: int,
    seed: int,
    full_share: float = FULL_SHARE,
) -> tuple[cp_model.CpSolver, int, float | None]:
    """The whole search for `full_share` of the budget — the easy instances are proven
    optimal in it — then neighbourhood search on every worker from its best answer for
    the rest. Returns the solver holding the better answer, its status, and the whole
    search's bound (neighbourhood search proves nothing; None if there is no answer).

    Why: with 2 workers CP-SAT gives one to the tree search and interleaves all its
    neighbourhoods on the other; on schedules the tree search stops finding better
    answers early. Measured (median of 3 seeds, 20 s, 2 workers, bench/engines_frontier.py):
    Mk05 173 against 175 for the whole search alone; on Mk02 it is a toss-up at this
    budget (27 against plain's 26 in that run, 26 against 27 in an earlier one).
    """
    started = time.perf_counter()
    solver, status = run(model, time_limit_s * full_share, workers, seed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status != cp_model.UNKNOWN:
            return solver, status, None  # infeasible or invalid: nothing to improve
        # nothing found yet: the tree search keeps the rest, as the plain model would
        left = time_limit_s - (time.perf_counter() - started)
        solver, status = run(model, max(left, 0.05), workers, seed)
        ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        return solver, status, float(solver.best_objective_bound) if ok else None
    bound = float(solver.best_objective_bound)
    if status == cp_model.OPTIMAL:
        return solver, status, bound
    model.clear_hints()
    for index in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(index)
        model.add_hint(var, solver.value(var))
    left = time_limit_s - (time.perf_counter() - started)
    better, better_status = run(model, max(left, 0.05), workers, seed, lns_only=True)
    if better_status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
        better.objective_value < solver.objective_value
    ):
        return better, int(cp_model.FEASIBLE), bound
    return solver, status, bound
