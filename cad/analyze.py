"""The analysis pipeline: read → extract → units → chain → parts → features → findings."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from shapely.geometry import Point, Polygon

from . import tolerances as tol
from .chain import chain
from .errors import CadError
from .extract import Extracted, collections_paused, extract, max_abs_coordinate
from .findings import finding
from .model import Analysis, Edge, Finding, Part
from .parts import (
    assign_bends,
    bend_candidates,
    bend_checks,
    build_parts,
    drop_note_boxes,
    nest,
)
from .reader import DEFAULT_LIMITS, Limits, Loaded, load_bytes, load_file
from .text import read_text
from .units import decide_units

MAX_OPEN_CONTOUR_FINDINGS = 10


def analyze_file(
    path: str | Path, thickness_mm: float | None = None, limits: Limits = DEFAULT_LIMITS
) -> Analysis:
    started = time.monotonic()
    return analyze_loaded(load_file(path, limits), str(path), thickness_mm, limits, started)


def analyze_bytes(
    data: bytes,
    name: str = "drawing.dxf",
    thickness_mm: float | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Analysis:
    started = time.monotonic()
    return analyze_loaded(load_bytes(data, limits), name, thickness_mm, limits, started)


def _scale(edge: Edge, k: float) -> Edge:
    if k == 1.0:
        return edge
    return Edge(
        edge.kind,
        edge.pts * k,
        edge.length_mm * k,
        edge.layer,
        None if edge.center is None else (edge.center[0] * k, edge.center[1] * k),
        None if edge.radius_mm is None else edge.radius_mm * k,
        edge.closed,
        edge.color,
    )


def _extent(edges: list[Edge]) -> float:
    # np.vstack of 2-D arrays, without its per-array Python (a sheet has thousands)
    pts = np.concatenate([e.pts for e in edges])
    if pts.ndim != 2 or pts.shape[1] != 2:
        return float(np.ptp(pts, axis=0).max())
    # np.ptp(pts, axis=0) reduces down the columns two values at a time, ~30 times slower
    # than along each column (a strided view serves: no copy of the drawing's points);
    # max and min are exact either way, but may pick another zero's sign, so a zero
    # extent is left to the plain computation, as are NaN and infinities (which Python's
    # max orders otherwise than numpy's).
    x, y = pts[:, 0], pts[:, 1]
    wide = float(np.maximum.reduce(x) - np.minimum.reduce(x))
    high = float(np.maximum.reduce(y) - np.minimum.reduce(y))
    if math.isfinite(wide) and math.isfinite(high) and max(wide, high) != 0.0:
        return max(wide, high)
    return float(np.ptp(pts, axis=0).max())


def analyze_loaded(
    loaded: Loaded, source: str, thickness_mm: float | None, limits: Limits, started: float
) -> Analysis:
    doc = loaded.doc
    ex: Extracted = extract(doc, limits, started)
    with collections_paused():
        return _analyze_extracted(loaded, ex, source, thickness_mm, limits, started)


def _analyze_extracted(
    loaded: Loaded,
    ex: Extracted,
    source: str,
    thickness_mm: float | None,
    limits: Limits,
    started: float,
) -> Analysis:
    doc = loaded.doc
    findings: list[Finding] = []
    if loaded.recovered_fixes:
        findings.append(finding("RECOVERED", loaded.recovered_fixes))
    if not ex.cut:
        raise CadError("NO_GEOMETRY")

    units = decide_units(
        loaded.declared_insunits or None, loaded.declared_measurement, _extent(ex.cut)
    )
    k = units.mm_per_unit
    if units.source == "inferred":
        findings.append(finding("UNITLESS_FILE", unit=units.name, reason=units.reason))
    elif units.source == "corrected":
        findings.append(finding("UNITS_CORRECTED", reason=units.reason))

    cut = [_scale(e, k) for e in ex.cut]
    ok = max_abs_coordinate(cut) <= tol.MAX_COORD_MM
    sane = [e for e, good in zip(cut, ok, strict=True) if good]
    bad = ex.bad_coordinates + (len(cut) - len(sane))
    if bad:
        findings.append(finding("BAD_COORDINATES", bad))
    if ex.bad_geometry:
        findings.append(finding("BAD_GEOMETRY", ex.bad_geometry))
    if ex.unsupported:
        findings.append(finding("UNSUPPORTED_ENTITIES", ex.unsupported))
    if ex.text_on_cut_layer:
        findings.append(finding("TEXT_IN_CUT_LAYER", ex.text_on_cut_layer))
    if not sane:
        raise CadError("NO_GEOMETRY", "(every cut entity had invalid coordinates)")
    if time.monotonic() - started > limits.max_seconds:
        raise CadError("TIMEOUT", f"(over {limits.max_seconds:.0f} s)")

    chained = chain(sane)
    findings += chained.findings
    for t in ex.texts:
        t.x, t.y = t.x * k, t.y * k
    nodes, nest_findings = nest(chained.loops)
    findings += nest_findings
    nodes = drop_note_boxes(nodes, ex.texts)

    text = read_text([t.text for t in ex.texts])
    t_for_checks = thickness_mm or text.thickness_mm
    parts, part_findings = build_parts(nodes, t_for_checks)
    findings += part_findings

    single_lines = [
        seq[0] for seq in chained.open_chains if len(seq) == 1 and seq[0].kind == "line"
    ]
    candidates = bend_candidates(
        [(_scale(e, k), s, w) for e, s, w in ex.bend_lines],
        [(_scale(e, k), s) for e, s in ex.styled_lines],
        single_lines,
        ex.cut_styles,
    )
    bends, bend_findings, taken = assign_bends(parts, candidates)
    findings += bend_findings
    open_chains = [
        seq for seq in chained.open_chains if not (len(seq) == 1 and id(seq[0]) in taken)
    ]
    open_chains.sort(key=lambda seq: -sum(e.length_mm for e in seq))
    for seq in open_chains[:MAX_OPEN_CONTOUR_FINDINGS]:
        gap = float(np.hypot(*(seq[-1].end - seq[0].start)))
        findings.append(finding("OPEN_CONTOUR", gap, seq[-1].end))

    engrave = [_scale(e, k) for e in ex.engrave]
    parts = [
        replace(part, bends=part_bends, engraving_length_mm=_engraving_mm(part, engrave))
        if part_bends or engrave
        else part
        for part, part_bends in zip(parts, bends, strict=True)
    ]
    if t_for_checks:
        for part in parts:
            findings += bend_checks(part, t_for_checks)

    return Analysis(
        source=source,
        dxf_version=doc.dxfversion,
        units={
            "name": units.name,
            "mm_per_unit": units.mm_per_unit,
            "source": units.source,
            "insunits": units.insunits,
            "reason": units.reason,
        },
        parts=tuple(parts),
        findings=tuple(findings),
        text=text,
        entity_counts=dict(ex.counts),
        annotation_edges=tuple(pts * k for pts in ex.notes[:20000]),
        open_edges=tuple(e.pts for seq in open_chains for e in seq),
    )


def _engraving_mm(part: Part, engrave: list[Edge]) -> float:
    """Engraving drawn on the part: closed marks by their centroid, open ones by their
    middle point."""
    if not engrave:
        return 0.0
    poly = Polygon(part.outer)
    return float(
        sum(
            e.length_mm
            for e in engrave
            if poly.contains(Polygon(e.pts).centroid if e.closed else Point(e.pts[len(e.pts) // 2]))
        )
    )
