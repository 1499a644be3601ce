"""Variants of a real DXF file for the similar-search benchmark, made with ezdxf the way a
CAD user would make them: the same part (moved, turned, mirrored, in inches, polylines
exploded, entities shuffled, drawn inside a frame with a title block and dimensions) and
near variants (a hole more or less, a hole ±20 %, one side stretched 10 %).

Each generator returns the new document or None when the file cannot take that change
(no round hole to remove, a curve across the stretch line, …); the benchmark then checks
by analysing the result that the change really happened, and counts what it skipped."""

from __future__ import annotations

import math
import random
from pathlib import Path

import ezdxf
from ezdxf import bbox, recover
from ezdxf.document import Drawing
from ezdxf.math import Matrix44, Vec3
from shapely.geometry import Point, Polygon
from shapely.ops import polylabel

from cad.model import Analysis, Part

INCH_MM = 25.4
INSUNITS_INCH = 1


def load(path: Path) -> Drawing:
    try:
        return ezdxf.readfile(path)
    except ezdxf.DXFStructureError:
        doc, _ = recover.readfile(path)
        return doc


def _transform_all(doc: Drawing, m: Matrix44) -> bool:
    for e in list(doc.modelspace()):
        try:
            e.transform(m)
        except (NotImplementedError, ezdxf.DXFError):
            return False
    return True


def moved(doc: Drawing, rng: random.Random) -> Drawing | None:
    m = Matrix44.translate(rng.uniform(-5000, 5000), rng.uniform(-5000, 5000), 0)
    return doc if _transform_all(doc, m) else None


def rotated(doc: Drawing, rng: random.Random) -> Drawing | None:
    m = Matrix44.z_rotate(math.radians(rng.uniform(1, 359))) @ Matrix44.translate(
        rng.uniform(-900, 900), rng.uniform(-900, 900), 0
    )
    return doc if _transform_all(doc, m) else None


def mirrored(doc: Drawing, rng: random.Random) -> Drawing | None:
    m = Matrix44.scale(-1, 1, 1) @ Matrix44.z_rotate(math.radians(rng.uniform(0, 360)))
    return doc if _transform_all(doc, m) else None


def in_inches(doc: Drawing, mm_per_unit: float) -> Drawing | None:
    if not _transform_all(doc, Matrix44.scale(mm_per_unit / INCH_MM)):
        return None
    doc.header["$INSUNITS"] = INSUNITS_INCH
    doc.header["$MEASUREMENT"] = 0
    return doc


def exploded(doc: Drawing) -> Drawing | None:
    msp = doc.modelspace()
    polylines = [e for e in msp if e.dxftype() in ("LWPOLYLINE", "POLYLINE")]
    if not polylines:
        return None
    for e in polylines:
        e.explode()
    return doc


def shuffled(doc: Drawing, rng: random.Random) -> Drawing | None:
    msp = doc.modelspace()
    entities = list(msp)
    if not entities:
        return None
    copies = [e.copy() for e in entities]
    for e in entities:
        msp.delete_entity(e)
    rng.shuffle(copies)
    for c in copies:
        msp.add_entity(c)
    for c in copies:  # new layers in random names: the layer must not matter either
        c.dxf.layer = f"L{rng.randrange(10**6)}"
    return doc


def _rect(msp, corners) -> None:  # type: ignore[no-untyped-def]
    if msp.doc.dxfversion < "AC1015":  # R12 has no LWPOLYLINE
        msp.add_polyline2d(corners, close=True)
    else:
        msp.add_lwpolyline(corners, close=True)


def framed(doc: Drawing) -> Drawing | None:
    """A drawing frame with a title block, and two dimensions along the part."""
    msp = doc.modelspace()
    box = bbox.extents(msp, fast=True)
    if not box.has_data:
        return None
    (x0, y0), (x1, y1) = box.extmin.vec2, box.extmax.vec2
    w, h = x1 - x0, y1 - y0
    size = max(w, h)
    dim = msp.add_linear_dim(
        base=(x0, y1 + 0.08 * size), p1=(x0, y1), p2=(x1, y1), dimstyle="EZDXF"
    )
    dim.render()
    dim = msp.add_linear_dim(
        base=(x0 - 0.08 * size, y0), p1=(x0, y0), p2=(x0, y1), angle=90, dimstyle="EZDXF"
    )
    dim.render()
    m = 0.25 * size
    fx0, fy0, fx1, fy1 = x0 - m, y0 - m - 0.3 * size, x1 + m, y1 + m
    _rect(msp, [(fx0, fy0), (fx1, fy0), (fx1, fy1), (fx0, fy1)])
    # Title block: 3 rows × 2 columns of cells at the frame's lower right, each with text.
    cw, ch = 0.35 * size, 0.08 * size
    tx0 = fx1 - 2 * cw
    labels = [
        ["DRAWN: K. SATO", "SCALE 1:1"],
        ["DATE 2026-11-22", "SHEET 1/1"],
        ["KUMIAI SHEET METAL", "REV A"],
    ]
    for row in range(3):
        for col in range(2):
            cx, cy = tx0 + col * cw, fy0 + row * ch
            _rect(msp, [(cx, cy), (cx + cw, cy), (cx + cw, cy + ch), (cx, cy + ch)])
            msp.add_text(labels[row][col], height=0.3 * ch).set_placement(
                (cx + 0.05 * cw, cy + 0.3 * ch)
            )
    return doc


# --- near variants: they need the analysed part to know where its holes are ----------


def _points_mm(e, k: float) -> list[tuple[float, float]] | None:  # type: ignore[no-untyped-def]
    t = e.dxftype()
    if t == "LINE":
        pts = [e.dxf.start, e.dxf.end]
    elif t in ("CIRCLE", "ARC"):
        c, r = e.dxf.center, e.dxf.radius
        pts = [Vec3(c.x + r * math.cos(a), c.y + r * math.sin(a)) for a in (0, 2, 4)]
        if e.dxf.extrusion.z < 0:
            pts = [Vec3(-p.x, p.y) for p in pts]
    elif t == "LWPOLYLINE":
        pts = [Vec3(x, y) for x, y in e.get_points("xy")]
    else:
        return None
    return [(p.x * k, p.y * k) for p in pts]


def round_holes(doc: Drawing, part: Part, k: float) -> list[tuple[object, list]]:
    """Each round hole of the part with the entities that draw it: a CIRCLE, or the LINEs
    of a polygon (OpenSCAD writes holes that way), every point of which lies on the hole."""
    holes = []
    entities = [(e, _points_mm(e, k)) for e in doc.modelspace()]
    entities = [(e, pts) for e, pts in entities if pts]
    for h in part.holes:
        r = h.diameter_mm / 2
        on = [
            e
            for e, pts in entities
            if all(abs(math.dist(p, h.center) - r) <= 0.03 * r + 0.01 for p in pts)
        ]
        if on:
            holes.append((h, on))
    return holes


def fewer_holes(doc: Drawing, part: Part, k: float, n: int, rng: random.Random) -> Drawing | None:
    holes = round_holes(doc, part, k)
    if len(holes) < n + 1:  # keep at least one: a plate with no holes left is another job
        return None
    for _, entities in rng.sample(holes, n):
        for e in entities:
            doc.modelspace().delete_entity(e)
    return doc


def more_holes(doc: Drawing, part: Part, k: float, n: int, rng: random.Random) -> Drawing | None:
    material = Polygon(part.outer, list(part.inner)).buffer(0)
    sizes = sorted(h.diameter_mm for h in part.holes) or [5.0]
    d = sizes[len(sizes) // 2]
    for _ in range(n):
        spot = polylabel(material, tolerance=0.5)
        clearance = material.exterior.distance(spot)
        clearance = min(
            [clearance] + [Polygon(i).exterior.distance(spot) for i in material.interiors]
        )
        if clearance < 0.75 * d + 1.0:
            d = (clearance - 1.0) / 0.75
            if d < 1.0:
                return None
        doc.modelspace().add_circle((spot.x / k, spot.y / k), d / 2 / k)
        material = material.difference(Point(spot.x, spot.y).buffer(d / 2 + 0.5))
    return doc


def resized_hole(
    doc: Drawing, part: Part, k: float, factor: float, rng: random.Random
) -> Drawing | None:
    """One round hole ×factor about its centre (a larger one only where it stays 0.5 mm
    clear of every other edge)."""
    holes = round_holes(doc, part, k)
    material = Polygon(part.outer, list(part.inner)).buffer(0)
    rng.shuffle(holes)
    for hole, entities in holes:
        r_mm = hole.diameter_mm / 2
        centre = Point(*hole.center)
        if factor > 1:
            others = material.union(centre.buffer(r_mm * 1.05))
            edges = [others.exterior] + [
                i for i in others.interiors if not Polygon(i).contains(centre)
            ]
            if min(x.distance(centre) for x in edges) < r_mm * factor + 0.5:
                continue
        cx, cy = hole.center[0] / k, hole.center[1] / k
        m = Matrix44.translate(-cx, -cy, 0) @ Matrix44.scale(factor) @ Matrix44.translate(cx, cy, 0)
        for e in entities:
            e.transform(m)
        return doc
    return None


def stretched(doc: Drawing, analysis: Analysis, part: Part, k: float) -> Drawing | None:
    """One side 10 % longer, as CAD's STRETCH does: what lies right of the part's middle
    moves right; lines and polyline vertices across the middle keep their left ends."""
    x0, _, x1, _ = part.bbox_mm
    mid, shift = (x0 + x1) / 2 / k, 0.10 * (x1 - x0) / k
    msp = doc.modelspace()

    def move(v: Vec3) -> Vec3:
        return Vec3(v.x + shift, v.y, v.z) if v.x > mid else v

    for e in list(msp):
        t = e.dxftype()
        if t == "LINE":
            e.dxf.start, e.dxf.end = move(e.dxf.start), move(e.dxf.end)
        elif t == "LWPOLYLINE":
            pts = [
                (x + shift if x > mid else x, y, s, en, b)
                for x, y, s, en, b in e.get_points("xyseb")
            ]
            e.set_points(pts, format="xyseb")
        elif t in ("CIRCLE", "ARC"):
            c, r = e.dxf.center, e.dxf.radius
            if c.x - r < mid < c.x + r:
                return None  # a curve across the stretch line would have to change shape
            e.dxf.center = move(c)
        elif t in ("TEXT", "MTEXT", "DIMENSION", "POINT"):
            continue
        else:
            return None
    return doc
