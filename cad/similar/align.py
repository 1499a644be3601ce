"""The exact re-rank: put the query part on top of a candidate (any rotation, mirrored or
not, scaled in "any size" mode), then compare outlines by their overlap and cut-outs one
by one. What the measures mean in words is explain.py's business.

The angle is searched, not assumed: the centroid-distance signatures are cross-correlated
(every cyclic shift at once, by FFT) for the part and its mirror image, the best shifts
become candidate angles, and so do the angles that put the query's outermost hole on a
candidate hole of the same size (a round plate has no outline angle to find). Each angle
is scored on the outline and the holes; the best is refined on matched hole centres (they
are exact in a drawing) or, without holes, by two steps of ICP on the outline."""

from __future__ import annotations

import cmath
import hashlib
import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from scipy.spatial import cKDTree
from shapely import Polygon, area, intersection

from cad.rect import min_rect
from cad.tolerances import (
    EDGE_SAME_MM,
    EDGE_SAME_REL,
    HOLE_DIAMETER_MAX_LOG,
    HOLE_DIAMETER_SAME_LOG,
    HOLE_DIAMETER_SOFT_LOG,
    HOLE_PLACE_MM,
    HOLE_PLACE_REL,
    MIRROR_MARGIN,
    OUTLINE_KERNEL_REL,
    SYMMETRIC_IOU,
    THICKNESS_SAME_MM,
)

from . import explain
from .shape import Shape, resample

# Search effort (the tolerances that say what "equal" means are in cad/tolerances.py).
PEAKS = 4
ANCHORS = 4
# Score weights: overlap (IoU), contour (equal corner-to-corner runs) and cut-outs.
W_IOU, W_CONTOUR, W_HOLES = 0.35, 0.25, 0.4
W_OUTLINE = W_IOU + W_CONTOUR  # the outline's share when the angle is being searched
REFINE_FROM = 0.5
REFINE_STEPS = 3
PROBE_STEP = 8  # every 8th of the 128 refinement points (16) scores a placement
EXACT_FIT = 0.999  # a first-pass score this high needs no refining and no mirror
SHIFT_HOLES, SHIFT_MAX = 8, 64  # offsets tried from hole pairs (see _Placer.shift)
SHIFT_FROM = 0.1  # below this first score a candidate is not a variant of the query
PROCESS_MISMATCH = 0.9  # score factor when both say a different material or thickness
CLOSE_SIDES = 0.05  # placing scores this close: measure plain and mirrored both
# Scores are kept to this many decimals. Beyond them they are float noise (two copies of a
# part, each placed with its angle off by 1e-8 rad, score 1 − 1e-8 in a random order), and
# noise should not order results: equal scores go by first-stage distance, and the score
# bound (rerank.py) can then drop the copies that cannot come first.
SCORE_DECIMALS = 6
AREA_NOISE_REL = 1e-9  # a turned outline's area differs from the drawn one's by rounding


@dataclass(frozen=True)
class Match:
    score: float
    iou: float
    edges_same: int  # corner-to-corner runs of equal length
    edges_candidate: int
    holes_query: int
    holes_candidate: int
    holes_same: int  # centre and diameter within tolerance
    holes_resized: tuple[tuple[float, float], ...]  # (query ⌀, candidate ⌀) paired by place only
    mirrored: bool  # fits only as a mirror image (never for a part that is its own mirror)
    angle_deg: float
    scale: float  # query → candidate ("any size"); 1 in "same size" mode
    long_ratio: float  # query's long side / candidate's
    short_ratio: float
    any_size: bool  # compared in "any size" mode
    same_geometry: bool  # the query's geometry hash is the candidate's
    process_differs: tuple[tuple[str, str, str], ...]  # (material|thickness, query's, cand.'s)
    same_part_number: str | None  # the part number both drawings give, if they do
    # The outline's part of the score, 0…1 (overlap and equal edges, before the cut-outs
    # and the material and mirror charges): what graded.py weighs its measure against.
    outline: float = 1.0

    @property
    def notes_en(self) -> list[str]:
        return explain.english(self)

    @property
    def notes_ja(self) -> list[str]:
        return explain.japanese(self)

    @property
    def explanation(self) -> str:
        return "; ".join(self.notes_en)

    @property
    def explanation_ja(self) -> str:
        return "、".join(self.notes_ja)


def _rot(theta: float) -> np.ndarray:
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _mirror(pts: np.ndarray) -> np.ndarray:
    out = pts.copy()
    out[:, 0] = -out[:, 0]
    return out


def _procrustes(
    a: np.ndarray, b: np.ndarray, w: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rotation R and translation t minimising Σ w‖R·a + t − b‖² (no reflection)."""
    w = np.ones(len(a)) if w is None else w
    ca = (a * w[:, None]).sum(0) / w.sum()
    cb = (b * w[:, None]).sum(0) / w.sum()
    a0, b0 = a - ca, b - cb
    num = float((w * (a0[:, 0] * b0[:, 1] - a0[:, 1] * b0[:, 0])).sum())
    den = float((w * (a0[:, 0] * b0[:, 0] + a0[:, 1] * b0[:, 1])).sum())
    r = _rot(math.atan2(num, den))
    return r, cb - ca @ r.T


def _peaks(cost: np.ndarray, k: int) -> list[int]:
    """Indices of the k lowest local minima of a cyclic array."""
    prev = np.concatenate([cost[-1:], cost[:-1]])
    nxt = np.concatenate([cost[1:], cost[:1]])
    is_min = (cost <= prev) & (cost <= nxt)
    idx = np.flatnonzero(is_min)
    return [int(i) for i in idx[np.argsort(cost[idx])][:k]]


def _pair_runs(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs (i, j) of two sorted run-length lists, equal within tolerance."""
    # On Python floats: indexing numpy arrays item by item costs more than the loop.
    x, y = a.tolist(), b.tolist()
    i = j = 0
    pairs = []
    while i < len(x) and j < len(y):
        xi, yj = x[i], y[j]
        if abs(xi - yj) <= max(EDGE_SAME_MM, EDGE_SAME_REL * max(xi, yj)):
            pairs.append((i, j))
            i += 1
            j += 1
        elif xi < yj:
            i += 1
        else:
            j += 1
    return pairs


def match_runs(a: np.ndarray, b: np.ndarray) -> int:
    """How many of two sorted run-length lists pair up one-to-one within tolerance."""
    return len(_pair_runs(a, b))


def match_runs_either(a: np.ndarray, scale: float, b: np.ndarray) -> int:
    """For "any size": in a size series the features keep their length while the sides
    grow, so a run may match as drawn or scaled. Pairs as drawn first, then the rest
    scaled (both lists sorted)."""
    first = _pair_runs(a, b)
    rest_a = np.delete(a, [i for i, _ in first])
    rest_b = np.delete(b, [j for _, j in first])
    return len(first) + len(_pair_runs(rest_a * scale, rest_b))


def match_cutouts(a: np.ndarray, b: np.ndarray, tol_mm: float) -> list[tuple[int, int, float]]:
    """Greedy one-to-one pairing of cut-outs (x, y, ⌀) by place and size: (i, j, similarity)."""
    if not len(a) or not len(b):
        return []
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    ratio = np.abs(np.log(np.maximum(a[:, None, 2], 1e-9) / np.maximum(b[None, :, 2], 1e-9)))
    ok = (d <= tol_mm) & (ratio <= HOLE_DIAMETER_MAX_LOG)
    ii, jj = np.nonzero(ok)
    if not len(ii):
        return []
    cost = d[ii, jj] / tol_mm + ratio[ii, jj] / HOLE_DIAMETER_SOFT_LOG
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for k in np.argsort(cost, kind="stable"):
        i, j = int(ii[k]), int(jj[k])
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        sim = math.exp(-((ratio[i, j] / HOLE_DIAMETER_SOFT_LOG) ** 2)) * (
            1 - 0.5 * d[i, j] / tol_mm
        )
        pairs.append((i, j, sim))
    return pairs


def _densify(ring: np.ndarray, step_mm: float) -> np.ndarray:
    """The contour's own vertices (corners kept exactly) plus points every `step_mm` along
    long edges, so the nearest vertex always borders the nearest edge. Open: no repeat."""
    pts = ring[:-1] if np.allclose(ring[0], ring[-1]) else ring
    nxt = np.roll(pts, -1, axis=0)
    counts = np.maximum(1, np.ceil(np.hypot(*(nxt - pts).T) / max(step_mm, 1e-9)).astype(int))
    first = np.repeat(np.cumsum(counts) - counts, counts)
    t = (np.arange(int(counts.sum())) - first) / np.repeat(counts, counts)
    start = np.repeat(pts, counts, axis=0)
    return start + t[:, None] * (np.repeat(nxt, counts, axis=0) - start)


class Candidate:
    """A stored shape with what the re-rank reuses across queries (k-d tree, FFT).

    Each piece is made when first asked for and then kept: a candidate that the score
    bound drops (rerank.py) needs its area and nothing else, so preparing candidates in
    the query ("cold") costs little for those that are never placed."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self._symmetric: bool | None = None
        self._rect_angle: float | None = None

    def prepare(self) -> Candidate:
        """Everything a comparison may ask of this candidate, made now (a server that
        keeps candidates between queries pays for it once)."""
        for part in ("z_fft", "z_fft_mirror", "hash", "rms", "dense_tree", "_segments", "graded"):
            getattr(self, part)
        for part in ("fingerprint", "area_range_mm2", "valid"):
            getattr(self, part)
        return self

    @cached_property
    def z(self) -> np.ndarray:
        return self.shape.outline[:, 0] + 1j * self.shape.outline[:, 1]

    @cached_property
    def z_fft(self) -> np.ndarray:
        return np.fft.fft(self.z)

    @cached_property
    def z_fft_mirror(self) -> np.ndarray:
        # x → −x is z → −conj(z); reversed to stay counter-clockwise.
        return np.fft.fft(-np.conj(self.z)[::-1])

    @cached_property
    def hash(self) -> str:
        return self.shape.geometry_hash()

    @cached_property
    def graded(self) -> np.ndarray:
        """The outline's description for graded similarity (graded.py)."""
        from .graded import describe  # graded.py builds on this module

        return describe(self.shape)

    @cached_property
    def rms(self) -> float:
        return self.shape.rms_radius_mm

    @cached_property
    def poly(self) -> Polygon:
        return Polygon(self.shape.polygon)

    @cached_property
    def dense(self) -> np.ndarray:
        shape = self.shape
        return _densify(shape.polygon, shape.perimeter_mm / len(shape.outline))

    @cached_property
    def dense_tree(self) -> cKDTree:
        return cKDTree(self.dense)

    @cached_property
    def _segments(self) -> tuple[np.ndarray, np.ndarray]:
        """Segment i of the densified contour, dense[i] → dense[i + 1] (closed), and its
        squared length."""
        seg = np.roll(self.dense, -1, axis=0) - self.dense
        return seg, np.maximum(np.einsum("ij,ij->i", seg, seg), 1e-18)

    @cached_property
    def fingerprint(self) -> bytes:
        """Equal for two candidates that every comparison treats alike: the same arrays,
        numbers and words (the same part stored twice, as re-exports and copies often are)."""
        s = self.shape
        h = hashlib.blake2b(digest_size=16)
        for a in (s.outline, s.polygon, s.cutouts, s.round_cutouts, s.runs_mm):
            h.update(np.ascontiguousarray(a).tobytes())
            h.update(repr(a.shape).encode())
        scalars = (
            s.outer_area_mm2,
            s.net_area_mm2,
            s.perimeter_mm,
            s.cut_length_mm,
            s.rect_mm,
            s.hull_area_mm2,
            s.part_number,
            s.title,
            s.material,
            s.thickness_mm,
            self.hash,
        )
        h.update(repr(scalars).encode())
        return h.digest()

    @cached_property
    def area_range_mm2(self) -> tuple[float, float]:
        """Bounds on the area the re-rank measures for this outline at any placement
        (rerank.py's overlap bound). A valid outline keeps its area when turned, up to
        rounding; an invalid one is repaired by buffer(0) after turning, which float noise
        can change, so only its convex hull bounds it."""
        if self.poly.is_valid:
            a = float(self.poly.area)
            return a * (1 - AREA_NOISE_REL), a * (1 + AREA_NOISE_REL)
        return 0.0, float(self.poly.convex_hull.area) * (1 + AREA_NOISE_REL)

    @property
    def rect_angle(self) -> float:
        """Direction of the minimum rectangle's long side (only "any size" asks, and only
        of the query: not computed for every candidate)."""
        if self._rect_angle is None:
            self._rect_angle = min_rect(self.poly).angle_rad
        return self._rect_angle

    @property
    def symmetric(self) -> bool:
        """Whether the part is its own mirror image (holes included): then trying the
        mirrored placement repeats the plain one, and a query skips it."""
        if self._symmetric is None:
            self._symmetric = False  # while comparing with the mirror image itself
            s = self.shape
            image = replace(
                s,
                outline=_mirror(s.outline)[::-1],
                polygon=_mirror(s.polygon)[::-1],
                cutouts=np.column_stack([-s.cutouts[:, 0], s.cutouts[:, 1:]])
                if len(s.cutouts)
                else s.cutouts,
                _hash=self.hash,  # the hash does not see a mirror
            )
            m = compare(self, Candidate(image), sides=(False,))
            # Its mirror image must fit it exactly, holes and all: a hole a millimetre off
            # the centre line still "matches" within the hole tolerance, but a mirrored
            # copy of that part then fits plainly only at ~0.84 (and was called "same
            # part", test_similar_faults.py); it is another hand, placed mirrored.
            self._symmetric = (
                m.iou > SYMMETRIC_IOU and m.holes_same == len(s.cutouts) and m.score >= EXACT_FIT
            )
        return self._symmetric

    @cached_property
    def valid(self) -> bool:
        return bool(self.poly.is_valid)

    @cached_property
    def repaired(self) -> Polygon:
        """The outline as the overlap measures it when either side is invalid."""
        return self.poly.buffer(0)

    def distance(self, pts: np.ndarray) -> np.ndarray:
        return self.nearest(pts)[0]

    def nearest(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance from each point to the outline as a polyline, and the nearest point on
        it (on the two segments at the nearest vertex of the densified contour), not to
        samples: two samplings of one outline start at different places, and sample-to-
        sample distance would see that."""
        n = len(pts)
        _, j = self.dense_tree.query(pts)
        # The segments before and after the nearest vertex, both in one pass.
        seg = np.concatenate([j - 1, j]) % len(self.dense)
        p2 = np.concatenate([pts, pts])
        segments, len2 = self._segments
        a, ab = self.dense[seg], segments[seg]
        w = np.einsum("ij,ij->i", p2 - a, ab) / len2[seg]
        proj = a + np.clip(w, 0.0, 1.0)[:, None] * ab
        diff = p2 - proj
        d = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        after = d[n:] < d[:n]  # strictly closer, as the first segment wins a tie
        best = np.where(after, d[n:], d[:n])
        near = np.where(after[:, None], proj[n:], proj[:n])
        return best, near


def _hole_tolerance(rms_mm: float) -> float:
    return max(HOLE_PLACE_MM, HOLE_PLACE_REL * rms_mm)


def _hypotheses(q: Candidate, c: Candidate, mirrored: bool) -> list[float]:
    """Angles worth trying.

    Written as complex numbers z = x + iy, the query's samples turned by θ and shifted by s
    samples match the candidate's best when Σ conj(zq_i)·zc_(i+s) is largest in modulus,
    and that sum's argument is the best θ for that s. One FFT gives the sum for every s,
    so every start point is tried with its own optimal angle. Added to the best of those:
    the angles that put the query's outermost cut-out on a candidate cut-out of about its
    size and radius (a round plate has no outline angle to find)."""
    qs, cs = q.shape, c.shape
    n = len(qs.outline)
    zf = q.z_fft_mirror if mirrored else q.z_fft
    corr = np.fft.ifft(np.conj(zf) * c.z_fft, n)
    strength = np.abs(corr)
    angles = [_angle_between_samples(corr, strength, s) for s in _peaks(-strength, PEAKS)]
    if len(qs.cutouts) and len(cs.cutouts):
        qc = _mirror(qs.cutouts[:, :2]) if mirrored else qs.cutouts[:, :2]
        radial_q = np.hypot(qc[:, 0], qc[:, 1])
        i = int(np.argmax(radial_q))
        if radial_q[i] > 0.01 * c.rms:
            dq = qs.cutouts[i, 2]
            radial_c = np.hypot(cs.cutouts[:, 0], cs.cutouts[:, 1])
            fit = np.abs(np.log(cs.cutouts[:, 2] / dq)) + np.abs(radial_c - radial_q[i]) / c.rms
            a_q = math.atan2(qc[i, 1], qc[i, 0])
            for j in np.argsort(fit)[:ANCHORS]:
                if fit[j] > 0.5:
                    break
                angles.append(math.atan2(cs.cutouts[j, 1], cs.cutouts[j, 0]) - a_q)
    return angles


def _angle_between_samples(corr: np.ndarray, strength: np.ndarray, s: int) -> float:
    """The angle at a correlation peak, corrected for where between two shifts the true
    one lies. Two samplings of one outline start a fraction of a sample apart; the angle
    read at the whole shift is then off by that fraction of 360°/256 (0.3° at a fifth),
    enough for a plain copy to look worse than its mirror image on the first pass. The
    fraction comes from a parabola through the peak and its neighbours, the angle from
    the phase step towards the neighbour on that side."""
    n = len(corr)
    lo, mid, hi = float(strength[(s - 1) % n]), float(strength[s]), float(strength[(s + 1) % n])
    curve = lo - 2 * mid + hi
    frac = min(max(0.5 * (lo - hi) / curve, -0.5), 0.5) if curve < 0 else 0.0
    nb = (s + 1) % n if frac > 0 else (s - 1) % n
    at, beside = complex(corr[s]), complex(corr[nb])
    step = cmath.phase(beside / at) if abs(at) > 0 else 0.0
    return cmath.phase(at) + abs(frac) * step


class _Placer:
    """The query, mirrored or not, ready to be turned and scored on a candidate."""

    def __init__(self, q: Candidate, c: Candidate, mirrored: bool):
        self.c = c
        qs = q.shape
        self.mirrored = mirrored
        self.pts = _mirror(qs.outline) if mirrored else qs.outline
        self.src = self.pts[::2]  # the refinement's sample
        self.probe = self.src[::PROBE_STEP]  # the scoring's sample
        cut = qs.cutouts.copy()
        if len(cut):
            cut[:, :2] = _mirror(cut[:, :2]) if mirrored else cut[:, :2]
        self.cut = cut
        self.tol = _hole_tolerance(c.rms)
        cc = c.shape.cutouts
        self.m = max(len(cut), len(cc))
        self.size_sim: np.ndarray | None = None
        if len(cut) and len(cc):
            ratio = np.abs(
                np.log(np.maximum(cut[:, None, 2], 1e-9) / np.maximum(cc[None, :, 2], 1e-9))
            )
            self.size_sim = np.where(
                ratio <= HOLE_DIAMETER_MAX_LOG,
                np.exp(-((ratio / HOLE_DIAMETER_SOFT_LOG) ** 2)),
                0.0,
            )

    def cutouts(self, r: np.ndarray, t: np.ndarray) -> np.ndarray:
        out = self.cut.copy()
        if len(out):
            out[:, :2] = out[:, :2] @ r.T + t
        return out

    def scores(self, rs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """Scores of H placements at once (rs: H×2×2, ts: H×2). Holes are scored by each
        one's best partner, a fast stand-in for the one-to-one pairing done at the end."""
        p = np.einsum("hij,nj->hni", rs, self.probe) + ts[:, None, :]
        dist = self.c.distance(p.reshape(-1, 2)).reshape(len(rs), -1).mean(axis=1)
        return self._combine(dist, rs, ts)

    def score_and_nearest(self, r: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        """The score of one placement and, from the same lookup, the nearest contour
        points of the refinement's sample (whose every 4th point is the probe)."""
        dist, near = self.c.nearest(self.src @ r.T + t)
        return float(
            self._combine(dist[::PROBE_STEP].mean(keepdims=True), r[None], t[None])[0]
        ), near

    def _combine(self, dist: np.ndarray, rs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        h = len(rs)
        outline = np.exp(-dist / (OUTLINE_KERNEL_REL * self.c.rms))
        if not self.m:
            return outline
        holes = np.zeros(h)
        if self.size_sim is not None:
            q = np.einsum("hij,nj->hni", rs, self.cut[:, :2]) + ts[:, None, :]
            cc = self.c.shape.cutouts[:, :2]
            d = np.hypot(
                q[:, :, None, 0] - cc[None, None, :, 0], q[:, :, None, 1] - cc[None, None, :, 1]
            )
            sim = np.where(d <= self.tol, self.size_sim[None] * (1 - 0.5 * d / self.tol), 0.0)
            holes = np.minimum(sim.max(axis=2).sum(axis=1), sim.max(axis=1).sum(axis=1)) / self.m
        return W_OUTLINE * outline + W_HOLES * holes

    def shift(self, r: np.ndarray, score: float) -> tuple[np.ndarray, float]:
        """The best offset among those that put one query hole exactly on a candidate
        hole of its size. Centring on the centroid is right for equal outlines; when one
        side was stretched, the holes that did not move only line up with an offset."""
        zero = np.zeros(2)
        if self.size_sim is None:
            return zero, score
        q = self.cut[:, :2] @ r.T
        cc = self.c.shape.cutouts[:, :2]
        step = max(1, len(q) // SHIFT_HOLES)
        ii, jj = np.nonzero(self.size_sim[::step] > 0.9)
        if not len(ii):
            return zero, score
        ts = cc[jj] - q[ii * step]
        ts = ts[np.hypot(ts[:, 0], ts[:, 1]) <= 0.25 * self.c.rms][:SHIFT_MAX]
        if not len(ts):
            return zero, score
        scores = self.scores(np.repeat(r[None], len(ts), axis=0), ts)
        k = int(np.argmax(scores))
        return (ts[k], float(scores[k])) if scores[k] > score else (zero, score)

    def refine(
        self, r: np.ndarray, t: np.ndarray, near: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One step: Procrustes on paired hole centres (exact in a drawing) when there are
        two; else one ICP step on the outline's nearest points (on the contour, not its
        vertices), with a single paired hole weighing as much as the outline."""
        pairs = match_cutouts(self.cutouts(r, t), self.c.shape.cutouts, self.tol)
        if len(pairs) >= 2:
            return _procrustes(
                self.cut[[p[0] for p in pairs], :2], self.c.shape.cutouts[[p[1] for p in pairs], :2]
            )
        src = self.src
        w = np.ones(len(src))
        if pairs:
            i, j, _ = pairs[0]
            src = np.vstack([src, self.cut[i, :2]])
            near = np.vstack([near, self.c.shape.cutouts[j, :2]])
            w = np.append(w, float(len(w)))
        return _procrustes(src, near, w)


def fitted(q: Candidate, c: Shape) -> tuple[Candidate, float, float]:
    """The query stretched along its own rectangle's axes to the candidate's rectangle:
    "any size" compares shapes whatever their size, and a size series of panels grows
    by different amounts along its two sides (a 250/300/350 printer's panels)."""
    qs = q.shape
    sx = c.rect_mm[0] / max(qs.rect_mm[0], 1e-9)
    sy = c.rect_mm[1] / max(qs.rect_mm[1], 1e-9)
    r = _rot(-q.rect_angle)
    m = r.T @ np.diag([sx, sy]) @ r  # stretch along the query's rectangle axes, then back
    polygon = qs.polygon @ m.T
    cut = qs.cutouts.copy()
    if len(cut):
        cut[:, :2] = cut[:, :2] @ m.T
        cut[:, 2] *= math.sqrt(sx * sy)
    shape = replace(
        qs,
        outline=resample(polygon),  # from the contour itself: resampling samples adds noise
        polygon=polygon,
        cutouts=cut,
        outer_area_mm2=qs.outer_area_mm2 * sx * sy,
        net_area_mm2=qs.net_area_mm2 * sx * sy,
        perimeter_mm=float(np.hypot(*np.diff(polygon, axis=0).T).sum()),
        rect_mm=c.rect_mm,
        hull_area_mm2=qs.hull_area_mm2 * sx * sy,
        runs_mm=qs.runs_mm * math.sqrt(sx * sy),  # straight edges' directions are not kept
        _hash=q.hash,
    )
    return Candidate(shape), sx, sy


def compare(
    query: Shape | Candidate,
    cand: Shape | Candidate,
    any_size: bool = False,
    sides: tuple[bool, ...] | None = None,
) -> Match:
    """Place the query on the candidate and measure. `sides`: which of plain (False) and
    mirrored (True) placements to try; by default both, or only the plain one for a query
    that is its own mirror image."""
    q = query if isinstance(query, Candidate) else Candidate(query)
    c = cand if isinstance(cand, Candidate) else Candidate(cand)
    stretch = (1.0, 1.0)
    original = q
    if any_size:
        q, sx, sy = fitted(q, c.shape)
        stretch = (sx, sy)

    best: dict[bool, tuple[float, np.ndarray, np.ndarray]] = {}
    first: dict[bool, tuple[float, np.ndarray, _Placer]] = {}
    if sides is None:
        sides = (False,) if (not any_size and q.symmetric) else (False, True)
    for mirrored in sides:
        placer = _Placer(q, c, mirrored)
        angles = _hypotheses(q, c, mirrored)
        rs = np.array([_rot(a) for a in angles])
        scores = placer.scores(rs, np.zeros((len(rs), 2)))
        k = int(np.argmax(scores))
        first[mirrored] = (float(scores[k]), rs[k], placer)
        if scores[k] >= EXACT_FIT:
            break  # the plain placement already fits: its mirror cannot do better
    for mirrored, (score, r, placer) in first.items():
        t = np.zeros(2)
        if score < first.get(not mirrored, (0.0,))[0] - CLOSE_SIDES:  # far behind: cannot win
            best[mirrored] = (score, r, t)
            continue
        if score >= SHIFT_FROM:
            t, score = placer.shift(r, score)
        # Refining moves a score by a few hundredths: not worth it for a candidate that is
        # not a near match anyway.
        if REFINE_FROM <= score < EXACT_FIT:
            score, near = placer.score_and_nearest(r, t)
            for _ in range(REFINE_STEPS):
                r2, t2 = placer.refine(r, t, near)
                score2, near2 = placer.score_and_nearest(r2, t2)
                if score2 <= score + 1e-4:  # converged (or worse)
                    break
                score, r, t, near = score2, r2, t2, near2
        best[mirrored] = (score, r, t)

    # A mirror image is another part (a left and a right panel have two part numbers): a
    # mirror match scores MIRROR_MARGIN less than its fit (see _finish), so it wins only
    # when it beats the plain placement by that much, and an unmirrored fit of the same
    # quality ranks first. A symmetric part fits both ways and is not called mirrored.
    # The placing scores above are probes, not the final measures, and can disagree by a
    # hundredth: when the two sides are close, both are measured and the measures decide.
    top = max(score for score, _, _ in best.values())
    finished = [
        _finish(q, c, side, r, t, _hole_tolerance(c.rms), original, stretch, any_size)
        for side, (score, r, t) in sorted(best.items())
        if score >= top - CLOSE_SIDES
    ]
    return max(finished, key=lambda m: (m.score, not m.mirrored))


def _finish(q, c, mirrored, r, t, tol, original, stretch, any_size) -> Match:  # type: ignore[no-untyped-def]
    """Final measures at the chosen placement. In "any size" mode `q` is the query fitted
    to the candidate's rectangle and `original` the query as drawn."""
    qs, cs = q.shape, c.shape
    sx, sy = stretch
    poly_q = (_mirror(qs.polygon) if mirrored else qs.polygon) @ r.T + t
    pq = Polygon(poly_q)
    if not pq.is_valid or not c.valid:
        pq, pc = pq.buffer(0), c.repaired
    else:
        pc = c.poly
    inter = float(area(intersection(pq, pc)))
    # |P ∪ Q| = |P| + |Q| − |P ∩ Q|: no second overlay.
    iou = inter / max(float(area(pq)) + float(area(pc)) - inter, 1e-12)

    cut = qs.cutouts.copy()
    if len(cut):
        cut[:, :2] = (_mirror(cut[:, :2]) if mirrored else cut[:, :2]) @ r.T + t
    pairs = match_cutouts(cut, cs.cutouts, tol)
    same = [
        p
        for p in pairs
        if abs(math.log(cut[p[0], 2] / cs.cutouts[p[1], 2])) <= HOLE_DIAMETER_SAME_LOG
    ]
    resized = tuple(
        (float(cut[p[0], 2]), float(cs.cutouts[p[1], 2]))
        for p in pairs
        if abs(math.log(cut[p[0], 2] / cs.cutouts[p[1], 2])) > HOLE_DIAMETER_SAME_LOG
    )
    m = max(len(cut), len(cs.cutouts))
    holes_sim = sum(p[2] for p in pairs) / m if m else None
    runs_same = match_runs(qs.runs_mm, cs.runs_mm)
    outline_iou = iou
    if any_size:
        # Features keep their size across a size series while the sides grow: count
        # straight edges and hole diameters equal as drawn too, and charge for changing
        # the proportions (a square is not "any size" of a strip).
        runs_same = max(
            runs_same, match_runs_either(original.shape.runs_mm, math.sqrt(sx * sy), cs.runs_mm)
        )
        if m:
            ref = np.sort(cs.cutouts[:, 2])
            same_d = max(
                match_runs(np.sort(original.shape.cutouts[:, 2]), ref),
                match_runs(np.sort(cut[:, 2]), ref),
            )
            holes_sim = 0.5 * (holes_sim or 0.0) + 0.5 * same_d / m
        outline_iou = iou * math.exp(-abs(math.log(sx / sy)))
    n_runs = max(len(qs.runs_mm), len(cs.runs_mm))
    contour = runs_same / n_runs if n_runs else 1.0  # two curved outlines: nothing differs
    outline = (W_IOU * outline_iou + W_CONTOUR * contour) / W_OUTLINE
    score = outline if holes_sim is None else W_OUTLINE * outline + W_HOLES * holes_sim
    process_differs: list[tuple[str, str, str]] = []
    if qs.material and cs.material and qs.material != cs.material:
        process_differs.append(("material", qs.material, cs.material))
    if (
        qs.thickness_mm
        and cs.thickness_mm
        and abs(qs.thickness_mm - cs.thickness_mm) > THICKNESS_SAME_MM
    ):
        process_differs.append(("thickness", f"t{qs.thickness_mm:g}", f"t{cs.thickness_mm:g}"))
    if process_differs:
        score *= PROCESS_MISMATCH
    if mirrored:
        score -= MIRROR_MARGIN
    angle = math.degrees(math.atan2(r[1, 0], r[0, 0])) % 360.0
    os_ = original.shape
    return Match(
        score=round(float(min(max(score, 0.0), 1.0)), SCORE_DECIMALS),
        iou=iou,
        edges_same=runs_same,
        edges_candidate=len(cs.runs_mm),
        holes_query=len(cut),
        holes_candidate=len(cs.cutouts),
        holes_same=len(same),
        holes_resized=resized,
        mirrored=bool(mirrored),
        angle_deg=angle,
        scale=math.sqrt(sx * sy),
        long_ratio=os_.rect_mm[0] / max(cs.rect_mm[0], 1e-9),
        short_ratio=os_.rect_mm[1] / max(cs.rect_mm[1], 1e-9),
        any_size=any_size,
        same_geometry=original.hash == c.hash,
        process_differs=tuple(process_differs),
        same_part_number=os_.part_number
        if os_.part_number and os_.part_number == cs.part_number
        else None,
        outline=round(float(outline), SCORE_DECIMALS),
    )
