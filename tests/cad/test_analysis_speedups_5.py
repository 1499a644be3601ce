"""Shortcuts of the analysis give exactly what the plain computation gives (issue 15,
item 7, round 5): minimum rectangles without np.diff's and the boolean selections' copies,
the outlines' hulls and boxes from GEOS in one call each, polygons made all at once,
cut-outs' boxes and areas in one call, no bend search without candidates, no material
polygon without arcs, LWPOLYLINE vertices from ezdxf's array, edges routed in runs of one
style, the arcs' points evaluated together, a block's plain LINEs moved without ezdxf's
copy, the model space listed once, the collector paused for an extraction without
blocks, the nodes of every neighbourhood's ends from one pair of k-d trees, large sets of
ends joined by scipy, ellipse and spline points gathered with `take`, the closeness test
and-ed column by column. Compared bit for bit against ezdxf and the plain computation; no
test looks at a clock."""

from __future__ import annotations

import math
import random
import time
from collections import Counter

import ezdxf
import numpy as np
import pytest
import shapely
from ezdxf.math import Vec3, bulge_to_arc
from shapely.geometry import Point, Polygon, box

import cad.chain as chain_module
import cad.extract as cad_extract
import cad.parts as parts_module
from cad.chain import Loop, _chain_here, _edge_ends, _group_nodes, _nodes, _union_nodes
from cad.extract import (
    Style,
    _entity_size,
    _polyline_edges,
    _runs,
    _tol,
    _Walker,
    arc_points,
    extract,
)
from cad.flatten import _isclose
from cad.model import Edge, Part
from cad.reader import Limits
from cad.rect import MinRect, hulls, min_rect

from .test_analysis_speedups_4 import _assert_same_extraction, _flattened_as_ezdxf, _same
from .test_analysis_speedups_4 import _chained_key as _chained_key_by
from .test_analysis_speedups_4 import _plain_min_rect as _first_min_rect


def _rect_key(r: MinRect) -> tuple[str, str, str]:
    return repr(r.long_mm), repr(r.short_mm), repr(r.angle_rad)


# -- minimum rectangles and hulls ------------------------------------------------------------
def _plain_min_rect(poly: Polygon) -> MinRect:
    """rect.min_rect before this round: np.diff, the boolean selections, np.column_stack
    and ndarray.max, as first written (round 4's reference, which held both products at
    once and gave round 4's bits), with the bounding box it falls back to for a hull
    that is not a polygon."""
    hull = np.asarray(poly.convex_hull.exterior.coords) if not poly.is_empty else np.zeros(0)
    if len(hull) < 4:
        minx, miny, maxx, maxy = poly.bounds if not poly.is_empty else (0.0, 0.0, 0.0, 0.0)
        w, h = maxx - minx, maxy - miny
        return MinRect(max(w, h), min(w, h), 0.0 if w >= h else math.pi / 2)
    return _first_min_rect(poly)


def _polygons_for_rects(rng: random.Random) -> list[Polygon]:
    out: list[Polygon] = []
    for k in range(150):
        n = rng.choice((3, 4, 7, 40, 257))
        scale = rng.choice((1e-3, 1.0, 1e4))
        a, b = rng.uniform(0.05, 1.0), rng.uniform(0.05, 1.0)
        ts = sorted(rng.uniform(0, math.tau) for _ in range(n))
        pts = [
            (scale * a * math.cos(t) + rng.choice((0.0, 5e4)), scale * b * math.sin(t)) for t in ts
        ]
        if k % 5 == 0:
            pts = [(x, 0.0 * y - 0.0) for x, y in pts[:2]] + pts[2:]  # signed zeros
        if k % 7 == 0:
            pts.insert(1, pts[1])  # a repeated point
        poly = Polygon(pts)
        out.append(poly if k % 3 else poly.buffer(scale * 0.05))
    # squares (ties of every side), a right triangle (a tie between two rectangles),
    # a tiny one, an empty one
    out += [box(0, 0, 1, 1), box(-3, -3, 3, 3), Polygon([(0, 0), (20, 0), (0, 30)])]
    out += [box(0, 0, 1e-9, 1e-9), Polygon()]
    return out


def test_min_rect_equals_the_previous_rounds() -> None:
    for poly in _polygons_for_rects(random.Random(51)):
        assert _rect_key(min_rect(poly)) == _rect_key(_plain_min_rect(poly))


def test_hulls_equal_each_polygons_own() -> None:
    polys = _polygons_for_rects(random.Random(52))
    flat = Polygon([(0, 0), (1, 1), (2, 2)])  # its hull is a line
    polys += [flat, Polygon([(1, 1), (1, 1), (1, 1)])]
    got = hulls(polys)
    assert len(got) == len(polys)
    for poly, hull in zip(polys, got, strict=True):
        made = poly.convex_hull
        if poly.is_empty or made.geom_type != "Polygon":
            assert hull is None
            continue
        assert hull is not None
        assert _same(hull, np.asarray(made.exterior.coords))
        assert _rect_key(min_rect(poly, hull)) == _rect_key(_plain_min_rect(poly))
    assert hulls([]) == []


# -- parts ----------------------------------------------------------------------------------
def test_polygons_at_once_equal_one_by_one() -> None:
    rng = random.Random(53)
    rings = []
    for k in range(200):
        n = rng.choice((4, 5, 12, 100))
        ring = np.array([(rng.uniform(-1, 1) * 1e3, rng.uniform(-1, 1)) for _ in range(n)])
        if k % 2:
            ring = np.concatenate([ring, ring[:1]])  # closed, as loops come
        elif k % 4 == 2:
            ring[-1] = ring[0] + 1e-12  # nearly closed: GEOS closes it
        if k % 9 == 0:
            ring[0, 1] = -0.0
        rings.append(ring)
    got = parts_module._polygons(rings)
    plain = [Polygon(r) for r in rings]
    assert [p.wkb for p in got] == [p.wkb for p in plain]
    # rings too short for a ring of their own are left to Polygon
    short = [np.array([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)])]
    assert [p.wkb for p in parts_module._polygons(short + rings[:3])] == [
        p.wkb for p in [Polygon(r) for r in short + rings[:3]]
    ]
    assert parts_module._polygons([]) == []


def _plain_smallest(sizes: list[float], cutouts: list[Polygon]) -> float | None:
    """parts._smallest_feature as the previous round left it: poly.bounds and poly.area
    one cut-out at a time."""
    if not sizes and not cutouts:
        return None
    least = min(sizes, default=math.inf)
    bounds = []
    for poly in cutouts:
        minx, miny, maxx, maxy = poly.bounds
        diagonal = math.hypot(maxx - minx, maxy - miny)
        bounds.append(poly.area / diagonal - parts_module.FEATURE_BOUND_MARGIN * diagonal)
    for k in sorted(range(len(cutouts)), key=bounds.__getitem__):
        if bounds[k] > least:
            break
        least = min(least, min_rect(cutouts[k]).short_mm)
    return least


def test_smallest_feature_equals_one_cutout_at_a_time() -> None:
    rng = random.Random(54)
    for _ in range(200):
        cutouts = []
        for _ in range(rng.randint(0, 8)):
            x, y = rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3)
            w, h = rng.uniform(0.1, 30), rng.uniform(0.1, 30)
            shape = box(x, y, x + w, y + h)
            cutouts.append(shape if rng.random() < 0.5 else shape.buffer(rng.uniform(0, 3)))
        sizes = [rng.uniform(0.1, 20) for _ in range(rng.randint(0, 2))]
        got, plain = parts_module._smallest_feature(sizes, cutouts), _plain_smallest(sizes, cutouts)
        assert repr(got) == repr(plain)


def _part(outer: np.ndarray) -> Part:
    return Part(
        index=0,
        outer=outer,
        inner=(),
        bbox_mm=(0.0, 0.0, 1.0, 1.0),
        min_rect_mm=(1.0, 1.0),
        net_area_mm2=1.0,
        cut_length_mm=4.0,
        pierce_count=1,
    )


def test_no_candidates_no_bend_search() -> None:
    """What the search gives for no candidates: no bends on any part, no finding."""
    square = np.array([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)])
    parts = [_part(square), _part(square + 20.0)]
    assert parts_module.assign_bends(parts, []) == ([(), ()], [], set())
    # and one that runs across: found as before
    line = Edge("line", np.array([[0.0, 5.0], [10.0, 5.0]]), 10.0)
    bends, _, taken = parts_module.assign_bends(parts, [(line, "layer", 0.95)])
    assert len(bends[0]) == 1 and not bends[1] and taken == {id(line)}


def test_material_made_only_for_arcs() -> None:
    shell = [(0.0, 0.0), (40.0, 0.0), (40.0, 40.0), (0.0, 40.0), (0.0, 0.0)]
    hole = [(10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 20.0), (10.0, 10.0)]
    material = Polygon(shell, [hole])
    made: list[int] = []

    def making() -> Polygon:
        made.append(1)
        return material

    arcs = [
        Edge("arc", np.array([[1.0, 1.0], [2.0, 2.0]]), 1.0, center=c, radius_mm=r)
        for c, r in (((5.0, 5.0), 1.0), ((15.0, 15.0), 2.0), ((50.0, 5.0), 3.0), ((0.0, 20.0), 4.0))
    ]
    loops = [Loop(arcs + [Edge("line", np.zeros((2, 2)), 1.0)], np.zeros((3, 2)), 1.0)]
    assert parts_module._inside_radii(loops, making) == parts_module._inside_radii(loops, material)
    assert made == [1]
    lines = [Loop([Edge("line", np.zeros((2, 2)), 1.0)] * 2, np.zeros((3, 2)), 1.0)]
    assert parts_module._inside_radii(lines, making) == []
    assert made == [1]
    assert not material.contains(Point(15.0, 15.0))  # the hole's arc is an inside corner


# -- extraction -----------------------------------------------------------------------------
def _plain_polyline_edges(e, layer: str) -> list[Edge]:  # type: ignore[no-untyped-def]
    """_polyline_edges of a LWPOLYLINE as the previous round wrote it: its vertices by
    get_points("xyb"), numpy doubles."""
    raw = [(x, y, b) for x, y, b in e.get_points("xyb")]
    closed = e.closed
    ocs = e.ocs()
    elevation = e.dxf.get("elevation", 0.0)
    out: list[Edge] = []
    if len(raw) < 2:
        return out
    n = len(raw) if closed else len(raw) - 1
    for i in range(n):
        x1, y1, bulge = raw[i]
        x2, y2, _ = raw[(i + 1) % len(raw)]
        chord = math.hypot(x2 - x1, y2 - y1)
        if abs(bulge) < 1e-12 or chord == 0:
            pts_ocs = np.array([(x1, y1), (x2, y2)], dtype=float)
            edge_kind, length, center, radius = "line", chord, None, None
        else:
            c, a_start, a_end, r = bulge_to_arc((x1, y1), (x2, y2), bulge)
            pts_ocs = arc_points(c.x, c.y, r, a_start, a_end, _tol(r))
            if bulge < 0:
                pts_ocs = pts_ocs[::-1]
            pts_ocs[0], pts_ocs[-1] = (x1, y1), (x2, y2)
            theta = 4 * math.atan(abs(bulge))
            edge_kind, length, center, radius = "arc", r * theta, (c.x, c.y), r
        if ocs.uz.z != 1.0 or elevation:
            wcs = [ocs.to_wcs(Vec3(px, py, elevation)) for px, py in pts_ocs]
            pts = np.array([(p[0], p[1]) for p in wcs], dtype=float)
            if center is not None:
                cw = ocs.to_wcs(Vec3(center[0], center[1], elevation))
                center = (cw.x, cw.y)
        else:
            pts = pts_ocs
        out.append(Edge(edge_kind, pts, float(length), layer, center, radius))
    return out


def _edge_key(e: Edge) -> tuple:  # type: ignore[type-arg]
    return (
        e.kind,
        e.pts.dtype,
        e.pts.shape,
        np.ascontiguousarray(e.pts).tobytes(),
        repr(e.length_mm),
        type(e.length_mm),
        e.layer,
        None if e.center is None else tuple(map(repr, e.center)),
        repr(e.radius_mm),
        type(e.radius_mm),
        e.closed,
        e.color,
    )


def test_lwpolyline_vertices_from_ezdxfs_array() -> None:
    """Bulges of either sign, tiny and zero, closed and open, tilted (extrusion -Z) and
    raised: the same edges, types included, as from get_points("xyb")."""
    rng = random.Random(55)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(60):
        n = rng.randint(2, 9)
        pts = []
        for _ in range(n):
            bulge = rng.choice((0.0, -0.0, 1e-13, 0.4, -0.9, 1.0, rng.uniform(-2, 2)))
            pts.append((rng.uniform(-1, 1) * 1e3, rng.uniform(-1, 1) * 1e3, 0.0, 0.0, bulge))
        if k % 6 == 0:
            pts[1] = pts[0]  # a zero-length segment
        e = msp.add_lwpolyline(pts, format="xyseb", close=k % 2 == 0)
        if k % 5 == 0:
            e.dxf.extrusion = (0.0, 0.0, -1.0)
        if k % 7 == 0:
            e.dxf.elevation = 2.5
    for e in msp:
        got = [_edge_key(x) for x in _polyline_edges(e, "CUT")]
        want = []
        for x, _y, b in e.get_points("xyb"):  # ezdxf's own tuples: numpy doubles
            assert type(x) is np.float64 and type(b) is np.float64
        for edge in _plain_polyline_edges(e, "CUT"):
            want.append(_edge_key(edge))
        assert got == want
    # the types as get_points gave them: a LWPOLYLINE arc's radius a numpy double
    arc = msp.add_lwpolyline([(0, 0, 0, 0, 1.0), (10, 0, 0, 0, 0)], format="xyseb")
    (first, *_) = _polyline_edges(arc, "CUT")
    assert first.kind == "arc" and type(first.radius_mm) is np.float64


def test_lwpolyline_edges_equal_get_points_arithmetic() -> None:
    """The edges from ezdxf's array equal those computed from get_points("xyb") with the
    arithmetic written out (the previous round's code path)."""
    rng = random.Random(56)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for _ in range(40):
        pts = [
            (rng.uniform(-50, 50), rng.uniform(-50, 50), 0.0, 0.0, rng.choice((0.0, 0.5, -0.3)))
            for _ in range(rng.randint(2, 6))
        ]
        msp.add_lwpolyline(pts, format="xyseb", close=rng.random() < 0.5)
    for e in msp:
        raw = [(x, y, b) for x, y, b in e.get_points("xyb")]
        mine = e.lwpoints.values[:, [0, 1, 4]].tolist()
        assert [tuple(map(repr, map(float, r))) for r in raw] == [tuple(map(repr, r)) for r in mine]
        for edge in _polyline_edges(e, "0"):
            assert type(edge.length_mm) is float


def _style(layer: str, linetype: str = "CONTINUOUS", color: int = 7) -> Style:
    return Style(layer, linetype, color)


def test_runs_keep_every_edge_in_order() -> None:
    rng = random.Random(57)
    styles = [_style("CUT"), _style("CUT"), _style("BEND"), _style("DIM")]
    items: list[tuple[list[Edge], Style]] = []
    for _ in range(300):
        edges = [Edge("line", np.zeros((2, 2)), 1.0) for _ in range(rng.choice((0, 1, 1, 3)))]
        items.append((edges, rng.choice(styles)))
    runs = _runs(items)
    assert [e for _, run in runs for e in run] == [e for edges, _ in items for e in edges]
    for (a, _), (b, _) in zip(runs, runs[1:], strict=False):
        assert a is not b  # consecutive runs differ in style
    plain = [(style, e) for edges, style in items for e in edges]
    assert [(style, e) for style, run in runs for e in run] == plain
    assert _runs([]) == []


class _PerItemWalker(_Walker):
    """`_Walker.finish` as the previous round wrote it: one `route` call per curve."""

    def finish(self):  # type: ignore[no-untyped-def]
        from cad.extract import _curve_edge, flatten_curves, max_abs_coordinate

        self.arcs.fill()  # (this round's too; compared on its own below)
        if self.lines:
            ends = np.array(self.line_ends, dtype=float).reshape(-1, 2, 2)
            for edge, pts in zip(self.lines, ends, strict=True):
                edge.pts = pts
        flat = flatten_curves([e for e, _ in self.curves], [d for _, d in self.curves])
        items = []
        for edges, k, style in self.items:
            if edges is None:
                try:
                    edges = [_curve_edge(flat[k], style.layer, self.curves[k][1])]
                except Exception:  # noqa: BLE001
                    self.out.bad_geometry += 1
                    continue
            items.append((edges, style))
        sane = (max_abs_coordinate([e for edges, _ in items for e in edges]) <= 1e12).tolist()
        k = 0
        for edges, style in items:
            self.route(edges, sane[k : k + len(edges)], style)
            k += len(edges)
        return self.out


def _mixed_doc():  # type: ignore[no-untyped-def]
    rng = random.Random(58)
    doc = ezdxf.new("R2010")
    for name in ("CUT", "BEND", "DIM", "ETCH"):
        doc.layers.add(name)
    doc.linetypes.add("DASHED", pattern=[0.5, 0.25, -0.25])
    msp = doc.modelspace()
    layer = "CUT"
    for k in range(500):
        if rng.random() < 0.2:  # runs of one layer, broken now and then
            layer = rng.choice(("0", "CUT", "BEND", "DIM", "ETCH"))
        attribs = {"layer": layer, "color": rng.choice((256, 256, 256, 3))}
        if k % 13 == 0:
            attribs["linetype"] = "DASHED"
        s = (rng.uniform(-1, 1) * 100, rng.uniform(-1, 1) * 100)
        t = (1e13, 0.0) if k % 31 == 0 else (rng.uniform(-1, 1) * 100, rng.uniform(-1, 1) * 100)
        kind = k % 6
        if kind == 0:
            msp.add_circle(s, rng.uniform(0.5, 5), dxfattribs=attribs)
        elif kind == 1:
            msp.add_ellipse((*s, 0), (3.0, 1.0, 0.0), 0.5, dxfattribs=attribs)
        elif kind == 2:
            msp.add_lwpolyline([s, t, (0, 0)], close=True, dxfattribs=attribs)
        else:
            msp.add_line(s, t, dxfattribs=attribs)
    return doc


def test_routing_in_runs_equals_a_call_per_curve() -> None:
    doc = _mixed_doc()
    got = extract(doc, Limits(), time.monotonic())
    plain_walker = _PerItemWalker(doc, Limits(), time.monotonic() + 60)
    plain_walker.walk(doc.modelspace(), 0, None)
    plain = plain_walker.finish()
    _assert_same_extraction(got, plain, _edge_key)
    assert got.bad_coordinates > 0 and got.bend_lines and got.notes and got.engrave


# -- chaining -------------------------------------------------------------------------------
def _groups_of_ends(rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """Ends of several groups, each in a frame of its own (so groups overlap in the
    plane): polygons meeting in pairs, three-way meetings, lone ends near each other,
    ends on a 1e-9 grid, signed zeros."""
    points, group = [], []
    for g in range(rng.randint(1, 12)):
        corners = [(rng.uniform(0, 3), rng.uniform(0, 3)) for _ in range(rng.randint(1, 8))]
        ends = []
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            ends += [a, b]
        if rng.random() < 0.4:
            ends += [(corners[0][0] + 0.02, corners[0][1]), (corners[0][0] + 0.04, corners[0][1])]
        if rng.random() < 0.3:
            ends += [corners[0]]  # three ways
        if rng.random() < 0.2:
            ends += [(0.0, -0.0), (-0.0, 0.0), (0.0005, 0.0)]
        pts = np.round(np.array(ends) / 1e-9) * 1e-9
        points.append(pts)
        group += [g] * len(pts)
    return np.concatenate(points), np.array(group)


def test_nodes_of_many_groups_equal_each_groups_own() -> None:
    rng = random.Random(59)
    for _ in range(300):
        points, group = _groups_of_ends(rng)
        got = _nodes(points, group)
        want: list[int] = []
        for g in np.unique(group).tolist():
            rows = np.flatnonzero(group == g)
            want += [int(rows[0]) + k for k in _nodes(points[rows])]
        assert got == want


def test_union_of_many_ends_equals_union_find() -> None:
    rng = np.random.default_rng(60)
    sizes = []
    for n in (5, 40, 300, 2000):
        pts = np.round(rng.uniform(0, 1.0, (n, 2)) * 10) / 10  # many coincident ends
        pts[-1] = 7.0  # one alone
        pairs = chain_module.cKDTree(pts).query_pairs(0.03, output_type="ndarray")
        sizes.append(len(pairs))
        node, lone = _union_nodes(n, pairs)
        plain = chain_module._union_roots(n, pairs[:, 0].tolist(), pairs[:, 1].tolist())
        size = Counter(plain)
        assert node == plain
        assert _same(lone, np.array([i for i in range(n) if size[plain[i]] == 1], dtype=int))
    assert min(sizes) <= chain_module.SMALL_GRAPH_PAIRS < max(sizes)  # both ways taken


def _outlines(rng: random.Random) -> list[Edge]:
    """Outlines of LINEs and arcs with gaps, tiny pieces, closed circles, branches."""
    out: list[Edge] = []
    for _ in range(rng.randint(1, 10)):
        x, y, s = rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3), rng.uniform(1, 50)
        corners = [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            if rng.random() < 0.1:
                continue  # an open outline
            gap = rng.choice((0.0, 0.0, 0.0005, 0.02, 0.3))
            pts = np.array([a, (b[0] + gap, b[1])], dtype=float)
            out.append(Edge("line", pts, float(np.hypot(*(pts[1] - pts[0])))))
        if rng.random() < 0.3:
            out.append(Edge("line", np.array([(x, y), (x + 0.001, y)]), 0.001))  # tiny
        if rng.random() < 0.3:
            t = np.linspace(0, math.tau, 17)
            pts = np.column_stack([x + s / 2 + np.cos(t), y + s / 2 + np.sin(t)])
            out.append(
                Edge(
                    "circle",
                    pts,
                    math.tau,
                    center=(x + s / 2, y + s / 2),
                    radius_mm=1.0,
                    closed=True,
                )
            )
        if rng.random() < 0.3:  # a branch
            out.append(Edge("line", np.array([(x, y), (x - s, y - s)]), s * math.sqrt(2)))
    rng.shuffle(out)
    return out


def _chained_key(ch: chain_module.Chained) -> tuple:  # type: ignore[type-arg]
    return _chained_key_by(ch, _edge_key)


def test_chaining_with_the_drawings_nodes_equals_each_neighbourhoods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(61)
    for _ in range(150):
        edges = _outlines(rng)
        got = chain_module.chain(edges)
        with monkeypatch.context() as m:
            m.setattr(chain_module, "_group_nodes", lambda *a: {})
            plain = chain_module.chain(edges)
        assert _chained_key(got) == _chained_key(plain)


def test_group_nodes_are_chain_heres_own() -> None:
    """Each neighbourhood's nodes as `_chain_here` finds them from its open edges."""
    rng = random.Random(62)
    for _ in range(100):
        edges = _outlines(rng)
        if not edges:
            continue
        counts = np.array([len(e.pts) for e in edges])
        first = np.cumsum(counts) - counts
        local = np.concatenate([e.pts for e in edges])
        label = np.array([rng.randrange(3) for _ in edges])
        checked = {0} if rng.random() < 0.5 else set()
        nodes = _group_nodes(edges, local, first, counts, label, checked)
        assert not set(nodes) & checked
        for g in set(label.tolist()) - checked:
            members = [e for e, lab in zip(edges, label.tolist(), strict=True) if lab == g]
            opened = [e for e in members if not e.closed and not e.length_mm < chain_module._TINY]
            if not opened:
                assert g not in nodes
                continue
            assert nodes[g] == _nodes(_edge_ends(opened))
            with_nodes = _chain_here(members, False, nodes[g])
            alone = _chain_here(members, False)
            assert _chained_key(with_nodes[0]) == _chained_key(alone[0])
            assert with_nodes[1] == alone[1]


# -- flattening -----------------------------------------------------------------------------
def test_isclose_by_columns_equals_all_across_rows() -> None:
    rng = np.random.default_rng(63)
    for cols in (1, 2, 3):
        a = rng.normal(size=(500, cols)) * 10.0 ** rng.integers(-12, 6, (500, cols))
        b = a + rng.choice((0.0, 1e-13, 1e-9, 1e-3), size=a.shape) * a
        b[::17] = np.nan
        a[::23] = -0.0
        b[::23] = 0.0
        a[::29] = np.inf
        diff = np.abs(b - a)
        bound = np.maximum(np.maximum(np.abs(a), np.abs(b)) * 1e-9, 1e-12)
        assert _same(_isclose(a, b), (diff <= bound).all(axis=1))
    assert _same(_isclose(np.zeros((0, 3)), np.zeros((0, 3))), np.zeros(0, dtype=bool))


def test_ellipses_and_splines_flatten_to_ezdxfs_very_points() -> None:
    rng = random.Random(64)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(40):
        scale = rng.choice((1e-3, 1.0, 1e4))
        centre = (rng.uniform(-1, 1) * 1e5, rng.uniform(-1, 1) * 1e5, 0.0)
        a = rng.uniform(0, math.tau)
        axis = (scale * math.cos(a), scale * math.sin(a), 0.0)
        start, end = (0.0, math.tau) if k % 3 == 0 else (rng.uniform(0, 6), rng.uniform(0, 6))
        msp.add_ellipse(centre, axis, rng.uniform(0.05, 1.0), start, end)
        control = [(rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale) for _ in range(7)]
        if k % 2:
            msp.add_spline(fit_points=control[:5])
        else:
            msp.add_open_spline(control, degree=rng.choice((2, 3)))
    entities = list(msp)
    # as the walk asks: a ten-thousandth of the curve's size
    distances = [max(_entity_size(e) * 1e-4, 1e-6) for e in entities]
    assert _flattened_as_ezdxf(entities, distances) > 60


def test_take_is_the_fancy_index() -> None:
    """The gathers `flatten` makes with take: rows of an n × 3 array, columns of the
    ellipses' frame table, entries of a 1-d array; empty selections included."""
    rng = np.random.default_rng(65)
    table = rng.normal(size=(11, 40))
    rows = rng.normal(size=(300, 3))
    flat = rng.normal(size=300)
    for picked in (rng.integers(0, 40, 500), np.zeros(0, dtype=np.intp)):
        assert _same(table.take(picked, axis=1), table[:, picked])
    for picked in (rng.integers(0, 300, 500), np.zeros(0, dtype=np.intp)):
        assert _same(rows.take(picked, axis=0), rows[picked])
        assert _same(flat.take(picked), flat[picked])
    mask = rng.random(300) < 0.5
    assert _same(rows.take(np.flatnonzero(mask), axis=0), rows[mask])


def test_analysis_of_mixed_drawing_is_unchanged_by_grouping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """A whole analysis with the drawing's nodes found at once and without."""
    from cad.analyze import analyze_file

    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    rng = random.Random(66)
    for _ in range(20):
        x, y = rng.uniform(0, 500), rng.uniform(0, 500)
        msp.add_lwpolyline(
            [(x, y), (x + 30, y, 0, 0, 0.3), (x + 30, y + 20), (x, y + 20)], close=True
        )
        msp.add_circle((x + 10, y + 10), 3.0)
        msp.add_line((x + 15, y + 5), (x + 25, y + 5))
        msp.add_line((x + 25, y + 5), (x + 25, y + 15))
    path = f"{tmp_path}/sheet.dxf"
    doc.saveas(path)
    got = analyze_file(path)
    monkeypatch.setattr(chain_module, "_group_nodes", lambda *a: {})
    monkeypatch.setattr(parts_module, "_polygons", lambda rings: [Polygon(r) for r in rings])
    plain = analyze_file(path)
    assert repr(got.parts) == repr(plain.parts)
    assert got.findings == plain.findings
    assert shapely.equals(Polygon(got.parts[0].outer), Polygon(plain.parts[0].outer))


# -- arcs evaluated together ----------------------------------------------------------------
def _arcs_doc():  # type: ignore[no-untyped-def]
    rng = random.Random(67)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(120):
        c = (rng.uniform(-1, 1) * 10.0 ** rng.randint(0, 5), rng.uniform(-1, 1) * 1e3)
        r = rng.choice((1e-4, 0.5, 3.0, 250.0, 1e5))
        kind = k % 6
        if kind == 0:
            e = msp.add_circle(c, r)
        elif kind == 1:
            e = msp.add_arc(c, r, rng.uniform(-400, 400), rng.uniform(-400, 400))
        elif kind == 2:
            e = msp.add_arc(c, r, 10.0, 10.0)  # a full turn
        elif kind == 3:
            pts = [(rng.uniform(-50, 50), rng.uniform(-50, 50)) for _ in range(rng.randint(2, 6))]
            bulges = [rng.choice((0.0, 0.3, -0.7, 1.0, -1e-13, 5.0)) for _ in pts]
            e = msp.add_lwpolyline(
                [(x, y, 0, 0, b) for (x, y), b in zip(pts, bulges, strict=True)],
                format="xyseb",
                close=rng.random() < 0.5,
            )
            if k % 4 == 3:
                e.dxf.elevation = 1.5  # points moved to WCS one by one: arcs now
        elif kind == 4:
            pts = [(rng.uniform(-50, 50), rng.uniform(-50, 50)) for _ in range(rng.randint(2, 5))]
            e = msp.add_polyline2d(pts, close=True)
            for v in e.vertices:
                v.dxf.bulge = rng.choice((0.0, 0.4, -0.4))
        else:
            e = msp.add_arc(c, r, rng.uniform(0, 360), rng.uniform(0, 360))
        if k % 7 == 0 and e.dxftype() in {"ARC", "CIRCLE", "LWPOLYLINE"}:
            e.dxf.extrusion = (0.0, 0.0, -1.0)  # mirrored
    msp.add_circle((0, 0), 0.0)  # refused: radius ≤ 0
    msp.add_arc((0, 0), math.nan, 0, 90)  # refused
    return doc


def _edges_or_error(e, arcs):  # type: ignore[no-untyped-def]
    try:
        return list(cad_extract.edges_of(e, "CUT", arcs))
    except Exception as exc:  # noqa: BLE001 - compared by type
        return type(exc)


def test_arcs_together_equal_each_arc_now() -> None:
    doc = _arcs_doc()
    arcs = cad_extract._ArcPoints()
    later = [_edges_or_error(e, arcs) for e in doc.modelspace()]
    arcs.fill()
    now = [_edges_or_error(e, None) for e in doc.modelspace()]
    assert len(later) == len(now)
    refused = 0
    for a, b in zip(later, now, strict=True):
        if isinstance(b, type):
            assert a is b
            refused += 1
            continue
        assert not isinstance(a, type)
        assert [_edge_key(x) for x in a] == [_edge_key(x) for x in b]
    assert refused >= 2
    assert arcs.edges == []  # filled once


def test_arc_whose_step_rounds_to_zero_takes_linspace() -> None:
    """A subnormal span (step 0): numpy's linspace, as arc_points does, right away."""
    edge = Edge("arc", cad_extract._NO_POINTS, 0.0)
    arcs = cad_extract._ArcPoints()
    args = (1.0, 2.0, 3.0, 0.0, 5e-324, 1e-6)
    arcs.add(edge, *args, False, None)
    assert not arcs.edges
    assert _same(edge.pts, arc_points(*args))
    arcs.fill()  # nothing waiting


def test_walk_with_arcs_together_equals_each_arc_now(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _arcs_doc()
    got = extract(doc, Limits(), time.monotonic())

    def now(self, edge, cx, cy, r, a0, a1, tol, reverse, ends) -> None:  # type: ignore[no-untyped-def]
        edge.pts = cad_extract._arc_ends(
            cad_extract.arc_points(cx, cy, r, a0, a1, tol), reverse, ends
        )

    monkeypatch.setattr(cad_extract._ArcPoints, "add", now)
    plain = extract(doc, Limits(), time.monotonic())
    assert [_edge_key(e) for e in got.cut] == [_edge_key(e) for e in plain.cut]
    assert (got.counts, got.bad_coordinates, got.bad_geometry) == (
        plain.counts,
        plain.bad_coordinates,
        plain.bad_geometry,
    )
    assert got.bad_geometry >= 2 and len(got.cut) > 100


# -- blocks: plain LINEs moved without a copy -----------------------------------------------
def _blocks_doc():  # type: ignore[no-untyped-def]
    rng = random.Random(68)
    doc = ezdxf.new("R2010")
    doc.layers.add("CUT")
    doc.layers.add("BEND")
    inner = doc.blocks.new("INNER")
    inner.add_line((0, 0), (2, 1), dxfattribs={"layer": "0", "color": 0})
    inner.add_arc((1, 1), 0.5, 0, 180)
    outer = doc.blocks.new("OUTER")
    for k in range(30):
        s = (rng.uniform(-5, 5), rng.uniform(-5, 5))
        t = (rng.uniform(-5, 5), rng.uniform(-5, 5))
        attribs = {"layer": rng.choice(("0", "CUT", "BEND")), "linetype": "BYBLOCK"}
        line = outer.add_line(s, t, dxfattribs=attribs)
        if k % 7 == 0:
            line.set_xdata("ACAD", [(1000, "x"), (1010, (1.0, 2.0, 0.0))])  # copied as ezdxf does
        if k % 11 == 0:
            line.dxf.thickness = 2.0
        if k % 13 == 0:
            line.dxf.extrusion = (0.0, 0.0, -1.0)
    outer.add_circle((0, 0), 1.0)
    outer.add_lwpolyline([(0, 0, 0, 0, 0.5), (3, 0), (3, 2)], format="xyseb", close=True)
    outer.add_text("NOTE", dxfattribs={"layer": "CUT"})
    outer.add_blockref("INNER", (1, 1), dxfattribs={"rotation": 15})
    outer.add_attdef("TAG", (0, 0))
    msp = doc.modelspace()
    for k in range(12):
        scale = (1.0, 1.0) if k % 3 else (2.0, 0.5)  # non-uniform: arcs become ellipses
        ref = msp.add_blockref(
            "OUTER",
            (rng.uniform(-100, 100), rng.uniform(-100, 100)),
            dxfattribs={
                "rotation": rng.uniform(0, 360),
                "xscale": scale[0] * (-1 if k % 4 == 1 else 1),
                "yscale": scale[1],
                "layer": rng.choice(("CUT", "BEND")),
                "color": rng.choice((1, 2, 256)),
            },
        )
        if k == 5:
            ref.grid(size=(2, 3), spacing=(10, 10))  # MINSERT
    msp.add_blockref("MISSING", (0, 0))
    return doc


def _extracted_key(ex) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    return (
        [_edge_key(e) for e in ex.cut],
        [(_edge_key(x[0]), x[1:]) for x in ex.bend_lines],
        [(_edge_key(x[0]), x[1:]) for x in ex.styled_lines],
        [_edge_key(e) for e in ex.engrave],
        [p.tobytes() for p in ex.notes],
        [(t.text, repr(t.x), repr(t.y), t.role) for t in ex.texts],
        list(ex.cut_styles.items()),
        list(ex.counts.items()),
        ex.bad_coordinates,
        ex.bad_geometry,
        ex.unsupported,
        ex.text_on_cut_layer,
    )


def test_blocks_walked_without_copying_lines_equal_ezdxfs_virtual_entities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = _blocks_doc()
    got = extract(doc, Limits(), time.monotonic())
    monkeypatch.setattr(cad_extract, "_virtual_entities", lambda insert: insert.virtual_entities())
    plain = extract(doc, Limits(), time.monotonic())
    assert _extracted_key(got) == _extracted_key(plain)
    assert got.counts["LINE"] > 300 and got.bad_geometry >= 1 and got.counts["ELLIPSE"]


def test_moved_lines_are_the_virtual_copies_ends() -> None:
    doc = _blocks_doc()
    for ref in doc.modelspace().query("INSERT"):
        if ref.dxf.name != "OUTER":
            continue
        mine = list(cad_extract._virtual_entities(ref))
        theirs = list(ref.virtual_entities())
        assert [e.dxftype() for e in mine] == [e.dxftype() for e in theirs]
        for a, b in zip(mine, theirs, strict=True):
            if isinstance(a, cad_extract._MovedLine):
                assert b.xdata is None  # lines with XDATA are ezdxf's copies
                assert (a.dxf.start.xyz, a.dxf.end.xyz) == (b.dxf.start.xyz, b.dxf.end.xyz)
                for key in ("layer", "linetype", "color"):
                    assert vars(a.dxf).get(key) == vars(b.dxf).get(key)
            elif isinstance(a, cad_extract._MovedText):  # tests/cad/test_analysis_speedups_7.py
                assert a.ocs().to_wcs(a.dxf.insert) == b.ocs().to_wcs(b.dxf.insert)
            else:
                assert type(a) is type(b)


def test_expansion_size_of_the_listed_model_space() -> None:
    doc = _blocks_doc()
    listed = list(doc.modelspace())
    assert cad_extract.expansion_size(doc, Limits(), listed) == cad_extract.expansion_size(
        doc, Limits()
    )


def test_collector_paused_for_extraction_only_without_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    seen: list[bool] = []
    finish = cad_extract._Walker.finish

    def watched(self):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return finish(self)

    monkeypatch.setattr(cad_extract._Walker, "finish", watched)
    assert gc.isenabled()
    extract(_arcs_doc(), Limits(), time.monotonic())
    extract(_blocks_doc(), Limits(), time.monotonic())
    assert seen == [False, True]
    assert gc.isenabled()
    with pytest.raises(cad_extract.CadError):  # TIMEOUT, raised in the walk
        extract(_mixed_doc(), Limits(), time.monotonic() - 1e6)
    assert seen == [False, True]  # the walk stopped before its end
    assert gc.isenabled()
