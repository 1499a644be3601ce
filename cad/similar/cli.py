"""`kumiai similar index DIR --out INDEX` and `kumiai similar query INDEX FILE -k 10
[--any-size] [--json]`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from cad.analyze import analyze_file
from cad.errors import CadError

from .collect import index_directory, shapes_of
from .index import DEFAULT_CANDIDATES, Index


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kumiai similar", description="Find similar past parts.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_index = sub.add_parser("index", help="index every DXF under a folder")
    p_index.add_argument("dir", type=Path)
    p_index.add_argument("--out", type=Path, required=True, help="index file to write (.npz)")
    p_index.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    p_index.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_query = sub.add_parser("query", help="rank the indexed parts against a drawing")
    p_query.add_argument("index", type=Path)
    p_query.add_argument("file", type=Path)
    p_query.add_argument("-k", type=int, default=10)
    p_query.add_argument("--any-size", action="store_true", help="ignore size: compare shapes only")
    p_query.add_argument(
        "--part", type=int, help="which part of a multi-part file (default: the largest)"
    )
    p_query.add_argument(
        "--candidates", type=int, default=DEFAULT_CANDIDATES, help="first-stage list length"
    )
    p_query.add_argument("--json", action="store_true")
    p_query.add_argument("--lang", choices=["en", "ja"], default="en")
    args = parser.parse_args(argv)
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    if args.cmd == "index":
        return _index(args, parser)
    return _query(args, parser)


def _index(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.dir.is_dir():
        parser.error(f"no such folder: {args.dir}")
    started = time.monotonic()

    def progress(done: int, total: int, path: str) -> None:
        if sys.stderr.isatty() or done == total or done % 25 == 0:
            print(
                f"\r[{done}/{total}] {path[-60:]:60}",
                end="" if done < total else "\n",
                file=sys.stderr,
            )

    index = index_directory(args.dir, args.workers or None, progress)
    tmp = args.out.with_name(args.out.name + ".part")
    with open(tmp, "wb") as f:  # written aside and renamed: a crash never leaves half an index
        index.save(f)
    tmp.replace(args.out)
    files = len({e.path for e in index.entries})
    summary = {
        "index": str(args.out),
        "parts": len(index.entries),
        "files": files,
        "skipped": index.skipped,
        "seconds": round(time.monotonic() - started, 2),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{summary['parts']} parts from {files} files in {summary['seconds']} s → {args.out}")
        for s in index.skipped:
            print(f"  skipped {s['path']}: {s['code']}: {s['message']}")
    return 0


def _query(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.index.is_file():
        parser.error(f"no such index: {args.index}")
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    if args.k < 1:
        parser.error("-k must be at least 1")
    try:
        index = Index.load(args.index)
    except (ValueError, OSError, KeyError) as exc:
        parser.error(f"cannot read index {args.index}: {exc}")
    try:
        analysis = analyze_file(args.file)
    except CadError as exc:
        return _fail(args, exc.as_dict())
    shapes = shapes_of(analysis)
    if not shapes:
        return _fail(
            args,
            {
                "code": "NO_PARTS",
                "message_en": "no closed outer contour",
                "message_ja": "閉じた外形がありません",
            },
        )
    if args.part is not None:
        chosen = [s for i, s in shapes if i == args.part]
        if not chosen:
            parser.error(f"--part {args.part}: the file has parts 0–{len(shapes) - 1}")
        part_no, shape = args.part, chosen[0]
    else:
        part_no, shape = max(shapes, key=lambda s: s[1].net_area_mm2)
    results = index.query(
        shape, k=args.k, any_size=args.any_size, candidates=max(args.candidates, args.k)
    )
    doc = {
        "query": str(args.file),
        "query_part": part_no,
        "mode": "any_size" if args.any_size else "same_size",
        "geometry_hash": shape.geometry_hash(),
        "results": [r.as_dict(args.lang) for r in results],
    }
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    print(f"{args.file} (part {part_no}), {doc['mode'].replace('_', ' ')}:")
    for n, r in enumerate(doc["results"], start=1):
        print(f"{n:3d}. {r['score']:.3f}  {r['path']} #{r['part']}\n       {r['explanation']}")
    return 0


def _fail(args: argparse.Namespace, error: dict) -> int:
    if args.json:
        print(json.dumps({"query": str(args.file), "error": error}, ensure_ascii=False))
    else:
        msg = error.get("message_ja" if args.lang == "ja" else "message_en") or error.get("message")
        print(f"{error['code']}: {msg}", file=sys.stderr)
    return 2
