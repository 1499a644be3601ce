"""Benchmark instances as plain data, and readers for their published file formats."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GapInstance:
    """Generalized assignment: each job to exactly one agent within the agents' capacities."""

    name: str
    costs: tuple[tuple[int, ...], ...]  # [agent][job]
    resources: tuple[tuple[int, ...], ...]  # [agent][job]
    capacities: tuple[int, ...]

    @property
    def agents(self) -> int:
        return len(self.capacities)

    @property
    def jobs(self) -> int:
        return len(self.costs[0])


@dataclass(frozen=True)
class FjspInstance:
    """Flexible job shop: jobs are chains of operations; each operation may run on any of
    its (machine, duration) alternatives. Machines are 0-based."""

    name: str
    machines: int
    jobs: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]  # job → op → alternatives

    @property
    def operations(self) -> int:
        return sum(len(j) for j in self.jobs)


def _ints(path: str | Path) -> list[int]:
    return [int(t) for t in Path(path).read_text().split()]


def read_gap_file(path: str | Path) -> list[GapInstance]:
    """OR-Library files (gap1…gap12) start with the number of instances; the Chu–Beasley
    files (a05100…) hold one instance without it. Line breaks carry no meaning."""
    p = Path(path)
    tokens = _ints(p)
    single = len(tokens) >= 2 and len(tokens) == 2 + 2 * tokens[0] * tokens[1] + tokens[0]
    count, pos = (1, 0) if single else (tokens[0], 1)
    instances = []
    for k in range(count):
        m, n = tokens[pos], tokens[pos + 1]
        pos += 2
        costs = [tuple(tokens[pos + i * n : pos + (i + 1) * n]) for i in range(m)]
        pos += m * n
        res = [tuple(tokens[pos + i * n : pos + (i + 1) * n]) for i in range(m)]
        pos += m * n
        caps = tuple(tokens[pos : pos + m])
        pos += m
        if len(caps) != m:
            raise ValueError(f"{p.name}: instance {k + 1} is truncated")
        name = p.stem if single else f"{p.stem}#{k + 1}"
        instances.append(GapInstance(name, tuple(costs), tuple(res), caps))
    if pos != len(tokens):
        raise ValueError(
            f"{p.name}: {len(tokens) - pos} numbers left over after {count} instance(s)"
        )
    return instances


def read_fjs(path: str | Path) -> FjspInstance:
    """FJSPLIB: `jobs machines avg-flexibility`, then per job the number of operations and
    for each `k` followed by k pairs `machine time` (machines 1-based). Tabs and CRLF are
    common; the header's third number may be a decimal."""
    p = Path(path)
    words = p.read_text().split()
    n_jobs, n_machines = int(words[0]), int(words[1])
    tokens = [int(w) for w in words[3:]]
    pos, jobs = 0, []
    for _ in range(n_jobs):
        n_ops = tokens[pos]
        pos += 1
        ops = []
        for _ in range(n_ops):
            k = tokens[pos]
            pos += 1
            alts = tuple((tokens[pos + 2 * a] - 1, tokens[pos + 2 * a + 1]) for a in range(k))
            pos += 2 * k
            if not alts or any(not 0 <= m < n_machines or d < 0 for m, d in alts):
                raise ValueError(f"{p.name}: bad operation alternatives {alts}")
            ops.append(alts)
        jobs.append(tuple(ops))
    return FjspInstance(p.stem, n_machines, tuple(jobs))


def read_jsp(path: str | Path) -> FjspInstance:
    """JSPLIB: `#` comments, `jobs machines`, then per job `machine time` pairs (0-based);
    a job shop is a flexible one where every operation has one machine."""
    p = Path(path)
    lines = [
        ln for ln in p.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    n_jobs, n_machines = (int(x) for x in lines[0].split()[:2])
    jobs = []
    for line in lines[1 : 1 + n_jobs]:
        nums = [int(x) for x in line.split()]
        jobs.append(tuple(((nums[i], nums[i + 1]),) for i in range(0, len(nums), 2)))
    return FjspInstance(p.stem, n_machines, tuple(jobs))
