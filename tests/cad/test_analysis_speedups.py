"""Shortcuts of the analysis give exactly what the plain computation gives (issue 15,
item 7): the smallest feature without every cut-out's minimum rectangle, the coordinate
check for all edges at once, and the chain ends in one array. Compared against the
plain computation and against values worked out by hand; no test here looks at a clock."""

from __future__ import annotations

import math
import random

import numpy as np
from shapely import affinity
from shapely.geometry import Polygon, box

from cad.chain import _ends
from cad.extract import max_abs_coordinate
from cad.model import Edge
from cad.parts import _smallest_feature
from cad.rect import min_rect


def _plain_smallest(sizes: list[float], cutouts: list[Polygon]) -> float | None:
    features = sizes + [min_rect(p).short_mm for p in cutouts]
    return min(features) if features else None


def _ellipse(cx: float, cy: float, a: float, b: float, turn: float, n: int = 64) -> Polygon:
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    ring = Polygon(np.column_stack([a * np.cos(t), b * np.sin(t)]))
    return affinity.translate(affinity.rotate(ring, turn, use_radians=True), cx, cy)


def test_smallest_feature_by_hand() -> None:
    # A 2 × 10 slot-like box and a 3 × 4 box: the short sides are 2 and 3.
    assert _smallest_feature([], [box(0, 0, 10, 2), box(20, 0, 23, 4)]) == 2.0
    # A hole of 1.5 is smaller than either; nothing at all gives None.
    assert _smallest_feature([1.5, 6.0], [box(0, 0, 10, 2), box(20, 0, 23, 4)]) == 1.5
    assert _smallest_feature([], []) is None
    assert _smallest_feature([4.0], []) == 4.0


def test_smallest_feature_equals_every_rectangle() -> None:
    """Seeded sheets of cut-outs (ellipses turned every way, slivers, far from the origin,
    copies tied to the last digit) against min over every rectangle."""
    rng = random.Random(15)
    for _ in range(200):
        far = rng.choice((0.0, 1e3, 1e6))
        cutouts = []
        for _ in range(rng.randint(0, 12)):
            a = 10 ** rng.uniform(-2, 2)
            poly = _ellipse(
                far + rng.uniform(-50, 50),
                far + rng.uniform(-50, 50),
                a,
                a * rng.choice((1.0, rng.uniform(0.001, 1.0))),
                rng.uniform(0, math.pi),
                rng.choice((4, 7, 64, 300)),
            )
            cutouts.append(poly)
            if rng.random() < 0.2:  # the same cut-out again, moved: a tie
                cutouts.append(affinity.translate(poly, 100.0, 0.0))
        sizes = [10 ** rng.uniform(-2, 2) for _ in range(rng.choice((0, 0, 1, 3)))]
        assert _smallest_feature(sizes, cutouts) == _plain_smallest(sizes, cutouts)


def _edge(pts: list[tuple[float, float]]) -> Edge:
    return Edge("line", np.array(pts, dtype=float), 1.0)


def test_max_abs_coordinate_per_edge() -> None:
    edges = [
        _edge([(1, -7), (3, 2)]),
        _edge([(0, 0), (0.5, 0.25), (-2, 1)]),
        _edge([(math.nan, 0), (1, 1)]),
        _edge([(-math.inf, 0), (1, 1)]),
        _edge([(1e13, 0), (1, 1)]),
    ]
    got = max_abs_coordinate(edges)
    assert got[:2].tolist() == [7.0, 2.0]
    assert math.isnan(got[2]) and got[3] == math.inf and got[4] == 1e13
    plain = [np.abs(e.pts).max() for e in edges]
    assert ((got <= 1e12) == (np.array(plain) <= 1e12)).all()
    assert max_abs_coordinate([]).shape == (0,)


def test_ends_rows() -> None:
    a, b = _edge([(1, 2), (3, 4)]), _edge([(5, 6), (9, 9), (7, 8)])
    got = _ends([(a.start, a.end), (b.start, b.end)])
    assert got.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]
