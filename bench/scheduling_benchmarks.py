"""Benchmark (not a test): published instances with known values, ours next to the plain
textbook CP-SAT model in the same run with the same limit and 2 workers.

Targets (issue 5): gap1–12 at their optimum in < 1 s each (both senses); types A–C within
0.1 % in 60 s; Mk01–Mk05 within 2 % in 60 s; never worse than the plain model.
`--limit` shortens the 60 s runs (the note must say which limit was used).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from scheduling.fjsp import solve_fjsp
from scheduling.gap import solve_gap
from scheduling.instances import read_fjs, read_gap_file, read_jsp

BENCH = Path(__file__).resolve().parents[2] / "shared" / "data" / "orbench"


def known_values() -> dict[tuple[str, str], int]:
    out = {}
    for row in csv.DictReader((BENCH / "known_values.csv").open()):
        name = row["instance"].split(" ")[0]
        sense = "max" if row["objective_sense"].startswith("max") else "min"
        out[name, sense] = int(row["optimal_or_best_known"])
    return out


def rel(value: int | None, target: int) -> str:
    return "—" if value is None else f"{100 * (value - target) / target:+.2f}%"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small-limit", type=float, default=1.0, help="seconds for gap1–12")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds for A–C and Mk01–05")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-small", action="store_true")
    args = parser.parse_args()
    kv = known_values()
    name_map = {
        f"{t}{s}": f"gap{t}#{k}"
        for t in "abc"
        for k, s in enumerate(["05100", "05200", "10100", "10200", "20100", "20200"], 1)
    }

    if not args.skip_small:
        misses, worst, plain_worse, ours_worse = 0, 0.0, 0, 0
        for k in range(1, 13):
            for inst in read_gap_file(BENCH / "gap" / f"gap{k}.txt"):
                for sense in ("min", "max"):
                    ours = solve_gap(inst, sense, args.small_limit, args.workers)
                    plain = solve_gap(
                        inst, sense, args.small_limit, args.workers, model_kind="plain"
                    )
                    target = kv[inst.name, sense]
                    misses += ours.objective != target
                    worst = max(worst, ours.time_s)
                    better = (lambda a, b: a < b) if sense == "min" else (lambda a, b: a > b)
                    if plain.objective is not None and ours.objective is not None:
                        plain_worse += better(ours.objective, plain.objective)
                        ours_worse += better(plain.objective, ours.objective)
        print(
            f"gap1–12, 60 instances × 2 senses, limit {args.small_limit:g} s: {misses} off the known optimum, "
            f"slowest {worst:.2f} s; ours better than plain on {plain_worse}, worse on {ours_worse}"
        )

    print(f"\nGAP types A–C (min), limit {args.limit:g} s, {args.workers} workers")
    print(
        f"{'instance':10} {'known':>6} {'ours':>6} {'gap':>8} {'time':>6} {'plain':>6} {'gap':>8} {'time':>6}"
    )
    for t in "abc":
        for s in ["05100", "05200", "10100", "10200", "20100", "20200"]:
            (inst,) = read_gap_file(BENCH / "gap" / f"{t}{s}")
            target = kv[name_map[f"{t}{s}"], "min"]
            ours = solve_gap(inst, "min", args.limit, args.workers)
            plain = solve_gap(inst, "min", args.limit, args.workers, model_kind="plain")
            print(
                f"{t}{s:9} {target:6} {ours.objective or 0:6} {rel(ours.objective, target):>8} {ours.time_s:6.1f} "
                f"{plain.objective or 0:6} {rel(plain.objective, target):>8} {plain.time_s:6.1f}",
                flush=True,
            )

    print(f"\nFJSP / JSP (makespan), limit {args.limit:g} s, {args.workers} workers")
    print(
        f"{'instance':10} {'known':>6} {'ours':>6} {'gap':>8} {'time':>6} {'plain':>6} {'gap':>8} {'time':>6}"
    )
    for name, loader in [
        *((f"Mk0{i}", lambda n: read_fjs(BENCH / "fjsp" / f"{n}.fjs")) for i in range(1, 6)),
        ("ft06", lambda n: read_jsp(BENCH / "jsp" / n)),
        ("la01", lambda n: read_jsp(BENCH / "jsp" / n)),
    ]:
        inst = loader(name)
        target = kv[name, "min"]
        ours = solve_fjsp(inst, args.limit, args.workers)
        plain = solve_fjsp(inst, args.limit, args.workers, model_kind="plain")
        print(
            f"{name:10} {target:6} {ours.makespan or 0:6} {rel(ours.makespan, target):>8} {ours.time_s:6.1f} "
            f"{plain.makespan or 0:6} {rel(plain.makespan, target):>8} {plain.time_s:6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
