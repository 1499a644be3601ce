"""The minimum-area rectangle around a contour, chosen the same way for every copy.

Some outlines have several rectangles of the same least area: a right triangle's legs
and its hypotenuse both give one (20 × 30 and 36.06 × 16.64 for legs 20 and 30). GEOS
returns whichever its float noise favours, so a turned or mirrored copy of one part
could report other sides. Among the rectangles within a hair of the least area, the
one with the shortest long side is taken: a property of the shape, not of its place."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

# Rectangles whose areas differ by less than this share are ties (float noise is ~1e-15).
TIE_REL = 1e-9


@dataclass(frozen=True)
class MinRect:
    long_mm: float
    short_mm: float
    angle_rad: float  # direction of the long side


def min_rect(poly: Polygon) -> MinRect:
    hull = np.asarray(poly.convex_hull.exterior.coords) if not poly.is_empty else np.zeros(0)
    if len(hull) < 4:  # a point or a line: no area, its bounding box will do
        minx, miny, maxx, maxy = poly.bounds if not poly.is_empty else (0.0, 0.0, 0.0, 0.0)
        w, h = maxx - minx, maxy - miny
        return MinRect(max(w, h), min(w, h), 0.0 if w >= h else math.pi / 2)
    pts = hull[:-1] - hull[0]
    edges = np.diff(hull, axis=0)
    length = np.hypot(edges[:, 0], edges[:, 1])
    edges = edges[length > 0] / length[length > 0][:, None]
    # One (points × edge directions) product at a time, each dropped once reduced: the
    # second then takes the first's memory back from the allocator. Held together, each
    # comes fresh from the system and its first touch of every page (a fault each) cost
    # several times the products themselves on a hull of a few hundred points.
    along = pts @ edges.T
    w = along.max(axis=0) - along.min(axis=0)
    del along
    across = pts @ np.column_stack([-edges[:, 1], edges[:, 0]]).T
    h = across.max(axis=0) - across.min(axis=0)
    del across
    area = w * h
    tied = np.flatnonzero(area <= area.min() * (1 + TIE_REL) + 1e-12)
    k = int(tied[np.argmin(np.maximum(w, h)[tied])])
    ux, uy = edges[k]
    angle = math.atan2(uy, ux) if w[k] >= h[k] else math.atan2(ux, -uy)
    return MinRect(float(max(w[k], h[k])), float(min(w[k], h[k])), angle)
