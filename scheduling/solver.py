"""What every model here shares: how CP-SAT is run, what its statuses are called, and
the error a checker raises. Time limit, workers and seed always come from the caller."""

from __future__ import annotations

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
) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if on_solution is None:
        return solver, int(solver.solve(model))
    return solver, int(solver.solve(model, _Relay(on_solution)))
