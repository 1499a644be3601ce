"""Graded similarity of outlines: which parts are most alike when none is the same.

The exact re-rank (align.py) measures how well the query *fits* a candidate: overlap at
the best placement, equal straight edges, paired cut-outs. That decides same-part hits,
but it says little about two parts that are alike without fitting: a bracket bent
along its length, stretched, notched or with one tab turned by 20° overlaps its
original poorly, and the overlap then orders the neighbours by accident.

This module compares outlines as sequences of points instead, after the "height
functions" of Wang et al. (Pattern Recognition 45, 2012): `POINTS` points equally
spaced along the outer contour, each described by the signed distances of all the
other contour samples (in contour order) from its tangent line, averaged over `BINS`
runs, divided by the contour's RMS radius and weighted so that nearby shape counts
more than the far side. A description does not change when the part is moved, turned
or scaled; a bend, a stretch or a turned tab changes the far heights of the points
near it, and the local weights keep that small. Two contours are matched by dynamic
programming: points in order, each pair at its descriptions' L1 distance, any point
left out at a fixed price, from the best start points that a cyclic correlation finds,
for the query and its mirror image. The distance is the cheapest alignment's cost per
point. Holes are not part of it on purpose (the exact re-rank pairs them); in "same
size" mode a size term is added (sizes set prices).

`graded_order` uses it after the exact re-rank: near-exact fits (`NEAR_EXACT`) keep
their place by score, so same-part hits are decided as before; the rest are ordered by
the score with part of its outline evidence replaced by the graded measure. Index.query
does so in "any size" mode (parts of this shape); "same size" stays ordered by the
exact score.
bench/similar_graded.py measures the effect (bull's-eye scores on generated
silhouette sets)."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np
from scipy.spatial.distance import cdist

from .align import SCORE_DECIMALS, W_HOLES, W_OUTLINE, Candidate, Match, compare
from .rerank import BOUND_SLACK, rerank, score_bounds
from .shape import Shape, resample

POINTS = 100  # contour points described per outline
FINE = 4  # samples per described point (the heights are averaged over them)
TANGENT_SPAN = 1  # the tangent's window, ± this many described points' spacing
BINS = 25  # height values per point after averaging runs of (POINTS - 1) / BINS
# Weight of each height by how far along the contour it lies from the point described:
# local shape decides more than the far side (a bend or a turned tab there).
LOCAL_SPAN = 0.3  # share of the contour over which the weight halves
# Price of leaving a point unmatched, in the descriptions' units (about the median
# cost of matching two points of different outlines).
SKIP_COST = 5.0
STARTS = 3  # best cyclic shifts (per side) that the alignment starts from
# Candidates aligned with skips: this many per result wanted, at least REFINE_MIN.
REFINE_PER_K, REFINE_MIN = 3, 30
# Exact scores at or above this are near-exact fits: they keep their place by score.
NEAR_EXACT = 0.9
# The order of what does not fit: the graded term's share, and the graded distance at
# which it has fallen to 1/e.
W_GRADED = 0.8
GRADED_SCALE = 2.5
# "same size" mode (graded_rerank; Index.query orders that mode by exact score alone):
# distance added per unit of |log(area ratio)|. Sizes set prices: a part of a third or
# three times the area is alike only in shape (+2.2, about the distance between
# outlines of different kinds), one stretched 10 % nearly the same (+0.2).
SIZE_WEIGHT = 2.0


def contour(shape: Shape, n: int = POINTS * FINE) -> np.ndarray:
    """`n` points equally spaced along the outer contour, counter-clockwise, centred."""
    pts = resample(np.asarray(shape.polygon, dtype=float), n)
    return pts - pts.mean(axis=0)


def _weights(bins: int = BINS) -> np.ndarray:
    centre = (np.arange(bins) + 0.5) / bins  # position of each bin along the contour
    along = np.minimum(centre, 1.0 - centre)  # distance from the described point
    return np.asarray(0.5 ** (along / LOCAL_SPAN))


def heights(points: np.ndarray, bins: int = BINS, step: int = FINE) -> np.ndarray:
    """(len(points) / step, bins) description of every `step`-th point of a closed
    counter-clockwise contour: the signed distances of all the following points from
    its tangent line, averaged over `bins` runs, divided by the contour's RMS radius
    and weighted by `_weights`.

    The tangent is the weighted mean direction of the segments within ±`TANGENT_SPAN`
    described points: at a corner, the direction from one neighbour to the other swings
    with where the sampling happens to start, and two drawings of one outline start in
    different places. (Wider windows steady it further but blur the corners more: on
    the generated silhouette sets ±1 ranked best.)"""
    m = len(points)
    seg = np.roll(points, -1, axis=0) - points
    seg /= np.maximum(np.hypot(seg[:, 0], seg[:, 1]), 1e-12)[:, None]
    span = TANGENT_SPAN * step
    # Triangular weights over segments i − span … i + span − 1, symmetric about point i.
    kernel = span + 0.5 - np.abs(np.arange(-span, span) + 0.5)
    wrapped = np.concatenate([seg[-span:], seg, seg[: span - 1]])
    tangent = np.column_stack(
        [
            np.convolve(wrapped[:, 0], kernel[::-1], "valid"),
            np.convolve(wrapped[:, 1], kernel[::-1], "valid"),
        ]
    )[::step]
    tangent /= np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-12)[:, None]
    at = np.arange(0, m, step)
    # Points i+1 … i+m-1 for every described i, in contour order.
    idx = (at[:, None] + np.arange(1, m)[None, :]) % m
    rel = points[idx] - points[at][:, None, :]
    h = tangent[:, None, 0] * rel[..., 1] - tangent[:, None, 1] * rel[..., 0]  # left > 0
    scale = math.sqrt(float(((points - points.mean(axis=0)) ** 2).sum(axis=1).mean()))
    h /= max(scale, 1e-12)
    edges = np.linspace(0, m - 1, bins + 1).round().astype(int)
    runs = np.add.reduceat(h, edges[:-1], axis=1) / np.diff(edges)[None, :]
    return np.asarray(runs * _weights(bins)[None, :])


def mirrored(points: np.ndarray) -> np.ndarray:
    """The contour's mirror image (x → −x), counter-clockwise again."""
    out = points[::-1].copy()
    out[:, 0] = -out[:, 0]
    return out


def describe(shape: Shape) -> np.ndarray:
    """(2, POINTS, BINS) float32 (20 kB): the heights of the outline and of its mirror
    image."""
    pts = contour(shape)
    return np.stack([heights(pts), heights(mirrored(pts))]).astype(np.float32)


def align_cost(cost: np.ndarray, skip: float) -> np.ndarray:
    """Cheapest order-keeping alignment of two open sequences for each of B cost
    matrices (B, n, m): match i with j at cost[b, i, j] or leave a point of either out at
    `skip`. Rows are computed one at a time, every column and problem at once: the
    moves within a row are a running minimum."""
    b, n, m = cost.shape
    steps = np.arange(m + 1) * skip
    prev = np.broadcast_to(steps, (b, m + 1)).copy()  # row 0: skip the first j points
    for i in range(1, n + 1):
        here = np.empty_like(prev)
        here[:, 0] = i * skip
        here[:, 1:] = np.minimum(prev[:, :-1] + cost[:, i - 1, :], prev[:, 1:] + skip)
        # Skipping candidate points along the row: min over k ≤ j of here[k] + (j − k)·skip.
        here = np.minimum.accumulate(here - steps, axis=1) + steps
        prev = here
    return prev[:, m]


def _costs(q: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """(C·2, n, n) point-to-point costs: candidate c's plain side against the query's
    plain (row 2c) and mirrored (row 2c + 1) sides."""
    n = q.shape[1]
    flat = cdist(q.reshape(2 * n, -1), cands.reshape(len(cands) * n, -1), "cityblock")
    return flat.reshape(2, n, len(cands), n).transpose(2, 0, 1, 3).reshape(-1, n, n)


def distances(q: np.ndarray, cands: Sequence[np.ndarray], refine: int | None = None) -> np.ndarray:
    """Graded distance from a query's `describe` to each candidate's (only the
    candidate's plain side is used: the query's two sides cover mirroring).

    Every candidate is first measured by its best alignment without skips (a cyclic
    correlation); with `refine`, only that many of the best by that measure are then
    aligned with skips (the rest keep the first measure, which is never below the
    alignment's: it is one of the alignments the dynamic programme considers)."""
    if not len(cands):
        return np.zeros(0)
    n = q.shape[1]
    cost = _costs(q, np.stack([d[0] for d in cands]))
    skip = SKIP_COST
    i = np.arange(n)
    diagonal = cost[:, i[:, None], (i[:, None] + i[None, :]) % n].sum(axis=1)  # (C·2, shift)
    cheap = diagonal.min(axis=1).reshape(len(cands), 2).min(axis=1)
    todo = np.arange(len(cands))
    if refine is not None and refine < len(cands):
        todo = np.argsort(cheap, kind="stable")[:refine]
    rows = np.stack([2 * todo, 2 * todo + 1], axis=1).reshape(-1)
    shifts = np.argsort(diagonal[rows], axis=1)[:, :STARTS]  # (R, STARTS)
    cols = (i[None, None, :] + shifts[:, :, None]) % n  # (R, STARTS, n)
    rolled = cost[rows[:, None, None, None], i[None, None, :, None], cols[:, :, None, :]]
    best = align_cost(rolled.reshape(-1, n, n), skip).reshape(len(todo), 2 * STARTS)
    out = cheap.copy()
    out[todo] = np.minimum(best.min(axis=1), cheap[todo])
    return out / n


def graded_order(
    q: Candidate,
    cands: Sequence[Candidate],
    exact: Sequence[tuple[int, Match]],
    k: int,
    any_size: bool = False,
    distances_: Sequence[float] | None = None,
) -> list[tuple[int, Match, float | None]]:
    """The k best of `cands` as (position, match, graded value or None), given `exact`,
    the k best by exact score (`rerank`'s answer). Its near-exact fits (score ≥
    NEAR_EXACT) come first, by score; if fewer than k fit, the others follow by

        value = score + w · (exp(−graded distance / GRADED_SCALE) − outline part)

    (then first-stage distance, then position), w as below. The exact score keeps what
    the outline does not show (holes, equal edges); the graded term orders outlines
    that are alike without fitting. As in `rerank`, a candidate is placed only if its
    bound on the value can still reach the k best."""
    near = [(p, m) for p, m in exact if m.score >= NEAR_EXACT]
    want = k - len(near)
    if want <= 0 or len(near) == len(cands):
        return [(p, m, None) for p, m in exact]
    g = distances(q.graded, [c.graded for c in cands], refine=max(REFINE_MIN, REFINE_PER_K * k))
    # Copies of one part (one geometry hash) get one distance, their least: sampling a
    # turned copy's contour lands elsewhere, and that noise should not order copies.
    least: dict[str, float] = {}
    for p, c in enumerate(cands):
        least[c.hash] = min(least.get(c.hash, math.inf), float(g[p]))
    g = np.array([least[c.hash] for c in cands])
    if not any_size:
        qa = max(q.shape.outer_area_mm2, 1e-9)
        area = np.array([max(c.shape.outer_area_mm2, 1e-9) for c in cands])
        g = g + SIZE_WEIGHT * np.abs(np.log(area / qa))
    alike = np.exp(-g / GRADED_SCALE)
    # The graded measure stands in for part of the outline's evidence, not for the cut-
    # outs': value = score + w·(alike − outline part of the score), with w the graded
    # share of the outline's weight (W_OUTLINE of the score where either part has
    # cut-outs, all of it where neither has). For two outlines without cut-outs that is
    # (1 − W_GRADED)·score + W_GRADED·alike; a plate whose outline already matches
    # gains nothing, so the holes still tell plates apart.
    holed = np.array([bool(len(q.shape.cutouts)) or bool(len(c.shape.cutouts)) for c in cands])
    w = W_GRADED * np.where(holed, W_OUTLINE, 1.0)
    # Bound: the value rises with the score (at most by the score's own step), and the
    # outline part is at least what the score implies, (score − W_HOLES) / W_OUTLINE
    # with cut-outs, the score itself without.
    b = score_bounds(q, cands, any_size)
    least_outline = np.where(holed, np.maximum(0.0, (b - W_HOLES) / W_OUTLINE), b)
    # Rounded as scores are (align.SCORE_DECIMALS): beyond that is float noise, and two
    # copies of one part must tie (then first-stage distance and position decide).
    upper = np.round(b + w * (alike - least_outline) + BOUND_SLACK, SCORE_DECIMALS).tolist()
    dist = list(distances_) if distances_ is not None else [0.0] * len(cands)
    taken = {p for p, _ in near}
    known = dict(exact)
    order = sorted(
        (p for p in range(len(cands)) if p not in taken), key=lambda p: (-upper[p], dist[p], p)
    )
    top: list[tuple[float, float, int, Match]] = []  # heap, worst of the best at the root
    for p in order:
        if len(top) == want and (-upper[p], dist[p], p) > (-top[0][0], -top[0][1], -top[0][2]):
            break  # neither this one nor any later can enter
        m = known.get(p) or compare(q, cands[p], any_size)
        value = round(m.score + float(w[p]) * (float(alike[p]) - m.outline), SCORE_DECIMALS)
        item = (value, -dist[p], -p, m)
        if len(top) < want:
            heapq.heappush(top, item)
        elif item[:3] > top[0][:3]:
            heapq.heapreplace(top, item)
    best = sorted(top, key=lambda t: (-t[0], -t[1], -t[2]))
    return [(p, m, None) for p, m in near] + [(-neg_p, m, v) for v, _, neg_p, m in best]


def graded_rerank(
    query: Shape | Candidate,
    cands: Sequence[Candidate],
    k: int,
    any_size: bool = False,
    distances_: Sequence[float] | None = None,
) -> list[tuple[int, Match, float | None]]:
    """`rerank` with the graded order for what does not fit (see `graded_order`)."""
    q = query if isinstance(query, Candidate) else Candidate(query)
    exact = rerank(q, cands, k, any_size, distances_)
    return graded_order(q, cands, exact, k, any_size, distances_)


def bulls_eye(labels: Sequence[object], ranked: Sequence[Sequence[int]]) -> float:
    """The MPEG-7 bull's-eye score: for each query i, how many of the first 2·|class|
    results `ranked[i]` (indices into `labels`, the query itself included) share its
    label, over |class|; the mean over queries."""
    size: dict[object, int] = {}
    for label in labels:
        size[label] = size.get(label, 0) + 1
    total = 0.0
    for i, order in enumerate(ranked):
        c = size[labels[i]]
        total += sum(labels[j] == labels[i] for j in list(order)[: 2 * c]) / c
    return total / len(ranked) if len(ranked) else 0.0
