"""Why no plan exists, or why the plan falls short, in words a coordinator can act on:
lines nobody can make, pins that cannot hold, split routes with no transport and
minimum shares out of reach (all said before solving), floors a plan leaves unmet, and
the capacities an elastic solve had to stretch."""

from __future__ import annotations

from collections.abc import Sequence

from .model import (
    Line,
    Options,
    Placement,
    Plan,
    Problem,
    Shop,
    Transport,
    capable,
    group_hours,
    stages_of,
    work_h,
)


def up_front(
    shops: list[Shop],
    lines: list[Line],
    transport: dict[tuple[str, str], Transport],
    options: Options,
) -> list[str]:
    """Lines nobody can make, pins that cannot hold, split routes with no transport."""
    explanation = []
    for line in lines:
        for procs in stages_of(line):
            what = "" if len(stages_of(line)) == 1 else f" {'+'.join(procs)}"
            reasons = {
                s.id: capable(s, line, procs) or ("declined" if s.id in line.declined_by else None)
                for s in shops
            }
            if line.pinned_to:
                why = reasons.get(line.pinned_to, "unknown shop")
                if why is not None:
                    explanation.append(
                        f"{line.id}{what}: pinned to {line.pinned_to}, which cannot take it ({why})"
                    )
                    break
            elif all(r is not None for r in reasons.values()):
                why = "; ".join(f"{sid}: {r}" for sid, r in reasons.items())
                explanation.append(f"{line.id}{what}: no capable shop ({why})")
                break
    if explanation:
        return explanation
    for line in lines:
        stages = stages_of(line)
        reach = {s.id for s in options[line.id, 0]}
        for k in range(1, len(stages)):
            nxt = {
                b.id
                for b in options[line.id, k]
                if any(a == b.id or (a, b.id) in transport for a in reach)
            }
            if not nxt:
                explanation.append(
                    f"{line.id}: no route for {'+'.join(stages[k])} after {'+'.join(stages[k - 1])}: "
                    f"it is done at {', '.join(sorted(reach))} and {'+'.join(stages[k])} only at "
                    f"{', '.join(sorted(s.id for s in options[line.id, k]))}, with no transport between"
                )
                break
            reach = nxt
    return explanation


def floor_warnings(shops: list[Shop], lines: list[Line], options: Options) -> list[str]:
    """Minimum shares no plan can meet: said up front, then planned as near as possible."""
    explanation = []
    total = group_hours(lines, shops)
    if sum(s.min_share for s in shops) > 1 + 1e-9:
        explanation.append(
            f"minimum shares add up to {100 * sum(s.min_share for s in shops):.0f} % of the work"
        )
    for shop in shops:
        if not shop.min_share:
            continue
        can = sum(
            sum(line.hours[shop.id].get(p, 0.0) for p in procs)
            for line in lines
            for k, procs in enumerate(stages_of(line))
            if shop in options[line.id, k]
        )
        need = shop.min_share * total
        if can + 1e-9 < need:
            explanation.append(
                f"minimum share: {shop.id} needs {need:.1f} h of the group's {total:.1f} h, "
                f"but can make only {can:.1f} h of it"
            )
    return explanation


def starved(problem: Problem, placements: Sequence[Placement]) -> list[str]:
    """The minimum shares a plan leaves unmet."""
    work = work_h(problem, placements)
    total = group_hours(problem.lines, problem.shops)
    return [
        f"minimum share: {s.id} has {work.get(s.id, 0.0):.1f} h, under its floor of "
        f"{s.min_share * total:.1f} h (capacity or due dates leave no more it can make)"
        for s in problem.shops
        if s.min_share and work.get(s.id, 0.0) + 1e-6 < s.min_share * total
    ]


def capacity_notes(
    problem: Problem, overflow_h: dict[tuple[str, str, int], float], plan: Plan
) -> list[str]:
    """Where a plan with elastic capacity had to stretch (shop, process, period, by how
    many hours), and which lines it put there."""
    notes = []
    for (sid, proc, p), over in overflow_h.items():
        if over <= 0:
            continue
        who = sorted(
            {
                lid
                for lid, route in plan.items()
                for k, (s, pp) in enumerate(route)
                if s == sid and pp == p and proc in stages_of(problem.line[lid])[k]
            }
        )
        notes.append(
            f"capacity: {sid} {proc} in period {p} is short by {over:.2f} h (lines {', '.join(who)})"
        )
    return notes
