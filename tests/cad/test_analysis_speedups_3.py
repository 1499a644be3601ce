"""Shortcuts of reading curves give exactly what the plain computation gives (issue 15,
item 7, round 3): splines evaluated with numpy for many parameters at once, the pieces
of a flattening put back in order, arcs sampled without np.linspace and their ends found
on the OCS at hand, a curve's edge and size without per-point Python, an entity's style
read from its namespace at once. Compared bit for bit against ezdxf and the plain
computation; no test looks at a clock."""

from __future__ import annotations

import math
import random
import time

import ezdxf
import numpy as np
import pytest

from cad.extract import _curve_edge, _entity_size, _Walker, arc_points, edges_of
from cad.flatten import _spline_params, _SplineTable, flatten_curves
from cad.reader import Limits


def _ezdxf_points(entity, distance: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array([v.xyz for v in entity.flattening(distance)], dtype=float).reshape(-1, 3)


def _odd_splines():  # type: ignore[no-untyped-def]
    """Splines of every degree up to 5: clamped, unclamped (ezdxf's linear span search),
    through fit points, rational, with repeated and offset knots, with coinciding control
    points, with z; seeded."""
    rng = random.Random(11)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(70):
        degree = 1 + k % 5
        n = degree + 1 + rng.randint(0, 8)
        scale = rng.choice((1e-3, 1.0, 1e5))
        pts = [
            (rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale)
            for _ in range(n)
        ]
        kind = k % 7
        if kind == 0:
            msp.add_open_spline(pts, degree=degree)
        elif kind == 1:
            e = msp.add_spline()
            e.dxf.degree = degree
            e.control_points = pts
            e.knots = [float(i) for i in range(n + degree + 1)]  # unclamped, uniform
        elif kind == 2:
            msp.add_spline(fit_points=pts)  # control points and knots solved by ezdxf
        elif kind == 3:
            msp.add_rational_spline(pts, [rng.uniform(0.2, 3) for _ in pts], degree=degree)
        elif kind == 4:
            e = msp.add_open_spline(pts, degree=degree)
            inner = sorted(rng.choice((1.0, 2.0, 2.0, 3.5)) for _ in range(n - degree - 1))
            e.knots = [0.0] * (degree + 1) + inner + [5.0] * (degree + 1)
        elif kind == 5:
            e = msp.add_open_spline(pts, degree=degree)
            inner = sorted(rng.uniform(2, 9) for _ in range(n - degree - 1))
            e.knots = [2.0] * (degree + 1) + inner + [9.0] * (degree + 1)  # ezdxf normalises
        else:
            msp.add_open_spline([pts[0], pts[0], *pts[1:]], degree=degree)
    return doc


def test_spline_table_points_equal_ezdxfs_evaluator() -> None:
    splines = [e.construction_tool() for e in _odd_splines().modelspace()]
    table = _SplineTable()
    curve, piece, t = [], [], []
    first = 0
    for c, bspline in enumerate(splines):
        unique = np.unique(np.array(bspline.knots()))
        _, ends = _spline_params(unique)
        table.add(bspline, unique, ends)
        for p, end in enumerate(ends):
            low, high = float(unique[end - 1]), float(unique[end])
            # both ends, the middle, and just below the end (the last knot's neighbour)
            for u in (low, high, (low + high) * 0.5, math.nextafter(high, -math.inf)):
                curve += [c, c]
                piece += [first + p, -1]  # within its piece, and with no piece known
                t += [u, u]
        first += len(ends)
    table.freeze()
    got = table.at(np.array(curve), np.array(piece), np.array(t))
    expected = np.array([splines[c].evaluator.point(u).xyz for c, u in zip(curve, t, strict=True)])
    assert got.tobytes() == expected.tobytes()


def test_odd_splines_flatten_to_ezdxfs_very_points() -> None:
    entities = list(_odd_splines().modelspace())
    for factor in (1e-2, 1e-4):
        distances = [factor * _entity_size(e) for e in entities]
        ours = flatten_curves(entities, distances)
        for entity, distance, got in zip(entities, distances, ours, strict=True):
            assert isinstance(got, np.ndarray)
            assert got.tobytes() == _ezdxf_points(entity, distance).tobytes()


def test_a_spline_ezdxf_cannot_evaluate_still_fails() -> None:
    doc = ezdxf.new("R2010")
    e = doc.modelspace().add_open_spline([(0, 0), (1, 2), (3, 1), (4, 4)], degree=3)
    e.knots = [0.0] * 8  # every denominator of the basis is zero
    with pytest.raises(ZeroDivisionError):
        _ezdxf_points(e, 0.01)
    with pytest.raises(ZeroDivisionError):
        flatten_curves([e], [0.01])


def test_spline_params_by_hand() -> None:
    params, ends = _spline_params(np.array([0.0, 1.0, 3.0]))
    assert params == [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert ends == [1, 1, 1, 1, 2, 2, 2, 2]  # each piece ends before or at knots[1] or knots[2]
    assert _spline_params(np.zeros(0)) == ([], [])


def _linspace_arc(cx: float, cy: float, r: float, a0: float, a1: float, tol: float) -> np.ndarray:
    span = (a1 - a0) % (2 * math.pi) or 2 * math.pi
    step = 2 * math.acos(max(-1.0, 1 - tol / r)) if tol < r else math.pi / 2
    n = max(2, min(4096, math.ceil(span / max(step, 1e-6))))
    t = a0 + np.linspace(0.0, span, n + 1)
    return np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])


def test_arc_points_equal_linspace_sampling() -> None:
    rng = random.Random(3)
    cases = [
        (0.0, 0.0, 1.0, 0.0, 5e-324, 1e-4),  # a subnormal span: its step rounds to zero
        (0.0, 0.0, 1.0, 1.0, 1.0, 1e-4),  # a full circle
        (2.0, -1.0, 1e-3, 0.0, math.pi, 1.0),  # tolerance above the radius
    ]
    for _ in range(3000):
        cases.append(
            (
                rng.uniform(-1e3, 1e3),
                rng.uniform(-1e3, 1e3),
                10 ** rng.uniform(-4, 5),
                rng.uniform(-10, 10),
                rng.uniform(-10, 10),
                10 ** rng.uniform(-6, 1),
            )
        )
    for case in cases:
        assert arc_points(*case).tobytes() == _linspace_arc(*case).tobytes()
        assert arc_points(*case).shape == _linspace_arc(*case).shape


def test_curve_edge_equals_the_plain_computation() -> None:
    rng = random.Random(5)
    for _ in range(300):
        n = rng.randint(2, 30)
        flat = np.array([(rng.uniform(-50, 50), rng.uniform(-50, 50), 0.0) for _ in range(n)])
        distance = 10 ** rng.uniform(-4, 1)
        if rng.random() < 0.5:  # closed, or open by a hair more than the distance
            flat[-1, :2] = flat[0, :2] + rng.choice((0.0, 0.5, 1.0, 1.5)) * distance
        edge = _curve_edge(flat, "0", distance)
        pts = flat[:, :2]
        assert edge.closed == bool(np.allclose(pts[0], pts[-1], atol=distance))
        assert edge.length_mm == float(np.sum(np.hypot(*np.diff(pts, axis=0).T)))
        assert edge.pts.tobytes() == np.ascontiguousarray(pts).tobytes()
    with pytest.raises(ValueError, match="degenerate"):
        _curve_edge(np.zeros((1, 3)), "0", 0.1)


def test_spline_size_from_its_points() -> None:
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    by_control = msp.add_open_spline([(0, 0, 9), (4, -1, 0), (2, 3, 0), (1, 1, 0)])
    by_fit = msp.add_spline(fit_points=[(0, 0), (2, 5), (7, 1)])
    by_fit.control_points = []  # only fit points, as some files have them
    flat = msp.add_open_spline([(1, 1), (5, 1), (9, 1), (12, 1)])  # no height: width alone
    assert _entity_size(by_control) == 4.0  # x from 0 to 4, y from -1 to 3; z is not size
    assert _entity_size(by_fit) == 7.0
    assert _entity_size(flat) == 11.0
    empty = msp.add_spline()
    with pytest.raises(ValueError, match="without points"):
        _entity_size(empty)


def test_style_of_reads_what_dxf_get_reads() -> None:
    doc = ezdxf.new("R2010")
    doc.layers.add("CUT", color=3, linetype="DASHED")
    msp = doc.modelspace()
    unset = msp.add_line((0, 0), (1, 0))  # layer "0", BYLAYER linetype and colour
    del unset.dxf.layer
    set_all = msp.add_line((0, 0), (1, 0), dxfattribs={"layer": "CUT", "color": 1})
    set_all.dxf.linetype = "CENTER"
    by_layer = msp.add_line((0, 0), (1, 0), dxfattribs={"layer": "CUT"})
    walker = _Walker(doc, Limits(), time.monotonic() + 60)
    for e in (unset, set_all, by_layer):
        style = walker.style_of(e, None)
        layer = e.dxf.get("layer", "0")
        assert style.layer == layer
        assert style == walker._resolve(
            layer, e.dxf.get("linetype", "BYLAYER"), e.dxf.get("color", 256), None
        )
    assert walker.style_of(by_layer, None).linetype == "DASHED"
    assert walker.style_of(by_layer, None).color == 3


def test_arc_ends_are_ezdxfs_start_and_end_points() -> None:
    rng = random.Random(9)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(200):
        arc = msp.add_arc(
            (rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3), rng.choice((0.0, 5.0))),
            10 ** rng.uniform(-3, 3),
            rng.uniform(-720, 720),
            rng.uniform(-720, 720),
        )
        if k % 3 == 1:
            arc.dxf.extrusion = (0, 0, -1)  # mirrored
        elif k % 3 == 2:
            arc.dxf.extrusion = (rng.uniform(-1, 1), rng.uniform(-1, 1), 1.0)  # tilted
        (edge,) = edges_of(arc, "0")
        start, end = arc.start_point, arc.end_point
        assert edge.pts[0].tolist() == [start.x, start.y]
        assert edge.pts[-1].tolist() == [end.x, end.y]
