"""Benchmark (not a test): the scheduling figures of `make bench`, before and after a
change to `scheduling/`, in one run.

    git worktree add /tmp/sched-before <the commit before the change>
    .venv/bin/python bench/scheduling_split_compare.py --before /tmp/sched-before
    git worktree remove --force /tmp/sched-before

The worktree's `scheduling` package is loaded next to this repository's, and both run
the same instances: the GAP files of ../shared/data/orbench (gap1–12 in both senses,
Chu–Beasley A–C) and the generated groups of bench/allocation_group.py and
bench/machines_group.py (first plans, and re-plans from one shared reference plan).
Each runs with 3 seeds and 2 workers, before and after interleaved (the order flips
from seed to seed), so a change in machine load hits both alike. Printed: the medians
over the seeds of objective, gap and wall time, and the after/before ratios. Limits are
short (see the header of the output) so the whole run stays near 10 minutes: these are
not the 60 s figures of `make bench`.

Before any timing, each case's CP-SAT model (variables, constraints, objective and
hints) is built by both versions and compared: identical models mean any difference in
the figures is the solver's timing, not the change.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "orbench"
SEEDS = (0, 1, 2)
WORKERS = 2
PARTS = ("solver", "instances", "gap", "machines", "allocation")


def load_scheduling(root: Path) -> dict[str, ModuleType]:
    """`root`'s `scheduling` package, loaded under its own name and then moved aside in
    `sys.modules`, so it works whether its modules import each other relatively or not,
    and leaves `import scheduling` to this repository."""

    def ours() -> list[str]:
        return [k for k in sys.modules if k == "scheduling" or k.startswith("scheduling.")]

    kept = {k: sys.modules.pop(k) for k in ours()}
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        mods = {name: importlib.import_module(f"scheduling.{name}") for name in PARTS}
    finally:
        sys.path.remove(str(root))
        for k in ours():
            sys.modules[f"_{root.name}_{k}"] = sys.modules.pop(k)
        sys.modules.update(kept)
        importlib.invalidate_caches()
    for name, mod in mods.items():
        if not Path(str(mod.__file__)).resolve().is_relative_to(root.resolve()):
            raise SystemExit(f"scheduling.{name} came from {mod.__file__}, not from {root}")
    return mods


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    sense: str  # min or max: which way an objective is better
    solve: Callable[[dict[str, ModuleType], int], Any]  # (version's modules, seed) → result
    known: int | None = None


@dataclass
class Runs:
    objective: list[float | None] = field(default_factory=list)
    gap: list[float | None] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)


def median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def ratio(after: float | None, before: float | None) -> float | None:
    if after is None or before is None:
        return None
    if before == 0:
        return 1.0 if after == 0 else None
    return after / before


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def gap_cases(args: argparse.Namespace) -> list[Case]:
    from scheduling.instances import read_gap_file

    known: dict[tuple[str, str], int] = {}
    for row in csv.DictReader((DATA / "known_values.csv").open()):
        sense = "max" if row["objective_sense"].startswith("max") else "min"
        known[row["instance"].split(" ")[0], sense] = int(row["optimal_or_best_known"])

    def gap_solver(inst: Any, sense: str, limit: float) -> Callable[..., Any]:
        return lambda v, seed: v["gap"].solve_gap(inst, sense, limit, WORKERS, seed)

    cases = []
    for k in range(1, 13):
        for inst in read_gap_file(DATA / "gap" / f"gap{k}.txt"):
            for sense in ("min", "max"):
                cases.append(
                    Case(
                        f"gap{k}",
                        f"{inst.name} {sense}",
                        sense,
                        gap_solver(inst, sense, args.small_limit),
                        known[inst.name, sense],
                    )
                )
    for t in "abc":
        for k, size in enumerate(["05100", "05200", "10100", "10200", "20100", "20200"], 1):
            (inst,) = read_gap_file(DATA / "gap" / f"{t}{size}")
            cases.append(
                Case(
                    "A–C",
                    f"{t}{size}",
                    "min",
                    gap_solver(inst, "min", args.limit),
                    known[f"gap{t}#{k}", "min"],
                )
            )
    return cases


def group_cases(args: argparse.Namespace, before: dict[str, ModuleType]) -> list[Case]:
    import allocation_group
    import machines_group

    from scheduling.allocation import Weights

    shops, lines, periods = allocation_group.generate()
    shops2, lines2, transport = allocation_group.with_splits(shops, lines)
    weights = Weights(move_per_stage=20000.0)
    # The re-plans start from one reference plan (the before version's, seed 0), so both
    # versions re-plan the same thing.
    ref = before["allocation"].allocate(shops, lines, periods, weights, args.group_limit)
    first = ref.placements[0]
    declined = [
        replace(line, declined_by=frozenset({first.shop})) if line.id == first.line else line
        for line in lines
    ]
    jobs = machines_group.generate()
    jobs2, downtime, shop_of, transport_min = machines_group.with_shops_and_shifts(jobs)
    ref_schedule = before["machines"].schedule(jobs, time_limit_s=args.machines_limit)
    if not ref_schedule.slots:
        raise SystemExit(f"no reference schedule in {args.machines_limit:g} s: raise the limit")
    now = 2 * machines_group.DAY
    busiest = max(
        {s.machine for s in ref_schedule.slots},
        key=lambda m: sum(s.end - s.start for s in ref_schedule.slots if s.machine == m),
    )
    lim, mlim = args.group_limit, args.machines_limit

    # Each version gets the reference plans in its own classes: a dataclass never equals
    # one of another class, and the machine checker compares started slots by equality.
    @cache
    def placements(allocation: ModuleType) -> list[Any]:
        return [allocation.Placement(**vars(p)) for p in ref.placements]

    @cache
    def slots(machines: ModuleType) -> list[Any]:
        return [machines.Slot(**vars(s)) for s in ref_schedule.slots]

    def allocate(v: dict[str, ModuleType], seed: int, *a: Any, **kw: Any) -> Any:
        return v["allocation"].allocate(*a, time_limit_s=lim, workers=WORKERS, seed=seed, **kw)

    def schedule(v: dict[str, ModuleType], seed: int, *a: Any, **kw: Any) -> Any:
        return v["machines"].schedule(*a, time_limit_s=mlim, workers=WORKERS, seed=seed, **kw)

    return [
        Case(
            "allocation",
            "400 whole lines, first plan",
            "min",
            lambda v, s: allocate(v, s, shops, lines, periods, weights),
        ),
        Case(
            "allocation",
            "splits, transport, 2 % floors",
            "min",
            lambda v, s: allocate(v, s, shops2, lines2, periods, weights, transport=transport),
        ),
        Case(
            "allocation",
            "re-plan after a decline",
            "min",
            lambda v, s: allocate(
                v, s, shops, declined, periods, weights, previous=placements(v["allocation"])
            ),
        ),
        Case("machines", "400 jobs, first schedule", "min", lambda v, s: schedule(v, s, jobs)),
        Case(
            "machines",
            "re-plan after a breakdown",
            "min",
            lambda v, s: schedule(
                v,
                s,
                jobs,
                {busiest: [(now, now + 2 * machines_group.DAY)]},
                previous=slots(v["machines"]),
                now=now,
            ),
        ),
        Case(
            "machines",
            "shifts and transport",
            "min",
            lambda v, s: schedule(v, s, jobs2, downtime, shop_of=shop_of, transport=transport_min),
        ),
    ]


class _Built(Exception):
    pass


def model_of(case: Case, v: dict[str, ModuleType]) -> str:
    """The text of the first CP-SAT model the case builds, without solving it."""
    seen: list[str] = []

    def capture(model: Any, *_: Any) -> Any:
        seen.append(str(model.proto))
        raise _Built

    real = v["solver"].run
    patched = [
        m for m in list(sys.modules.values()) if getattr(m, "__dict__", {}).get("run") is real
    ]
    for m in patched:
        m.run = capture  # type: ignore[attr-defined]
    try:
        case.solve(v, 0)
    except _Built:
        pass
    finally:
        for m in patched:
            m.run = real  # type: ignore[attr-defined]
    return seen[0] if seen else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="worktree of the old commit")
    parser.add_argument("--small-limit", type=float, default=1.0, help="s, gap1–12")
    parser.add_argument("--limit", type=float, default=5.0, help="s, GAP types A–C")
    parser.add_argument("--group-limit", type=float, default=4.5, help="s, group allocation")
    parser.add_argument("--machines-limit", type=float, default=3.5, help="s, machine schedules")
    parser.add_argument("--only", help="only the cases whose group starts with this (gap, A–C, …)")
    args = parser.parse_args()
    started = time.perf_counter()
    before = load_scheduling(args.before)
    sys.path.insert(0, str(REPO))
    after = {name: importlib.import_module(f"scheduling.{name}") for name in PARTS}
    versions = {"before": before, "after": after}
    print(f"before: {Path(str(before['solver'].__file__)).parent}")
    print(f"after:  {Path(str(after['solver'].__file__)).parent}")
    print(
        f"limits: gap1–12 {args.small_limit:g} s, A–C {args.limit:g} s, group allocation "
        f"{args.group_limit:g} s (whole call), machines {args.machines_limit:g} s (solver); "
        f"seeds {', '.join(map(str, SEEDS))}; {WORKERS} workers; medians over the seeds"
    )
    cases = gap_cases(args) + group_cases(args, before)
    cases = [c for c in cases if c.group.startswith(args.only or "")]
    same = sum(model_of(c, before) == model_of(c, after) != "" for c in cases)
    print(f"CP-SAT models identical before and after: {same} of {len(cases)} cases\n", flush=True)

    runs: dict[tuple[str, str], Runs] = {}
    for case in cases:
        for seed in SEEDS:
            order = ("before", "after") if seed % 2 == 0 else ("after", "before")
            for side in order:
                t = time.perf_counter()
                r = case.solve(versions[side], seed)
                wall = time.perf_counter() - t
                got = runs.setdefault((case.name, side), Runs())
                got.objective.append(r.objective)
                got.gap.append(r.gap)
                got.wall_s.append(wall)
        if case.group in ("allocation", "machines") or case.group == "A–C":
            row(case, runs)
        elif case.name.endswith("#5 max"):
            summary(case.group, [c for c in cases if c.group == case.group], runs)
    overall(cases, runs)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")


def row(case: Case, runs: dict[tuple[str, str], Runs]) -> None:
    b, a = runs[case.name, "before"], runs[case.name, "after"]
    ob, oa = median(b.objective), median(a.objective)
    gb, ga = median(b.gap), median(a.gap)
    wb, wa = statistics.median(b.wall_s), statistics.median(a.wall_s)
    known = f" known {case.known}" if case.known is not None else ""
    spec = ",.0f" if ob is not None and abs(ob) > 1e5 else ".0f"
    print(
        f"{case.group:10} {case.name:30}{known}: objective {fmt(ob, spec)} → {fmt(oa, spec)} "
        f"(×{fmt(ratio(oa, ob), '.4f')}); gap {fmt(gb and 100 * gb, '.2f')} % → "
        f"{fmt(ga and 100 * ga, '.2f')} %; wall {wb:.2f} → {wa:.2f} s (×{fmt(ratio(wa, wb), '.2f')})",
        flush=True,
    )


def summary(group: str, cases: list[Case], runs: dict[tuple[str, str], Runs]) -> None:
    at_known = {
        side: sum(median(runs[c.name, side].objective) == c.known for c in cases)
        for side in ("before", "after")
    }
    wall = {
        side: sum(statistics.median(runs[c.name, side].wall_s) for c in cases)
        for side in ("before", "after")
    }
    print(
        f"{group:10} {len(cases)} cases (5 instances × min, max): at the known optimum "
        f"{at_known['before']} → {at_known['after']}; wall, sum of medians "
        f"{wall['before']:.2f} → {wall['after']:.2f} s (×{wall['after'] / wall['before']:.2f})",
        flush=True,
    )


def overall(cases: list[Case], runs: dict[tuple[str, str], Runs]) -> None:
    better = worse = 0
    logs = []
    for c in cases:
        ob, oa = median(runs[c.name, "before"].objective), median(runs[c.name, "after"].objective)
        if ob is not None and oa is not None and ob != oa:
            after_better = oa < ob if c.sense == "min" else oa > ob
            better += after_better
            worse += not after_better
        wb = statistics.median(runs[c.name, "before"].wall_s)
        wa = statistics.median(runs[c.name, "after"].wall_s)
        logs.append(math.log(wa / wb))
    print(
        f"\nall {len(cases)} cases: median objective better after on {better}, worse on {worse}, "
        f"equal on {len(cases) - better - worse}; wall after/before, geometric mean "
        f"×{math.exp(statistics.mean(logs)):.3f}"
    )


if __name__ == "__main__":
    main()
