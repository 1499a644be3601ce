"""The group's allocation as data: what goes in (shops, lines, transport, weights), what
comes out (placements, the allocation), and the rules every other part reads them by (a
line's stages, which shop can take which stage, what a stage costs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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


@dataclass(frozen=True)
class Allocation:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    time_s: float
    placements: tuple[Placement, ...] = ()
    explanation: tuple[str, ...] = ()
    moved: int = 0  # stages placed at another shop than in the previous plan

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "time_s": round(self.time_s, 3),
            "explanation": list(self.explanation),
            "moved": self.moved,
            "assignment": [p.__dict__ for p in self.placements],
        }


Plan = dict[str, list[tuple[str, int]]]  # line → (shop, period) of each of its stages
Options = dict[tuple[str, int], list[Shop]]  # (line, stage) → the shops that may take it


@dataclass(frozen=True)
class Problem:
    """One allocation as the solver and the answer read it: the inputs, and what follows
    from them, worked out once."""

    shops: list[Shop]
    lines: list[Line]
    periods: int
    weights: Weights
    transport: dict[tuple[str, str], Transport]
    options: Options
    previous: dict[str, Placement]  # line → its placement in the plan being re-planned

    @cached_property
    def line(self) -> dict[str, Line]:
        return {line.id: line for line in self.lines}


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


def options_of(shops: list[Shop], lines: list[Line]) -> Options:
    """The shops that can and will take each stage of each line (a pin leaves one)."""
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


def work_h(problem: Problem, placements: Sequence[Placement]) -> dict[str, float]:
    """Hours of work each shop got in a plan."""
    work: dict[str, float] = {}
    for pl in placements:
        line = problem.line[pl.line]
        for procs, sid, _ in pl.route(line):
            work[sid] = work.get(sid, 0.0) + sum(line.hours[sid].get(p, 0.0) for p in procs)
    return work
