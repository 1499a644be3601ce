"""The re-rank of many candidates to the best k, without placing every one.

`compare` (align.py) places the query on one candidate and measures. Most of the first
stage's candidates cannot reach the top k, and a cheap upper bound on each one's score
says which: the final score is made of the overlap (IoU), the equal straight edges and the
paired cut-outs (align._finish), and each part has a bound that needs no placement.

- IoU = I / (A + B − I) ≤ min(A, B) / max(A, B): no turn or shift makes the overlap I
  larger than the smaller part. (A tighter overlap bound, the narrower part's width
  times the shorter diameter, dropped 4 % more placements on the corpus and cost more
  than that to compute for candidates prepared in the query.)
- The straight edges are paired by length only, so their count is not a bound but the
  exact value, the same whatever the placement.
- Paired cut-outs: each pair's similarity is at most its diameters' similarity, and a
  one-to-one pairing cannot beat every cut-out taking its best partner by size, on
  either side.

Candidates are placed best bound first; once the k-th score found beats the next bound
(ties broken by first-stage distance, then order, as the results are sorted), no
remaining candidate can enter and the rest are dropped unplaced. The result is the same
top k as placing all of them (tests/cad/test_similar_rerank_bounds.py)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

from cad.tolerances import (
    EDGE_SAME_MM,
    EDGE_SAME_REL,
    HOLE_DIAMETER_MAX_LOG,
    HOLE_DIAMETER_SOFT_LOG,
    THICKNESS_SAME_MM,
)

from .align import (
    PROCESS_MISMATCH,
    SCORE_DECIMALS,
    W_CONTOUR,
    W_HOLES,
    W_IOU,
    W_OUTLINE,
    Candidate,
    Match,
    compare,
)
from .shape import Shape

# Bounds are computed in another order of float operations than the scores; this much is
# added to every bound so that rounding cannot make it pass below the score.
BOUND_SLACK = 1e-9


def score_bound(q: Candidate, c: Candidate, any_size: bool = False) -> float:
    """An upper bound on `compare(q, c, any_size).score`, found without placing q: never
    below it, rounded as it is."""
    return float(score_bounds(q, [c], any_size)[0])


def score_bounds(q: Candidate, cands: Sequence[Candidate], any_size: bool = False) -> np.ndarray:
    """`score_bound` of every candidate, all at once (the per-candidate work is a few
    numbers and is what "warm" candidates already hold)."""
    n = len(cands)
    qs = q.shape
    if not n:
        return np.zeros(0)
    shapes = [c.shape for c in cands]
    area = np.array([c.area_range_mm2 for c in cands]).reshape(n, 2)
    rect = np.array([s.rect_mm for s in shapes]).reshape(n, 2)
    n_runs = np.array([len(s.runs_mm) for s in shapes])
    n_cut = np.array([len(s.cutouts) for s in shapes])
    runs = np.concatenate([s.runs_mm for s in shapes])
    diameters = np.concatenate([s.cutouts[:, 2] for s in shapes])
    differs = np.array([_process_differs(qs, s) for s in shapes])

    if any_size:  # the query is stretched to each candidate's rectangle (align.fitted)
        sx = rect[:, 0] / max(qs.rect_mm[0], 1e-9)
        sy = rect[:, 1] / max(qs.rect_mm[1], 1e-9)
        scale = np.sqrt(sx * sy)
    else:
        sx = sy = scale = np.ones(n)
    q_lo = q.area_range_mm2[0] * sx * sy
    q_hi = q.area_range_mm2[1] * sx * sy
    # IoU = I / (A + B − I) grows with the overlap I and falls with the areas.
    overlap = np.minimum(q_hi, area[:, 1])
    least_union = q_lo + area[:, 0] - overlap
    iou = np.where(least_union > 0, overlap / np.maximum(least_union, 1e-300), 1.0)
    if any_size:
        iou = iou * np.exp(-np.abs(np.log(sx / sy)))

    # Equal straight edges: a one-to-one pairing pairs at most every query edge, and only
    # candidate edges with a partner in length (as drawn, or scaled in "any size").
    nq_runs = len(qs.runs_mm)
    run_scale = np.repeat(scale, n_runs)
    partnered = _has_partner(qs.runs_mm, runs, run_scale if any_size else None)
    runs_same = np.minimum(nq_runs, _per_candidate(partnered, n_runs))
    most_runs = np.maximum(nq_runs, n_runs)
    contour = np.where(most_runs > 0, runs_same / np.maximum(most_runs, 1), 1.0)
    outline = (W_IOU * np.minimum(iou, 1.0) + W_CONTOUR * contour) / W_OUTLINE

    # Paired cut-outs: every candidate cut-out with its best query partner by size.
    nq_cut = len(qs.cutouts)
    most_cut = np.maximum(nq_cut, n_cut)
    cut_scale = np.repeat(scale, n_cut)
    sim = _best_size_similarity(qs.cutouts[:, 2], diameters / cut_scale)
    holes = np.minimum(nq_cut, _per_candidate(sim, n_cut)) / np.maximum(most_cut, 1)
    if any_size:
        same = _has_partner(qs.cutouts[:, 2], diameters, cut_scale)
        holes = 0.5 * holes + 0.5 * np.minimum(nq_cut, _per_candidate(same, n_cut)) / np.maximum(
            most_cut, 1
        )
    score = np.where(most_cut > 0, W_OUTLINE * outline + W_HOLES * holes, outline)
    score = np.where(differs, score * PROCESS_MISMATCH, score)
    # Rounded as the scores are (align.SCORE_DECIMALS): rounding keeps the order.
    return np.round(np.minimum(np.clip(score, 0.0, 1.0) + BOUND_SLACK, 1.0), SCORE_DECIMALS)


def _per_candidate(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of `values` over each candidate's consecutive block of `counts` entries."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return np.bincount(owner, weights=values.astype(float), minlength=len(counts))


def _has_partner(q: np.ndarray, b: np.ndarray, scale: np.ndarray | None) -> np.ndarray:
    """Whether each length in `b` pairs with some length of `q` within align._pair_runs's
    tolerance, |a − b| ≤ max(EDGE_SAME_MM, EDGE_SAME_REL·max(a, b)), for a in `q` as
    drawn or (with `scale`, one factor per entry of `b`) a in `q` times that factor.
    Widened by rounding's worth: a bound may say yes too often, never too rarely."""
    found = np.zeros(len(b), dtype=bool)
    if not len(q) or not len(b):
        return found
    lo = np.minimum(b - EDGE_SAME_MM, b * (1 - EDGE_SAME_REL))
    hi = np.maximum(b + EDGE_SAME_MM, b / (1 - EDGE_SAME_REL))
    lo, hi = lo - BOUND_SLACK * (1 + b), hi + BOUND_SLACK * (1 + b)
    a = np.sort(q)
    for k in (np.ones(len(b)),) if scale is None else (np.ones(len(b)), scale):
        found |= np.searchsorted(a, hi / k, side="right") > np.searchsorted(a, lo / k, side="left")
    return found


def _best_size_similarity(dq: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """For each diameter in `dc`, the best diameter similarity to one in `dq`, as
    align.match_cutouts scores it before the distance factor (which is at most 1)."""
    if not len(dq) or not len(dc):
        return np.zeros(len(dc))
    lq = np.sort(np.log(np.maximum(dq, 1e-9)))
    lc = np.log(np.maximum(dc, 1e-9))
    at = np.searchsorted(lq, lc)
    gap = np.minimum(
        np.abs(lc - lq[np.clip(at - 1, 0, len(lq) - 1)]),
        np.abs(lc - lq[np.clip(at, 0, len(lq) - 1)]),
    )
    gap = np.maximum(gap - BOUND_SLACK, 0.0)
    return np.where(
        gap <= HOLE_DIAMETER_MAX_LOG + BOUND_SLACK,
        np.exp(-((gap / HOLE_DIAMETER_SOFT_LOG) ** 2)),
        0.0,
    )


def _process_differs(qs: Shape, cs: Shape) -> bool:
    """The same test as align._finish's, which scales the score by PROCESS_MISMATCH."""
    if qs.material and cs.material and qs.material != cs.material:
        return True
    return bool(
        qs.thickness_mm
        and cs.thickness_mm
        and abs(qs.thickness_mm - cs.thickness_mm) > THICKNESS_SAME_MM
    )


def rerank(
    query: Shape | Candidate,
    cands: Sequence[Candidate],
    k: int,
    any_size: bool = False,
    distances: Sequence[float] | None = None,
) -> list[tuple[int, Match]]:
    """The k best of `cands` as (position in `cands`, match), best first: by score, then
    by first-stage distance (`distances`, else position), then by position, as a full
    re-rank sorted that way would give. Candidates that cannot enter are not placed."""
    q = query if isinstance(query, Candidate) else Candidate(query)
    dist = list(distances) if distances is not None else [0.0] * len(cands)
    if k <= 0 or not cands:
        return []
    bounds = score_bounds(q, cands, any_size).tolist()
    order = sorted(range(len(cands)), key=lambda i: (-bounds[i], dist[i], i))
    # The k best found so far as a heap whose root is the worst of them: keys are
    # negated sort keys (score, −distance, −position), so the smallest is the k-th.
    top: list[tuple[float, float, int, Match]] = []
    placed: dict[bytes, Match] = {}
    for i in order:
        if len(top) == k:
            score_k, neg_dist_k, neg_i_k, _ = top[0]
            # The candidate's key is at best (bound, its distance, its position).
            if (-bounds[i], dist[i], i) > (-score_k, -neg_dist_k, -neg_i_k):
                break  # so is every later one: they come in that key's order
        # The same part stored twice is placed once: the comparison would repeat itself.
        key = cands[i].fingerprint
        m = placed.get(key)
        if m is None:
            m = placed[key] = compare(q, cands[i], any_size)
        item = (m.score, -dist[i], -i, m)
        if len(top) < k:
            heapq.heappush(top, item)
        elif item[:3] > top[0][:3]:
            heapq.heapreplace(top, item)
    best = sorted(top, key=lambda t: (-t[0], -t[1], -t[2]))
    return [(-neg_i, m) for _, _, neg_i, m in best]
