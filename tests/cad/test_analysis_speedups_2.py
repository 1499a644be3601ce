"""Shortcuts of chaining give exactly what the plain computation gives (issue 15, item 7,
round 2): box pairs from the tree's envelopes alone, each neighbourhood's group number,
and the ends' nodes found once. Compared against the plain computation and against
values worked out by hand; no test here looks at a clock."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
from scipy.spatial import cKDTree

from cad import tolerances as tol
from cad.chain import _box_pairs, _neighbourhoods, _nodes


def _plain_box_pairs(lo: np.ndarray, hi: np.ndarray) -> set[tuple[int, int]]:
    n = len(lo)
    return {
        (i, j)
        for i in range(n)
        for j in range(n)
        if (lo[i] <= hi[j]).all() and (lo[j] <= hi[i]).all()  # closed boxes: touching meets
    }


def test_box_pairs_by_hand() -> None:
    lo = np.array([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (2.5, 0.0)])
    hi = np.array([(1.0, 1.0), (2.0, 0.5), (1.5, 2.0), (3.0, 1.0)])
    p, q = _box_pairs(lo, hi)
    # 0 touches 1 along x = 1 and 2 at the corner (1, 1); 1 and 2 miss by 0.5 in y; 3 alone.
    assert set(zip(p.tolist(), q.tolist(), strict=True)) == {
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (0, 1),
        (1, 0),
        (0, 2),
        (2, 0),
    }


def test_box_pairs_equal_every_pair_compared() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 40)
        far = rng.choice((0.0, 1e3, 1e6))
        lo = np.array([(far + rng.uniform(0, 20), far + rng.uniform(0, 20)) for _ in range(n)])
        # sizes from slivers to large, and boxes that share an edge to the last digit
        size = np.array([(10 ** rng.uniform(-3, 1), 10 ** rng.uniform(-3, 1)) for _ in range(n)])
        for k in range(0, n - 1, 3):
            lo[k + 1, 0] = lo[k, 0] + size[k, 0]
        hi = lo + size
        for k in range(0, n - 1, 3):
            hi[k, 0] = lo[k + 1, 0]
        p, q = _box_pairs(lo, hi)
        got = list(zip(p.tolist(), q.tolist(), strict=True))
        assert len(got) == len(set(got))
        assert set(got) == _plain_box_pairs(lo, hi)


def test_neighbourhood_labels_name_each_edges_group() -> None:
    rng = random.Random(3)
    for _ in range(100):
        n = rng.randint(1, 60)
        lo = np.array([(rng.uniform(0, 30), rng.uniform(0, 30)) for _ in range(n)])
        hi = lo + np.array([(rng.uniform(0, 2), rng.uniform(0, 2)) for _ in range(n)])
        groups, label = _neighbourhoods(lo, hi)
        assert sorted(i for g in groups for i in g) == list(range(n))
        assert [g[0] for g in groups] == sorted(g[0] for g in groups)  # drawing order
        for g, members in enumerate(groups):
            assert label[members].tolist() == [g] * len(members)
    groups, label = _neighbourhoods(np.zeros((0, 2)), np.zeros((0, 2)))
    assert groups == [] and label.tolist() == []


def _plain_nodes(points: np.ndarray) -> list[int]:
    """Union-find, asked again for every use: the plain form of `_nodes`."""
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    for i, j in cKDTree(points).query_pairs(tol.SAME_POINT_MM + tol.THRESHOLD_PAD_MM):
        union(i, j)
    size: dict[int, int] = defaultdict(int)
    for i in range(len(points)):
        size[find(i)] += 1
    lone = [i for i in range(len(points)) if size[find(i)] == 1]
    pairs = sorted(
        (float(np.hypot(*(points[i] - points[j]))), i, j)
        for a, i in enumerate(lone)
        for j in lone[a + 1 :]
        if np.hypot(*(points[i] - points[j])) <= tol.JOIN_MM + tol.THRESHOLD_PAD_MM
    )
    taken: set[int] = set()
    for _, i, j in pairs:
        if i not in taken and j not in taken:
            taken.update((i, j))
            union(i, j)
    return [find(i) for i in range(len(points))]


def test_nodes_by_hand() -> None:
    points = np.array(
        [
            (0.0, 0.0),
            (5.0, 0.0),
            (5.0, 0.0005),  # the same point as 1
            (0.0, 0.0),  # the same point as 0
            (9.0, 0.0),
            (9.03, 0.0),  # lone, joins 4 (0.03 mm)
            (9.0, 0.04),  # lone, farther from 4 than 5 is: stays alone
        ]
    )
    assert _nodes(points) == [0, 1, 1, 0, 4, 4, 6]


def test_nodes_equal_the_plain_union_find() -> None:
    rng = random.Random(11)
    for t in range(1000):
        n = rng.randint(1, 50)
        scale = rng.choice((0.0005, 0.003, 0.05, 1.0, 10.0))
        pts = np.array([(rng.uniform(0, scale), rng.uniform(0, scale)) for _ in range(n)])
        if rng.random() < 0.5:  # some ends again, as the next edge's start, or nearly
            k = rng.randint(0, n)
            pts = np.concatenate([pts, pts[:k] + rng.choice((0.0, 1e-4, 9e-4, 0.02))])
            pts = pts[np.random.default_rng(t).permutation(len(pts))]
        assert _nodes(pts) == _plain_nodes(pts)
