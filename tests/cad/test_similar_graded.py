"""Graded similarity (cad/similar/graded.py): what must not change it (moving, turning,
mirroring, scaling, where the contour's sampling starts), a bent copy that must rank
above a different part, the near-exact fits that keep their place, and the bull's-eye
score and the alignment on hand-computable inputs. Nothing here asserts on time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely import affinity
from shapely.geometry import Point, Polygon, box
from shapely.geometry.polygon import orient

from cad.model import Part
from cad.rect import min_rect
from cad.similar import graded
from cad.similar.align import W_OUTLINE, Candidate, compare
from cad.similar.index import build
from cad.similar.shape import Shape, shape_of


def outline(poly: Polygon, holes: tuple[tuple[float, float, float], ...] = ()) -> Shape:
    """The search's Shape of an outline, with round holes (x, y, ⌀) if given."""
    poly = orient(poly, sign=1.0)
    r = min_rect(poly)
    inner = tuple(
        np.asarray(
            orient(
                affinity.translate(box(-d / 2, -d / 2, d / 2, d / 2), x, y), -1.0
            ).exterior.coords
        )
        for x, y, d in holes
    )
    part = Part(
        index=0,
        outer=np.asarray(poly.exterior.coords),
        inner=inner,
        bbox_mm=poly.bounds,
        min_rect_mm=(r.long_mm, r.short_mm),
        net_area_mm2=float(poly.area) - sum(d * d for _, _, d in holes),
        cut_length_mm=float(poly.exterior.length),
        pierce_count=1 + len(holes),
    )
    return shape_of(part)


def bracket() -> Polygon:
    """A 200 × 30 bar with a 30 × 25 tab near one end and a notch near the other."""
    bar = box(0, 0, 200, 30).union(box(150, 30, 180, 55))
    return bar.difference(box(20, -1, 35, 12))


def bent(poly: Polygon, sag: float) -> Polygon:
    """Curved along x: every point moves by sag·(x − centre)² / half-length² in y (the
    ends of the 200 mm bracket move `sag` mm)."""
    dense = Polygon(poly.exterior.segmentize(2.0).coords)
    pts = np.asarray(dense.exterior.coords)
    minx, _, maxx, _ = dense.bounds
    mid, half = (minx + maxx) / 2, (maxx - minx) / 2
    pts[:, 1] += sag * ((pts[:, 0] - mid) / half) ** 2
    return Polygon(pts)


def distance(a: Shape, b: Shape) -> float:
    return float(graded.distances(graded.describe(a), [graded.describe(b)])[0])


def test_heights_do_not_see_moving_turning_or_scaling_the_same_points() -> None:
    pts = graded.contour(outline(bracket()))
    turn = np.array([[math.cos(1.1), -math.sin(1.1)], [math.sin(1.1), math.cos(1.1)]])
    moved = 2.5 * pts @ turn.T + np.array([300.0, -40.0])
    assert np.allclose(graded.heights(pts), graded.heights(moved), atol=1e-9)


def test_heights_of_a_mirrored_contour_are_the_mirror_side() -> None:
    pts = graded.contour(outline(bracket()))
    image = graded.mirrored(pts)
    assert np.allclose(graded.heights(graded.mirrored(image)), graded.heights(pts), atol=1e-9)
    assert not np.allclose(graded.heights(image), graded.heights(pts), atol=1e-3)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: affinity.rotate(p, 73.0, origin=(0, 0)),
        lambda p: affinity.scale(p, -1.0, 1.0, origin=(0, 0)),  # mirrored
        lambda p: affinity.scale(p, 3.0, 3.0, origin=(0, 0)),
        lambda p: affinity.translate(affinity.rotate(p, 200.0), 1e4, -3e3),
        # The same outline drawn from another vertex: sampling starts elsewhere.
        lambda p: Polygon(np.roll(np.asarray(p.exterior.coords)[:-1], 5, axis=0)),
    ],
    ids=["turned", "mirrored", "scaled", "moved", "other start"],
)
def test_graded_distance_does_not_see_rigid_changes(change) -> None:  # type: ignore[no-untyped-def]
    part = outline(bracket())
    copy = outline(change(bracket()))
    # The nearest different part: a plain bar of about its size (no tab, no notch).
    # Sampling a turned or re-started contour lands up to half a step elsewhere, which
    # moves corner points' tangents: a copy is near, not at zero.
    plain = outline(box(0, 0, 205, 38))
    assert distance(part, copy) < 0.3 * distance(part, plain)


def test_a_bent_copy_is_nearer_than_a_different_part_that_overlaps_more() -> None:
    part = outline(bracket())
    curved = outline(affinity.rotate(bent(bracket(), 20.0), 30.0))
    # A plain bar of the same size: it overlaps the bracket well, but has no tab, no
    # notch.
    plain = outline(box(0, 0, 205, 38))
    assert distance(part, curved) < distance(part, plain)
    found = graded.graded_rerank(part, [Candidate(plain), Candidate(curved)], k=2, any_size=True)
    assert [p for p, _m, _v in found] == [1, 0]


def test_a_near_exact_fit_keeps_first_place_over_a_closer_outline() -> None:
    plate = box(0, 0, 160, 100).difference(box(70, 80, 90, 101))
    holes = ((30.0, 30.0, 10.0), (130.0, 30.0, 10.0), (80.0, 50.0, 16.0))
    query = outline(plate, holes)
    same = outline(
        affinity.rotate(plate, 90.0, origin=(0, 0)), tuple((-y, x, d) for x, y, d in holes)
    )
    # The same outline with other holes: its outline is as near as can be, its holes not.
    other_holes = outline(plate, ((20.0, 70.0, 6.0),))
    cands = [Candidate(other_holes), Candidate(same)]
    assert compare(query, same).score >= graded.NEAR_EXACT
    found = graded.graded_rerank(query, cands, k=2)
    assert found[0][0] == 1 and found[0][2] is None  # by score, not by the graded order


def test_index_query_orders_what_does_not_fit_by_graded_similarity() -> None:
    query = outline(bracket())
    items = [
        ("plain.dxf", 0, outline(box(0, 0, 205, 38))),
        ("curved.dxf", 0, outline(bent(bracket(), 20.0))),
        ("disc.dxf", 0, outline(Point(0, 0).buffer(50.0))),
    ]
    results = build(items).query(query, k=3, any_size=True)
    assert results[0].path == "curved.dxf"
    assert all(r.graded is not None for r in results)


def test_align_cost_matches_or_skips_whichever_is_cheaper() -> None:
    diagonal = np.array([[[0.0, 9.0], [9.0, 0.0]]])
    assert graded.align_cost(diagonal, 1.0)[0] == 0.0  # match 1–1 and 2–2
    dear = np.full((1, 2, 2), 5.0)
    assert graded.align_cost(dear, 1.0)[0] == 4.0  # leave all four points out
    crossed = np.array([[[9.0, 0.0], [9.0, 9.0]]])
    # 1 with 2 costs nothing; point 1 of the second and point 2 of the first are left out.
    assert graded.align_cost(crossed, 1.0)[0] == 2.0


def test_bulls_eye_counts_the_class_among_twice_its_size_nearest() -> None:
    labels = ["a", "a", "b", "b", "c", "c"]
    ranked = [
        [0, 2, 4, 1, 3, 5],  # top 4 hold 0 and 1: 2 of 2
        [1, 2, 3, 4, 0, 5],  # top 4 hold only 1: 1 of 2
        [2, 3, 0, 1, 4, 5],  # 2 of 2
        [3, 0, 1, 4, 2, 5],  # 1 of 2
        [4, 5, 0, 1, 2, 3],  # 2 of 2
        [0, 1, 2, 3, 4, 5],  # 0 of 2
    ]
    assert graded.bulls_eye(labels, ranked) == pytest.approx((1 + 0.5 + 1 + 0.5 + 1 + 0) / 6)


def test_pruned_graded_order_is_the_order_of_placing_every_candidate() -> None:
    """graded_order places only candidates whose bound can reach the k best; the answer
    must be what valuing every one of them gives."""
    rng = np.random.default_rng(5)
    shapes = []
    for i in range(14):
        w, h = rng.uniform(60, 240), rng.uniform(30, 120)
        poly = box(0, 0, w, h).union(box(0.2 * w, h - 1, 0.2 * w + rng.uniform(5, 40), h + 20))
        if i % 3 == 0:
            poly = bent(poly, float(rng.uniform(-20, 20)))
        holes = tuple((w * x, h * y, 6.0) for x, y in rng.uniform(0.2, 0.8, (i % 4, 2)))
        shapes.append(outline(poly, holes))
    query, cands = Candidate(shapes[0]), [Candidate(s) for s in shapes[1:]]
    for any_size in (False, True):
        found = graded.graded_rerank(query, cands, k=4, any_size=any_size)
        assert all(v is not None for _p, _m, v in found)  # nothing fits: all by value
        g = graded.distances(query.graded, [c.graded for c in cands])
        if not any_size:
            area = np.array([c.shape.outer_area_mm2 for c in cands])
            g = g + graded.SIZE_WEIGHT * np.abs(np.log(area / query.shape.outer_area_mm2))
        values = []
        for p, c in enumerate(cands):
            m = compare(query, c, any_size)
            holed = bool(len(query.shape.cutouts)) or bool(len(c.shape.cutouts))
            w = graded.W_GRADED * (W_OUTLINE if holed else 1.0)
            values.append(m.score + w * (math.exp(-g[p] / graded.GRADED_SCALE) - m.outline))
        expect = sorted(range(len(cands)), key=lambda p: (-values[p], p))[:4]
        assert [p for p, _m, _v in found] == expect
