"""The CP-SAT model of the allocation, in the order of the OR-Tools samples: data,
variables, constraints, objective, solve, extract.

v[line, stage, shop, period] is true when that stage of the line is done at that shop
in that period. Costs and hours are integers in 1/SCALE. The elastic variant lets every
capacity overflow and minimises only the overflow: it answers "where must it stretch?"
when no plan exists.

Variables are made in one pass and constraints added in another; CP-SAT numbers them in
the order they are made and added, so keep each section's loops in the order they are
in: the model (and so the search for a given seed) stays the same from one version of
this file to the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduling.solver import STATUS, run

from .model import SCALE, Plan, Problem, group_hours, stage_cost, stages_of

OnPlan = Callable[[float, float, Callable[[], Plan]], None]


@dataclass(frozen=True)
class Solved:
    status: str  # optimal, feasible, infeasible, invalid or unknown
    objective: float | None  # None: no plan found
    bound: float
    plan: Plan | None = None
    overflow_h: dict[tuple[str, str, int], float] = field(default_factory=dict)  # elastic only


def solve(
    problem: Problem,
    deadline: float,
    workers: int,
    seed: int,
    *,
    elastic: bool = False,
    start: Plan | None = None,
    on_plan: OnPlan | None = None,
) -> Solved:
    """Solve until `deadline` (a `time.perf_counter()` value), less a little left for
    reading, checking and explaining the answer. `start` (the planner's pass) is given
    as a complete hint on a fresh plan; on a re-plan the previous plan is the hint.
    `on_plan` hears of each better plan as it is found (its objective, the seconds spent,
    and a function that reads the plan; call it only inside `on_plan`)."""
    # data
    shops, lines, periods, weights = problem.shops, problem.lines, problem.periods, problem.weights
    transport, options = problem.transport, problem.options
    staged = [(line, stages_of(line)) for line in lines]
    # load[shop, process, period]: the (line, stage, shop, period) choices that use it, in
    # scaled hours, in the order the choices' variables are made
    load: dict[tuple[str, str, int], list[tuple[tuple[str, int, str, int], int]]] = {}
    for line, stages in staged:
        for k, procs in enumerate(stages):
            for shop in options[line.id, k]:
                for p in range(periods):
                    for proc in procs:
                        h = int(round(line.hours[shop.id].get(proc, 0.0) * SCALE))
                        if h:
                            load.setdefault((shop.id, proc, p), []).append(
                                ((line.id, k, shop.id, p), h)
                            )
    by_id = {s.id: s for s in shops}
    total_h = group_hours(lines, shops)
    # the previous plan's stages, for lines whose shape has not changed since
    kept: list[tuple[str, int, str, int]] = []
    for lid, placement in problem.previous.items():
        if lid not in problem.line:
            continue
        line = problem.line[lid]
        route = placement.route(line)
        if [r[0] for r in route] != stages_of(line):
            continue  # the line changed shape since: nothing to stay close to
        kept += [(lid, k, sid, p) for k, (_, sid, p) in enumerate(route)]

    # variables
    model = cp_model.CpModel()
    v: dict[tuple[str, int, str, int], cp_model.IntVar] = {}
    at: dict[tuple[str, int, str], Any] = {}  # stage at shop, any period (literal or sum)
    when: dict[tuple[str, int], Any] = {}  # the stage's period, a linear expression
    both: dict[tuple[str, int, str, str], cp_model.IntVar] = {}  # handed over a → b
    aux: list[tuple[cp_model.IntVar, tuple]] = []  # helper variables, for a full hint
    for line, stages in staged:
        for k in range(len(stages)):
            mine: list[tuple[int, cp_model.IntVar]] = []
            for shop in options[line.id, k]:
                here = [
                    model.new_bool_var(f"v_{line.id}_{k}_{shop.id}_{p}") for p in range(periods)
                ]
                for p, var in enumerate(here):
                    v[line.id, k, shop.id, p] = var
                    mine.append((p, var))
                if len(stages) == 1:
                    # A whole line needs no "which shop" literal: its period booleans
                    # carry the cost themselves (the smaller model solves faster).
                    at[line.id, k, shop.id] = sum(here)
                    continue
                z = model.new_bool_var(f"at_{line.id}_{k}_{shop.id}")
                aux.append((z, ("at", line.id, k, shop.id)))
                at[line.id, k, shop.id] = z
            when[line.id, k] = sum(p * var for p, var in mine)
        for k in range(1, len(stages)):
            for a in options[line.id, k - 1]:
                for b in options[line.id, k]:
                    if a.id != b.id and (a.id, b.id) in transport:
                        hand = model.new_bool_var(f"h_{line.id}_{k}_{a.id}_{b.id}")
                        aux.append((hand, ("both", line.id, k, a.id, b.id)))
                        both[line.id, k, a.id, b.id] = hand
    overflow = {
        (sid, proc, p): model.new_int_var(0, 10**9, f"over_{sid}_{proc}_{p}")
        for sid, proc, p in (load if elastic else ())
    }
    short: dict[str, cp_model.IntVar] = {}  # hours under the minimum share, scaled
    dev: dict[str, cp_model.IntVar] = {}  # hours away from the target share, scaled
    floor, target = {}, {}
    for shop in shops:
        if shop.min_share and not elastic:
            floor[shop.id] = int(round(shop.min_share * total_h * SCALE))
            short[shop.id] = model.new_int_var(0, floor[shop.id], f"short_{shop.id}")
            aux.append((short[shop.id], ("short", shop.id, floor[shop.id])))
        if shop.target_share > 0:
            target[shop.id] = int(round(shop.target_share * total_h * SCALE))
            dev[shop.id] = model.new_int_var(0, 10**9, f"dev_{shop.id}")
            aux.append((dev[shop.id], ("dev", shop.id, target[shop.id])))
    shift: dict[tuple[str, int], cp_model.IntVar] = {}  # periods a stage moved, re-planning
    if weights.move_per_period:
        for lid, k, _, _ in kept:
            shift[lid, k] = model.new_int_var(0, periods, f"dp_{lid}_{k}")

    # constraints
    for line, stages in staged:
        for k in range(len(stages)):
            if len(stages) > 1:
                for shop in options[line.id, k]:
                    model.add(
                        sum(v[line.id, k, shop.id, p] for p in range(periods))
                        == at[line.id, k, shop.id]
                    )
            model.add_exactly_one(
                v[line.id, k, shop.id, p] for shop in options[line.id, k] for p in range(periods)
            )
        # stage order, with transport between shops (same shop: same period allowed)
        for k in range(1, len(stages)):
            model.add(when[line.id, k] >= when[line.id, k - 1])
            for a in options[line.id, k - 1]:
                for b in options[line.id, k]:
                    if a.id == b.id:
                        continue
                    za, zb = at[line.id, k - 1, a.id], at[line.id, k, b.id]
                    t = transport.get((a.id, b.id))
                    if t is None:
                        model.add_bool_or([za.Not(), zb.Not()])
                        continue
                    hand = both[line.id, k, a.id, b.id]
                    model.add_bool_and([za, zb]).only_enforce_if(hand)
                    model.add_bool_or([za.Not(), zb.Not(), hand])
                    after = when[line.id, k - 1] + t.periods
                    model.add(when[line.id, k] >= after).only_enforce_if(hand)
    # capacity per shop, process, period (elastic: with overflow)
    for (sid, proc, p), uses in load.items():
        cap = by_id[sid].capacity_h.get(proc, ())
        limit = int(round((cap[p] if p < len(cap) else 0.0) * SCALE))
        used = sum(h * v[key] for key, h in uses)
        if elastic:
            model.add(used <= limit + overflow[sid, proc, p])
        else:
            model.add(used <= limit)
    # work per shop: the minimum share as a floor, and fairness around the target
    work = {
        shop.id: sum(
            int(
                round(
                    sum(
                        problem.line[lid].hours[sid].get(pr, 0.0)
                        for pr in stages_of(problem.line[lid])[k]
                    )
                    * SCALE
                )
            )
            * z
            for (lid, k, sid), z in at.items()
            if sid == shop.id
        )
        for shop in shops
    }
    for shop in shops:
        if shop.id in short:
            # A floor priced far above any saving, rather than a hard constraint: the
            # planner's pass (which does not look at floors) stays a valid start, and a
            # floor that capacity makes unreachable is reported, not a plan refused.
            model.add(work[shop.id] + short[shop.id] >= floor[shop.id])
        if shop.id in dev:
            model.add(dev[shop.id] >= work[shop.id] - target[shop.id])
            model.add(dev[shop.id] >= target[shop.id] - work[shop.id])
    for lid, k, _, p in kept:
        if (lid, k) in shift:
            model.add_abs_equality(shift[lid, k], when[lid, k] - p)

    # objective: cost (with transport), tardiness, fairness, floors, moves
    cost_terms: list = []
    for line, stages in staged:
        for k, procs in enumerate(stages):
            for shop in options[line.id, k]:
                c = int(round(stage_cost(line, shop.id, procs) * weights.cost_per_jpy * SCALE))
                if len(stages) == 1:
                    cost_terms += [c * v[line.id, k, shop.id, p] for p in range(periods)]
                else:
                    cost_terms.append(c * at[line.id, k, shop.id])
        for k in range(1, len(stages)):
            for a in options[line.id, k - 1]:
                for b in options[line.id, k]:
                    if (line.id, k, a.id, b.id) in both:
                        t = transport[a.id, b.id]
                        cost = int(round(t.cost_jpy * weights.cost_per_jpy * SCALE))
                        cost_terms.append(cost * both[line.id, k, a.id, b.id])
        # tardiness of the last stage, on its (shop, period) choices: a tighter model
        # than a lateness variable
        last = len(stages) - 1
        for shop in options[line.id, last]:
            for p in range(line.due_period + 1, periods):
                penalty = weights.tardiness_per_period * (p - line.due_period)
                cost_terms.append(int(round(penalty * SCALE)) * v[line.id, last, shop.id, p])
    fairness = []
    for shop in shops:
        if shop.id in short:
            fairness.append(int(round(weights.starved_per_hour)) * short[shop.id])
        if shop.id in dev:
            fairness.append(int(round(weights.fairness_per_hour)) * dev[shop.id])
    moves: list[Any] = []
    for lid, k, sid, _ in kept:
        if weights.move_per_stage:
            stay = at.get((lid, k, sid))
            moved = 1 if stay is None else (1 - stay)
            moves.append(int(round(weights.move_per_stage * SCALE)) * moved)
        if (lid, k) in shift:
            moves.append(int(round(weights.move_per_period * SCALE)) * shift[lid, k])
    objective = sum(cost_terms) + sum(fairness) + sum(moves)
    if elastic:
        objective = sum(10**6 * o for o in overflow.values())  # only: where must it stretch?
    model.minimize(objective)

    # hints: on a re-plan, the previous plan
    for key in kept:
        if key in v:
            model.add_hint(v[key], True)
    if start and not problem.previous:
        # A complete hint (helper variables too): CP-SAT then takes the planner's pass
        # as its first solution at once instead of searching for one.
        for (lid, k, sid, p), var in v.items():
            model.add_hint(var, tuple(start[lid][k]) == (sid, p))
        hinted: dict[str, int] = {}
        for line, stages in staged:
            for k, procs in enumerate(stages):
                sid = start[line.id][k][0]
                h = int(round(sum(line.hours[sid].get(pr, 0.0) for pr in procs) * SCALE))
                hinted[sid] = hinted.get(sid, 0) + h
        for var, what in aux:
            if what[0] == "at":
                model.add_hint(var, start[what[1]][what[2]][0] == what[3])
            elif what[0] == "both":
                steps = start[what[1]]
                model.add_hint(
                    var, steps[what[2] - 1][0] == what[3] and steps[what[2]][0] == what[4]
                )
            elif what[0] == "short":
                model.add_hint(var, max(0, what[2] - hinted.get(what[1], 0)))
            else:
                model.add_hint(var, abs(hinted.get(what[1], 0) - what[2]))

    # solve
    left = deadline - time.perf_counter()
    relay = None
    if on_plan is not None:

        def relay(objective: float, wall_s: float, cb: cp_model.CpSolverSolutionCallback) -> None:
            def read() -> Plan:
                chosen = {key: None for key, var in v.items() if cb.boolean_value(var)}
                picked = {(lid, k): (sid, p) for (lid, k, sid, p) in chosen}
                return {
                    line.id: [picked[line.id, k] for k in range(len(stages))]
                    for line, stages in staged
                }

            on_plan(objective / SCALE, wall_s, read)

    solver, status = run(
        model, max(0.0, left - min(0.5, 0.1 * max(left, 0.0))), workers, seed, relay
    )

    # extract
    name = STATUS.get(status, "unknown")
    bound = solver.best_objective_bound / SCALE
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solved(name, None, bound)
    chosen = {(lid, k): (sid, p) for (lid, k, sid, p), var in v.items() if solver.value(var)}
    plan = {line.id: [chosen[line.id, k] for k in range(len(stages))] for line, stages in staged}
    over = {key: solver.value(o) / SCALE for key, o in overflow.items()}
    return Solved(name, solver.objective_value / SCALE, bound, plan, over)
