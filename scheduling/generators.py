"""Seeded generators of benchmark instances, following the published generators.

Every function is pure: the same arguments give the same instance, on any machine. All
randomness comes from `numpy.random.Generator(PCG64(seed))`, except Taillard's job shops,
which use his own generator so that his published seeds give his published instances.

- GAP types D and E (Laguna, Kelly, González-Velarde & Glover 1995; Chu & Beasley 1997):
  minimisation problems, the `sense` the solvers take is ``"min"`` (`GAP_SENSE`).
- Flexible job shops in the style of Brandimarte (1993).
- Job shops from Taillard's (1993) generator, made flexible as Hurink, Jurisch & Thole
  (1994) did for their edata / rdata / vdata sets.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from .instances import FjspInstance, GapInstance

GAP_SENSE = "min"

GapType = Literal["D", "E"]
Flexibility = Literal["edata", "rdata", "vdata"]


def _rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _capacities(resources: np.ndarray) -> tuple[int, ...]:
    # floor(0.8 · Σ_j r_ij / m) in integers, so no float rounding can move a capacity by one;
    # floor as in the OR-Library files (c05100: 0.8·Σr/m = 254.56 is stored as 254)
    m = resources.shape[0]
    return tuple(int(4 * int(row.sum()) // (5 * m)) for row in resources)


def _matrix(a: np.ndarray) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(v) for v in row) for row in a)


def gap_type_d(agents: int, jobs: int, seed: int) -> GapInstance:
    """Type D: r_ij ~ U[1,100], c_ij = 111 − r_ij + e_ij with e_ij ~ U[−10,10] (all
    integers, so 1 ≤ c_ij ≤ 120), b_i = floor(0.8 · Σ_j r_ij / m). Costs are inversely
    related to resources, which is what makes type D hard. Minimise."""
    rng = _rng(seed)
    r = rng.integers(1, 100, size=(agents, jobs), endpoint=True)
    e = rng.integers(-10, 10, size=(agents, jobs), endpoint=True)
    c = 111 - r + e
    return GapInstance(f"gap-D {agents}x{jobs} seed {seed}", _matrix(c), _matrix(r), _capacities(r))


def gap_type_e(agents: int, jobs: int, seed: int) -> GapInstance:
    """Type E: r_ij = 1 − 10·ln U, c_ij = 1000 / r_ij − 10·V with U, V uniform on (0, 1],
    b_i = floor(0.8 · Σ_j r_ij / m). Minimise.

    Rounding: the formulas give reals and the published files hold integers; the
    generator that wrote them (C) truncates, and so does this one. r_ij = floor(1 − 10·ln U)
    is an integer ≥ 1 (−ln U ≥ 0). The cost is computed from that integer resource,
    c_ij = floor(1000 / r_ij − 10·V), so an instance is consistent with the formula on its
    own data: 1000/r − 10 ≤ c < 1000/r + 1. Costs are not clamped: when r_ij > 100 (about
    one draw in 20,000) or r_ij is large and V near 1, c_ij can be 0 or negative, as the
    formula says."""
    rng = _rng(seed)
    u = 1.0 - rng.random(size=(agents, jobs))  # (0, 1]: ln 0 never happens
    v = 1.0 - rng.random(size=(agents, jobs))
    r = np.floor(1.0 - 10.0 * np.log(u)).astype(np.int64)
    c = np.floor(1000.0 / r - 10.0 * v).astype(np.int64)
    return GapInstance(f"gap-E {agents}x{jobs} seed {seed}", _matrix(c), _matrix(r), _capacities(r))


def gap_instance(kind: GapType, agents: int, jobs: int, seed: int) -> GapInstance:
    if kind == "D":
        return gap_type_d(agents, jobs, seed)
    if kind == "E":
        return gap_type_e(agents, jobs, seed)
    raise ValueError(f"GAP type is 'D' or 'E', not {kind!r}")


def brandimarte_style(
    jobs: int,
    machines: int,
    seed: int,
    operations: tuple[int, int] = (5, 15),
    max_eligible: int = 6,
    duration: tuple[int, int] = (1, 20),
) -> FjspInstance:
    """Brandimarte (1993): each job has U[operations] operations (bounds included); each
    operation may run on a random set of U[1, min(max_eligible, M)] distinct machines,
    each with its own duration drawn independently, U[duration] (Brandimarte used [1,10]
    or [1,20]; the default here is [1,20]). Machines 0-based, listed in increasing order."""
    rng = _rng(seed)
    most = min(max_eligible, machines)
    out = []
    for _ in range(jobs):
        ops = []
        for _ in range(int(rng.integers(operations[0], operations[1], endpoint=True))):
            k = int(rng.integers(1, most, endpoint=True))
            chosen = sorted(int(m) for m in rng.choice(machines, size=k, replace=False))
            times = rng.integers(duration[0], duration[1], size=k, endpoint=True)
            ops.append(tuple((m, int(d)) for m, d in zip(chosen, times, strict=True)))
        out.append(tuple(ops))
    return FjspInstance(f"mk-style {jobs}x{machines} seed {seed}", machines, tuple(out))


class TaillardRandom:
    """Taillard's (1993) generator: Lehmer's x ← 16807·x mod (2³¹ − 1), computed with
    Schrage's method (b = 127773, c = 2836) as in his paper; `unif(low, high)` draws an
    integer in [low, high]."""

    A, B, C, M = 16807, 127773, 2836, 2**31 - 1

    def __init__(self, seed: int) -> None:
        if not 0 < seed < self.M:
            raise ValueError(f"Taillard seeds are in 1 … 2³¹ − 2, not {seed}")
        self.seed = seed

    def unif(self, low: int, high: int) -> int:
        k = self.seed // self.B
        self.seed = self.A * (self.seed % self.B) - k * self.C
        if self.seed < 0:
            self.seed += self.M
        return low + math.floor(self.seed / self.M * (high - low + 1))


def taillard_job_shop(jobs: int, machines: int, time_seed: int, machine_seed: int) -> FjspInstance:
    """Taillard's job shop procedure: durations U[1,99] job by job, operation by operation
    from the time seed; then each job's machine order starts as 1…M and, for each position
    j, swaps the machine at j with the one at unif(j, M) from the machine seed. With
    (15, 15, 840612802, 398197754) this is ta01. Machines 0-based."""
    times = TaillardRandom(time_seed)
    durations = [[times.unif(1, 99) for _ in range(machines)] for _ in range(jobs)]
    order = TaillardRandom(machine_seed)
    out = []
    for i in range(jobs):
        route = list(range(machines))
        for j in range(machines):
            k = order.unif(j + 1, machines) - 1  # the paper counts from 1
            route[j], route[k] = route[k], route[j]
        out.append(tuple(((m, d),) for m, d in zip(route, durations[i], strict=True)))
    return FjspInstance(
        f"ta-style {jobs}x{machines} seed {time_seed}/{machine_seed}", machines, tuple(out)
    )


def _eligible_count(rng: np.random.Generator, flexibility: Flexibility, machines: int) -> int:
    # Number of machines an operation may use, original included; the means are the
    # averages Hurink et al. report for their sets: edata ≈ 1.15, rdata ≈ 2, vdata ≈ M/2.
    if flexibility == "edata":
        return 2 if rng.random() < 0.15 else 1
    if flexibility == "rdata":
        return int(rng.integers(1, 3, endpoint=True))
    if flexibility == "vdata":
        return int(rng.integers(1, max(machines - 1, 1), endpoint=True))
    raise ValueError(f"flexibility is 'edata', 'rdata' or 'vdata', not {flexibility!r}")


def hurink_flexible(shop: FjspInstance, flexibility: Flexibility, seed: int) -> FjspInstance:
    """Hurink, Jurisch & Thole (1994): every operation of a job shop keeps its machine and
    duration and may also run, for the same duration, on other machines drawn at random.
    How many machines in all: edata 2 with probability 0.15, else 1 (mean 1.15); rdata
    U[1,3] (mean 2); vdata U[1, M−1] (mean M/2). The original machine is listed first."""
    rng = _rng(seed)
    m_count = shop.machines
    out = []
    for ops in shop.jobs:
        new_ops = []
        for alts in ops:
            machine, d = alts[0]
            k = min(_eligible_count(rng, flexibility, m_count), m_count)
            others = [m for m in range(m_count) if m != machine]
            extra = sorted(int(m) for m in rng.choice(others, size=k - 1, replace=False))
            new_ops.append(((machine, d), *((m, d) for m in extra)))
        out.append(tuple(new_ops))
    return FjspInstance(f"{shop.name}, {flexibility}", m_count, tuple(out))


def hurink_style(
    jobs: int,
    machines: int,
    time_seed: int,
    machine_seed: int,
    flexibility: Flexibility,
) -> FjspInstance:
    """A Taillard job shop made flexible; the flexibility draws are seeded by the two
    Taillard seeds, so the instance follows from (size, seeds, flexibility) alone."""
    shop = taillard_job_shop(jobs, machines, time_seed, machine_seed)
    seed = int(np.random.SeedSequence([time_seed, machine_seed]).generate_state(1)[0])
    return hurink_flexible(shop, flexibility, seed)
