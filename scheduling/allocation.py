"""Allocating a supplier group's order lines to member shops (CP-SAT).

Each line goes, whole, to one capable shop in one period (a day or a week) no later than
needed: capability (processes, material, thickness, part size), capacity per shop,
process and period, lines a shop declined are excluded, lines the coordinator pinned
stay. The objective weighs cost, tardiness and fairness (each shop's share of the work
kept near its target). When no plan exists, the answer says which lines and which
constraint: no capable shop, a pin that cannot hold, or capacity (found by solving again
with elastic capacity and reading where it had to stretch).

Not yet here: splitting one line's processes across shops with transport between them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .solver import STATUS, InfeasibleSolution, run

SCALE = 100  # costs and hours are kept to 1/100 in the integer model


@dataclass(frozen=True)
class Shop:
    id: str
    processes: frozenset[str]
    materials: frozenset[str]
    thickness_mm: tuple[float, float]
    max_part_mm: tuple[float, float]  # long side, short side
    capacity_h: dict[str, tuple[float, ...]]  # process → hours per period
    target_share: float = 0.0  # of the group's work hours; 0 = no fairness target


@dataclass(frozen=True)
class Line:
    id: str
    processes: tuple[str, ...]
    material: str
    thickness_mm: float
    size_mm: tuple[float, float]
    due_period: int
    cost_jpy: dict[str, float]  # per shop, from that shop's quote
    hours: dict[str, dict[str, float]]  # per shop: process → hours
    declined_by: frozenset[str] = frozenset()
    pinned_to: str | None = None


@dataclass(frozen=True)
class Weights:
    cost_per_jpy: float = 1.0
    tardiness_per_period: float = 5000.0
    fairness_per_hour: float = 200.0  # per hour a shop's work is away from its target share


@dataclass(frozen=True)
class Placement:
    line: str
    shop: str
    period: int
    cost_jpy: float
    late_periods: int
    why: str
    runner_up: str | None


@dataclass
class Allocation:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    time_s: float
    placements: list[Placement] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "time_s": round(self.time_s, 3),
            "explanation": self.explanation,
            "assignment": [p.__dict__ for p in self.placements],
        }


def capable(shop: Shop, line: Line) -> str | None:
    """None if the shop can make the line, else why not (for explanations)."""
    missing = set(line.processes) - shop.processes
    if missing:
        return f"no {', '.join(sorted(missing))}"
    if line.material not in shop.materials:
        return f"no {line.material}"
    lo, hi = shop.thickness_mm
    if not lo <= line.thickness_mm <= hi:
        return f"thickness {line.thickness_mm:g} mm outside {lo:g}–{hi:g}"
    if line.size_mm[0] > shop.max_part_mm[0] or line.size_mm[1] > shop.max_part_mm[1]:
        return f"part {line.size_mm[0]:g}×{line.size_mm[1]:g} larger than {shop.max_part_mm[0]:g}×{shop.max_part_mm[1]:g}"
    if shop.id not in line.cost_jpy or shop.id not in line.hours:
        return "no quote"
    return None


def check_allocation(
    shops: list[Shop], lines: list[Line], periods: int, placements: list[Placement]
) -> None:
    by_id = {s.id: s for s in shops}
    placed = {p.line: p for p in placements}
    if set(placed) != {line.id for line in lines}:
        raise InfeasibleSolution("not every line is placed exactly once")
    load: dict[tuple[str, str, int], float] = {}
    for line in lines:
        p = placed[line.id]
        shop = by_id[p.shop]
        if capable(shop, line) or p.shop in line.declined_by:
            raise InfeasibleSolution(f"{line.id} on {p.shop}, which cannot or will not make it")
        if line.pinned_to and p.shop != line.pinned_to:
            raise InfeasibleSolution(f"{line.id} was pinned to {line.pinned_to}")
        if not 0 <= p.period < periods:
            raise InfeasibleSolution(f"{line.id} in period {p.period}")
        for proc, h in line.hours[p.shop].items():
            load[p.shop, proc, p.period] = load.get((p.shop, proc, p.period), 0.0) + h
    for (shop_id, proc, period), used in load.items():
        cap = by_id[shop_id].capacity_h.get(proc, ())
        if used > (cap[period] if period < len(cap) else 0.0) + 1e-6:
            raise InfeasibleSolution(
                f"{shop_id} {proc} period {period}: {used:.2f} h over capacity"
            )


def greedy_plan(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    options: dict[str, list[Shop]],
    weights: Weights,
) -> dict[str, tuple[str, int]] | None:
    """A planner's first pass: earliest due and fewest options first, each line to the
    cheapest shop and period that is on time and has room. None if it paints itself
    into a corner (the solver may still find a plan)."""
    room = {
        (s.id, proc, p): (s.capacity_h[proc][p] if p < len(s.capacity_h.get(proc, ())) else 0.0)
        for s in shops
        for proc in s.capacity_h
        for p in range(periods)
    }
    plan: dict[str, tuple[str, int]] = {}
    for line in sorted(lines, key=lambda li: (li.due_period, len(options[li.id]))):
        choices = []
        for shop in options[line.id]:
            for p in range(periods):
                late = max(0, p - line.due_period)
                # Latest on-time period first keeps early capacity for tighter lines.
                choices.append(
                    (
                        line.cost_jpy[shop.id] * weights.cost_per_jpy
                        + late * weights.tardiness_per_period,
                        -p if not late else p,
                        shop.id,
                        p,
                    )
                )
        for _, _, sid, p in sorted(choices):
            need = line.hours[sid]
            if all(room.get((sid, proc, p), 0.0) >= h for proc, h in need.items()):
                for proc, h in need.items():
                    room[sid, proc, p] -= h
                plan[line.id] = (sid, p)
                break
        else:
            return None
    return plan


def allocate(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    weights: Weights = Weights(),
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
) -> Allocation:
    started = time.perf_counter()
    # Explanations that need no solver: lines nobody can make, pins that cannot hold.
    explanation = []
    options: dict[str, list[Shop]] = {}
    for line in lines:
        reasons = {
            s.id: capable(s, line) or ("declined" if s.id in line.declined_by else None)
            for s in shops
        }
        ok = [s for s in shops if reasons[s.id] is None]
        if line.pinned_to:
            if reasons.get(line.pinned_to, "unknown shop") is not None:
                explanation.append(
                    f"{line.id}: pinned to {line.pinned_to}, which cannot take it "
                    f"({reasons.get(line.pinned_to, 'unknown shop')})"
                )
            ok = [s for s in ok if s.id == line.pinned_to]
        if not ok and not line.pinned_to:
            why = "; ".join(f"{sid}: {r}" for sid, r in reasons.items())
            explanation.append(f"{line.id}: no capable shop ({why})")
        options[line.id] = ok
    if explanation:
        return Allocation(
            "infeasible", None, None, None, time.perf_counter() - started, [], explanation
        )

    start = greedy_plan(shops, lines, periods, options, weights)
    result = _solve(
        shops,
        lines,
        periods,
        weights,
        options,
        time_limit_s,
        workers,
        seed,
        elastic=False,
        start=start,
    )
    if result.status == "infeasible":
        stretched = _solve(
            shops, lines, periods, weights, options, time_limit_s, workers, seed, elastic=True
        )
        result.explanation = stretched.explanation or [
            "no plan exists, and no single capacity explains it"
        ]
    result.time_s = time.perf_counter() - started
    return result


def _solve(
    shops, lines, periods, weights, options, time_limit_s, workers, seed, elastic, start=None
):  # type: ignore[no-untyped-def]
    model = cp_model.CpModel()
    lines_by_id = {line.id: line for line in lines}
    # variables: x[line, shop, period]
    x = {}
    for line in lines:
        for shop in options[line.id]:
            for p in range(periods):
                x[line.id, shop.id, p] = model.new_bool_var(f"x_{line.id}_{shop.id}_{p}")
    # constraints: each line once; capacity per shop, process, period (elastic: with overflow)
    for line in lines:
        model.add_exactly_one(v for (lid, _, _), v in x.items() if lid == line.id)
    overflow = {}
    for shop in shops:
        for proc in {p for line in lines for p in line.processes}:
            cap = shop.capacity_h.get(proc, ())
            for p in range(periods):
                terms = [
                    int(round(line.hours[shop.id].get(proc, 0.0) * SCALE)) * x[line.id, shop.id, p]
                    for line in lines
                    if (line.id, shop.id, p) in x and proc in line.processes
                ]
                if not terms:
                    continue
                limit = int(round((cap[p] if p < len(cap) else 0.0) * SCALE))
                if elastic:
                    o = model.new_int_var(0, 10**9, f"over_{shop.id}_{proc}_{p}")
                    overflow[shop.id, proc, p] = o
                    model.add(sum(terms) <= limit + o)
                else:
                    model.add(sum(terms) <= limit)
    # objective: cost, tardiness, fairness (shares of hours around targets)
    cost_terms = []
    for (lid, sid, p), v in x.items():
        line = lines_by_id[lid]
        late = max(0, p - line.due_period)
        cost_terms.append(
            int(
                round(
                    (
                        weights.cost_per_jpy * line.cost_jpy[sid]
                        + weights.tardiness_per_period * late
                    )
                    * SCALE
                )
            )
            * v
        )
    fairness = []
    total_h = sum(min(sum(line.hours[s.id].values()) for s in options[line.id]) for line in lines)
    for shop in shops:
        if shop.target_share <= 0:
            continue
        work = sum(
            int(round(sum(lines_by_id[lid].hours[sid].values()) * SCALE)) * v
            for (lid, sid, _), v in x.items()
            if sid == shop.id
        )
        target = int(round(shop.target_share * total_h * SCALE))
        dev = model.new_int_var(0, 10**9, f"dev_{shop.id}")
        model.add(dev >= work - target)
        model.add(dev >= target - work)
        fairness.append(int(round(weights.fairness_per_hour)) * dev)
    objective = sum(cost_terms) + sum(fairness)
    if elastic:
        objective = sum(10**6 * o for o in overflow.values())  # only: where must capacity stretch?
    model.minimize(objective)
    if start:
        for (lid, sid, p), v in x.items():
            model.add_hint(v, start[lid] == (sid, p))
    solver, status = run(model, time_limit_s, workers, seed)
    name = STATUS.get(status, "unknown")
    if (
        status not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        and start
        and status != cp_model.INFEASIBLE
    ):
        # Out of time before the solver's first plan: the planner's pass is still a plan.
        return _from_plan(start, shops, lines, periods, options, weights, solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Allocation(name, None, None, None, 0.0)
    if elastic:
        notes = []
        for (sid, proc, p), o in overflow.items():
            over = solver.value(o) / SCALE
            if over > 0:
                who = sorted(
                    lid
                    for (lid, s, pp), v in x.items()
                    if s == sid
                    and pp == p
                    and solver.value(v)
                    and proc in lines_by_id[lid].processes
                )
                notes.append(
                    f"capacity: {sid} {proc} in period {p} is short by {over:.2f} h "
                    f"(lines {', '.join(who)})"
                )
        return Allocation("infeasible", None, None, None, 0.0, [], notes)
    plan = {lid: (sid, p) for (lid, sid, p), v in x.items() if solver.value(v)}
    result = _from_plan(plan, shops, lines, periods, options, weights, solver)
    result.status = name
    return result


def _from_plan(plan, shops, lines, periods, options, weights, solver):  # type: ignore[no-untyped-def]
    """Placements with their reasons, checked, from a {line: (shop, period)} plan."""
    placements = []
    total = 0.0
    for line in lines:
        sid, p = plan[line.id]
        others = sorted((line.cost_jpy[s.id], s.id) for s in options[line.id] if s.id != sid)
        runner = others[0][1] if others else None
        late = max(0, p - line.due_period)
        why = f"¥{line.cost_jpy[sid]:,.0f}"
        if others:
            why += f" vs ¥{others[0][0]:,.0f} at {runner}"
            if others[0][0] < line.cost_jpy[sid]:
                why += " (cheaper shop full or over its share)"
        why += "; on time" if not late else f"; {late} period(s) late: no capacity earlier"
        if line.pinned_to:
            why = "pinned by the coordinator; " + why
        placements.append(Placement(line.id, sid, p, line.cost_jpy[sid], late, why, runner))
        total += line.cost_jpy[sid] * weights.cost_per_jpy + late * weights.tardiness_per_period
    check_allocation(shops, lines, periods, placements)
    has_solution = solver.response_proto.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    objective_value = solver.objective_value / SCALE if has_solution else total
    bound = solver.best_objective_bound / SCALE
    gap = abs(objective_value - bound) / max(abs(objective_value), 1e-9)
    return Allocation("feasible", objective_value, bound, gap, 0.0, placements)
