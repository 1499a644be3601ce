"""The part as the search sees it: its outline and cut-outs in a frame centred on the
outline's centroid, resampled by arc length. Everything here is in mm and is independent
of how the file drew the part (entity order, layers, exploded polylines, units), because
it is built from `cad`'s Part, which already is.

Rotation and mirroring are not removed here (a canonical angle is fragile for square and
round parts); the descriptor uses quantities that do not depend on them, and the re-rank
searches the angle explicitly."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from cad.model import DrawingText, Part
from cad.text import normalise
from cad.tolerances import (
    HASH_STEP_MM,
    MIN_RUN_MM,
    OUTLINE_SIMPLIFY_MM,
    OUTLINE_SIMPLIFY_REL,
    ROUND_HOLE_CENTRE_REL,
    STRAIGHT_TURN_DEG,
)

SAMPLES = 256  # outline points for the signature and the alignment
# What the portal stores from this module (the geometry hash, the Shape's arrays and
# scalars, and the descriptor made from them) changes with this number; stored shapes of
# another version must be re-indexed. 2: chaining no longer merges or joins contours that
# only nearly touch, minimum rectangles are chosen canonically, hash cells moved off the
# decimal grid.
SHAPE_VERSION = 2


@dataclass(frozen=True)
class Shape:
    outline: np.ndarray  # (SAMPLES, 2) arc-length samples of the outer contour, CCW, centred
    polygon: np.ndarray  # (K, 2) the outer contour (simplified by OUTLINE_SIMPLIFY_MM), centred
    cutouts: np.ndarray  # (M, 3) centre x, centre y, equivalent diameter (mm), centred
    round_cutouts: np.ndarray  # (M,) bool: a round hole rather than another cut-out
    outer_area_mm2: float
    net_area_mm2: float
    perimeter_mm: float  # outer contour only
    cut_length_mm: float
    rect_mm: tuple[float, float]  # minimum-area rectangle, long side first
    hull_area_mm2: float
    runs_mm: np.ndarray  # lengths of the outline's straight edges, sorted
    part_number: str | None = None
    title: str | None = None
    material: str | None = None
    thickness_mm: float | None = None
    # The hash when it is already known (read from an index, or of the shape this one was
    # stretched from); else computed on first use.
    _hash: str | None = field(default=None, repr=False, compare=False)

    @property
    def rms_radius_mm(self) -> float:
        return float(np.sqrt((self.outline**2).sum(axis=1).mean()))

    @property
    def signature(self) -> np.ndarray:
        """Distance from the centroid along the outline: turning the part shifts it
        cyclically, mirroring reverses it."""
        return np.hypot(self.outline[:, 0], self.outline[:, 1])

    def geometry_hash(self) -> str:
        return self._hash if self._hash is not None else self._computed_hash

    @cached_property
    def _computed_hash(self) -> str:
        return geometry_hash(self)


def resample(ring: np.ndarray, n: int = SAMPLES) -> np.ndarray:
    """`n` points equally spaced along a closed ring (first point repeated at the end or not)."""
    pts = ring if not np.allclose(ring[0], ring[-1]) else ring[:-1]
    closed = np.vstack([pts, pts[:1]])
    seg = np.hypot(*np.diff(closed, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, s[-1], n, endpoint=False)
    return np.column_stack([np.interp(t, s, closed[:, 0]), np.interp(t, s, closed[:, 1])])


def shape_of(
    part: Part, text: DrawingText | None = None, thickness_mm: float | None = None
) -> Shape:
    outer = orient(Polygon(part.outer), sign=1.0)  # counter-clockwise
    c = np.array(outer.centroid.coords[0])
    ring = np.asarray(outer.exterior.coords) - c
    simple = Polygon(ring).simplify(
        min(OUTLINE_SIMPLIFY_MM, OUTLINE_SIMPLIFY_REL * part.min_rect_mm[0]),
        preserve_topology=True,
    )
    cut = []
    round_flags = []
    holes = [(np.array(h.center), h.diameter_mm) for h in part.holes]
    for loop in part.inner:
        poly = Polygon(loop)
        if poly.area <= 0:
            continue
        centre = np.array(poly.centroid.coords[0])
        diameter = math.sqrt(4 * poly.area / math.pi)
        # A round hole keeps its true diameter, not its flattened polygon's.
        match = [
            d
            for hc, d in holes
            if np.hypot(*(centre - hc)) < ROUND_HOLE_CENTRE_REL * (1 + diameter)
        ]
        cut.append((*(centre - c), match[0] if match else diameter))
        round_flags.append(bool(match))
    return Shape(
        outline=resample(ring),
        polygon=np.asarray(simple.exterior.coords),
        cutouts=np.array(cut, dtype=float).reshape(-1, 3),
        round_cutouts=np.array(round_flags, dtype=bool),
        outer_area_mm2=float(outer.area),
        net_area_mm2=float(part.net_area_mm2),
        perimeter_mm=float(outer.exterior.length),
        cut_length_mm=float(part.cut_length_mm),
        rect_mm=(float(part.min_rect_mm[0]), float(part.min_rect_mm[1])),
        hull_area_mm2=float(outer.convex_hull.area),
        runs_mm=straight_runs(ring),
        part_number=normalise_code(text.part_number) if text and text.part_number else None,
        title=normalise_code(text.title) if text and text.title else None,
        material=text.material if text else None,
        thickness_mm=thickness_mm or (text.thickness_mm if text else None),
    )


def straight_runs(ring: np.ndarray) -> np.ndarray:
    """Lengths of the outline's straight edges (collinear pieces merged), sorted.

    A stretched side changes one or two of them and a different notch pattern changes
    many, while where the loop starts, exploded or split lines and arcs drawn as bulges or
    as ARC entities do not. Curves add no run (their flattening is not a design fact);
    their shape is judged by the overlap."""
    pts = ring[:-1] if np.allclose(ring[0], ring[-1]) else ring
    seg = np.roll(pts, -1, axis=0) - pts
    length = np.hypot(seg[:, 0], seg[:, 1])
    keep = length > 1e-9
    seg, length = seg[keep], length[keep]
    if len(seg) < 3:
        return np.zeros(0)
    heading = np.arctan2(seg[:, 1], seg[:, 0])
    turn = np.abs((heading - np.roll(heading, 1) + np.pi) % (2 * np.pi) - np.pi)  # before edge i
    breaks = np.flatnonzero(turn > math.radians(STRAIGHT_TURN_DEG))
    if not len(breaks):
        return np.zeros(0)  # a circle: no straight edge at all
    # Runs from one break to the next, wrapping around the loop.
    order = np.roll(np.arange(len(seg)), -int(breaks[0]))
    group = np.cumsum(turn[order] > math.radians(STRAIGHT_TURN_DEG)) - 1
    runs = np.bincount(group, weights=length[order])
    # A run is straight only if made of long pieces; a flattened arc is many short ones
    # that each turn a little and would otherwise pass as "runs".
    pieces = np.bincount(group)
    runs = runs[
        (runs >= MIN_RUN_MM) & ((pieces == 1) | (runs / np.maximum(pieces, 1) >= MIN_RUN_MM))
    ]
    return np.sort(runs)


_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70-]+")


def normalise_code(s: str) -> str:
    """Part numbers as people type them: full-width, mixed case, odd dashes and spaces."""
    return re.sub(r"\s+", "", _DASHES.sub("-", normalise(s).upper()))


# Where the hash's cells start, in steps: not at a half step (as round() would), because
# a drawing's numbers lie on a decimal grid and a side of exactly 100.25 mm would sit on
# a cell edge at a 0.5 mm step, falling either side by a turn's rounding noise. At this
# offset no cell edge is a multiple of 1e-6 mm for the steps used here.
HASH_CELL_OFFSET = 0.3819660113


def _q(v: float, step: float) -> int:
    return math.floor(v / step + HASH_CELL_OFFSET)


def geometry_hash(shape: Shape) -> str:
    """One key for one part, whatever bytes, units, position, angle or mirror drew it.

    Hashes quantities that are invariant under those changes: areas, contour length, the
    minimum rectangle, and the sorted (diameter, distance from centroid, distance to the
    nearest other cut-out) of every cut-out. Two different parts sharing all of these is
    possible in principle (a mirror-asymmetric hole layout read as its mirror is the same
    part here on purpose); the re-rank's alignment is the check that decides."""
    c = shape.cutouts
    rows = []
    if len(c):
        d_centre = np.hypot(c[:, 0], c[:, 1])
        if len(c) > 1:
            dist = np.hypot(c[:, None, 0] - c[None, :, 0], c[:, None, 1] - c[None, :, 1])
            np.fill_diagonal(dist, np.inf)
            nearest = dist.min(axis=1)
        else:
            nearest = np.zeros(1)
        rows = sorted(
            (_q(d, HASH_STEP_MM), _q(r, 10 * HASH_STEP_MM), _q(n, 10 * HASH_STEP_MM))
            for d, r, n in zip(c[:, 2], d_centre, nearest, strict=True)
        )
    key = (
        f"kumiai.shape/{SHAPE_VERSION}",
        _q(shape.outer_area_mm2, 1.0),
        _q(shape.net_area_mm2, 1.0),
        _q(shape.perimeter_mm, 10 * HASH_STEP_MM),
        _q(shape.rect_mm[0], 10 * HASH_STEP_MM),
        _q(shape.rect_mm[1], 10 * HASH_STEP_MM),
        tuple(rows),
    )
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]
