"""`kumiai quote FILE --material SPCC --thickness 1.6 --qty 1,10,100 [--profile FILE]
[--process bend,paint] [--bends N] [--json]`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from cad.analyze import analyze_file
from cad.errors import CadError

from .model import PROCESSES, PartFeatures, QuoteError, QuoteRequest, quote
from .profile import CostProfile, ProfileError


def _quantities(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError("quantities are whole numbers, e.g. 1,10,100") from exc
    return values


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kumiai quote", description="Price a DXF part at several quantities."
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--material", required=True)
    parser.add_argument("--thickness", type=float, required=True, help="mm")
    parser.add_argument("--qty", type=_quantities, default=(1, 10, 100))
    parser.add_argument("--profile", type=Path, help="cost profile YAML (default: the shipped one)")
    parser.add_argument("--process", default="", help=f"comma list of: {', '.join(PROCESSES)}")
    parser.add_argument("--bends", type=int, help="confirmed bend count (overrides detection)")
    parser.add_argument("--weld-min", type=float, default=0.0)
    parser.add_argument("--taps", type=int, default=0)
    parser.add_argument("--inserts", type=int, default=0)
    parser.add_argument("--part", type=int, default=0, help="which part of a multi-part file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("ezdxf").setLevel(logging.ERROR)

    def fail(code: str, message: str) -> int:
        if args.json:
            print(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
        else:
            print(f"{code}: {message}", file=sys.stderr)
        return 2

    try:
        profile = CostProfile.load(args.profile) if args.profile else CostProfile.default()
    except (ProfileError, OSError) as exc:
        return fail("INVALID_PROFILE", str(exc))
    try:
        analysis = analyze_file(args.file, thickness_mm=args.thickness)
    except CadError as exc:
        return fail(exc.code, exc.message_en)
    except OSError as exc:
        return fail("FILE_NOT_READABLE", str(exc))
    if not analysis.parts:
        return fail(
            "NO_CLOSED_OUTLINE",
            "the drawing has no closed outer contour: "
            + "; ".join(f.message_en for f in analysis.findings if f.severity == "error"),
        )
    if not 0 <= args.part < len(analysis.parts):
        return fail("NO_SUCH_PART", f"the file has parts 0–{len(analysis.parts) - 1}")
    processes = frozenset(p.strip() for p in args.process.split(",") if p.strip())
    request = QuoteRequest(
        args.material,
        args.thickness,
        args.qty,
        processes,
        args.bends,
        args.weld_min,
        args.taps,
        args.inserts,
    )
    try:
        result = quote(
            PartFeatures.from_part(analysis.parts[args.part], list(analysis.findings)),
            request,
            profile,
        )
    except QuoteError as exc:
        return fail(exc.code, exc.message)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(
        f"{args.file}  {args.material} t{args.thickness:g}  profile {profile.name} v{profile.version}  "
        f"sheet {result.sheet_mm[0]:.0f}×{result.sheet_mm[1]:.0f} ({result.parts_per_sheet}/sheet)"
    )
    for b in result.breaks:
        parts = ", ".join(f"{c.name} {c.cost_jpy:,.0f}" for c in b.components)
        print(
            f"  {b.quantity:>6} pcs  unit ¥{b.unit_price_jpy:,.0f}  total ¥{b.total_price_jpy:,.0f}  "
            f"{b.lead_time_days} days   [{parts}]"
        )
    for f in result.findings:
        print(f"  [{f['severity']}] {f['code']}: {f['message_en']}")
    return 0


def calibrate_main(argv: list[str]) -> int:
    """`kumiai calibrate HISTORY.csv --profile FILE [--out NEW.yaml] [--json]`."""
    from .calibrate import calibrate, read_history

    parser = argparse.ArgumentParser(
        prog="kumiai calibrate", description="Fit a shop's rates to the prices it charged."
    )
    parser.add_argument(
        "history",
        type=Path,
        help="CSV: part_id, material, thickness_mm, quantity, price_jpy, "
        "cut_length_mm, pierce_count, net_area_mm2, width_mm, height_mm, bends",
    )
    parser.add_argument("--profile", type=Path, help="starting profile (default: the shipped one)")
    parser.add_argument("--out", type=Path, help="write the new profile version here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        profile = CostProfile.load(args.profile) if args.profile else CostProfile.default()
        jobs = read_history(args.history)
    except (ProfileError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if len(jobs) < 20:
        print(
            f"error: {len(jobs)} jobs are too few to fit five factors; give at least 20",
            file=sys.stderr,
        )
        return 2
    fit = calibrate(jobs, profile)
    if args.out:
        args.out.write_text(fit.profile.dump(), encoding="utf-8")
    if args.json:
        print(json.dumps(fit.as_dict(), ensure_ascii=False, indent=2))
        return 0
    d = fit.as_dict()
    print(
        f"fitted on {d['train_jobs']} jobs, judged on {d['holdout_jobs']} held out, {len(fit.skipped)} skipped"
    )
    h = d["holdout"]
    print(
        f"held-out MAPE {h['mape_pct']} %, median signed error {h['median_signed_error_pct']} %, "
        f"P90 error {h['p90_abs_error_pct']} %"
    )
    for field, m in d["moved"].items():
        if m["change_pct"]:
            print(f"  {field}: {m['before']:g} → {m['after']:g} ({m['change_pct']:+.1f} %)")
    if args.out:
        print(f"new profile version {fit.profile.version} written to {args.out}")
    return 0
