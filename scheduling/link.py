"""From the group's allocation to the shops' machines: every placed line becomes a job
whose operations are its processes, in order, each on the machines of the shop its
stage went to, released at the start of the stage's period and due at the end of the
line's due period. The machine schedule then sees the same shops, transport and dates
the allocation decided."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .allocation import Line, Placement
from .machines import Job


@dataclass(frozen=True)
class Machine:
    id: str
    shop: str
    process: str
    speed: float = 1.0  # 2.0 = does the shop's quoted hours in half the time


def jobs_from_allocation(
    placements: Sequence[Placement],
    lines: list[Line],
    machines: list[Machine],
    period_minutes: int,
) -> tuple[list[Job], dict[str, str]]:
    """Jobs for `machines.schedule`, and the machine → shop map it needs for transport.
    A process a shop quoted but has no machine for is an error naming both."""
    by_line = {line.id: line for line in lines}
    able: dict[tuple[str, str], list[Machine]] = {}
    for m in machines:
        able.setdefault((m.shop, m.process), []).append(m)
    jobs = []
    for placement in placements:
        line = by_line[placement.line]
        ops = []
        first_period = None
        for procs, shop, period in placement.route(line):
            first_period = period if first_period is None else first_period
            for proc in procs:
                options = able.get((shop, proc))
                if not options:
                    raise ValueError(f"{line.id}: {shop} has no machine for {proc}")
                minutes = line.hours[shop].get(proc, 0.0) * 60
                ops.append(tuple((m.id, max(1, round(minutes / m.speed))) for m in options))
        jobs.append(
            Job(
                line.id,
                tuple(ops),
                release=(first_period or 0) * period_minutes,
                due=(line.due_period + 1) * period_minutes,
            )
        )
    return jobs, {m.id: m.shop for m in machines}
