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
import shapely
from shapely.geometry import Polygon

# Rectangles whose areas differ by less than this share are ties (float noise is ~1e-15).
TIE_REL = 1e-9


@dataclass(frozen=True)
class MinRect:
    long_mm: float
    short_mm: float
    angle_rad: float  # direction of the long side


def hulls(polys: list[Polygon]) -> list[np.ndarray | None]:
    """np.asarray(poly.convex_hull.exterior.coords) of each polygon, with a few shapely
    calls for all (the same GEOS hulls and coordinates; a call per polygon costs about
    as much as GEOS's hull of a few hundred points); None where the hull is not a
    polygon (an empty, flat or single-point one), for `min_rect` to deal with."""
    if not polys:
        return []
    made = shapely.convex_hull(np.array(polys, dtype=object))
    is_polygon = (shapely.get_type_id(made) == shapely.GeometryType.POLYGON).tolist()
    coords, owner = shapely.get_coordinates(shapely.get_exterior_ring(made), return_index=True)
    ends = np.cumsum(np.bincount(owner, minlength=len(polys))).tolist()
    return [
        coords[start:stop] if good else None
        for good, start, stop in zip(is_polygon, [0, *ends[:-1]], ends, strict=True)
    ]


def min_rect(poly: Polygon, hull: np.ndarray | None = None) -> MinRect:
    """`hull`: the coordinates of the polygon's convex hull, when `hulls` found them."""
    if hull is None:
        hull = np.asarray(poly.convex_hull.exterior.coords) if not poly.is_empty else np.zeros(0)
    if len(hull) < 4:  # a point or a line: no area, its bounding box will do
        minx, miny, maxx, maxy = poly.bounds if not poly.is_empty else (0.0, 0.0, 0.0, 0.0)
        w, h = maxx - minx, maxy - miny
        return MinRect(max(w, h), min(w, h), 0.0 if w >= h else math.pi / 2)
    pts = hull[:-1] - hull[0]
    edges = hull[1:] - hull[:-1]  # np.diff(hull, axis=0), without its checks
    length = np.hypot(edges[:, 0], edges[:, 1])
    # Zero-length edges (rare: a hull repeats no point) are left out; without any, the
    # boolean selections would copy the same numbers to no end.
    has_length = length > 0
    if has_length.all():
        edges = edges / length[:, None]
    else:
        edges = edges[has_length] / length[has_length][:, None]
    # One (points × edge directions) product at a time, each dropped once reduced: the
    # second then takes the first's memory back from the allocator. Held together, each
    # comes fresh from the system and its first touch of every page (a fault each) cost
    # several times the products themselves on a hull of a few hundred points.
    # The products' operands keep their layouts (a transposed C-ordered array each):
    # OpenBLAS rounds an entry with or without a fused multiply-add depending on where
    # it falls in its blocks, so another layout or shape could change the last bits.
    # np.maximum.reduce is what ndarray.max calls, without its wrappers.
    along = pts @ edges.T
    w = np.maximum.reduce(along, axis=0) - np.minimum.reduce(along, axis=0)
    del along
    # np.column_stack([-edges[:, 1], edges[:, 0]]): the same numbers (-u and u · -1 are
    # the same double, signed zeros included), a new C-ordered array as that made.
    across = pts @ (edges[:, ::-1] * _PERPENDICULAR).T
    h = np.maximum.reduce(across, axis=0) - np.minimum.reduce(across, axis=0)
    del across
    area = w * h
    tied = np.flatnonzero(area <= area.min() * (1 + TIE_REL) + 1e-12)
    k = int(tied[np.argmin(np.maximum(w, h)[tied])])
    ux, uy = edges[k].tolist()
    wk, hk = float(w[k]), float(h[k])
    angle = math.atan2(uy, ux) if wk >= hk else math.atan2(ux, -uy)
    return MinRect(max(wk, hk), min(wk, hk), angle)


# (x, y) → (-y, x) once the columns are swapped: each edge's direction turned a quarter.
_PERPENDICULAR = np.array([-1.0, 1.0])
