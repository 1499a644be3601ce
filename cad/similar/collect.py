"""From files to shapes: every part of every DXF under a folder, in parallel processes,
with unreadable files listed (their error code and message) rather than fatal."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cad.analyze import analyze_file
from cad.errors import CadError
from cad.model import Analysis

from .index import Index, build
from .shape import Shape, shape_of

DXF_SUFFIXES = {".dxf"}


def shapes_of(analysis: Analysis) -> list[tuple[int, Shape]]:
    return [(p.index, shape_of(p, analysis.text)) for p in analysis.parts]


def shapes_of_file(path: str | Path) -> tuple[list[tuple[int, Shape]], dict | None]:
    """The file's parts as shapes, or no parts and why."""
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    try:
        analysis = analyze_file(path)
    except CadError as exc:
        return [], {"path": str(path), "code": exc.code, "message": exc.message_en}
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop an index of thousands
        return [], {
            "path": str(path),
            "code": "INTERNAL",
            "message": f"{type(exc).__name__}: {exc}",
        }
    found = shapes_of(analysis)
    if not found:
        return [], {"path": str(path), "code": "NO_PARTS", "message": "no closed outer contour"}
    return found, None


def dxf_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in DXF_SUFFIXES)


def _work(path: str) -> tuple[str, list[tuple[int, Shape]], dict | None]:
    shapes, error = shapes_of_file(path)
    return path, shapes, error


def scan(
    paths: list[Path], workers: int | None = None
) -> Iterator[tuple[str, list[tuple[int, Shape]], dict | None]]:
    workers = workers or min(len(paths), os.cpu_count() or 1) or 1
    if workers == 1:
        for p in paths:
            yield _work(str(p))
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(_work, [str(p) for p in paths], chunksize=1)


def index_directory(
    root: Path,
    workers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Index:
    paths = dxf_files(root)
    items: list[tuple[str, int, Shape]] = []
    skipped: list[dict] = []
    for done, (path, shapes, error) in enumerate(scan(paths, workers), start=1):
        rel = str(Path(path).relative_to(root))
        if error:
            skipped.append({**error, "path": rel})
        items += [(rel, i, s) for i, s in shapes]
        if progress:
            progress(done, len(paths), rel)
    return build(items, skipped)
