"""The allocation checker: every rule, checked on the answer, independent of the model
(it shares only the rules of what a shop can do and what a stage is)."""

from __future__ import annotations

from collections.abc import Sequence

from scheduling.solver import InfeasibleSolution

from .model import Line, Placement, Shop, Transport, capable, stages_of


def check_allocation(
    shops: list[Shop],
    lines: list[Line],
    periods: int,
    placements: Sequence[Placement],
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
