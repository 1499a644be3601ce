"""The fast paths of the analysis give what the plain ones gave (issue 15, item 7).

Ellipses and splines are flattened by `cad.flatten` rather than by ezdxf's recursion, a
neighbourhood without any possible duplicate or overlap skips the pair-by-pair checks,
and every edge is moved and snapped in one numpy call. None of this may change a point,
a length or an area: the tests compare against ezdxf and against the plain paths, and on
hand-computable fixtures. No test here looks at a clock."""

from __future__ import annotations

import math
import random
from pathlib import Path

import ezdxf
import numpy as np
import pytest

import cad.chain as chain_module
from cad.analyze import analyze_file
from cad.chain import chain
from cad.flatten import flatten_curves
from cad.model import Edge


def _ezdxf_points(entity, distance: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array([v.xyz for v in entity.flattening(distance)], dtype=float).reshape(-1, 3)


def _curves_doc():  # type: ignore[no-untyped-def]
    """Ellipses every way round (arcs across 0, reversed extrusion, tiny and huge) and
    splines (open, closed, rational, with repeated knots), seeded."""
    rng = random.Random(7)
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for _ in range(60):
        a = rng.uniform(0, 2 * math.pi)
        r = 10 ** rng.uniform(-2, 3)
        msp.add_ellipse(
            (rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3)),
            major_axis=(r * math.cos(a), r * math.sin(a)),
            ratio=rng.uniform(0.05, 1.0),
            start_param=rng.uniform(0, 2 * math.pi),
            end_param=rng.uniform(0, 2 * math.pi),
        )
    msp.add_ellipse((5, 5), major_axis=(3, 0), ratio=0.5)  # full
    mirrored = msp.add_ellipse((5, 5), major_axis=(3, 1), ratio=0.4, start_param=1, end_param=4)
    mirrored.dxf.extrusion = (0, 0, -1)
    for k in range(20):
        pts = [(rng.uniform(0, 50), rng.uniform(0, 50)) for _ in range(4 + k % 5)]
        if k % 3 == 0:
            msp.add_open_spline(pts, degree=3)
        elif k % 3 == 1:
            msp.add_spline(fit_points=pts)  # control points solved by ezdxf
        else:
            msp.add_rational_spline(pts, [rng.uniform(0.5, 2) for _ in pts], degree=3)
    return doc


def test_ellipses_and_splines_flatten_to_ezdxfs_very_points():  # type: ignore[no-untyped-def]
    entities = list(_curves_doc().modelspace())
    distances = [0.01 if e.dxftype() == "ELLIPSE" else 0.005 for e in entities]
    ours = flatten_curves(entities, distances)
    for entity, distance, got in zip(entities, distances, ours, strict=True):
        expected = _ezdxf_points(entity, distance)
        assert isinstance(got, np.ndarray)
        assert got.shape == expected.shape
        assert np.array_equal(got, expected), entity.dxftype()


def test_a_flattened_ellipse_is_one_edge_with_the_length_of_its_polyline(tmp_path: Path):  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    doc.units = 4
    doc.modelspace().add_ellipse((0, 0), major_axis=(50, 0), ratio=0.5)
    doc.saveas(tmp_path / "e.dxf")
    part = analyze_file(tmp_path / "e.dxf").parts[0]
    expected = _ezdxf_points(doc.modelspace()[0], 50 * 1e-4)[:, :2]
    assert part.cut_length_mm == pytest.approx(
        float(np.sum(np.hypot(*np.diff(expected, axis=0).T))), rel=1e-12
    )
    # Ramanujan's perimeter of a 100 × 50 ellipse, to the flattening tolerance.
    a, b = 50.0, 25.0
    h = ((a - b) / (a + b)) ** 2
    assert part.cut_length_mm == pytest.approx(
        math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h))), rel=1e-4
    )
    assert part.net_area_mm2 == pytest.approx(math.pi * a * b, rel=3e-4)  # chords cut it


def _polygon_lines(cx: float, cy: float, r: float, n: int) -> list[Edge]:
    pts = [
        (cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
        for k in range(n)
    ]
    return [
        Edge("line", np.array([a, b]), math.dist(a, b))
        for a, b in zip(pts, pts[1:] + pts[:1], strict=True)
    ]


def _plate_with_doubled_side() -> list[Edge]:
    """A 100 × 50 plate of LINEs whose bottom side is drawn again as two overlapping
    pieces and whose top is drawn twice, with four Ø10 holes drawn as 64-gons."""
    corners = [(0.0, 0.0), (100.0, 0.0), (100.0, 50.0), (0.0, 50.0)]
    edges = [
        Edge("line", np.array([a, b]), math.dist(a, b))
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True)
    ]
    edges += [
        Edge("line", np.array([(0.0, 0.0), (60.0, 0.0)]), 60.0),
        Edge("line", np.array([(40.0, 0.0), (100.0, 0.0)]), 60.0),
        Edge("line", np.array([(0.0, 50.0), (100.0, 50.0)]), 100.0),  # the top, again
    ]
    for cx, cy in ((15, 15), (85, 15), (15, 35), (85, 35)):
        edges += _polygon_lines(cx, cy, 5.0, 64)
    return edges


def _plain_chain(edges: list[Edge]):  # type: ignore[no-untyped-def]
    """`chain` with every neighbourhood checked pair by pair, as before the fast path."""
    real = chain_module._may_overlap
    chain_module._may_overlap = lambda edges, *_: set(range(len(edges)))  # type: ignore[assignment]
    try:
        return chain(edges)
    finally:
        chain_module._may_overlap = real  # type: ignore[assignment]


def test_neighbourhoods_skipped_by_the_overlap_search_chain_as_when_checked(monkeypatch):  # type: ignore[no-untyped-def]
    edges = _plate_with_doubled_side()
    calls: list[int] = []
    real = chain_module.merge_overlapping_lines

    def counting(es):  # type: ignore[no-untyped-def]
        calls.append(len(es))
        return real(es)

    monkeypatch.setattr(chain_module, "merge_overlapping_lines", counting)
    fast = chain(edges)
    assert len(calls) == 1  # only the plate outline; the four holes are not checked
    plain = _plain_chain(edges)
    assert len(calls) == 6
    assert [f.code for f in fast.findings] == [f.code for f in plain.findings]
    assert {"DUPLICATE_SEGMENTS", "OVERLAPPING_SEGMENTS"} <= {f.code for f in fast.findings}
    assert len(fast.loops) == len(plain.loops) == 5
    for a, b in zip(fast.loops, plain.loops, strict=True):
        assert np.array_equal(a.pts, b.pts)
        assert a.length_mm == b.length_mm
        assert a.exact_area_mm2() == b.exact_area_mm2()
    outline = max(fast.loops, key=lambda lp: lp.exact_area_mm2())
    assert outline.length_mm == pytest.approx(300.0)
    assert outline.exact_area_mm2() == pytest.approx(5000.0)


def test_chaining_a_moved_sheet_of_holes_gives_the_same_loops():  # type: ignore[no-untyped-def]
    """The one-call snap keeps each neighbourhood's own frame: moving the drawing far
    from the origin changes no loop's length or area."""
    edges = [e for k in range(30) for e in _polygon_lines(12.0 * k, 7.0 * (k % 4), 4.0, 48)]
    here = chain(edges)
    d = np.array([4321.5, -1234.25])
    moved = chain([Edge(e.kind, e.pts + d, e.length_mm) for e in edges])
    assert len(here.loops) == len(moved.loops) == 30
    for a, b in zip(here.loops, moved.loops, strict=True):
        assert a.length_mm == b.length_mm
        assert a.exact_area_mm2() == pytest.approx(b.exact_area_mm2(), rel=1e-12)
        assert np.allclose(a.pts + d, b.pts, atol=1e-8)
