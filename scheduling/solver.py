"""What every model here shares: how CP-SAT is run, what its statuses are called, and
the error a checker raises. Time limit, workers and seed always come from the caller."""

from __future__ import annotations

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


def run(
    model: cp_model.CpModel, time_limit_s: float, workers: int, seed: int
) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver, int(solver.solve(model))
