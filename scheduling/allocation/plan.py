"""`allocate`, the one way in: what can be said without solving, the planner's pass as a
start, CP-SAT, and, when no plan exists, an elastic solve to say which capacity is short."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from . import cpsat
from .answer import answer
from .explain import capacity_notes, floor_warnings, up_front
from .greedy import greedy_plan
from .model import (
    Allocation,
    Line,
    Placement,
    Plan,
    Problem,
    Shop,
    Transport,
    Weights,
    options_of,
)

DEFAULT_WEIGHTS = Weights()  # frozen, so one shared default is safe

# A phase's name and, when a plan is at hand, a function that answers it (placements
# with reasons, checked). Reading a plan costs time the solver is kept waiting: call it
# inside the progress function only, and only as often as a page needs (once a second).
Progress = Callable[[str, Callable[[], Allocation] | None], None]


def _silent(phase: str, plan: Callable[[], Allocation] | None) -> None:
    return None


def allocate(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    weights: Weights = DEFAULT_WEIGHTS,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    *,
    transport: dict[tuple[str, str], Transport] | None = None,
    previous: Sequence[Placement] | None = None,
    progress: Progress | None = None,
) -> Allocation:
    """Plan the group's lines. `previous` (a former plan's placements) makes this a
    re-plan: stages that move to another shop or period pay `weights.move_*`.

    `progress`, when given, hears the phases ("checking", "first plan", "solving",
    "explaining") and each better plan the solver finds (the best so far)."""
    say = progress or _silent
    started = time.perf_counter()
    transport = transport or {}
    options = options_of(shops, lines)
    say("checking", None)
    explanation = up_front(shops, lines, transport, options)
    if explanation:
        return Allocation(
            "infeasible", None, None, None, time.perf_counter() - started, (), tuple(explanation)
        )
    prev = {p.line: p for p in previous or []}
    start = greedy_plan(shops, lines, periods, options, weights, transport)
    problem = Problem(shops, lines, periods, weights, transport, options, prev)
    if start:
        say("first plan", lambda: answer(problem, start, None, None, None))

    def better(objective: float, wall_s: float, read: Callable[[], Plan]) -> None:
        say("solving", lambda: answer(problem, read(), "feasible", objective, None))

    # The limit is on the whole answer (model building included): interactive use asks
    # for a plan within a few seconds, not for a few seconds of search.
    deadline = started + time_limit_s
    say("solving", None)
    solved = cpsat.solve(
        problem, deadline, workers, seed, start=start, on_plan=better if progress else None
    )
    if solved.plan is not None:
        result = answer(problem, solved.plan, solved.status, solved.objective, solved.bound)
    elif start and solved.status != "infeasible":
        # Out of time before the solver's first plan: the planner's pass is still a plan.
        result = answer(problem, start, None, None, solved.bound)
    else:
        result = Allocation(solved.status, None, None, None, 0.0)
    if result.status == "infeasible":
        say("explaining", None)
        # Explaining gets its own budget: a refusal without a reason is no answer.
        stretched = cpsat.solve(
            problem, time.perf_counter() + time_limit_s, workers, seed, elastic=True
        )
        notes = capacity_notes(problem, stretched.overflow_h, stretched.plan or {})
        result = replace(
            result,
            explanation=tuple(notes) or ("no plan exists, and no single capacity explains it",),
        )
    return replace(
        result,
        explanation=tuple(floor_warnings(shops, lines, options)) + result.explanation,
        time_s=time.perf_counter() - started,
    )
