"""Shortcuts of the analysis give exactly what the plain computation gives (issue 15,
item 7, round 6): an arc's side from three of its points, a lone curve's loop without
its polygon of ends, ellipses in the plane flattened in x and y alone and without the
middles of pieces surely near their chord, the closeness of ends tested only where it
may hold, the curves' edges made together, and cut-outs whose narrowest width rules
them out left without a minimum rectangle. Compared bit for bit against ezdxf and the
plain computation; no test looks at a clock."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator

import ezdxf
import numpy as np
import pytest
import shapely
from ezdxf.math import Vec3
from shapely.geometry import Polygon

import cad.chain as chain_module
import cad.extract as cad_extract
import cad.flatten as flatten_module
import cad.parts as parts_module
from cad.analyze import _extent
from cad.chain import SNAP_MM, Loop, _arc_side, _chain_here, _moved, _shoelace, _snapped
from cad.extract import _curve_edge, _curve_edge_parts, _entity_size, _tol, arc_points, extract
from cad.flatten import (
    _chord_distance,
    _EllipseBounds,
    _isclose,
    _unique_knots,
    flatten_curves,
)
from cad.model import Edge
from cad.reader import Limits
from cad.rect import min_rect

from .test_analysis_speedups_4 import (
    _assert_same_extraction,
    _chained_key,
    _edge_key,
    _flattened_as_ezdxf,
    _plain_area,
    _same,
    _twins_drawing,
)
from .test_analysis_speedups_5 import _outlines, _plain_smallest


# -- areas ------------------------------------------------------------------------------------
def _arc(rng: random.Random, far: float = 0.0) -> Edge:
    """An arc as the extraction and the chaining leave it: points of arc_points, the
    entity's exact ends, maybe reversed, maybe snapped to the chaining's grid and moved
    back, centre and radius kept."""
    r = 10 ** rng.uniform(-4, 5)
    cx, cy = rng.uniform(-1, 1) * far, rng.uniform(-1, 1) * far
    a0 = rng.uniform(-7, 7)
    span = rng.choice((1e-9, 1e-6, 1e-3, 0.1, 1.0, math.pi, 6.0, 6.283185, math.tau))
    pts = arc_points(cx, cy, r, a0, a0 + span, _tol(r))
    pts[0] = (cx + r * math.cos(a0), cy + r * math.sin(a0))
    pts[-1] = (cx + r * math.cos(a0 + span), cy + r * math.sin(a0 + span))
    if rng.random() < 0.5:
        pts = pts[::-1].copy()
    if rng.random() < 0.5:
        origin = pts.min(axis=0)
        pts = np.round((pts - origin) / SNAP_MM) * SNAP_MM + origin
    return Edge("arc", pts, r * span, "0", (cx, cy), r)


def test_arc_side_is_the_sign_of_its_shoelace() -> None:
    rng = random.Random(61)
    usual = decided = 0
    for k in range(3000):
        far = rng.choice((0.0, 1e3, 1e6, 9e6))
        arc = _arc(rng, far)
        side = _arc_side(arc)
        plain = _shoelace(np.concatenate((arc.pts, arc.pts[:1])))
        if side is not None:
            assert math.copysign(1.0, plain) == side, (k, arc.radius_mm, len(arc.pts))
        # the usual arcs (of some length, neither whole nor a sliver, and not a speck
        # far off) are decided by three of their points
        span = arc.length_mm / (arc.radius_mm or 1.0)
        if 0.05 < span < 6.2 and arc.length_mm > 0.05 and (arc.radius_mm or 0.0) > 1e-9 * far:
            usual += 1
            decided += side is not None
    assert decided == usual > 500
    # no centre (an arc of unknown making), too few points, NaN: left to the shoelace
    assert _arc_side(Edge("arc", np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]), 1.0)) is None
    two = Edge("arc", np.array([[0.0, 0.0], [2.0, 0.0]]), 1.0, "0", (1.0, 0.0), 1.0)
    assert _arc_side(two) is None
    nan = Edge("arc", np.array([[0.0, 0.0], [1.0, np.nan], [2.0, 0.0]]), 1.0, "0", (1.0, 0.0), 1.0)
    assert _arc_side(nan) is None


def _curve(rng: random.Random, n: int, closed: bool) -> np.ndarray:
    t = np.linspace(0.0, math.tau if closed else rng.uniform(0.5, 5.0), n)
    r = rng.uniform(0.1, 50.0)
    pts = np.column_stack((r * np.cos(t), r * rng.uniform(0.2, 1.0) * np.sin(t)))
    return pts + rng.choice((0.0, 1e4, -3e6))


def test_loop_area_equals_the_plain_computation() -> None:
    rng = random.Random(62)
    for k in range(600):
        shape = k % 4
        if shape == 0:  # a lone closed curve (an ellipse, a closed spline)
            edges = [Edge("curve", _curve(rng, rng.randint(2, 300), True), 1.0, closed=True)]
        elif shape == 1:  # a lone arc closed by a repaired gap
            edges = [_arc(rng, far=1e3)]
        else:  # lines, arcs with centres and curves end to end
            edges = []
            for _ in range(rng.randint(1, 9)):
                kind = rng.choice(("line", "arc", "curve"))
                if kind == "arc":
                    edges.append(_arc(rng, far=rng.choice((0.0, 1e4))))
                elif kind == "curve":
                    edges.append(Edge("curve", _curve(rng, rng.randint(2, 40), False), 2.0))
                else:
                    pts = np.array([(rng.uniform(-5, 5), rng.uniform(-5, 5)) for _ in range(2)])
                    edges.append(Edge("line", pts + 1e4, 1.0))
        if rng.random() < 0.05:  # NaN coordinates make both NaN alike
            edges[0].pts = edges[0].pts.copy()
            edges[0].pts[rng.choice((0, -1)), 1] = np.nan
        loop = Loop(edges, np.zeros((0, 2)), 0.0)
        assert repr(loop.exact_area_mm2()) == repr(_plain_area(loop)), k


# -- chaining -------------------------------------------------------------------------------
def _plain_lone_loop(edge: Edge, pts: np.ndarray, d: np.ndarray | None, origin: np.ndarray) -> Loop:
    """What `chain` did with a neighbourhood of one closed edge: moved it, chained it,
    moved its loop's edges and points back."""
    here, counts = _chain_here([_moved(edge, pts, d)])
    assert counts == (0, 0, 0.0) and not here.open_chains and not here.findings
    (lp,) = here.loops
    return Loop(list(_plain_all_moved(lp.edges, origin)), lp.pts + origin, lp.length_mm)


def _plain_all_moved(edges: list[Edge], d: np.ndarray) -> Iterator[Edge]:
    """chain._all_moved as the previous round left it: a moved copy of each edge."""
    if not edges:
        return
    pts = np.concatenate([e.pts for e in edges]) + d
    k = 0
    for e in edges:
        n = len(e.pts)
        yield _moved(e, pts[k : k + n], d)
        k += n


def _round_holes(rng: random.Random) -> list[Edge]:
    """Circles and closed curves (some ending a hair off their start), alone or near
    others, far from the origin or not, with lines about."""
    off = rng.choice((0.0, 1e4, -3e6))
    edges = []
    for k in range(rng.randint(1, 30)):
        x, y = off + rng.uniform(0, 300), rng.uniform(0, 300)
        if k % 3 == 0:
            r = rng.uniform(0.1, 9)
            edges.append(
                Edge(
                    "circle",
                    arc_points(x, y, r, 0.0, math.tau, _tol(r)),
                    math.tau * r,
                    "0",
                    (x, y),
                    r,
                    closed=True,
                )
            )
        elif k % 3 == 1:
            pts = _curve(rng, rng.randint(3, 300), True) + (x, y)
            if rng.random() < 0.5:
                pts[-1] += 1e-7  # not quite back at its start
            edges.append(Edge("curve", pts, 5.0, "CUT", closed=True, color=3))
        else:
            edges.append(Edge("line", np.array([(x, y), (x + 1.0, y + 2.0)]), math.sqrt(5.0)))
    return edges


def test_lone_closed_edges_loop_as_chain_here_makes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(71)
    lone = 0
    for _ in range(150):
        edges = _round_holes(rng)
        got = chain_module.chain(edges)
        with monkeypatch.context() as m:
            m.setattr(chain_module, "_lone_loop", _plain_lone_loop)
            plain = chain_module.chain(edges)
        assert _chained_key(got, _edge_key) == _chained_key(plain, _edge_key)
        lone += sum(len(lp.edges) == 1 for lp in got.loops)
    assert lone > 500


def test_edges_moved_back_in_place_equal_moved_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outlines of lines and arcs, duplicates, overlaps, gaps and open ends: the same
    loops and open chains whether `chain` moves `_chain_here`'s edges back in place or
    as copies."""
    rng = random.Random(72)
    for k in range(120):
        edges = _outlines(rng) if k % 2 else _twins_drawing(rng)
        got = chain_module.chain(edges)
        with monkeypatch.context() as m:
            m.setattr(chain_module, "_all_moved", _plain_all_moved)
            plain = chain_module.chain(edges)
        assert _chained_key(got, _edge_key) == _chained_key(plain, _edge_key)
        # none of the drawing's own edges was moved
        out = [e for lp in got.loops for e in lp.edges] + [e for s in got.open_chains for e in s]
        assert not {id(e) for e in edges} & {id(e) for e in out}
        assert len({id(e) for e in out}) == len(out)


def test_snap_in_place_equals_the_rounding_formula() -> None:
    rng = np.random.default_rng(75)
    pts = rng.normal(size=(5000, 2)) * 10 ** rng.uniform(-9, 7, size=(5000, 1))
    pts[:10] = [[0.5e-9, -0.5e-9], [1.5e-9, -2.5e-9], [-0.0, 0.0], [np.nan, 1.0], [np.inf, 2.0]] * 2
    shift = -np.abs(rng.normal(size=(5000, 2))) * 1e3
    assert _same(_snapped(pts, shift), np.round((pts + shift) / SNAP_MM) * SNAP_MM)


# -- ellipses -------------------------------------------------------------------------------
def _plane_ellipses(rng: random.Random, n: int) -> tuple[list, list[float]]:  # type: ignore[type-arg]
    """Ellipses in the plane of every size, place, shape and span, mirrored ones (whose
    minor axis has z = -0.0) among them; flattening distances from far below to far
    above the walk's own."""
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(n):
        scale = 10 ** rng.uniform(-6, 6)
        off = 10 ** rng.uniform(-3, 7)
        centre = (off * rng.uniform(-1, 1), off * rng.uniform(-1, 1))
        a = rng.uniform(0, math.tau)
        ratio = rng.choice((1.0, 1e-3, 0.5, 0.999999, rng.uniform(1e-4, 1.0)))
        start, end = (0.0, math.tau) if k % 3 == 0 else (rng.uniform(-7, 7), rng.uniform(-7, 7))
        if k % 7 == 0:
            end = start + rng.choice((1e-9, 1e-6, 1e-3))
        e = msp.add_ellipse(centre, (scale * math.cos(a), scale * math.sin(a)), ratio, start, end)
        if k % 4 == 1:
            e.dxf.extrusion = (0.0, 0.0, -1.0)
    entities = list(msp)
    distances = [
        max(e.dxf.major_axis.magnitude * 10 ** rng.uniform(-9, 0), 1e-12) for e in entities
    ]
    return entities, distances


def test_plane_ellipses_flatten_to_ezdxfs_very_points(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[_EllipseBounds] = []

    class Spy(_EllipseBounds):
        def __init__(self, f: np.ndarray) -> None:
            super().__init__(f)
            made.append(self)

    monkeypatch.setattr(flatten_module, "_EllipseBounds", Spy)
    rng = random.Random(63)
    compared = 0
    for _ in range(25):
        entities, distances = _plane_ellipses(rng, 40)
        compared += _flattened_as_ezdxf(entities, distances)
    assert len(made) == 25  # every batch took the plane's way
    assert compared > 700


def test_xy_alone_are_the_first_two_columns() -> None:
    rng = random.Random(77)
    entities, distances = _plane_ellipses(rng, 60)
    entities += list(_curves_doc().modelspace())  # splines and refused ellipses too
    distances += [_tol(_entity_size(e)) for e in entities[60:]]
    for got, full in zip(
        flatten_curves(entities, distances, xy=True),
        flatten_curves(entities, distances),
        strict=True,
    ):
        if isinstance(full, Exception):
            assert type(got) is type(full)
            continue
        assert isinstance(got, np.ndarray)
        assert _same(np.ascontiguousarray(got[:, :2]), np.ascontiguousarray(full[:, :2]))
        assert got.shape[1] == 3 or not full[:, 2].any()


def test_the_walks_own_distances_flatten_to_ezdxfs_very_points() -> None:
    rng = random.Random(64)
    entities, _ = _plane_ellipses(rng, 300)
    distances = [_tol(_entity_size(e)) for e in entities]
    assert _flattened_as_ezdxf(entities, distances) > 250


def test_ellipses_off_the_plane_keep_three_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A centre at z = -0.0 or off the plane, or tilted axes: the general way."""
    made: list[object] = []
    monkeypatch.setattr(flatten_module, "_EllipseBounds", lambda f: made.append(f))
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for centre in ((1.0, 2.0, -0.0), (1.0, 2.0, 3.0)):
        entities = [msp.add_ellipse(centre, (3.0, 1.0, 0.0), 0.5)]
        assert _flattened_as_ezdxf(entities, [1e-4]) == 1
    tilted = msp.add_ellipse((1.0, 2.0, 0.0), (3.0, 0.0, 1.0), 0.5)
    tilted.dxf.extrusion = (0.3, -0.2, 0.9)
    assert _flattened_as_ezdxf([tilted], [1e-4]) == 1
    assert not made


def _pieces(rng: random.Random) -> tuple[np.ndarray, ...]:
    """Frames of plane ellipses (as _ellipses makes them) and pieces of them."""
    frames, curves, s_t, e_t = [], [], [], []
    for k in range(300):
        r = 10 ** rng.uniform(-5, 5)
        ratio = rng.choice((1.0, 1e-3, rng.uniform(1e-4, 1.0)))
        a = rng.uniform(0, math.tau)
        c = (10 ** rng.uniform(-3, 7) * rng.uniform(-1, 1), rng.uniform(-1e4, 1e4))
        x_axis = (math.cos(a), math.sin(a))
        frames.append((c[0], c[1], 0.0, *x_axis, 0.0, -x_axis[1], x_axis[0], -0.0, r, r * ratio))
        for _ in range(20):
            t0 = rng.uniform(0, 7)
            curves.append(k)
            s_t.append(t0)
            e_t.append(t0 + math.pi / 4 * 2.0 ** -rng.randint(0, 12))
    f = np.ascontiguousarray(np.array(frames).T)
    return f, np.array(curves), np.array(s_t), np.array(e_t)


def _ellipse_points(f: np.ndarray, curve: np.ndarray, t: np.ndarray) -> np.ndarray:
    g = f[:, curve]
    x, y = np.cos(t) * g[9], np.sin(t) * g[10]
    return np.column_stack([g[j] + x * g[3 + j] + y * g[6 + j] for j in range(2)])


def test_ellipse_bounds_hold_for_the_computed_distances() -> None:
    """Where the bounds say a piece is surely near its chord, `_chord_distance` of its
    computed middle finds it so; where they say its ends cannot be close, `_isclose`
    finds them apart. At limits just above and below the distance found."""
    rng = random.Random(65)
    f, curve, s_t, e_t = _pieces(rng)
    bounds = _EllipseBounds(f)
    s_p, e_p = _ellipse_points(f, curve, s_t), _ellipse_points(f, curve, e_t)
    m_p = _ellipse_points(f, curve, (s_t + e_t) * 0.5)
    found = _chord_distance(m_p, s_p, e_p)
    chord = np.sqrt(np.einsum("ij,ij->i", e_p - s_p, e_p - s_p))
    sure_total = 0
    for factor in (0.5, 0.999, 1.0, 1.001, 1.5, 4.0, 100.0):
        limit = found * factor
        sure = bounds.near(curve, s_t, e_t, chord, limit)
        assert (found[sure] < limit[sure]).all()
        sure_total += int(sure.sum())
    assert sure_total > len(found)  # the bounds are of use: far above the distances
    apart = ~bounds.may_meet(curve, chord)
    assert not _isclose(s_p[apart], e_p[apart]).any()
    # ends that do meet: a piece of no length
    same = bounds.may_meet(curve[:5], np.zeros(5))
    assert same.all()


def test_chord_distance_of_plane_points_equals_three_columns() -> None:
    rng = np.random.default_rng(66)
    n = 4000
    s, e, m = (rng.normal(size=(n, 2)) * 10 ** rng.uniform(-6, 6, size=(n, 1)) for _ in range(3))
    e[:50] = s[:50]  # point chords: NaN alike
    m[50:100] = -0.0 * m[50:100]
    zero = np.zeros((n, 1))

    def three(a: np.ndarray) -> np.ndarray:
        return np.hstack((a, zero))

    assert _same(_chord_distance(m, s, e), _chord_distance(three(m), three(s), three(e)))


# -- curves' edges --------------------------------------------------------------------------
def _curves_doc():  # type: ignore[no-untyped-def]
    rng = random.Random(67)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(60):
        c = (rng.uniform(-1e4, 1e4), rng.uniform(-1e4, 1e4))
        if k % 3 == 0:
            msp.add_ellipse(c, (rng.uniform(0.1, 50), rng.uniform(-5, 5)), rng.uniform(0.1, 1))
        elif k % 3 == 1:
            a0 = rng.uniform(0, 6)
            msp.add_ellipse(c, (3.0, 1.0), 0.5, a0, a0 + rng.uniform(0.1, 6))
        else:
            pts = [(c[0] + rng.uniform(-9, 9), c[1] + rng.uniform(-9, 9)) for _ in range(6)]
            msp.add_open_spline(pts, degree=3)
    refused = msp.add_ellipse((0, 0), (1.0, 0.0), 0.5)
    refused.dxf.unprotected_set("major_axis", Vec3())  # as a damaged file may hold it
    msp.add_ellipse((5, 5), (1.0, 0.0), 0.5, 1.0, 1.0 + 1e-13)  # (nearly) no span
    return doc


def test_curve_edge_parts_equal_curve_edge() -> None:
    entities = list(_curves_doc().modelspace())
    distances = [_tol(_entity_size(e)) for e in entities]
    flat = flatten_curves(entities, distances)
    made = _curve_edge_parts(flat, distances)
    checked = 0
    for f, d, got in zip(flat, distances, made, strict=True):
        try:
            plain = _curve_edge(f, "0", d)
        except Exception:  # noqa: BLE001 - then it is left for _curve_edge to raise
            assert got is None
            continue
        assert got is not None
        pts, length, closed = got
        assert _same(pts, plain.pts) and pts.flags.c_contiguous
        assert (repr(length), closed) == (repr(plain.length_mm), plain.closed)
        checked += 1
    assert checked >= 60
    assert _curve_edge_parts([], []) == []


def test_curve_edge_parts_equal_curve_edge_with_non_finite_ends() -> None:
    """Infinite and NaN ends (a curve the coordinate check rejects later): the same
    points, length and closedness as `_curve_edge`, whose closedness test is the same
    Python arithmetic (equal infinities differ by NaN there: not closed)."""
    inf, nan = math.inf, math.nan
    flat = [
        np.array([[inf, 0.0], [1.0, 1.0], [inf, 0.0]]),
        np.array([[nan, 0.0], [1.0, 1.0], [nan, 0.0]]),
        np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]),
    ]
    made = _curve_edge_parts(flat, [0.1] * 3)
    for f, got in zip(flat, made, strict=True):
        plain = _curve_edge(f, "0", 0.1)
        assert got is not None
        pts, length, closed = got
        assert _same(pts, plain.pts)
        assert (repr(length), closed) == (repr(plain.length_mm), plain.closed)
    assert [m[2] for m in made if m is not None] == [False, False, True]


def test_extraction_with_curve_edges_together_equals_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = _curves_doc()
    got = extract(doc, Limits(), time.monotonic())
    monkeypatch.setattr(cad_extract, "_curve_edge_parts", lambda flat, d: [None] * len(flat))
    plain = extract(doc, Limits(), time.monotonic())
    _assert_same_extraction(got, plain)
    assert got.bad_geometry >= 1 and len(got.cut) >= 60


# -- smallest features ----------------------------------------------------------------------
def _outline(rng: random.Random) -> Polygon:
    n = rng.choice((8, 63, 64, 65, 257))
    ts = np.linspace(0.0, math.tau, n, endpoint=False) + rng.uniform(0, 1)
    a, b = rng.uniform(0.1, 20.0), rng.uniform(0.1, 20.0)
    turn = rng.uniform(0, math.pi)
    x, y = a * np.cos(ts), b * np.sin(ts)
    if rng.random() < 0.3:  # a dented, not convex, outline
        x, y = x * (1 + 0.3 * np.cos(5 * ts)), y * (1 + 0.3 * np.cos(5 * ts))
    pts = np.column_stack(
        (x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn))
    )
    return Polygon(pts + (rng.uniform(-1e5, 1e5), rng.uniform(-1e3, 1e3)))


def test_width_bound_is_below_the_short_side() -> None:
    rng = random.Random(68)
    for _ in range(400):
        poly = _outline(rng)
        bound = parts_module._width_bound(poly, poly.bounds)
        short = min_rect(poly).short_mm
        assert bound <= short
        # and near the narrowest width (which a dented outline's rectangle may exceed)
        minx, miny, maxx, maxy = poly.bounds
        turns = np.linspace(0.0, math.pi, 3600, endpoint=False)
        along = np.column_stack((np.cos(turns), np.sin(turns))) @ shapely.get_coordinates(poly).T
        narrowest = float((along.max(axis=1) - along.min(axis=1)).min())
        assert bound > narrowest - 0.05 * math.hypot(maxx - minx, maxy - miny)


def test_smallest_feature_with_width_bounds_equals_one_cutout_at_a_time() -> None:
    rng = random.Random(69)
    for _ in range(150):
        cutouts = [_outline(rng) for _ in range(rng.randint(0, 12))]
        sizes = [rng.uniform(0.1, 20) for _ in range(rng.randint(0, 2))]
        got = parts_module._smallest_feature(sizes, cutouts)
        assert repr(got) == repr(_plain_smallest(sizes, cutouts))


def test_width_bounds_spare_rectangles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many round cut-outs of several sizes: only those near the narrowest are measured;
    and a part without holes measures its first cut-out without a bound."""
    rng = random.Random(70)
    cutouts = []
    for k in range(30):
        r = 1.0 + (k % 6) * 0.4 + rng.uniform(0, 0.01)
        cutouts.append(shapely.Point(k * 50.0, 0.0).buffer(r, 64))
    measured: list[Polygon] = []
    bounded: list[Polygon] = []
    plain_rect, plain_bound = parts_module.min_rect, parts_module._width_bound
    monkeypatch.setattr(parts_module, "min_rect", lambda p: measured.append(p) or plain_rect(p))
    monkeypatch.setattr(
        parts_module, "_width_bound", lambda p, b: bounded.append(p) or plain_bound(p, b)
    )
    least = parts_module._smallest_feature([], cutouts)
    assert repr(least) == repr(_plain_smallest([], cutouts))
    assert len(measured) <= 6 and bounded
    measured.clear()
    bounded.clear()
    parts_module._smallest_feature([], cutouts[:1])
    assert len(measured) == 1 and not bounded


# -- splines ----------------------------------------------------------------------------------
def test_unique_knots_equal_numpys() -> None:
    rng = random.Random(73)
    cases: list[tuple] = [(), (0.0,), (0.0, 0.0, 0.0, 1.0, 1.0, 1.0), (-0.0, 0.0, 1.0), (0.0, -0.0)]
    cases += [(1.0, float("nan"), 2.0), (float("nan"),), (2.0, 1.0, 1.0), (0, 0, 1, 1)]
    cases += [(-math.inf, 0.0, math.inf, math.inf), (1e-300, 1e-300, 5e-324)]
    for _ in range(500):
        knots = sorted(rng.choice((0.0, 1.0, 0.5, -3.0, rng.uniform(-9, 9))) for _ in range(9))
        if rng.random() < 0.2:
            rng.shuffle(knots)
        cases.append(tuple(knots))
    for knots in cases:
        assert _same(_unique_knots(knots), np.unique(np.array(knots))), knots


def test_spline_sizes_equal_numpys_ptp() -> None:
    rng = random.Random(74)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    specials = (0.0, -0.0, 1e300, -1e300, 5e-324)
    for k in range(300):
        n = rng.choice((2, 4, 7, 32, 33, 60))
        pts = [
            (
                rng.choice(specials) if rng.random() < 0.1 else rng.uniform(-1e4, 1e4),
                rng.uniform(-1, 1) * 10 ** rng.uniform(-6, 6),
            )
            for _ in range(n)
        ]
        if k % 10 == 0:
            pts = [(3.0, -0.0)] * n  # a point: size 1.0
        msp.add_open_spline(pts, degree=min(3, n - 1))
    bad = msp.add_open_spline([(0, 0), (1, 1), (2, 0)], degree=2)
    bad.control_points.values[1, 0] = math.inf
    nan = msp.add_open_spline([(0, 0), (1, 1), (2, 0)], degree=2)
    nan.control_points.values[1, 1] = math.nan
    for e in msp:
        pts = e.control_points.values
        plain = float(np.ptp(pts[:, :2], axis=0).max()) or 1.0
        assert repr(_entity_size(e)) == repr(plain)


# -- extent ---------------------------------------------------------------------------------
def test_extent_along_strided_columns_equals_ptp_of_the_stack() -> None:
    rng = random.Random(76)
    specials = (0.0, -0.0, math.inf, -math.inf, math.nan, 1e300)
    for k in range(400):
        edges = []
        for _ in range(rng.randint(1, 40)):
            pts = np.array(
                [(rng.uniform(-1e4, 1e4), rng.uniform(-1, 1)) for _ in range(rng.randint(2, 6))]
            )
            if k % 4 == 0:
                pts[rng.randrange(len(pts)), rng.randrange(2)] = rng.choice(specials)
            if k % 9 == 0:
                pts = np.full_like(pts, rng.choice((0.0, -0.0, 3.0)))  # no extent
            edges.append(Edge("line", pts[::-1] if rng.random() < 0.3 else pts, 1.0))
        plain = float(np.ptp(np.vstack([e.pts for e in edges]), axis=0).max())
        assert repr(_extent(edges)) == repr(plain), k
