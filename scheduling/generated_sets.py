"""The generated benchmark set: fixed kinds, sizes and seeds, so every run, bench and
reference value speaks of the same instances. Change a seed and it is a new instance
with a new name; reference values stored for the old one no longer apply.

The 15×15 rdata shop uses Taillard's published seeds for ta01; the other Taillard seeds
are ours (his paper has no 10×5, 15×10 or 20×10 job shops).
"""

from __future__ import annotations

from dataclasses import dataclass

from .generators import (
    Flexibility,
    GapType,
    brandimarte_style,
    gap_instance,
    hurink_style,
)
from .instances import FjspInstance, GapInstance


@dataclass(frozen=True)
class GapSpec:
    kind: GapType
    agents: int
    jobs: int
    seed: int


@dataclass(frozen=True)
class BrandimarteSpec:
    jobs: int
    machines: int
    seed: int


@dataclass(frozen=True)
class HurinkSpec:
    jobs: int
    machines: int
    time_seed: int
    machine_seed: int
    flexibility: Flexibility


GAP_SET: tuple[GapSpec, ...] = (
    GapSpec("D", 5, 100, 1501),
    GapSpec("D", 10, 200, 1502),
    GapSpec("D", 20, 200, 1503),
    GapSpec("D", 20, 400, 1504),
    GapSpec("E", 5, 100, 1505),
    GapSpec("E", 10, 200, 1506),
    GapSpec("E", 20, 200, 1507),
    GapSpec("E", 20, 400, 1508),
)

BRANDIMARTE_SET: tuple[BrandimarteSpec, ...] = (
    BrandimarteSpec(10, 5, 1511),
    BrandimarteSpec(10, 10, 1512),
    BrandimarteSpec(15, 8, 1513),
    BrandimarteSpec(15, 10, 1514),
    BrandimarteSpec(20, 10, 1515),
    BrandimarteSpec(20, 15, 1516),
)

HURINK_SET: tuple[HurinkSpec, ...] = (
    HurinkSpec(10, 5, 1166510396, 164000672, "edata"),
    HurinkSpec(15, 10, 1561423441, 1084058707, "rdata"),
    HurinkSpec(20, 10, 1889772291, 1430718224, "vdata"),
    HurinkSpec(15, 15, 840612802, 398197754, "rdata"),  # ta01's seeds
)


def gap_set() -> tuple[GapInstance, ...]:
    return tuple(gap_instance(s.kind, s.agents, s.jobs, s.seed) for s in GAP_SET)


def fjsp_set() -> tuple[FjspInstance, ...]:
    brandimarte = (brandimarte_style(s.jobs, s.machines, s.seed) for s in BRANDIMARTE_SET)
    hurink = (
        hurink_style(s.jobs, s.machines, s.time_seed, s.machine_seed, s.flexibility)
        for s in HURINK_SET
    )
    return (*brandimarte, *hurink)


def build_set() -> dict[str, GapInstance | FjspInstance]:
    """The whole named set, GAP first, in the order listed above."""
    out: dict[str, GapInstance | FjspInstance] = {}
    instances: list[GapInstance | FjspInstance] = [*gap_set(), *fjsp_set()]
    for inst in instances:
        if inst.name in out:
            raise ValueError(f"two generated instances are named {inst.name!r}")
        out[inst.name] = inst
    return out
