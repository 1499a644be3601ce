"""The re-rank's score bound (cad/similar/rerank.py) and the pruning built on it.

The bound is an invariant: never below the score the full comparison gives, for any pair
(plates and discs, hard families, turned, mirrored and stretched copies, either mode).
Pruning is then checked against placing every candidate: the same top k, in the same
order, on a seeded set. Hand-computable cases give the bound's exact value. Nothing here
asserts on time."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from cad.similar import rerank as rerank_module
from cad.similar.align import PROCESS_MISMATCH, Candidate, compare
from cad.similar.descriptor import describe
from cad.similar.index import build
from cad.similar.rerank import rerank, score_bound, score_bounds
from cad.similar.shape import Shape
from tests.cad.generated import (
    HARD_HOLES,
    HARD_KINDS,
    IDENTITY,
    hard_part,
    mirror_items,
    part_spec,
    primitives,
    write,
)
from tests.cad.test_similar import plate as similar_plate
from tests.cad.test_similar import shape_of_file

TURNED = {**IDENTITY, "angle": 37.0, "dx": 250.0, "dy": -80.0, "seed": 1}
MIRRORED = {**IDENTITY, "angle": 123.4, "mirror": True, "seed": 2}
EXPLODED = {**IDENTITY, "exploded": True}


def drawn(items: list[tuple], t: dict, path: Path) -> Shape:
    write(items, t, path)
    return shape_of_file(path)


def plate(path: Path, w: float, h: float, holes=()) -> Shape:  # type: ignore[no-untyped-def]
    """A w×h rectangle with round holes (x, y, ⌀), in mm; none unless given."""
    return similar_plate(path, w, h, holes)


def assert_bounded(q: Shape, c: Shape) -> None:
    qc, cc = Candidate(q), Candidate(c)
    for any_size in (False, True):
        score = compare(qc, cc, any_size).score
        bound = score_bound(qc, cc, any_size)
        assert bound >= score, (any_size, bound, score)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> list[Shape]:  # type: ignore[no-untyped-def]
    """A seeded library: generated plates, their turned and mirrored copies, the hard
    families and their mirror images, and near variants (a hole fewer, a side longer)."""
    tmp = tmp_path_factory.mktemp("library")
    rng = random.Random(15)
    shapes: list[Shape] = []
    for n in range(10):
        spec = {
            "w": rng.uniform(60, 200),
            "h": rng.uniform(40, 150),
            "holes": [
                (rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(2, 8))
                for _ in range(rng.randint(0, 4))
            ],
        }
        items = primitives(spec)
        shapes.append(drawn(items, IDENTITY, tmp / f"p{n}.dxf"))
        shapes.append(drawn(items, TURNED, tmp / f"p{n}t.dxf"))
        if n % 2:
            shapes.append(drawn(items, MIRRORED, tmp / f"p{n}m.dxf"))
            longer = primitives({**spec, "w": spec["w"] * 1.1})
            shapes.append(drawn(longer, IDENTITY, tmp / f"p{n}l.dxf"))
        if spec["holes"]:
            fewer = primitives({**spec, "holes": spec["holes"][1:]})
            shapes.append(drawn(fewer, IDENTITY, tmp / f"p{n}f.dxf"))
    for kind in HARD_KINDS:
        items = hard_part(kind)
        shapes.append(drawn(items, EXPLODED, tmp / f"{kind}.dxf"))
        shapes.append(drawn(items, {**EXPLODED, "angle": 211.3, "seed": 3}, tmp / f"{kind}t.dxf"))
        shapes.append(drawn(mirror_items(items, 120.0), EXPLODED, tmp / f"{kind}m.dxf"))
    shapes.append(drawn(hard_part("chorded_arcs", holes=HARD_HOLES[:2]), EXPLODED, tmp / "f.dxf"))
    return shapes


# --- the bound's value on parts worked out by hand -----------------------------------------


def test_a_plate_half_as_wide_is_bounded_by_half_the_overlap_and_half_the_edges(tmp_path):  # type: ignore[no-untyped-def]
    # 100×50 against 100×25: IoU ≤ 2500/5000 = 0.5; edges 100, 100 pair and 50, 50 do
    # not pair with 25, 25: 2 of 4. No holes: (0.35·0.5 + 0.25·0.5) / 0.6 = 0.5.
    wide, narrow = plate(tmp_path / "a.dxf", 100, 50), plate(tmp_path / "b.dxf", 100, 25)
    assert score_bound(Candidate(wide), Candidate(narrow)) == pytest.approx(0.5, abs=1e-6)
    assert compare(wide, narrow).score <= 0.5


def test_holes_of_another_size_bring_nothing_to_the_bound(tmp_path):  # type: ignore[no-untyped-def]
    # Equal 100×50 plates, one with two Ø10 holes, one with two Ø20 (a ratio of 2 is
    # beyond any pairing): overlap and edges may be perfect (0.6), holes add nothing.
    small = plate(tmp_path / "a.dxf", 100, 50, ((20, 25, 10), (80, 25, 10)))
    large = plate(tmp_path / "b.dxf", 100, 50, ((20, 25, 20), (80, 25, 20)))
    assert score_bound(Candidate(small), Candidate(large)) == pytest.approx(0.6, abs=1e-6)
    # The same holes moved elsewhere could still pair: the bound cannot see places.
    moved = plate(tmp_path / "c.dxf", 100, 50, ((30, 15, 10), (70, 35, 10)))
    assert score_bound(Candidate(small), Candidate(moved)) == pytest.approx(1.0, abs=1e-6)


def test_in_any_size_mode_a_scaled_copy_is_bounded_by_one(tmp_path):  # type: ignore[no-untyped-def]
    a = plate(tmp_path / "a.dxf", 100, 50, ((20, 25, 10),))
    b = plate(tmp_path / "b.dxf", 200, 100, ((40, 50, 20),))
    assert score_bound(Candidate(a), Candidate(b), any_size=True) == pytest.approx(1.0, abs=1e-6)
    assert score_bound(Candidate(a), Candidate(b)) < 0.5  # same size: a quarter of the area


def test_an_outline_that_touches_itself_is_bounded_by_its_hull_not_its_area(tmp_path):  # type: ignore[no-untyped-def]
    # Turning an invalid outline and repairing it can change its area by float noise,
    # so the bound takes no lower limit for it.
    s = drawn(hard_part("self_touching"), EXPLODED, tmp_path / "s.dxf")
    c = Candidate(s)
    if c.poly.is_valid:
        lo, hi = c.area_range_mm2
        assert lo <= c.poly.area <= hi
    else:
        assert c.area_range_mm2 == (0.0, pytest.approx(c.poly.convex_hull.area))


# --- the invariant ----------------------------------------------------------------------


def test_the_bound_is_never_below_the_score_on_the_library(library):  # type: ignore[no-untyped-def]
    cands = [Candidate(s) for s in library]
    for any_size in (False, True):
        for q in cands[::3]:
            bounds = score_bounds(q, cands, any_size)
            scores = np.array([compare(q, c, any_size).score for c in cands])
            below = np.flatnonzero(bounds < scores)
            assert not len(below), [(int(i), bounds[i], scores[i]) for i in below]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=part_spec, b=part_spec)
def test_the_bound_is_never_below_the_score_on_generated_pairs(a, b, tmp_path):  # type: ignore[no-untyped-def]
    pa, pb = primitives(a), primitives(b)
    sa = drawn(pa, IDENTITY, tmp_path / "a.dxf")
    assert_bounded(sa, drawn(pb, TURNED, tmp_path / "b.dxf"))
    assert_bounded(sa, drawn(pa, MIRRORED, tmp_path / "m.dxf"))
    assert_bounded(sa, drawn(primitives({**a, "h": a["h"] * 1.2}), TURNED, tmp_path / "s.dxf"))


@pytest.mark.parametrize("kind", HARD_KINDS)
def test_the_bound_holds_for_the_hard_families_and_their_mirror_images(kind, tmp_path):  # type: ignore[no-untyped-def]
    items = hard_part(kind)
    a = drawn(items, EXPLODED, tmp_path / "a.dxf")
    turned = drawn(items, {**EXPLODED, "angle": 37.0, "inch": True, "seed": 5}, tmp_path / "t.dxf")
    other_hand = drawn(mirror_items(items, 120.0), EXPLODED, tmp_path / "m.dxf")
    for q, c in ((a, turned), (turned, a), (a, other_hand), (other_hand, turned)):
        assert_bounded(q, c)


# --- pruning ----------------------------------------------------------------------------


def placed_everyone(q: Candidate, cands: list[Candidate], k: int, any_size: bool, dist):  # type: ignore[no-untyped-def]
    """The reference: every candidate placed, sorted as the index sorts its results."""
    scores = [compare(q, c, any_size).score for c in cands]
    order = sorted(range(len(cands)), key=lambda i: (-scores[i], dist[i], i))
    return [(i, scores[i]) for i in order[:k]]


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("any_size", [False, True])
def test_pruning_returns_the_top_k_of_placing_every_candidate(library, k, any_size):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    cands = [Candidate(s) for s in library]
    for qi in rng.choice(len(library), 6, replace=False):
        q = Candidate(library[int(qi)])
        dist = rng.uniform(0, 1, len(cands)).round(1)  # ties in distance too
        want = placed_everyone(q, cands, k, any_size, dist)
        got = rerank(q, cands, k, any_size, list(dist))
        assert [(i, m.score) for i, m in got] == want


def test_pruning_keeps_duplicates_in_first_stage_order_when_scores_tie(library):  # type: ignore[no-untyped-def]
    # Five copies of one part all score alike: the first stage's order decides.
    part = Candidate(library[0])
    cands = [Candidate(library[0]) for _ in range(5)] + [Candidate(s) for s in library[2:]]
    got = rerank(part, cands, 3, distances=[0.0] * len(cands))
    assert [i for i, _ in got] == [0, 1, 2]


def test_a_mirror_image_is_never_ranked_above_the_unmirrored_copy(tmp_path):  # type: ignore[no-untyped-def]
    items = hard_part("chorded_arcs")
    left = drawn(items, EXPLODED, tmp_path / "l.dxf")
    right = drawn(mirror_items(items, 120.0), EXPLODED, tmp_path / "r.dxf")
    turned_left = drawn(items, {**EXPLODED, "angle": 90.0, "seed": 4}, tmp_path / "t.dxf")
    # The right panel comes first from the first stage (its descriptor is the same).
    got = rerank(turned_left, [Candidate(right), Candidate(left)], 2, distances=[0.0, 0.0])
    assert [i for i, _ in got] == [1, 0]
    assert not got[0][1].mirrored and got[1][1].mirrored
    assert "mirror image of this part" in got[1][1].notes_en
    assert "same part (identical geometry)" in got[0][1].notes_en


def test_the_index_query_gives_the_results_of_placing_every_candidate(library):  # type: ignore[no-untyped-def]
    index = build([(f"p{i}.dxf", 0, s) for i, s in enumerate(library)])
    for qi in (0, 5, len(library) - 1):
        shape = library[qi]
        got = index.query(shape, k=5)
        every = index.rerank(shape, list(range(len(library))), False)
        idx, dist = index.first.search(describe(shape), 200)
        distance = {int(i): float(d) for i, d in zip(idx, dist, strict=True)}
        position = {int(i): p for p, i in enumerate(idx)}
        want = sorted(every, key=lambda t: (-t[1].score, distance[t[0]], position[t[0]]))[:5]
        assert [(r.index, r.score) for r in got] == [(i, m.score) for i, m in want]


def test_candidates_that_cannot_enter_are_not_placed(library, monkeypatch):  # type: ignore[no-untyped-def]
    placed: list[Candidate] = []

    def counting(q, c, any_size=False):  # type: ignore[no-untyped-def]
        placed.append(c)
        return compare(q, c, any_size)

    monkeypatch.setattr(rerank_module, "compare", counting)
    cands = [Candidate(s) for s in library]
    got = rerank(Candidate(library[0]), cands, 1)  # its turned copy is library[1]
    assert got[0][1].score > 0.99
    assert 0 < len(placed) < len(cands) // 2


def test_a_stored_copy_in_another_material_is_compared_on_its_own(library):  # type: ignore[no-untyped-def]
    # Copies of one part are placed once per query; a copy that says another material
    # scores less (align.PROCESS_MISMATCH) and must not take the first copy's match.
    part = replace(library[0], material="SPCC")
    other = replace(library[0], material="SUS304")
    got = rerank(Candidate(part), [Candidate(other), Candidate(part)], 2, distances=[0.0, 0.0])
    assert [i for i, _ in got] == [1, 0]
    assert got[1][1].score == pytest.approx(got[0][1].score * PROCESS_MISMATCH, abs=1e-6)
    assert got[1][1].process_differs == (("material", "SPCC", "SUS304"),)
