"""The greedy planner: a planner's first pass over the group, given to CP-SAT as its
starting plan, and returned as the answer when the solver finds no plan in time."""

from __future__ import annotations

from .model import (
    Line,
    Options,
    Plan,
    Shop,
    Transport,
    Weights,
    capable,
    group_hours,
    stage_cost,
    stages_of,
)

Room = dict[tuple[str, str, int], float]  # (shop, process, period) → hours still free
Route = tuple[float, list[tuple[str, int]]]  # price, [(shop, period) per stage]


def greedy_plan(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    options: Options,
    weights: Weights,
    transport: dict[tuple[str, str], Transport] | None = None,
) -> Plan | None:
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
    plan: Plan = {}
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


def _stagewise(
    line: Line,
    stages: list[tuple[str, ...]],
    options: Options,
    weights: Weights,
    transport: dict[tuple[str, str], Transport],
    room: Room,
    periods: int,
) -> Route | None:
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


def _whole(
    line: Line,
    stages: list[tuple[str, ...]],
    options: Options,
    weights: Weights,
    room: Room,
    periods: int,
) -> Route | None:
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
    plan: Plan,
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    room: Room,
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
