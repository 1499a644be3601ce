"""From a plan ({line: [(shop, period) per stage]}, the solver's or the planner's) to the
answer: placements with their reasons, checked, and the objective of the plan priced by
hand when the solver did not price it."""

from __future__ import annotations

from collections.abc import Sequence

from .check import check_allocation
from .explain import starved
from .model import (
    Allocation,
    Placement,
    Plan,
    Problem,
    capable,
    group_hours,
    stage_cost,
    stages_of,
    work_h,
)


def answer(
    problem: Problem,
    plan: Plan,
    status: str | None,
    objective: float | None,
    bound: float | None,
) -> Allocation:
    """`status` and `objective` are the solver's; None for both: the plan is the
    planner's pass, returned because the solver found none in the time given."""
    placements = []
    total = 0.0
    moved = 0
    weights, transport = problem.weights, problem.transport
    for line in problem.lines:
        stages = stages_of(line)
        route = tuple(
            (procs, sid, p) for procs, (sid, p) in zip(stages, plan[line.id], strict=True)
        )
        cost = sum(stage_cost(line, sid, procs) for procs, sid, _ in route)
        hand = [(a[1], b[1]) for a, b in zip(route, route[1:], strict=False) if a[1] != b[1]]
        cost += sum(transport[a, b].cost_jpy for a, b in hand)
        last_p = route[-1][2]
        late = max(0, last_p - line.due_period)
        whole = [
            s.id for s in problem.shops if capable(s, line) is None and s.id not in line.declined_by
        ]
        others = sorted((line.cost_jpy[s], s) for s in whole if s != route[0][1] or len(route) > 1)
        runner = others[0][1] if others else None
        if len(route) == 1 or not hand:
            why = f"¥{cost:,.0f}"
            if others:
                why += f" vs ¥{others[0][0]:,.0f} at {runner}"
                if others[0][0] < cost:
                    why += " (cheaper shop full or over its share)"
        else:
            legs = " → ".join(f"{'+'.join(procs)} at {sid} (period {p})" for procs, sid, p in route)
            why = f"split: {legs}; ¥{cost:,.0f} incl. transport"
            if others:
                why += f" vs ¥{others[0][0]:,.0f} whole at {runner}"
        why += "; on time" if not late else f"; {late} period(s) late: no capacity earlier"
        if line.pinned_to:
            why = "pinned by the coordinator; " + why
        prev = problem.previous.get(line.id)
        if prev is not None and [r[0] for r in prev.route(line)] == stages:
            changed = sum(1 for a, b in zip(prev.route(line), route, strict=True) if a[1] != b[1])
            moved += changed
            if changed:
                why += f"; moved from {prev.shop}"
        placements.append(
            Placement(
                line.id,
                route[0][1],
                last_p,
                cost,
                late,
                why,
                runner,
                route if len(route) > 1 else (),
            )
        )
        total += cost * weights.cost_per_jpy + late * weights.tardiness_per_period
    check_allocation(problem.shops, problem.lines, problem.periods, placements, transport)
    total += _fairness_cost(problem, placements) + _move_cost(problem, placements)
    notes = starved(problem, placements)
    if status is None:
        notes.insert(0, "the solver found no plan in the time given: this is the planner's pass")
    value = objective if objective is not None else total
    gap = None if bound is None else abs(value - bound) / max(abs(value), 1e-9)
    return Allocation(
        status or "feasible", value, bound, gap, 0.0, tuple(placements), tuple(notes), moved
    )


def _fairness_cost(problem: Problem, placements: Sequence[Placement]) -> float:
    work = work_h(problem, placements)
    total = group_hours(problem.lines, problem.shops)
    weights = problem.weights
    fair = sum(
        round(weights.fairness_per_hour) * abs(work.get(s.id, 0.0) - s.target_share * total)
        for s in problem.shops
        if s.target_share > 0
    )
    starved_h = sum(
        round(weights.starved_per_hour) * max(0.0, s.min_share * total - work.get(s.id, 0.0))
        for s in problem.shops
        if s.min_share
    )
    return fair + starved_h


def _move_cost(problem: Problem, placements: Sequence[Placement]) -> float:
    cost = 0.0
    for pl in placements:
        before = problem.previous.get(pl.line)
        line = problem.line[pl.line]
        if before is None or [r[0] for r in before.route(line)] != stages_of(line):
            continue
        for (_, s0, p0), (_, s1, p1) in zip(before.route(line), pl.route(line), strict=True):
            cost += problem.weights.move_per_stage * (s0 != s1)
            cost += problem.weights.move_per_period * abs(p1 - p0)
    return cost
