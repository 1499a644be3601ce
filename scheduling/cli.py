"""`kumiai allocate --gap FILE …` and `kumiai schedule --fjs FILE | --jsp FILE …`:
one JSON object per instance per line (JSON Lines)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .fjsp import solve_fjsp
from .gap import solve_gap
from .instances import read_fjs, read_gap_file, read_jsp


def allocate_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kumiai allocate", description="Solve generalized assignment instances."
    )
    parser.add_argument(
        "--gap", type=Path, required=True, help="OR-Library or Chu–Beasley GAP file"
    )
    parser.add_argument("--sense", choices=["min", "max"], default="min")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plain", action="store_true", help="the textbook model, for comparison")
    parser.add_argument("--json", action="store_true", help="JSON Lines (the default output too)")
    args = parser.parse_args(argv)
    try:
        instances = read_gap_file(args.gap)
    except (OSError, ValueError, IndexError) as exc:
        print(f"error: cannot read {args.gap}: {exc}", file=sys.stderr)
        return 2
    for inst in instances:
        result = solve_gap(
            inst,
            args.sense,
            args.time_limit,
            args.workers,
            args.seed,
            "plain" if args.plain else "ours",
        )
        print(json.dumps(result.as_dict()), flush=True)
    return 0


def schedule_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kumiai schedule", description="Solve a (flexible) job shop instance."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--fjs", type=Path, help="FJSPLIB file")
    source.add_argument("--jsp", type=Path, help="JSPLIB file")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        inst = read_fjs(args.fjs) if args.fjs else read_jsp(args.jsp)
    except (OSError, ValueError, IndexError) as exc:
        print(f"error: cannot read {args.fjs or args.jsp}: {exc}", file=sys.stderr)
        return 2
    result = solve_fjsp(
        inst, args.time_limit, args.workers, args.seed, "plain" if args.plain else "ours"
    )
    print(json.dumps(result.as_dict()), flush=True)
    return 0
