"""The analysis of one DXF, in a child process with its own limits.

A hostile file must not take a Celery worker down: the child has a cap on address space
and CPU seconds and a wall-clock deadline, and whatever it does (a crash, a memory
blow-up, a hang) the worker only sees a failed run with a reason. The child imports the
pure cores only, never Django; it writes its results as files in a folder the parent
made, and the parent stores them.

Run as ``python -m drawings.sandbox IN.dxf OUT_DIR META.json``.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drawings import shape_codec

# Limits of one analysis. The cad reader's own limits (entities, block expansion) refuse
# bombs in well under a second; these catch what they cannot foresee.
ADDRESS_SPACE_BYTES = 3 * 1024**3
CPU_S = 150
WALL_S = 180

# Findings that make a file unfit for the library (stored as failed, with the reason).
REFUSED_FINDINGS = frozenset({"BAD_COORDINATES"})

RESULT = "result.json"
SVG = "view.svg"
PNG = "thumb.png"

ERRORS = {
    "ANALYSIS_CRASHED": (
        "The analysis stopped unexpectedly on this file.",
        "このファイルの解析が異常終了しました。",
    ),
    "ANALYSIS_OUT_OF_MEMORY": (
        "The analysis needed more memory than the limit allows.",
        "解析に必要なメモリが上限を超えました。",
    ),
    "TIMEOUT": ("The analysis took longer than the limit.", "解析が制限時間を超えました。"),
    "BAD_COORDINATES": (
        "%d entities have invalid (NaN) or huge coordinates; correct them in the CAD "
        "system and upload the drawing again.",
        "%d 個の図形の座標が不正（NaN）または巨大です。CADで修正して再度アップロードしてください。",
    ),
}


@dataclass(frozen=True)
class PartResult:
    index: int
    summary: dict[str, Any]
    features: dict[str, Any]
    shape_vec: list[float]
    size_vec: list[float]
    text_vec: list[float]
    geometry_hash: str
    shape_data: bytes = field(repr=False)  # shape_codec form


@dataclass(frozen=True)
class SandboxResult:
    ok: bool
    error_code: str = ""
    error_en: str = ""
    error_ja: str = ""
    analysis: dict[str, Any] = field(default_factory=dict)
    parts: tuple[PartResult, ...] = ()
    svg: str = ""
    png: bytes = b""


# -- the parent's side --------------------------------------------------------------------
def run(path: Path, out_dir: Path, meta: dict[str, Any]) -> SandboxResult:
    """Analyse `path` in a child process; never raises for what the file does."""
    (out_dir / "meta.json").write_text(json.dumps(meta))
    env = {
        **os.environ,
        # One thread per library: a child with many threads would reserve address space
        # for each and meet the cap without doing anything.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    try:
        proc = subprocess.run(  # noqa: S603 - our interpreter, our module, our paths
            [sys.executable, "-m", "drawings.sandbox", str(path), str(out_dir), "meta.json"],
            env=env,
            cwd=str(Path(__file__).resolve().parents[1]),
            capture_output=True,
            timeout=WALL_S,
            preexec_fn=_limit,  # noqa: PLW1509 - no threads are started before exec
        )
    except subprocess.TimeoutExpired:
        return _failed("TIMEOUT")
    result_path = out_dir / RESULT
    if proc.returncode != 0 or not result_path.exists():
        stderr = proc.stderr.decode(errors="replace")
        if "MemoryError" in stderr or proc.returncode == -signal.SIGKILL:
            return _failed("ANALYSIS_OUT_OF_MEMORY")
        if proc.returncode == -signal.SIGXCPU:
            return _failed("TIMEOUT")
        return _failed("ANALYSIS_CRASHED")
    doc = json.loads(result_path.read_text())
    if not doc["ok"]:
        return SandboxResult(
            ok=False,
            error_code=doc["error"]["code"],
            error_en=doc["error"]["message_en"],
            error_ja=doc["error"]["message_ja"],
        )
    parts = tuple(
        PartResult(
            **{k: v for k, v in p.items() if k != "shape_file"},
            shape_data=(out_dir / p["shape_file"]).read_bytes(),
        )
        for p in doc["parts"]
    )
    return SandboxResult(
        ok=True,
        analysis=doc["analysis"],
        parts=parts,
        svg=(out_dir / SVG).read_text(),
        png=(out_dir / PNG).read_bytes(),
    )


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_S, CPU_S + 5))


def _failed(code: str) -> SandboxResult:
    en, ja = ERRORS[code]
    return SandboxResult(ok=False, error_code=code, error_en=en, error_ja=ja)


# -- the child's side ---------------------------------------------------------------------
def _child(path: Path, out_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    from cad.analyze import analyze_file
    from cad.errors import CadError
    from cad.model import DrawingText
    from cad.render import png, svg
    from cad.similar.descriptor import describe
    from cad.similar.shape import shape_of
    from quoting.model import PartFeatures

    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    thickness = meta.get("thickness_mm")
    try:
        analysis = analyze_file(path, thickness_mm=thickness)
    except CadError as exc:
        return {"ok": False, "error": exc.as_dict()}
    bad = [f for f in analysis.findings if f.code in REFUSED_FINDINGS]
    if bad:
        # Geometry with NaN or absurd coordinates cannot be priced or searched honestly.
        n = int(bad[0].value or 1)
        en, ja = ERRORS["BAD_COORDINATES"]
        return {
            "ok": False,
            "error": {"code": "BAD_COORDINATES", "message_en": en % n, "message_ja": ja % n},
        }
    text = analysis.text
    # The drawing's own record (the form, the part number it was filed under) describes
    # the part better than text found on the sheet; the sheet fills what the record lacks.
    named = DrawingText(
        part_number=meta.get("part_number") or text.part_number,
        material=meta.get("material") or text.material,
        thickness_mm=thickness or text.thickness_mm,
        texts=text.texts,
        title=meta.get("title") or text.title,
    )
    parts = []
    for part in analysis.parts:
        shape = shape_of(part, named, thickness)
        d = describe(shape)
        shape_name = f"part-{part.index}.shape"
        (out_dir / shape_name).write_bytes(shape_codec.encode(shape))
        features = PartFeatures.from_part(part, list(analysis.findings))
        parts.append(
            {
                "index": part.index,
                "summary": part.as_dict(),
                "features": asdict(features),
                "shape_vec": [float(v) for v in d.shape],
                "size_vec": [float(v) for v in d.size],
                "text_vec": [float(v) for v in d.text],
                "geometry_hash": shape.geometry_hash(),
                "shape_file": shape_name,
            }
        )
    # Findings that have a place are pinned on the view, numbered as the page lists them.
    marks = [
        (f.location[0], f.location[1], str(n), f.severity)
        for n, f in enumerate(analysis.findings, start=1)
        if f.location is not None
    ]
    (out_dir / SVG).write_text(svg(analysis, size_px=640, marks=marks))
    (out_dir / PNG).write_bytes(png(analysis, size_px=256))
    return {"ok": True, "analysis": analysis.as_dict(), "parts": parts}


def main(argv: list[str]) -> int:
    path, out_dir, meta_name = Path(argv[0]), Path(argv[1]), argv[2]
    meta = json.loads((out_dir / meta_name).read_text())
    result = _child(path, out_dir, meta)
    tmp = out_dir / (RESULT + ".part")
    tmp.write_text(json.dumps(result, ensure_ascii=False))
    tmp.rename(out_dir / RESULT)  # the parent reads a whole result or none
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
