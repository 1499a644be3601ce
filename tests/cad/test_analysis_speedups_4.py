"""Shortcuts of the analysis give exactly what the plain computation gives (issue 15,
item 7, round 4): extents and coordinate bounds reduced column by column, ellipse points
coordinate by coordinate, no flattening set up for a drawing without curves, LINE points
set from one array and cut edges routed in one go, loop areas and chain ends from one
slice per edge, nodes of ends that meet in pairs without union-find, small neighbourhood
graphs joined in Python, the overlap search passing over crosses, nesting and inside
radii asked of GEOS in one call each, the material polygon from its rings, minimum
rectangles one product at a time, no bend search without parts, the garbage collector
left as it was found. Compared bit for bit against ezdxf and the plain computation; no
test looks at a clock."""

from __future__ import annotations

import gc
import math
import random
import time
from pathlib import Path

import ezdxf
import numpy as np
import pytest
import shapely
from shapely import STRtree
from shapely.geometry import Point, Polygon

import cad.chain as chain_module
import cad.parts as parts_module
from cad.analyze import _extent, analyze_file
from cad.chain import Loop, _edge_ends, _ends, _neighbourhoods, _nodes, _shoelace
from cad.extract import (
    STYLED_LINETYPES,
    Style,
    _line_edge,
    _Walker,
    extract,
    layer_role,
    max_abs_coordinate,
)
from cad.findings import finding
from cad.flatten import flatten_curves
from cad.model import Edge
from cad.reader import Limits
from cad.rect import TIE_REL, MinRect, min_rect


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same array, bit for bit: dtype, shape and bytes."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _flattened_as_ezdxf(entities: list, distances: list[float]) -> int:  # type: ignore[type-arg]
    """flatten_curves gives, for each entity, ezdxf's own flattening bit for bit, or the
    same refusal; the number of entities flattened."""
    got = flatten_curves(entities, distances)
    compared = 0
    for e, d, points in zip(entities, distances, got, strict=True):
        try:
            want = np.array([v.xyz for v in e.flattening(d)], dtype=float).reshape(-1, 3)
        except Exception as exc:  # noqa: BLE001 - then the same refusal
            assert type(points) is type(exc)
            continue
        assert isinstance(points, np.ndarray)
        assert _same(np.ascontiguousarray(points), want)
        compared += 1
    return compared


def _edges(rng: random.Random, n: int) -> list[Edge]:
    out = []
    for _ in range(n):
        k = rng.choice((2, 2, 3, 17))
        scale = rng.choice((1e-3, 1.0, 1e4))
        pts = np.array([(rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale) for _ in range(k)])
        if rng.random() < 0.1:
            pts[rng.randrange(k), rng.randrange(2)] = rng.choice((math.nan, math.inf, -0.0, 0.0))
        out.append(Edge("line" if k == 2 else "curve", pts, 1.0))
    return out


# -- column-wise reductions ------------------------------------------------------------------
def test_extent_equals_ptp_down_the_columns() -> None:
    rng = random.Random(3)
    for _ in range(300):
        edges = _edges(rng, rng.randint(1, 12))
        plain = float(np.ptp(np.vstack([e.pts for e in edges]), axis=0).max())
        got = _extent(edges)
        assert repr(got) == repr(plain)
    # zero extents keep the plain computation's sign of zero
    flat = [Edge("line", np.array([[0.0, -0.0], [-0.0, 0.0]]), 0.0)]
    assert repr(_extent(flat)) == repr(float(np.ptp(flat[0].pts, axis=0).max()))


def test_max_abs_coordinate_equals_the_row_maximum() -> None:
    rng = random.Random(4)
    for _ in range(300):
        edges = _edges(rng, rng.randint(1, 12))
        counts = [len(e.pts) for e in edges]
        first = np.cumsum([0, *counts[:-1]])
        plain = np.maximum.reduceat(
            np.abs(np.concatenate([e.pts for e in edges])).max(axis=1), first
        )
        got = max_abs_coordinate(edges)
        assert np.array_equal(got, plain, equal_nan=True)
        assert _same(got <= 1e12, plain <= 1e12)


# -- ellipses -------------------------------------------------------------------------------
def test_ellipses_flatten_to_ezdxfs_very_points() -> None:
    """Turned, tilted (axes with z), mirrored and partial ellipses, far from the origin
    and tiny: each coordinate of each point equals ezdxf's."""
    rng = random.Random(8)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(60):
        scale = rng.choice((1e-3, 1.0, 1e4))
        centre = (rng.uniform(-1, 1) * 1e5, rng.uniform(-1, 1) * 1e5, rng.choice((0.0, 3.5)))
        a = rng.uniform(0, math.tau)
        axis = (scale * math.cos(a), scale * math.sin(a), 0.0)
        start, end = (0.0, math.tau) if k % 3 == 0 else (rng.uniform(0, 6), rng.uniform(0, 6))
        e = msp.add_ellipse(centre, axis, rng.uniform(0.05, 1.0), start, end)
        if k % 4 == 1:
            e.dxf.extrusion = (0.0, 0.0, -1.0)
        elif k % 4 == 2:
            e.dxf.extrusion = (0.3, -0.2, 0.9)
            e.dxf.major_axis = (scale * 0.9, 0.0, scale * 0.3)
    entities = list(msp)
    distances = [max(e.dxf.major_axis.magnitude * 1e-4, 1e-6) for e in entities]
    assert _flattened_as_ezdxf(entities, distances) > 40


def test_no_curves_no_flattening() -> None:
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    line = msp.add_line((0, 0), (1, 0))
    assert flatten_curves([], []) == []
    (only,) = flatten_curves([line], [0.1])
    assert isinstance(only, ValueError)  # what it held before: not a curve


# -- LINEs and routing ----------------------------------------------------------------------
def _lines_doc():  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    doc = ezdxf.new("R2010")
    doc.layers.add("CUT", color=3)
    doc.layers.add("BEND_LINES", color=1)
    doc.layers.add("DIMENSIONS")
    doc.layers.add("ETCH")
    doc.linetypes.add("DASHED", pattern=[0.5, 0.25, -0.25])
    block = doc.blocks.new("B")
    block.add_line((0, 0), (3, 1))
    block.add_line((3, 1), (3, 1))  # zero length
    msp = doc.modelspace()
    for k in range(400):
        layer = rng.choice(("0", "CUT", "BEND_LINES", "DIMENSIONS", "ETCH"))
        attribs = {"layer": layer, "color": rng.choice((256, 1, 5))}
        if k % 9 == 0:
            attribs["linetype"] = "DASHED"
        s = (rng.uniform(-1, 1) * 1e3, rng.uniform(-1, 1) * 1e3)
        t = (rng.uniform(-1, 1) * 1e3, rng.uniform(-1, 1) * 1e3)
        if k % 37 == 0:
            t = (1e13, 0.0)  # insane: counted as a bad coordinate
        elif k % 41 == 0:
            t = (math.nan, 0.0)
        msp.add_line(s, t, dxfattribs=attribs)
        if k % 50 == 0:
            msp.add_circle(s, 2.0, dxfattribs=attribs)
            msp.add_blockref("B", s, dxfattribs={"layer": layer, "rotation": 30.0})
    return doc


class _PlainWalker(_Walker):
    """The walk as first written: each LINE's points an array of their own, each edge
    routed by itself."""

    def curve(self, e, kind: str, parent: Style | None) -> None:  # type: ignore[no-untyped-def]
        if kind != "LINE":
            super().curve(e, kind, parent)
            return
        style = self.style_of(e, parent)
        try:
            edges = [_line_edge(e, style.layer)]
        except Exception:  # noqa: BLE001
            self.out.bad_geometry += 1
            return
        self.items.append((edges, -1, style))

    def route(self, edges: list[Edge], sane: list[bool], style: Style) -> None:
        for edge, ok in zip(edges, sane, strict=True):
            if not ok or not math.isfinite(edge.length_mm):
                self.out.bad_coordinates += 1
                continue
            role, styled = (
                layer_role(style.layer),
                any(w in style.linetype for w in STYLED_LINETYPES),
            )
            edge.color = style.color
            if role == "bend":
                self.out.bend_lines.append((edge, style, "layer"))
            elif role == "engrave":
                self.out.engrave.append(edge)
            elif role == "note":
                self.out.notes.append(edge.pts)
            elif styled:
                if edge.kind == "line":
                    self.out.styled_lines.append((edge, style))
                else:
                    self.out.notes.append(edge.pts)
            else:
                self.out.cut.append(edge)
                self.out.cut_styles[(style.layer, style.linetype, style.color)] += 1


def _edge_key(e: Edge) -> tuple:  # type: ignore[type-arg]
    return (
        e.kind,
        e.pts.dtype,
        e.pts.shape,
        e.pts.tobytes(),
        repr(e.length_mm),
        e.layer,
        e.center,
        e.radius_mm,
        e.closed,
        e.color,
    )


def test_lines_and_routes_equal_the_plain_walk() -> None:
    """Every edge of every role, in order, with its points bit for bit, the cut styles
    in the order first met, and the counts, as the plain walk gives them."""
    doc = _lines_doc()
    got = extract(doc, Limits(), time.monotonic())
    plain_walker = _PlainWalker(doc, Limits(), time.monotonic() + 60)
    plain_walker.walk(doc.modelspace(), 0, None)
    plain = plain_walker.finish()
    _assert_same_extraction(got, plain)
    assert len(got.cut) > 100 and got.bend_lines and got.styled_lines
    assert got.bad_coordinates > 0


def _assert_same_extraction(got, plain, edge_key=_edge_key) -> None:  # type: ignore[no-untyped-def]
    """Every edge of every role, in order, each the same by `edge_key`; the notes, the
    cut styles in the order first met, and the counts."""
    assert [edge_key(e) for e in got.cut] == [edge_key(e) for e in plain.cut]
    for a, b in ((got.bend_lines, plain.bend_lines), (got.styled_lines, plain.styled_lines)):
        assert [(edge_key(x[0]), x[1:]) for x in a] == [(edge_key(x[0]), x[1:]) for x in b]
    assert [edge_key(e) for e in got.engrave] == [edge_key(e) for e in plain.engrave]
    assert [p.tobytes() for p in got.notes] == [p.tobytes() for p in plain.notes]
    assert list(got.cut_styles.items()) == list(plain.cut_styles.items())
    assert (got.counts, got.bad_coordinates, got.bad_geometry) == (
        plain.counts,
        plain.bad_coordinates,
        plain.bad_geometry,
    )


# -- chaining and areas ---------------------------------------------------------------------
def _plain_area(loop: Loop) -> float:
    """Loop.exact_area_mm2 as first written: the ends listed one by one."""
    first = loop.edges[0]
    if len(loop.edges) == 1 and first.kind == "circle" and first.radius_mm is not None:
        return math.pi * first.radius_mm**2
    ends = np.array([p for e in loop.edges for p in (e.start, e.end)] + [loop.edges[0].start])
    total = _shoelace(ends)
    for e in loop.edges:
        if e.kind == "line":
            continue
        bulge = _shoelace(np.vstack([e.pts, e.pts[:1]]))
        if e.kind == "arc" and e.radius_mm:
            theta = e.length_mm / e.radius_mm
            exact = 0.5 * e.radius_mm**2 * (theta - math.sin(theta))
            total += math.copysign(exact, bulge)
        else:
            total += bulge
    return abs(total)


def test_loop_area_equals_the_plain_computation() -> None:
    rng = random.Random(6)
    for _ in range(300):
        edges = []
        for _ in range(rng.randint(1, 9)):
            kind = rng.choice(("line", "arc", "curve"))
            n = 2 if kind == "line" else rng.randint(2, 30)
            pts = np.array([(rng.uniform(-5, 5), rng.uniform(-5, 5)) for _ in range(n)]) + 1e4
            if rng.random() < 0.2:
                pts = pts[::-1]  # a reversed view, as walking backwards leaves some
            r = rng.uniform(0.5, 3.0) if kind == "arc" else None
            edges.append(Edge(kind, pts, rng.uniform(0.1, 9.0), radius_mm=r))
        loop = Loop(edges, np.zeros((0, 2)), 0.0)
        assert repr(loop.exact_area_mm2()) == repr(_plain_area(loop))


def test_edge_ends_equal_ends_listed() -> None:
    rng = random.Random(7)
    edges = _edges(rng, 50) + [Edge("curve", np.array([[1.0, 2.0]]), 0.0)]
    edges.append(Edge("line", np.array([[1.0, 2.0], [3.0, 4.0]])[::-1], 1.0))
    assert _same(_edge_ends(edges), _ends([(e.start, e.end) for e in edges]))


def _union_find_nodes(points: np.ndarray) -> list[int]:
    """`_nodes` by union-find alone, as it was written before ends meeting in pairs
    were taken apart."""
    n = len(points)
    pairs = chain_module.cKDTree(points).query_pairs(
        chain_module.tol.SAME_POINT_MM + chain_module.tol.THRESHOLD_PAD_MM, output_type="ndarray"
    )
    node, lone = chain_module._union_nodes(n, pairs)
    if len(lone) > 1:
        near = chain_module.cKDTree(points[lone]).query_pairs(
            chain_module.tol.JOIN_MM + chain_module.tol.THRESHOLD_PAD_MM, output_type="ndarray"
        )
        if len(near):
            d = np.hypot(*(points[lone[near[:, 0]]] - points[lone[near[:, 1]]]).T)
            taken: set[int] = set()
            for k in np.lexsort((near[:, 1], near[:, 0], d)):
                i, j = int(lone[near[k, 0]]), int(lone[near[k, 1]])
                if i in taken or j in taken:
                    continue
                taken.update((i, j))
                node[j] = i
    return node


def test_nodes_of_ends_meeting_in_pairs() -> None:
    """Polygons drawn in LINEs (each end meets one other), with lone ends near each other
    and a few ends meeting three ways: the pairs' shortcut and union-find agree."""
    rng = random.Random(9)
    for t in range(300):
        corners = [(rng.uniform(0, 5), rng.uniform(0, 5)) for _ in range(rng.randint(2, 30))]
        ends = []
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            ends += [a, b]
        pts = np.array(ends)
        if t % 3 == 0:  # an open end, nearly meeting another
            pts = np.concatenate([pts, pts[:1] + 0.02, pts[1:2] + 0.03])
        if t % 5 == 0:  # three ways
            pts = np.concatenate([pts, pts[:1]])
        pts = pts[np.random.default_rng(t).permutation(len(pts))]
        assert _nodes(pts) == _union_find_nodes(pts)


def test_small_neighbourhoods_equal_scipys(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(12)
    for n in (1, 2, 5, 30, 120, 400):
        for spread in (3.0, 30.0, 300.0):
            lo = rng.uniform(0, spread, (n, 2))
            hi = lo + rng.uniform(0, 3, (n, 2))
            monkeypatch.setattr(chain_module, "SMALL_GRAPH_PAIRS", 10**9)
            small = _neighbourhoods(lo, hi)
            monkeypatch.setattr(chain_module, "SMALL_GRAPH_PAIRS", -1)
            scipys = _neighbourhoods(lo, hi)
            assert small[0] == scipys[0]
            assert _same(small[1], scipys[1])


def _twins_drawing(rng: random.Random) -> list[Edge]:
    """Squares of LINEs with some sides drawn again (as drawn, reversed, moved by about
    the duplicate tolerance either way), crosses and X marks (lines meeting at their
    middles), collinear overlaps, circles drawn twice or as a same-length line."""
    limit = chain_module.tol.DUPLICATE_MM
    out: list[Edge] = []

    def line(a: tuple[float, float], b: tuple[float, float]) -> Edge:
        pts = np.array([a, b], dtype=float)
        return Edge("line", pts, math.hypot(b[0] - a[0], b[1] - a[1]))

    for k in range(rng.randint(3, 12)):
        x, y, s = rng.uniform(-1e4, 1e4), rng.uniform(-1e4, 1e4), rng.choice((0.5, 7.0, 40.0))
        corners = [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
        sides = [line(a, b) for a, b in zip(corners, corners[1:] + corners[:1], strict=True)]
        out += sides
        kind = k % 5
        if kind == 0:  # a side again, maybe reversed, maybe moved by about the tolerance
            d = rng.choice((0.0, limit * 0.5, limit * 0.999, limit * 1.001, limit * 2))
            a, b = sides[0].pts.tolist()
            if rng.random() < 0.5:
                a, b = b, a
            out.append(line((a[0], a[1] + d), (b[0], b[1] + d)))
        elif kind == 1:  # a cross and an X mark of equal arms
            cx, cy, r = x + s / 2, y + s / 2, s / 4
            out += [line((cx - r, cy), (cx + r, cy)), line((cx, cy - r), (cx, cy + r))]
            out += [
                line((cx - r, cy - r), (cx + r, cy + r)),
                line((cx - r, cy + r), (cx + r, cy - r)),
            ]
        elif kind == 2:  # collinear overlap
            out.append(line((x + s * 0.3, y), (x + s * 1.2, y)))
        elif kind == 3:  # a circle twice
            c = (x + s / 2, y + s / 2)
            r = s / 5
            pts = c + r * np.column_stack(
                [np.cos(np.linspace(0, math.tau, 33)), np.sin(np.linspace(0, math.tau, 33))]
            )
            circle = Edge("circle", pts, math.tau * r, center=c, radius_mm=r, closed=True)
            out += [
                circle,
                Edge("circle", pts.copy(), math.tau * r, center=c, radius_mm=r, closed=True),
            ]
        else:  # an arc and a short line (too short to merge) drawn again
            c, r = (x + s / 2, y + s / 2), s / 3
            t = np.linspace(0.2, 2.0, 9)
            pts = np.column_stack([c[0] + r * np.cos(t), c[1] + r * np.sin(t)])
            out.append(Edge("arc", pts, 1.8 * r, center=c, radius_mm=r))
            short = line((x + s * 0.4, y + s * 0.5), (x + s * 0.4 + 0.03, y + s * 0.5))
            out.append(short)
            for twin in (pts, short.pts):
                d = rng.choice((0.0, limit * 0.5, limit * 0.999, limit * 1.001, limit * 2))
                moved = twin[::-1] + d if rng.random() < 0.5 else twin + d
                kind_ = "arc" if len(twin) > 2 else "line"
                out.append(
                    Edge(kind_, np.ascontiguousarray(moved), 1.8 * r if kind_ == "arc" else 0.03)
                )
    rng.shuffle(out)
    return out


def _chained_key(ch: chain_module.Chained, edge_key=_edge_key) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    """What chaining gave, compared bit for bit (each edge by `edge_key`)."""
    return (
        [
            ([edge_key(e) for e in lp.edges], lp.pts.tobytes(), lp.length_mm, lp.repaired_gap_mm)
            for lp in ch.loops
        ],
        [[edge_key(e) for e in seq] for seq in ch.open_chains],
        ch.findings,
    )


def test_overlap_search_finds_every_neighbourhood_with_twins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chaining with the neighbourhoods `_may_overlap` picks equals chaining with every
    neighbourhood checked pair by pair; and it leaves crosses out."""
    rng = random.Random(14)
    for _ in range(150):
        edges = _twins_drawing(rng)
        got = chain_module.chain(edges)
        every = set(range(len(edges)))  # at least as many as there are neighbourhoods
        with monkeypatch.context() as m:
            m.setattr(chain_module, "_may_overlap", lambda *a, every=every: every)
            plain = chain_module.chain(edges)
        assert _chained_key(got) == _chained_key(plain)
    cross = [
        Edge("line", np.array([[-1.0, 0.0], [1.0, 0.0]]), 2.0),
        Edge("line", np.array([[0.0, -1.0], [0.0, 1.0]]), 2.0),
    ]
    pts = np.concatenate([e.pts for e in cross])
    first, counts = np.array([0, 2]), np.array([2, 2])
    assert chain_module._may_overlap(cross, pts, first, counts, np.zeros(2, dtype=int)) == set()


# -- parts ----------------------------------------------------------------------------------
def _plain_inside_radii(loops: list[Loop], material: Polygon) -> list[float]:
    """parts._inside_radii as first written: a Point and a call per arc."""
    radii = []
    for loop in loops:
        if len(loop.edges) == 1:
            continue
        for e in loop.edges:
            if e.kind != "arc" or e.center is None or e.radius_mm is None:
                continue
            if not material.contains(Point(e.center)):
                radii.append(e.radius_mm)
    return radii


def test_inside_radii_equal_one_call_per_arc() -> None:
    """Arc centres inside the material, in its holes, outside, on its boundary and on a
    hole's boundary (the predicate's hardest cases), loops of one arc left out."""
    shell = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    hole = [(2.0, 2.0), (4.0, 2.0), (4.0, 4.0), (2.0, 4.0)]
    material = Polygon(shell, [hole])
    rng = random.Random(15)
    centres = [(5.0, 0.0), (3.0, 2.0), (2.0, 2.0), (0.0, 0.0), (math.nan, 1.0), (11.0, 5.0)]
    centres += [(rng.uniform(-1, 11), rng.uniform(-1, 11)) for _ in range(300)]
    arcs = [
        Edge("arc", np.zeros((2, 2)), 1.0, center=c, radius_mm=float(k))
        for k, c in enumerate(centres)
    ]
    arcs.insert(3, Edge("line", np.zeros((2, 2)), 1.0))
    arcs.insert(7, Edge("arc", np.zeros((2, 2)), 1.0, center=None, radius_mm=2.0))
    loops = [Loop(arcs[k : k + 9], np.zeros((0, 2)), 0.0) for k in range(0, len(arcs), 9)]
    loops.append(Loop([arcs[0]], np.zeros((0, 2)), 0.0))  # a round hole: not a corner
    got = parts_module._inside_radii(loops, material)
    assert got == _plain_inside_radii(loops, material)
    assert 0 < len(got) < len(centres)
    assert parts_module._inside_radii([], material) == []


def test_material_from_rings_is_the_polygon_from_their_coordinates() -> None:
    rng = random.Random(16)
    for _ in range(50):
        outer = Polygon([(rng.uniform(-9, 9), rng.uniform(-9, 9)) for _ in range(12)]).convex_hull
        holes = [
            Point(rng.uniform(-2, 2), rng.uniform(-2, 2)).buffer(rng.uniform(0.1, 0.5))
            for _ in range(3)
        ]
        by_coords = Polygon(outer.exterior.coords, [h.exterior.coords for h in holes])
        by_rings = Polygon(outer.exterior, [h.exterior for h in holes])
        assert by_rings.wkb == by_coords.wkb


def test_no_parts_no_bends() -> None:
    line = Edge("line", np.array([[0.0, 0.0], [5.0, 0.0]]), 5.0)
    assert parts_module.assign_bends([], [(line, "open line", 0.3)]) == ([], [], set())


def _plain_min_rect(poly: Polygon) -> MinRect:
    """rect.min_rect as first written, both products held at once."""
    hull = np.asarray(poly.convex_hull.exterior.coords)
    pts = hull[:-1] - hull[0]
    edges = np.diff(hull, axis=0)
    length = np.hypot(edges[:, 0], edges[:, 1])
    edges = edges[length > 0] / length[length > 0][:, None]
    along = pts @ edges.T
    across = pts @ np.column_stack([-edges[:, 1], edges[:, 0]]).T
    w = along.max(axis=0) - along.min(axis=0)
    h = across.max(axis=0) - across.min(axis=0)
    area = w * h
    tied = np.flatnonzero(area <= area.min() * (1 + TIE_REL) + 1e-12)
    k = int(tied[np.argmin(np.maximum(w, h)[tied])])
    ux, uy = edges[k]
    angle = math.atan2(uy, ux) if w[k] >= h[k] else math.atan2(ux, -uy)
    return MinRect(float(max(w[k], h[k])), float(min(w[k], h[k])), angle)


def test_min_rect_equals_both_products_held_at_once() -> None:
    rng = random.Random(17)
    for k in range(80):
        n = rng.choice((3, 5, 40, 300))
        scale = rng.choice((1e-3, 1.0, 1e4))
        pts = [
            (rng.uniform(-1, 1) * scale + 5e4, rng.uniform(-1, 1) * scale * 0.3) for _ in range(n)
        ]
        poly = Polygon(pts).convex_hull if k % 2 else Polygon(pts).buffer(scale * 0.1)
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        got, plain = min_rect(poly), _plain_min_rect(poly)
        assert (repr(got.long_mm), repr(got.short_mm), repr(got.angle_rad)) == (
            repr(plain.long_mm),
            repr(plain.short_mm),
            repr(plain.angle_rad),
        )


def _plain_nest(loops: list[Loop]) -> tuple[list, list]:  # type: ignore[type-arg]
    """parts.nest as first written: GEOS asked loop by loop, the tree probe by probe."""
    findings = []
    nodes = []
    for loop in loops:
        poly, valid = Polygon(loop.pts), True
        if not poly.is_valid:
            fixed = shapely.make_valid(poly)
            polys = [g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon)]
            poly, valid = (max(polys, key=lambda g: g.area) if polys else Polygon()), False
        if poly.is_empty or poly.area <= 0:
            continue
        if not valid:
            findings.append(finding("SELF_INTERSECTION", location=tuple(loop.pts[0])))
        nodes.append(parts_module._Node(loop, poly, poly.area))
    nodes.sort(key=lambda n: -n.area)
    tree = STRtree([n.poly for n in nodes])
    probes = [n.poly.representative_point() for n in nodes]
    for i, node in enumerate(nodes):
        candidates = sorted((int(j) for j in tree.query(probes[i]) if j < i), reverse=True)
        for j in candidates:
            if nodes[j].area > node.area and nodes[j].poly.contains(probes[i]):
                node.parent = j
                break
    for node in nodes:
        node.depth = 0 if node.parent is None else nodes[node.parent].depth + 1
    return nodes, findings


def _nest_loops(rng: random.Random) -> list[Loop]:
    """Squares in squares in squares, equal twins, rings of holes, bow-ties (invalid),
    flat loops (no area), loops touching at a corner; shuffled."""
    out = []

    def loop(pts: list[tuple[float, float]]) -> None:
        arr = np.array(pts + pts[:1], dtype=float)
        out.append(Loop([Edge("line", arr[:2], 1.0)], arr, 1.0))

    for _ in range(rng.randint(1, 5)):
        x, y, s = rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3), rng.uniform(10, 100)
        for depth in range(rng.randint(1, 4)):
            d = depth * s * 0.12
            loop([(x + d, y + d), (x + s - d, y + d), (x + s - d, y + s - d), (x + d, y + s - d)])
        if rng.random() < 0.3:  # an equal twin
            loop([(x, y), (x + s, y), (x + s, y + s), (x, y + s)])
        for _ in range(rng.randint(0, 6)):
            cx, cy, r = x + rng.uniform(0.3, 0.7) * s, y + rng.uniform(0.3, 0.7) * s, s * 0.04
            loop([(cx + r * math.cos(a), cy + r * math.sin(a)) for a in np.linspace(0, 6, 12)])
        if rng.random() < 0.3:  # a bow-tie
            loop([(x, y - 5), (x + 4, y - 1), (x + 4, y - 5), (x, y - 1)])
        if rng.random() < 0.3:  # flat
            loop([(x, y - 9), (x + 3, y - 9), (x + 6, y - 9)])
        if rng.random() < 0.3:  # touching the outline at a corner
            loop([(x + s, y + s), (x + s + 5, y + s), (x + s + 5, y + s + 5)])
    rng.shuffle(out)
    return out


def test_nest_equals_one_loop_at_a_time() -> None:
    rng = random.Random(18)
    for _ in range(200):
        loops = _nest_loops(rng)
        got, got_findings = parts_module.nest(loops)
        plain, plain_findings = _plain_nest(loops)
        assert got_findings == plain_findings
        assert [(id(n.loop), n.poly.wkb, repr(n.area), n.parent, n.depth) for n in got] == [
            (id(n.loop), n.poly.wkb, repr(n.area), n.parent, n.depth) for n in plain
        ]
    assert parts_module.nest([]) == ([], [])


def test_analysis_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    doc = ezdxf.new("R2010")
    doc.modelspace().add_lwpolyline([(0, 0), (50, 0), (50, 30), (0, 30)], close=True)
    path = tmp_path / "plate.dxf"
    doc.saveas(path)
    assert gc.isenabled()
    assert len(analyze_file(path).parts) == 1
    assert gc.isenabled()
    gc.disable()
    try:
        analyze_file(path)
        assert not gc.isenabled()
    finally:
        gc.enable()
