"""Benchmark (not a test): analysis time per corpus file against ezdxf's bare readfile of
the same file, measured in the same run. `make bench` runs it.

Target (issue 3): median analysis/read ratio ≤ 2. Files above it are listed with why.
"""

from __future__ import annotations

import argparse
import csv
import logging
import statistics
import sys
import time
from pathlib import Path

import ezdxf
from ezdxf import recover

from cad.analyze import analyze_file
from cad.errors import CadError

DXF = Path(__file__).resolve().parents[2] / "shared" / "data" / "dxf"


def bare_read(path: Path) -> None:
    try:
        ezdxf.readfile(path)
    except Exception:  # noqa: BLE001 - the same fallback the engine takes
        try:
            recover.readfile(path)
        except Exception:  # noqa: BLE001, S110
            pass


def analyse(path: Path) -> str:
    try:
        a = analyze_file(path)
        return f"{len(a.parts)} part(s)"
    except CadError as exc:
        return exc.code


def median_time(fn, path: Path, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
    rows = list(csv.DictReader((DXF / "inventory.csv").open()))
    results = []
    for row in rows:
        path = DXF / row["repo"] / row["path"]
        read_s = median_time(bare_read, path, args.repeats)
        analyse_s = median_time(analyse, path, args.repeats)
        outcome = analyse(path)
        results.append(
            (row["path"], row["manual_class"], path.stat().st_size, read_s, analyse_s, outcome)
        )
    print(
        f"{'file':58} {'class':16} {'KB':>6} {'read ms':>8} {'analyse ms':>10} {'ratio':>6}  outcome"
    )
    for name, cls, size, r, a, outcome in results:
        print(
            f"{name[-58:]:58} {cls:16} {size / 1024:6.0f} {r * 1000:8.1f} {a * 1000:10.1f} {a / r:6.2f}  {outcome}"
        )
    ratios = [a / r for *_, r, a, _ in results]
    total_read = sum(r for *_, r, a, _ in results)
    total_analyse = sum(a for *_, r, a, _ in results)
    over = [(n, a / r) for n, _, _, r, a, _ in results if a / r > 2]
    print(f"\nfiles: {len(results)}  repeats: {args.repeats} (medians)")
    print(
        f"total bare read {total_read:.2f} s, total analysis {total_analyse:.2f} s, ratio {total_analyse / total_read:.2f}"
    )
    print(
        f"median ratio {statistics.median(ratios):.2f}  p90 {statistics.quantiles(ratios, n=10)[-1]:.2f}  "
        f"max {max(ratios):.2f}"
    )
    print(f"files over 2x: {len(over)}")
    for n, ratio in sorted(over, key=lambda x: -x[1])[:15]:
        print(f"  {ratio:5.2f}x  {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
