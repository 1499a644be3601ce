"""Benchmark (not a test), issue 15: ours against the plain model against the committed
reference, on the generated set nobody tuned for, at the interactive budget.

For each instance with a reference in `bench/reference/generated.json` (computed once by
`bench/reference_runs.py`, never here): both models at `--limit` s (20) and `--workers`
(2), each the median of `--seeds` runs (3), every answer through the independent checker
(`solve_gap` / `solve_fjsp` raise if one fails). The gap is (value − reference) /
reference; negative means better than the reference.

Targets: GAP mean gap ≤ 0.1 % and never worse than plain; flexible job shops mean gap
≤ 3 % and never worse than plain; Mk01–Mk05 (published optima) mean gap ≤ 1 %.

Under each row, every seed's value: where the two models' runs overlap, a median of three
can fall either way by seed, and the row alone would not say so.

    python bench/engines_frontier.py [--family gap|fjsp|mk] [--limit 20] [--seeds 3]
        [--only SUBSTRING ...]
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

import ortools
from reference_runs import load  # run as a script: bench/ is on the path

from scheduling.fjsp import solve_fjsp
from scheduling.gap import solve_gap
from scheduling.generated_sets import build_set
from scheduling.generators import GAP_SENSE
from scheduling.instances import GapInstance, read_fjs

ORBENCH = Path(__file__).resolve().parents[2] / "shared" / "data" / "orbench"


def value_of(inst: object, kind: str, limit_s: float, workers: int, seed: int) -> int | None:
    if isinstance(inst, GapInstance):
        return solve_gap(inst, GAP_SENSE, limit_s, workers, seed, model_kind=kind).objective
    return solve_fjsp(inst, limit_s, workers, seed, model_kind=kind).makespan  # type: ignore[arg-type]


def each_seed(inst: object, args: argparse.Namespace) -> dict[str, list[int | None]]:
    """Both models' values on seeds 0 .. --seeds-1, plain first."""
    return {
        kind: [value_of(inst, kind, args.limit, args.workers, s) for s in range(args.seeds)]
        for kind in ("plain", "ours")
    }


def wanted(name: str, only: list[str] | None) -> bool:
    return not only or any(part in name for part in only)


def median(values: list[int | None]) -> float | None:
    found = [v for v in values if v is not None]
    if len(found) < len(values):
        return None  # a run without an answer: no median to speak of
    return float(statistics.median(found))


def mean(gaps: list[float]) -> str:
    return f"{statistics.fmean(gaps):+.3f}%" if gaps else "—"


def runs(values: dict[str, list[int | None]]) -> str:
    """Each model's value per seed, in seed order: `plain 784 794 799 · ours 798 798 801`."""
    return " · ".join(
        f"{kind} " + " ".join("—" if v is None else str(v) for v in vals)
        for kind, vals in values.items()
    )


def pct(value: float | None, reference: float) -> str:
    return "—" if value is None else f"{100 * (value - reference) / reference:+.3f}%"


def published(args: argparse.Namespace) -> None:
    """Brandimarte's Mk01–Mk05 against their published optima (target: mean ≤ 1 %)."""
    known = {
        row["instance"]: int(row["optimal_or_best_known"])
        for row in csv.DictReader((ORBENCH / "known_values.csv").open(encoding="utf-8"))
        if row["instance"].startswith("Mk") and wanted(row["instance"], args.only)
    }
    if not known:
        return
    print(
        f"\nMk01–Mk05: {args.limit:g} s, {args.workers} workers, median of {args.seeds} seeds, "
        "against the published optimum"
    )
    print(f"  {'instance':10} {'optimum':>8} {'plain':>7} {'gap':>9} {'ours':>7} {'gap':>9}")
    gaps = {"plain": [], "ours": []}
    for name in sorted(known):
        inst = read_fjs(ORBENCH / "fjsp" / f"{name}.fjs")
        best = known[name]
        each, row = each_seed(inst, args), {}
        for kind in ("plain", "ours"):
            row[kind] = median(each[kind])
            if row[kind] is not None:
                gaps[kind].append(100 * (row[kind] - best) / best)
        print(
            f"  {name:10} {best:>8} {row['plain'] or 0:>7.0f} {pct(row['plain'], best):>9} "
            f"{row['ours'] or 0:>7.0f} {pct(row['ours'], best):>9}",
        )
        print(f"    by seed: {runs(each)}", flush=True)
    print(
        f"  mean gap: ours {mean(gaps['ours'])}, plain {mean(gaps['plain'])} "
        f"(over the instances each answered)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--family", choices=["gap", "fjsp", "mk"], action="append")
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--only", action="append", help="run only instances whose name contains this"
    )
    args = parser.parse_args()
    families = args.family or ["gap", "fjsp", "mk"]
    data = load()
    meta = data.get("meta", {})
    if meta.get("ortools") != ortools.__version__:
        print(
            f"note: references found with OR-Tools {meta.get('ortools')}, "
            f"running {ortools.__version__}"
        )
    instances = build_set()
    if "mk" in families:
        published(args)
    for family in (f for f in families if f != "mk"):
        rows = [
            (name, instances[name], ref)
            for name, ref in data["instances"].items()
            if ref["family"] == family and ref.get("best") is not None and wanted(name, args.only)
        ]
        missing = [
            n for n, i in instances.items() if (isinstance(i, GapInstance)) == (family == "gap")
        ]
        missing = [n for n in missing if n not in data["instances"]]
        print(
            f"\n{family}: {args.limit:g} s, {args.workers} workers, median of {args.seeds} "
            f"seeds; reference = best of {meta.get('time_limit_s', '?')} s runs "
            f"(OR-Tools {meta.get('ortools', '?')})"
        )
        if missing:
            print(f"  no reference yet for {len(missing)}: {', '.join(missing)}")
        print(
            f"  {'instance':34} {'reference':>10} {'by':>11} {'bound':>9} "
            f"{'plain':>9} {'gap':>9} {'ours':>9} {'gap':>9}"
        )
        ours_gaps, plain_gaps, worse = [], [], []
        for name, inst, ref in rows:
            each = each_seed(inst, args)
            plain, ours = median(each["plain"]), median(each["ours"])
            best = ref["best"]
            by = "+".join(k for k, r in ref["runs"].items() if r["value"] == best)
            bound = "—" if ref["bound"] is None else f"{ref['bound']:.0f}"
            print(
                f"  {name:34} {best:>10} {by:>11} {bound:>9} "
                f"{'—' if plain is None else f'{plain:.0f}':>9} {pct(plain, best):>9} "
                f"{'—' if ours is None else f'{ours:.0f}':>9} {pct(ours, best):>9}",
            )
            print(f"    by seed: {runs(each)}", flush=True)
            if ours is not None:
                ours_gaps.append(100 * (ours - best) / best)
            if plain is not None:
                plain_gaps.append(100 * (plain - best) / best)
            if ours is None or (plain is not None and ours > plain):
                worse.append(name)
        if rows:
            print(
                f"  mean gap: ours {mean(ours_gaps)}, plain {mean(plain_gaps)}; "
                f"ours worse than plain on {len(worse)}: {', '.join(worse) or 'none'}"
            )


if __name__ == "__main__":
    main()
