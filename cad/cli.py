"""`kumiai analyze FILE [--thickness MM] [--json] [--svg OUT] [--png OUT]`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .analyze import analyze_file
from .errors import CadError
from .render import png, svg


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kumiai analyze", description="Read a DXF flat pattern and report its features."
    )
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--thickness", type=float, help="sheet thickness in mm (enables hole/edge checks)"
    )
    parser.add_argument("--json", action="store_true", help="print the versioned JSON document")
    parser.add_argument("--svg", type=Path, help="write an SVG picture here")
    parser.add_argument("--png", type=Path, help="write a PNG picture here")
    parser.add_argument("--lang", choices=["en", "ja"], default="en")
    args = parser.parse_args(argv)
    logging.getLogger("ezdxf").setLevel(logging.ERROR)  # its repair chatter is in our findings
    if args.thickness is not None and not 0 < args.thickness <= 50:
        parser.error("--thickness must be between 0 and 50 mm")
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    try:
        analysis = analyze_file(args.file, thickness_mm=args.thickness)
    except CadError as exc:
        if args.json:
            print(
                json.dumps({"error": exc.as_dict(), "source": str(args.file)}, ensure_ascii=False)
            )
        else:
            print(
                f"{exc.code}: {exc.message_ja if args.lang == 'ja' else exc.message_en}",
                file=sys.stderr,
            )
        return 2
    if args.svg:
        args.svg.write_text(svg(analysis))
    if args.png:
        args.png.write_bytes(png(analysis))
    if args.json:
        print(json.dumps(analysis.as_dict(), ensure_ascii=False, indent=2))
        return 0
    doc = analysis.as_dict()
    u = doc["units"]
    print(f"{args.file}  DXF {doc['dxf_version']}  units: {u['name']} ({u['source']})")
    for p in doc["parts"]:
        w, h = p["size_mm"]
        print(
            f"part {p['index']}: {w:.2f} × {h:.2f} mm, net area {p['net_area_mm2']:.1f} mm², "
            f"cut {p['cut_length_mm']:.1f} mm, {p['pierce_count']} pierces, {p['bend_count']} bends"
        )
        for g in p["hole_groups"]:
            print(f"    {g['count']} × Ø{g['diameter_mm']} mm holes")
    t = doc["text"]
    if t["material"] or t["thickness_mm"] or t["part_number"]:
        print(f"text: part no {t['part_number']}, material {t['material']}, t={t['thickness_mm']}")
    for f in doc["findings"]:
        print(
            f"  [{f['severity']}] {f['code']}: {f['message_ja'] if args.lang == 'ja' else f['message_en']}"
        )
    return 0
