"""Allocating a supplier group's order lines to member shops (CP-SAT).

A line goes to capable shops in periods (days or weeks) as one or more *stages*: a line
that must stay whole is one stage (all its processes at one shop in one period); a line
marked splittable has one stage per process, in order, each at any capable shop, so it
can be cut at A and bent at B, with the transport between A and B taking whole periods
and costing money (a pair of shops with no transport given cannot hand work over).

Constraints: capability (process, material, thickness, part size), capacity per shop,
process and period, lines a shop declined are excluded, lines the coordinator pinned
stay (every stage at the pinned shop), stage order with transport time, and a minimum
share of the group's hours per shop ("no member starved"). The objective weighs cost
(incl. transport), tardiness, fairness (each shop's hours kept near its target share)
and, when re-planning, moves away from the previous plan. When no plan exists, the answer
says which lines and which constraint: no capable shop, a pin that cannot hold, a share
that cannot be met, or capacity (found by solving again with elastic capacity and
reading where it had to stretch).

A shop's quote is for the whole line; a stage is charged the quote's share of that
shop's hours for the stage's processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

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
    min_share: float = 0.0  # floor of the group's work hours: no member starved (see Weights)


@dataclass(frozen=True)
class Line:
    id: str
    processes: tuple[str, ...]  # in the order they are done
    material: str
    thickness_mm: float
    size_mm: tuple[float, float]
    due_period: int
    cost_jpy: dict[str, float]  # per shop, from that shop's quote
    hours: dict[str, dict[str, float]]  # per shop: process → hours
    declined_by: frozenset[str] = frozenset()
    pinned_to: str | None = None
    splittable: bool = False  # its processes may go to different shops


@dataclass(frozen=True)
class Transport:
    periods: int  # from the end of one stage's period to the earliest period of the next
    cost_jpy: float  # per line handed over


@dataclass(frozen=True)
class Weights:
    cost_per_jpy: float = 1.0
    tardiness_per_period: float = 5000.0
    fairness_per_hour: float = 200.0  # per hour a shop's work is away from its target share
    move_per_stage: float = 0.0  # re-planning: per stage sent to another shop than before
    move_per_period: float = 0.0  # re-planning: per period a stage moves in time
    starved_per_hour: float = 100_000.0  # per hour a shop is under its minimum share


Stage = tuple[tuple[str, ...], str, int]  # (processes, shop, period)


@dataclass(frozen=True)
class Placement:
    line: str
    shop: str  # the (first) stage's shop
    period: int  # the last stage's period: when the line is done
    cost_jpy: float  # including transport
    late_periods: int
    why: str
    runner_up: str | None
    stages: tuple[Stage, ...] = ()  # empty: the whole line at `shop` in `period`

    def route(self, line: Line) -> tuple[Stage, ...]:
        return self.stages or ((line.processes, self.shop, self.period),)


@dataclass
class Allocation:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    time_s: float
    placements: list[Placement] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    moved: int = 0  # stages placed at another shop than in the previous plan

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "time_s": round(self.time_s, 3),
            "explanation": self.explanation,
            "moved": self.moved,
            "assignment": [p.__dict__ for p in self.placements],
        }


def stages_of(line: Line) -> list[tuple[str, ...]]:
    if line.splittable and len(line.processes) > 1:
        return [(p,) for p in line.processes]
    return [line.processes]


def capable(shop: Shop, line: Line, processes: tuple[str, ...] | None = None) -> str | None:
    """None if the shop can do these processes of the line (all by default), else why not."""
    missing = set(processes or line.processes) - shop.processes
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


def stage_cost(line: Line, shop: str, processes: tuple[str, ...]) -> float:
    hours = line.hours[shop]
    total = sum(hours.values())
    if total <= 0:
        return line.cost_jpy[shop] * len(processes) / max(len(line.processes), 1)
    return line.cost_jpy[shop] * sum(hours.get(p, 0.0) for p in processes) / total


def group_hours(lines: list[Line], shops: list[Shop]) -> float:
    """The work to share: each line at the shop that needs the fewest hours for it."""
    return sum(
        min((sum(line.hours[s.id].values()) for s in shops if s.id in line.hours), default=0.0)
        for line in lines
    )


def check_allocation(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    placements: list[Placement],
    transport: dict[tuple[str, str], Transport] | None = None,
) -> None:
    """Independent of the model: every rule, checked on the answer."""
    transport = transport or {}
    by_id = {s.id: s for s in shops}
    placed = {p.line: p for p in placements}
    if set(placed) != {line.id for line in lines} or len(placed) != len(placements):
        raise InfeasibleSolution("not every line is placed exactly once")
    load: dict[tuple[str, str, int], float] = {}
    work: dict[str, float] = {}
    for line in lines:
        route = placed[line.id].route(line)
        if [procs for procs, _, _ in route] != stages_of(line):
            raise InfeasibleSolution(f"{line.id}: stages {route} are not its processes in order")
        for k, (procs, sid, p) in enumerate(route):
            shop = by_id.get(sid)
            if shop is None or capable(shop, line, procs) or sid in line.declined_by:
                raise InfeasibleSolution(f"{line.id} {procs} on {sid}, which cannot or will not")
            if line.pinned_to and sid != line.pinned_to:
                raise InfeasibleSolution(f"{line.id} was pinned to {line.pinned_to}")
            if not 0 <= p < periods:
                raise InfeasibleSolution(f"{line.id} in period {p}")
            if k:
                _, prev_sid, prev_p = route[k - 1]
                gap = 0
                if prev_sid != sid:
                    if (prev_sid, sid) not in transport:
                        raise InfeasibleSolution(f"{line.id}: no transport {prev_sid}→{sid}")
                    gap = transport[prev_sid, sid].periods
                if p < prev_p + gap:
                    raise InfeasibleSolution(f"{line.id}: stage {k} before its predecessor arrives")
            for proc in procs:
                h = line.hours[sid].get(proc, 0.0)
                load[sid, proc, p] = load.get((sid, proc, p), 0.0) + h
                work[sid] = work.get(sid, 0.0) + h
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
    options: dict[tuple[str, int], list[Shop]],
    weights: Weights,
    transport: dict[tuple[str, str], Transport] | None = None,
) -> dict[str, list[tuple[str, int]]] | None:
    """A planner's first pass: earliest due and fewest options first, each stage to the
    cheapest shop and period that is on time, reachable and has room. None if it paints
    itself into a corner (the solver may still find a plan)."""
    transport = transport or {}
    room = {
        (s.id, proc, p): (s.capacity_h[proc][p] if p < len(s.capacity_h.get(proc, ())) else 0.0)
        for s in shops
        for proc in s.capacity_h
        for p in range(periods)
    }
    plan: dict[str, list[tuple[str, int]]] = {}
    order = sorted(
        lines,
        key=lambda li: (
            li.due_period,
            min(len(options[li.id, k]) for k in range(len(stages_of(li)))),
        ),
    )
    for line in order:
        stages = stages_of(line)
        route = _stagewise(line, stages, options, weights, transport, room, periods)
        if len(stages) > 1:
            # A splittable line may still be best made whole: try that too, keep the cheaper.
            whole = _whole(line, stages, options, weights, room, periods)
            if whole is not None and (route is None or whole[0] <= route[0]):
                route = whole
        if route is None:
            return None
        price, steps = route
        for (sid, p), procs in zip(steps, stages, strict=True):
            for proc in procs:
                room[sid, proc, p] -= line.hours[sid].get(proc, 0.0)
        plan[line.id] = steps
    _fill_floors(plan, shops, lines, periods, room)
    return plan


Route = tuple[float, list[tuple[str, int]]]  # price, [(shop, period) per stage]


def _stagewise(line, stages, options, weights, transport, room, periods) -> Route | None:  # type: ignore[no-untyped-def]
    """Each stage to the cheapest reachable shop and period with room (room is only
    read: the caller books the route it keeps)."""
    used: dict[tuple[str, str, int], float] = {}
    steps: list[tuple[str, int]] = []
    total = 0.0
    for k, procs in enumerate(stages):
        choices = []
        for shop in options[line.id, k]:
            earliest, extra = 0, 0.0
            if steps:
                prev_sid, prev_p = steps[-1]
                if prev_sid != shop.id:
                    if (prev_sid, shop.id) not in transport:
                        continue
                    earliest = prev_p + transport[prev_sid, shop.id].periods
                    extra = transport[prev_sid, shop.id].cost_jpy
                else:
                    earliest = prev_p
            for p in range(earliest, periods):
                late = max(0, p - line.due_period) if k == len(stages) - 1 else 0
                price = (stage_cost(line, shop.id, procs) + extra) * weights.cost_per_jpy
                # Latest on-time period first keeps early capacity for tighter lines, but
                # a stage with more after it must leave them time.
                key = -p if (not late and k == len(stages) - 1) else p
                choices.append((price + late * weights.tardiness_per_period, key, shop.id, p))
        for cost, _, sid, p in sorted(choices):
            need = {proc: line.hours[sid].get(proc, 0.0) for proc in procs}
            if all(
                room.get((sid, proc, p), 0.0) - used.get((sid, proc, p), 0.0) >= h
                for proc, h in need.items()
            ):
                for proc, h in need.items():
                    used[sid, proc, p] = used.get((sid, proc, p), 0.0) + h
                steps.append((sid, p))
                total += cost
                break
        else:
            return None
    return total, steps


def _whole(line, stages, options, weights, room, periods) -> Route | None:  # type: ignore[no-untyped-def]
    """The line made whole at one shop in one period: the cheapest that has room."""
    shops = [
        s for s in options[line.id, 0] if all(s in options[line.id, k] for k in range(len(stages)))
    ]
    choices = []
    for shop in shops:
        for p in range(periods):
            late = max(0, p - line.due_period)
            price = (
                line.cost_jpy[shop.id] * weights.cost_per_jpy + late * weights.tardiness_per_period
            )
            choices.append((price, -p if not late else p, shop.id, p))
    for price, _, sid, p in sorted(choices):
        if all(
            room.get((sid, proc, p), 0.0) >= h
            for proc, h in line.hours[sid].items()
            if proc in line.processes
        ):
            return price, [(sid, p)] * len(stages)
    return None


def _fill_floors(
    plan: dict[str, list[tuple[str, int]]],
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    room: dict[tuple[str, str, int], float],
) -> None:
    """Second pass of the planner: a shop under its minimum share takes over whole lines
    it can make, those that cost least extra first, while the giving shop stays above its
    own floor and the taking shop has room in a period no later than the line was."""
    total = group_hours(lines, shops)
    by_id = {s.id: s for s in shops}
    work: dict[str, float] = {s.id: 0.0 for s in shops}
    for line in lines:
        for procs, (sid, _) in zip(stages_of(line), plan[line.id], strict=True):
            work[sid] += sum(line.hours[sid].get(p, 0.0) for p in procs)
    for shop in sorted(shops, key=lambda s: work[s.id] - s.min_share * total):
        floor = shop.min_share * total
        if work[shop.id] >= floor:
            continue
        movable = [
            line
            for line in lines
            if len(stages_of(line)) == 1
            and not line.pinned_to
            and plan[line.id][0][0] != shop.id
            and capable(shop, line) is None
            and shop.id not in line.declined_by
        ]
        movable.sort(key=lambda li: li.cost_jpy[shop.id] - li.cost_jpy[plan[li.id][0][0]])
        for line in movable:
            if work[shop.id] >= floor:
                break
            giver, p_old = plan[line.id][0]
            h_old = sum(line.hours[giver].values())
            if work[giver] - h_old < by_id[giver].min_share * total:
                continue
            need = line.hours[shop.id]
            for p in range(min(p_old, periods - 1), -1, -1):
                if all(room.get((shop.id, proc, p), 0.0) >= h for proc, h in need.items()):
                    for proc, h in need.items():
                        room[shop.id, proc, p] -= h
                    for proc, h in line.hours[giver].items():
                        room[giver, proc, p_old] += h
                    plan[line.id] = [(shop.id, p)]
                    work[shop.id] += sum(need.values())
                    work[giver] -= h_old
                    break


def allocate(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    weights: Weights = Weights(),
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    *,
    transport: dict[tuple[str, str], Transport] | None = None,
    previous: list[Placement] | None = None,
) -> Allocation:
    """Plan the group's lines. `previous` (a former plan's placements) makes this a
    re-plan: stages that move to another shop or period pay `weights.move_*`."""
    started = time.perf_counter()
    transport = transport or {}
    options = _options(shops, lines)
    explanation = _explain_without_solver(shops, lines, transport, options)
    if explanation:
        return Allocation(
            "infeasible", None, None, None, time.perf_counter() - started, [], explanation
        )
    prev = {p.line: p for p in previous or []}
    start = greedy_plan(shops, lines, periods, options, weights, transport)
    problem = _Problem(shops, lines, periods, weights, options, transport, prev)
    # The limit is on the whole answer (model building included): interactive use asks
    # for a plan within a few seconds, not for a few seconds of search.
    deadline = started + time_limit_s
    result = problem.solve(deadline, workers, seed, elastic=False, start=start)
    if result.status == "infeasible":
        # Explaining gets its own budget: a refusal without a reason is no answer.
        stretched = problem.solve(time.perf_counter() + time_limit_s, workers, seed, elastic=True)
        result.explanation = stretched.explanation or [
            "no plan exists, and no single capacity explains it"
        ]
    result.explanation = _floor_warnings(shops, lines, options) + result.explanation
    result.time_s = time.perf_counter() - started
    return result


def _options(shops: list[Shop], lines: list[Line]) -> dict[tuple[str, int], list[Shop]]:
    out = {}
    for line in lines:
        for k, procs in enumerate(stages_of(line)):
            ok = [
                s for s in shops if capable(s, line, procs) is None and s.id not in line.declined_by
            ]
            if line.pinned_to:
                ok = [s for s in ok if s.id == line.pinned_to]
            out[line.id, k] = ok
    return out


def _explain_without_solver(
    shops: list[Shop],
    lines: list[Line],
    transport: dict[tuple[str, str], Transport],
    options: dict[tuple[str, int], list[Shop]],
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


def _floor_warnings(
    shops: list[Shop], lines: list[Line], options: dict[tuple[str, int], list[Shop]]
) -> list[str]:
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


class _Problem:
    """The CP-SAT model: v[line, stage, shop, period] booleans."""

    def __init__(self, shops, lines, periods, weights, options, transport, prev):  # type: ignore[no-untyped-def]
        self.shops, self.lines, self.periods, self.weights = shops, lines, periods, weights
        self.options, self.transport, self.prev = options, transport, prev

    def solve(self, deadline, workers, seed, elastic, start=None) -> Allocation:  # type: ignore[no-untyped-def]
        shops, lines, periods, weights = self.shops, self.lines, self.periods, self.weights
        transport = self.transport
        model = cp_model.CpModel()
        v: dict[tuple[str, int, str, int], cp_model.IntVar] = {}
        aux: list[tuple[cp_model.IntVar, tuple]] = []  # helper variables, for a full hint
        at: dict[tuple[str, int, str], Any] = {}  # stage at shop, any period (literal or sum)
        when: dict[tuple[str, int], Any] = {}  # the stage's period, a linear expression
        cost_terms: list = []
        for line in lines:
            stages = stages_of(line)
            for k, procs in enumerate(stages):
                mine: list[tuple[int, cp_model.IntVar]] = []
                for shop in self.options[line.id, k]:
                    here = [
                        model.new_bool_var(f"v_{line.id}_{k}_{shop.id}_{p}") for p in range(periods)
                    ]
                    for p, var in enumerate(here):
                        v[line.id, k, shop.id, p] = var
                        mine.append((p, var))
                    c = int(round(stage_cost(line, shop.id, procs) * weights.cost_per_jpy * SCALE))
                    if len(stages) == 1:
                        # A whole line needs no "which shop" literal: its period booleans
                        # carry the cost themselves (the smaller model solves faster).
                        at[line.id, k, shop.id] = sum(here)
                        cost_terms += [c * var for var in here]
                        continue
                    z = model.new_bool_var(f"at_{line.id}_{k}_{shop.id}")
                    aux.append((z, ("at", line.id, k, shop.id)))
                    model.add(sum(here) == z)
                    at[line.id, k, shop.id] = z
                    cost_terms.append(c * z)
                model.add_exactly_one(var for _, var in mine)
                when[line.id, k] = sum(p * var for p, var in mine)
            # stage order, with transport between shops (same shop: same period allowed)
            for k in range(1, len(stages)):
                model.add(when[line.id, k] >= when[line.id, k - 1])
                for a in self.options[line.id, k - 1]:
                    for b in self.options[line.id, k]:
                        if a.id == b.id:
                            continue
                        za, zb = at[line.id, k - 1, a.id], at[line.id, k, b.id]
                        t = transport.get((a.id, b.id))
                        if t is None:
                            model.add_bool_or([za.Not(), zb.Not()])
                            continue
                        both = model.new_bool_var(f"h_{line.id}_{k}_{a.id}_{b.id}")
                        aux.append((both, ("both", line.id, k, a.id, b.id)))
                        model.add_bool_and([za, zb]).only_enforce_if(both)
                        model.add_bool_or([za.Not(), zb.Not(), both])
                        model.add(
                            when[line.id, k] >= when[line.id, k - 1] + t.periods
                        ).only_enforce_if(both)
                        cost_terms.append(
                            int(round(t.cost_jpy * weights.cost_per_jpy * SCALE)) * both
                        )
            # tardiness of the last stage, on its (shop, period) choices: a tighter model
            # than a lateness variable
            last = len(stages) - 1
            for shop in self.options[line.id, last]:
                for p in range(line.due_period + 1, periods):
                    penalty = weights.tardiness_per_period * (p - line.due_period)
                    cost_terms.append(int(round(penalty * SCALE)) * v[line.id, last, shop.id, p])

        # capacity per shop, process, period (elastic: with overflow)
        overflow = {}
        load: dict[tuple[str, str, int], list] = {}
        for (lid, k, sid, p), var in v.items():
            line = self._line(lid)
            for proc in stages_of(line)[k]:
                h = int(round(line.hours[sid].get(proc, 0.0) * SCALE))
                if h:
                    load.setdefault((sid, proc, p), []).append(h * var)
        by_id = {s.id: s for s in shops}
        for (sid, proc, p), terms in load.items():
            cap = by_id[sid].capacity_h.get(proc, ())
            limit = int(round((cap[p] if p < len(cap) else 0.0) * SCALE))
            if elastic:
                o = model.new_int_var(0, 10**9, f"over_{sid}_{proc}_{p}")
                overflow[sid, proc, p] = o
                model.add(sum(terms) <= limit + o)
            else:
                model.add(sum(terms) <= limit)

        # work per shop: fairness around the target, and the minimum share as a floor
        total_h = group_hours(lines, shops)
        fairness = []
        for shop in shops:
            work = sum(
                int(
                    round(
                        sum(
                            self._line(lid).hours[sid].get(pr, 0.0)
                            for pr in stages_of(self._line(lid))[k]
                        )
                        * SCALE
                    )
                )
                * z
                for (lid, k, sid), z in at.items()
                if sid == shop.id
            )
            if shop.min_share and not elastic:
                # A floor priced far above any saving, rather than a hard constraint: the
                # planner's pass (which does not look at floors) stays a valid start, and a
                # floor that capacity makes unreachable is reported, not a plan refused.
                floor = int(round(shop.min_share * total_h * SCALE))
                short = model.new_int_var(0, floor, f"short_{shop.id}")
                aux.append((short, ("short", shop.id, floor)))
                model.add(work + short >= floor)
                fairness.append(int(round(weights.starved_per_hour)) * short)
            if shop.target_share > 0:
                target = int(round(shop.target_share * total_h * SCALE))
                dev = model.new_int_var(0, 10**9, f"dev_{shop.id}")
                aux.append((dev, ("dev", shop.id, target)))
                model.add(dev >= work - target)
                model.add(dev >= target - work)
                fairness.append(int(round(weights.fairness_per_hour)) * dev)

        # re-planning: moves away from the previous plan
        moves: list[Any] = []
        for lid, placement in self.prev.items():
            line = self._line(lid) if lid in self._lines_by_id() else None
            if line is None:
                continue
            route = placement.route(line)
            if [r[0] for r in route] != stages_of(line):
                continue  # the line changed shape since: nothing to stay close to
            for k, (_, sid, p) in enumerate(route):
                if weights.move_per_stage:
                    stay = at.get((lid, k, sid))
                    moved = 1 if stay is None else (1 - stay)
                    moves.append(int(round(weights.move_per_stage * SCALE)) * moved)
                if weights.move_per_period:
                    d = model.new_int_var(0, periods, f"dp_{lid}_{k}")
                    model.add_abs_equality(d, when[lid, k] - p)
                    moves.append(int(round(weights.move_per_period * SCALE)) * d)
                if (lid, k, sid, p) in v:
                    model.add_hint(v[lid, k, sid, p], True)

        objective = sum(cost_terms) + sum(fairness) + sum(moves)
        if elastic:
            objective = sum(10**6 * o for o in overflow.values())  # only: where must it stretch?
        model.minimize(objective)
        if start and not self.prev:
            # A complete hint (helper variables too): CP-SAT then takes the planner's pass
            # as its first solution at once instead of searching for one.
            for (lid, k, sid, p), var in v.items():
                model.add_hint(var, tuple(start[lid][k]) == (sid, p))
            hinted: dict[str, int] = {}
            for line in lines:
                for k, procs in enumerate(stages_of(line)):
                    sid = start[line.id][k][0]
                    h = int(round(sum(line.hours[sid].get(pr, 0.0) for pr in procs) * SCALE))
                    hinted[sid] = hinted.get(sid, 0) + h
            for var, what in aux:
                if what[0] == "at":
                    model.add_hint(var, start[what[1]][what[2]][0] == what[3])
                elif what[0] == "both":
                    route = start[what[1]]
                    model.add_hint(
                        var, route[what[2] - 1][0] == what[3] and route[what[2]][0] == what[4]
                    )
                elif what[0] == "short":
                    model.add_hint(var, max(0, what[2] - hinted.get(what[1], 0)))
                else:
                    model.add_hint(var, abs(hinted.get(what[1], 0) - what[2]))
        # Leave a little of the budget for reading, checking and explaining the answer.
        left = deadline - time.perf_counter()
        solver, status = run(model, max(0.0, left - min(0.5, 0.1 * max(left, 0.0))), workers, seed)
        name = STATUS.get(status, "unknown")
        if (
            status not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            and start
            and status != cp_model.INFEASIBLE
        ):
            # Out of time before the solver's first plan: the planner's pass is still a plan.
            return self._result(start, solver, name_if_solved=None)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Allocation(name, None, None, None, 0.0)
        if elastic:
            return Allocation(
                "infeasible", None, None, None, 0.0, [], self._stretch_notes(solver, overflow, v)
            )
        chosen = {(lid, k): (sid, p) for (lid, k, sid, p), var in v.items() if solver.value(var)}
        plan = {
            line.id: [chosen[line.id, k] for k in range(len(stages_of(line)))] for line in lines
        }
        return self._result(plan, solver, name_if_solved=name)

    def _lines_by_id(self) -> dict[str, Line]:
        if not hasattr(self, "_by_id"):
            self._by_id = {line.id: line for line in self.lines}
        return self._by_id

    def _line(self, lid: str) -> Line:
        return self._lines_by_id()[lid]

    def _work(self, placements: list[Placement]) -> dict[str, float]:
        work: dict[str, float] = {}
        for pl in placements:
            line = self._line(pl.line)
            for procs, sid, _ in pl.route(line):
                work[sid] = work.get(sid, 0.0) + sum(line.hours[sid].get(p, 0.0) for p in procs)
        return work

    def _fairness_cost(self, placements: list[Placement]) -> float:
        work = self._work(placements)
        total = group_hours(self.lines, self.shops)
        fair = sum(
            round(self.weights.fairness_per_hour)
            * abs(work.get(s.id, 0.0) - s.target_share * total)
            for s in self.shops
            if s.target_share > 0
        )
        starved = sum(
            round(self.weights.starved_per_hour)
            * max(0.0, s.min_share * total - work.get(s.id, 0.0))
            for s in self.shops
            if s.min_share
        )
        return fair + starved

    def _starved(self, placements: list[Placement]) -> list[str]:
        work = self._work(placements)
        total = group_hours(self.lines, self.shops)
        return [
            f"minimum share: {s.id} has {work.get(s.id, 0.0):.1f} h, under its floor of "
            f"{s.min_share * total:.1f} h (capacity or due dates leave no more it can make)"
            for s in self.shops
            if s.min_share and work.get(s.id, 0.0) + 1e-6 < s.min_share * total
        ]

    def _move_cost(self, placements: list[Placement]) -> float:
        cost = 0.0
        for pl in placements:
            before = self.prev.get(pl.line)
            line = self._line(pl.line)
            if before is None or [r[0] for r in before.route(line)] != stages_of(line):
                continue
            for (_, s0, p0), (_, s1, p1) in zip(before.route(line), pl.route(line), strict=True):
                cost += self.weights.move_per_stage * (s0 != s1)
                cost += self.weights.move_per_period * abs(p1 - p0)
        return cost

    def _stretch_notes(self, solver, overflow, v) -> list[str]:  # type: ignore[no-untyped-def]
        notes = []
        for (sid, proc, p), o in overflow.items():
            over = solver.value(o) / SCALE
            if over <= 0:
                continue
            who = sorted(
                {
                    lid
                    for (lid, k, s, pp), var in v.items()
                    if s == sid
                    and pp == p
                    and solver.value(var)
                    and proc in stages_of(self._line(lid))[k]
                }
            )
            notes.append(
                f"capacity: {sid} {proc} in period {p} is short by {over:.2f} h (lines {', '.join(who)})"
            )
        return notes

    def _result(self, plan, solver, name_if_solved) -> Allocation:  # type: ignore[no-untyped-def]
        """Placements with their reasons, checked, from a {line: [(shop, period)…]} plan."""
        placements = []
        total = 0.0
        moved = 0
        for line in self.lines:
            stages = stages_of(line)
            route = tuple(
                (procs, sid, p) for procs, (sid, p) in zip(stages, plan[line.id], strict=True)
            )
            cost = sum(stage_cost(line, sid, procs) for procs, sid, _ in route)
            hand = [(a[1], b[1]) for a, b in zip(route, route[1:], strict=False) if a[1] != b[1]]
            cost += sum(self.transport[a, b].cost_jpy for a, b in hand)
            last_p = route[-1][2]
            late = max(0, last_p - line.due_period)
            whole = [
                s.id
                for s in self.shops
                if capable(s, line) is None and s.id not in line.declined_by
            ]
            others = sorted(
                (line.cost_jpy[s], s) for s in whole if s != route[0][1] or len(route) > 1
            )
            runner = others[0][1] if others else None
            if len(route) == 1 or not hand:
                why = f"¥{cost:,.0f}"
                if others:
                    why += f" vs ¥{others[0][0]:,.0f} at {runner}"
                    if others[0][0] < cost:
                        why += " (cheaper shop full or over its share)"
            else:
                legs = " → ".join(
                    f"{'+'.join(procs)} at {sid} (period {p})" for procs, sid, p in route
                )
                why = f"split: {legs}; ¥{cost:,.0f} incl. transport"
                if others:
                    why += f" vs ¥{others[0][0]:,.0f} whole at {runner}"
            why += "; on time" if not late else f"; {late} period(s) late: no capacity earlier"
            if line.pinned_to:
                why = "pinned by the coordinator; " + why
            prev = self.prev.get(line.id)
            if prev is not None and [r[0] for r in prev.route(line)] == stages:
                changed = sum(
                    1 for a, b in zip(prev.route(line), route, strict=True) if a[1] != b[1]
                )
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
            total += cost * self.weights.cost_per_jpy + late * self.weights.tardiness_per_period
        check_allocation(self.shops, self.lines, self.periods, placements, self.transport)
        total += self._fairness_cost(placements) + self._move_cost(placements)
        notes = self._starved(placements)
        if name_if_solved is None:
            notes.insert(
                0, "the solver found no plan in the time given: this is the planner's pass"
            )
        has_solution = name_if_solved is not None
        objective_value = solver.objective_value / SCALE if has_solution else total
        bound = solver.best_objective_bound / SCALE
        gap = abs(objective_value - bound) / max(abs(objective_value), 1e-9)
        return Allocation(
            name_if_solved or "feasible", objective_value, bound, gap, 0.0, placements, notes, moved
        )
