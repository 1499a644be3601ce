"""Reference values for the generated set (issue 15, item 1): long runs of the plain model
and of ours, the best answer of either with its witness, and the best bound of either.

Computed once and committed (`bench/reference/generated.json`) with the OR-Tools version
that found them; `bench/engines_frontier.py` compares against them and never recomputes
them. A model is not run on an instance whose optimum another run has already proven.
Each finished run is written at once, so a run stopped part-way keeps what it
finished, and a second run only does what is missing (or what `--redo` names).

    python bench/reference_runs.py [--limit 600] [--workers 2] [--only gap-D] [--redo NAME]

Run it on a quiet machine: other work on the same cores shortens a long run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import time
from pathlib import Path

import ortools

from scheduling.fjsp import solve_fjsp
from scheduling.gap import solve_gap
from scheduling.generated_sets import build_set
from scheduling.generators import GAP_SENSE
from scheduling.instances import FjspInstance, GapInstance

OUT = Path(__file__).resolve().parent / "reference" / "generated.json"


def load(path: Path = OUT) -> dict:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"instances": {}}


def save(data: dict, path: Path = OUT) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)  # never a half-written file


def run_model(
    inst: GapInstance | FjspInstance, kind: str, limit_s: float, workers: int, seed: int
) -> dict:
    """One long run of one model: its value, bound, status, time and witness."""
    if isinstance(inst, GapInstance):
        g = solve_gap(inst, GAP_SENSE, limit_s, workers, seed, model_kind=kind)
        value, bound, status, t = g.objective, g.bound, g.status, g.time_s
        witness = list(g.assignment)
    else:
        f = solve_fjsp(inst, limit_s, workers, seed, model_kind=kind)
        value, bound, status, t = f.makespan, f.bound, f.status, f.time_s
        witness = [list(op) for op in f.schedule]
    print(f"  {kind:5} value {value} bound {bound} {status} {t:.0f} s", flush=True)
    return {
        "value": value,
        "bound": bound,
        "status": status,
        "time_s": round(t, 1),
        "computed": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "witness": witness if value is not None else None,
    }


def summarise(entry: dict) -> None:
    """The reference of an instance: the best value of its runs (its witness kept
    beside it) and the best bound. Both families minimise."""
    runs = entry["runs"]
    found = {k: r["value"] for k, r in runs.items() if r["value"] is not None}
    bounds = [r["bound"] for r in runs.values() if r["bound"] is not None]
    if found:
        best_kind = min(found, key=lambda k: (found[k], k != "ours"))
        entry["best"], entry["found_by"] = found[best_kind], best_kind
    else:
        entry["best"], entry["found_by"] = None, None
    entry["bound"] = max(bounds) if bounds else None  # minimisation: the higher bound


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per model run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="only instances whose name starts so")
    parser.add_argument("--redo", action="append", default=[], help="recompute this name")
    parser.add_argument("--models", default="plain,ours", help="which models to run")
    args = parser.parse_args()
    data = load()
    meta = {
        "ortools": ortools.__version__,
        "time_limit_s": args.limit,
        "workers": args.workers,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "python": pyplatform.python_version(),
    }
    if data["instances"] and data.get("meta", {}).get("ortools") != meta["ortools"]:
        raise SystemExit(
            f"the stored values were found with OR-Tools {data['meta']['ortools']}, "
            f"this is {meta['ortools']}: keep them apart (move the file) rather than mix"
        )
    data["meta"] = meta
    for name, inst in build_set().items():
        if not name.startswith(args.only):
            continue
        entry = data["instances"].setdefault(
            name, {"family": "gap" if isinstance(inst, GapInstance) else "fjsp", "runs": {}}
        )
        for kind in args.models.split(","):
            if kind in entry["runs"] and name not in args.redo:
                continue
            if any(r["status"] == "optimal" for r in entry["runs"].values()):
                print(f"{name}: {kind} not run, the optimum is already proven", flush=True)
                continue
            print(f"{name}: {kind}, {args.limit:g} s, {args.workers} workers", flush=True)
            entry["runs"][kind] = run_model(inst, kind, args.limit, args.workers, args.seed)
            summarise(entry)
            save(data)


if __name__ == "__main__":
    main()
