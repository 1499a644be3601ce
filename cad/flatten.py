"""ELLIPSE and SPLINE entities flattened to the very points ezdxf's `flattening` gives,
all the curves of a drawing at once.

ezdxf halves each piece of a curve recursively, in Python, until the middle of the piece
lies within `distance` of its chord; on a drawing of hundreds of ellipses that costs
several times the reading of the file. Here every piece of every curve still too far
from its chord is halved at once with numpy, a depth at a time: the same decisions on the
same numbers (the arithmetic below is ezdxf's, operation for operation, splines' points
included, with ezdxf's own evaluator for the cases that arithmetic does not cover), so
the same points in the same order. `tests/cad/test_analysis_speed_invariants.py` and
`tests/cad/test_analysis_speedups_3.py` hold the two to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

# ezdxf.math's tolerances for "the same point" (REL_TOL, ABS_TOL).
_REL_TOL = 1e-9
_ABS_TOL = 1e-12
# ezdxf recurses until Python's stack runs out. A double parameter cannot be halved
# meaningfully more than ~60 times, so a curve still splitting at this depth never
# flattens (NaN coordinates) and is refused, as the RecursionError would refuse it.
MAX_DEPTH = 200
# The segments ezdxf's entities start from: Ellipse.flattening and Spline.flattening.
ELLIPSE_SEGMENTS = 8
SPLINE_SEGMENTS = 4

Flattened = np.ndarray | Exception  # (N, 3) points, or why ezdxf would have failed


def flatten_curves(
    entities: Sequence,  # type: ignore[type-arg]
    distances: Sequence[float],
    xy: bool = False,
) -> list[Flattened]:
    """`entity.flattening(distance)` of each ELLIPSE or SPLINE entity, as arrays. `xy`:
    for a caller that reads x and y alone, the ellipses of a drawing in the plane (see
    `_ellipses`) come without their z column of zeros."""
    out: list[Flattened] = [ValueError("not a curve")] * len(entities)
    for kind, flatten in (("ELLIPSE", _ellipses), ("SPLINE", _splines)):
        mine = [k for k, e in enumerate(entities) if e.dxftype() == kind]
        if not mine:  # most drawings have neither: their ~0.3 ms of numpy calls, saved
            continue
        found = flatten([entities[k] for k in mine], [distances[k] for k in mine], xy)
        for k, result in zip(mine, found, strict=True):
            out[k] = result
    return out


def _ellipses(entities: list, distances: list[float], xy: bool = False) -> list[Flattened]:  # type: ignore[type-arg]
    out: list[Flattened] = []
    params: list[list[float]] = []
    frames: list[tuple[float, ...]] = []  # centre, x axis, y axis, radius x, radius y
    for e in entities:
        try:
            ct = e.construction_tool()
            x_axis, y_axis = ct.major_axis.normalize(), ct.minor_axis.normalize()
            radius_x = ct.major_axis.magnitude
            frame = (*ct.center.xyz, *x_axis.xyz, *y_axis.xyz, radius_x, radius_x * ct.ratio)
            params.append(_ellipse_params(ct))
            frames.append(frame)
            out.append(np.zeros((0, 3)))
        except Exception as exc:  # noqa: BLE001 - ezdxf's own refusal, e.g. a null axis
            out.append(exc)
            params.append([])
            frames.append((0.0,) * 11)
    # One row per number of the frame: gathering rows of it per parameter is cheaper
    # than gathering frames and slicing their columns.
    f = np.ascontiguousarray(np.array(frames, dtype=float).reshape(-1, 11).T)
    # An ellipse in the drawing's plane (centre z = +0.0 and axes with z = ±0.0, as
    # nearly all are: the minor axis, extrusion × major axis, often has -0.0) has
    # z = +0.0 at every point: (+0.0 + x·±0.0) + y·±0.0 adds signed zeros to +0.0, with
    # x, y finite (finite frame, finite parameters; the midpoints of finite parameters
    # are finite too). Such a drawing's points are computed in x and y alone
    # (`_subdivide`'s tests come out the same without the zero column, see
    # `_chord_distance`) and given the zero z.
    flat = bool(
        np.isfinite(f).all()
        and not f[[2, 5, 8]].any()
        and not np.signbit(f[2]).any()
        and all(math.isfinite(t) for p in params for t in p)
    )
    dims = 2 if flat else 3
    # The frame's rows `at` reads, in the order it reads them: centre, x axis and y axis
    # coordinates of each dimension, then the radii (the z rows left out in the plane).
    rows = [j + 3 * i for j in range(dims) for i in range(3)] + [9, 10]
    read = np.ascontiguousarray(f[rows])

    def at(curve: np.ndarray, piece: np.ndarray, t: np.ndarray) -> np.ndarray:
        # ConstructionEllipse's point, centre + cos(t)·rx·x axis + sin(t)·ry·y axis,
        # coordinate by coordinate: the same operations on the same numbers.
        # read.take(…, axis=1) is read[:, curve], the same copy, ~2× faster than the
        # fancy index's generic path
        g = read.take(curve, axis=1)
        x = np.cos(t)
        x *= g[-2]
        y = np.sin(t)
        y *= g[-1]
        out = np.empty((len(t), dims))
        # g[j] + x·g[3 + j] + y·g[6 + j] of the whole frame, in that order, through two
        # reused buffers rather than three fresh temporaries per coordinate.
        along, across = np.empty(len(t)), np.empty(len(t))
        for j in range(dims):
            centre, x_axis, y_axis = g[3 * j], g[3 * j + 1], g[3 * j + 2]
            np.multiply(x, x_axis, out=along)
            np.add(centre, along, out=along)
            np.multiply(y, y_axis, out=across)
            np.add(along, across, out=out[:, j])
        return out

    flat_points = _subdivide(
        params,
        at,
        distances,
        degenerate_ok=False,
        bounds=_EllipseBounds(f) if flat else None,
        xy=xy,
    )
    return [r if isinstance(r, Exception) else p for r, p in zip(out, flat_points, strict=True)]


class _EllipseBounds:
    """What the ends of each piece of an ellipse in the plane (its frame `f`, as in
    `_ellipses`) tell for certain, with a few numpy operations per piece: whether its
    middle lies within its limit of its chord (`near`), so that the middle need not be
    computed; whether its ends may be close (`may_meet`), so that `_isclose` runs on
    those alone.

    The ellipse is the unit circle through the linear map A = (rx·x axis, ry·y axis),
    |det A| ≤ rx·ry. On the circle the middle of an arc of half-angle h lies 1 − cos h
    off its chord, of length 2·sin h; A scales every distance to a line by one factor,
    |det A| / |A·τ| (τ the chord's direction), and |A·τ| = chord / (2·sin h). So the
    middle lies rx·ry·(1 − cos h)·2·sin h / chord ≤ rx·ry·h³ / chord off the chord (the
    float middle parameter, a rounding off the middle, lies closer still). Then the
    float noise: each computed point is off by at most `noise`, which moves the middle
    and turns the chord about an end at most |m − s| ≤ rmax·h ≤ rmax·π/8 (`reach`) away
    (the first pieces span an eighth of the ellipse at most, and halve), and
    `_chord_distance`'s difference of squares adds at most √(12·eps)·|m − s|, ~5e-8·|m − s|:
    each counted here at least twice over. So `_chord_distance` gives at most
    (rx·ry·h³ + 2·noise·reach) / (chord − 2·noise) + 2·noise + 1e-7·reach.

    `_isclose` of two ends finds each coordinate within 1e-9 of the larger (≤ |centre| +
    rx + ry) or within 1e-12: ends whose chord is longer than √2 times that are not close."""

    def __init__(self, f: np.ndarray) -> None:
        radius_x, radius_y = np.abs(f[9]), np.abs(f[10])
        size = np.abs(f[0]) + np.abs(f[1]) + radius_x + radius_y
        noise2 = 2 * ELLIPSE_NOISE * size
        reach = np.maximum(radius_x, radius_y) * (math.pi / 8 * 1.01) + noise2
        # per ellipse, for a piece of parameters s_t to e_t, w = e_t − s_t = 2·h:
        # bound = (cube · w³ + turn) / (chord − noise2) + shift
        self.noise2 = noise2
        self.cube = radius_x * radius_y * (1 + 1e-9) * (0.5 * (1 + 1e-12)) ** 3
        self.turn = noise2 * reach
        self.shift = noise2 + 1e-7 * reach
        self.apart = 2 * (1e-9 * size * (1 + 1e-6) + 1e-12)

    def near(
        self,
        curve: np.ndarray,
        s_t: np.ndarray,
        e_t: np.ndarray,
        chord: np.ndarray,
        limit: np.ndarray,
    ) -> np.ndarray:
        """Which pieces `_chord_distance` surely finds within `limit` of their chord (NaN
        anywhere fails the comparisons: not sure)."""
        w = np.abs(e_t - s_t)  # (pieces run forward: a guard, not a need)
        low = chord * (1 - 1e-9) - self.noise2.take(curve)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            bound = (self.cube.take(curve) * (w * w * w) + self.turn.take(curve)) / low
            bound += self.shift.take(curve)
        return (low > 0) & (bound < limit)

    def may_meet(self, curve: np.ndarray, chord: np.ndarray) -> np.ndarray:
        """Which pieces' ends `_isclose` may find close (NaN: not close, as there)."""
        return chord <= self.apart.take(curve)


# A bound of the float noise of an ellipse's computed points, as a share of |centre| +
# its radii (each coordinate comes from a few roundings of numbers that size: ~1e-15).
ELLIPSE_NOISE = 1e-13


def _ellipse_params(ct) -> list[float]:  # type: ignore[no-untyped-def]
    """The parameters ConstructionEllipse.flattening starts from."""
    delta = ct.param_span / ELLIPSE_SEGMENTS
    if delta == 0.0:
        return []
    param = ct.start_param % math.tau
    end_param = math.tau if math.isclose(ct.end_param, math.tau) else ct.end_param % math.tau
    if math.isclose(param, end_param):
        return []
    if param > end_param:
        end_param += math.tau
    params = [param]
    while param < end_param:
        next_param = param + delta
        if math.isclose(next_param, end_param):
            next_param = end_param
        params.append(next_param)
        param = next_param
    return params


def _splines(entities: list, distances: list[float], xy: bool = False) -> list[Flattened]:  # type: ignore[type-arg]
    # (`xy` is for `flatten_curves`' sake: splines keep their three columns)
    out: list[Flattened] = []
    params: list[list[float]] = []
    table = _SplineTable()
    for e in entities:
        try:
            bspline = e.construction_tool()
            unique = _unique_knots(bspline.knots())
            curve_params, ends = _spline_params(unique)
            table.add(bspline, unique, ends)
            params.append(curve_params)
            out.append(np.zeros((0, 3)))
        except Exception as exc:  # noqa: BLE001 - ezdxf's own refusal, e.g. bad knots
            out.append(exc)
            table.add(None, np.zeros(0), [])
            params.append([])
    table.freeze()
    flat = _subdivide(params, table.at, distances, degenerate_ok=True)
    return [r if isinstance(r, Exception) else p for r, p in zip(out, flat, strict=True)]


def _unique_knots(knots: Sequence[float]) -> np.ndarray:
    """np.unique(np.array(knots)): for Python floats in order (as a spline's knots are),
    without NaN or -0.0 (whose place among equal zeros numpy's sort may change), the
    first of each run of equal knots, found in Python: np.unique's sort and masks cost
    more than the rest of a small spline's set-up."""
    out: list[float] = []
    for k in knots:
        if type(k) is not float or k != k or (k == 0.0 and math.copysign(1.0, k) < 0):
            return np.unique(np.array(knots))
        if out:
            if k < out[-1]:
                return np.unique(np.array(knots))
            if k == out[-1]:
                continue
        out.append(k)
    return np.array(out, dtype=float)


def _spline_params(knots: np.ndarray) -> tuple[list[float], list[int]]:
    """The parameters BSpline.flattening starts from, and for each piece between two of
    them the index in `knots` of the knot it ends before or at. BSpline.flattening
    computes in np.float64; Python floats are the same IEEE doubles, without numpy's
    cost per scalar operation."""
    if not len(knots):
        return [], []
    values = knots.tolist()
    t = values[0]
    params = [t]
    ends = []
    for k, t1 in enumerate(values[1:], start=1):
        delta = (t1 - t) / float(SPLINE_SEGMENTS)
        while t < t1:
            next_t = t + delta
            if abs(next_t - t1) <= 1e-8 + 1e-5 * abs(t1):  # np.isclose, without its cost
                next_t = t1
            params.append(next_t)
            ends.append(k)
            t = next_t
    return params, ends


class _SplineTable:
    """The splines of a drawing as arrays, so that their points are found with numpy:
    ezdxf's Evaluator.point (The NURBS Book, A2.2 and A3.1), operation for operation,
    for many parameters at once.

    Evaluator.point searches the knot span of every parameter; a parameter inside a
    piece between two distinct knots has the span of that piece, found once per piece.
    Whatever is not that plain case (a rational or oddly knotted spline, a parameter on
    the piece's last knot, a span too near the start for A2.2, a zero denominator) is
    left to ezdxf's own evaluator, which also raises where it would."""

    def __init__(self) -> None:
        self.points: list = []  # type: ignore[type-arg]  # each spline's evaluator.point, or None
        self.orders: list[int] = []
        self.counts: list[int] = []
        self.rational: list[bool] = []
        self.knot_values: list[float] = []
        self.knot_sizes: list[int] = []
        self.control_xyz: list[tuple[float, float, float]] = []
        self.control_sizes: list[int] = []
        self.unique: list[np.ndarray] = []
        self.ends: list[list[int]] = []  # per piece, the index in `unique` of its end knot

    def add(self, bspline, unique: np.ndarray, ends: list[int]) -> None:  # type: ignore[no-untyped-def]
        """One spline, or None for one ezdxf refused; its distinct knots and, per piece,
        the index of the knot the piece ends before or at (see _spline_params)."""
        knots = bspline.knots() if bspline is not None else ()
        control = [v.xyz for v in bspline.control_points] if bspline is not None else []
        self.points.append(bspline.evaluator.point if bspline is not None else None)
        self.orders.append(bspline.order if bspline is not None else 2)
        self.counts.append(bspline.count if bspline is not None else 0)
        self.rational.append(bspline is not None and bspline.is_rational)
        self.knot_values.extend(knots)
        self.knot_sizes.append(len(knots))
        self.control_xyz.extend(control)
        self.control_sizes.append(len(control))
        self.unique.append(unique)
        self.ends.append(ends)

    def freeze(self) -> None:
        """Everything `at` needs, with a few numpy calls for all the splines: per spline
        calls cost more than the points of a small spline."""
        n = len(self.points)
        self.order = np.array(self.orders, dtype=int)
        self.count = np.array(self.counts, dtype=int)
        sizes = np.array(self.knot_sizes, dtype=int)
        self.knot_start = np.cumsum(sizes) - sizes
        self.all_knots = knots = np.array(self.knot_values, dtype=float)
        # knots[count] (the parameter from which the span is the last) and the last knot
        has = sizes > 0
        self.knot_at_count = np.full(n, np.inf)
        self.knot_at_count[has] = knots[(self.knot_start + self.count)[has]]
        self.max_t = np.zeros(n)
        self.max_t[has] = knots[(self.knot_start + sizes - 1)[has]]
        rows = np.array(self.control_sizes, dtype=int)
        self.control_start = np.cumsum(rows) - rows
        self.all_control = np.array(self.control_xyz, dtype=float).reshape(-1, 3)
        # A plain spline: not rational, its knots finite and sorted.
        owner = np.repeat(np.arange(n), sizes)
        same = owner[1:] == owner[:-1]
        odd = ~np.isfinite(knots)
        odd[1:] |= same & (knots[1:] < knots[:-1])
        plain = (np.bincount(owner[odd], minlength=n) == 0) & ~np.array(self.rational, dtype=bool)
        # Runs of equal knots: on sorted knots, the m-th run holds the m-th distinct knot
        # and the knots up to its end are those ≤ that knot (np.searchsorted, side right).
        new_run = np.ones(len(knots), dtype=bool)
        new_run[1:] = ~same | (knots[1:] != knots[:-1])
        run_start = np.flatnonzero(new_run)
        run_stop = np.append(run_start[1:], len(knots))
        runs = np.bincount(owner[run_start], minlength=n)
        first_run = np.cumsum(runs) - runs
        # Per piece: its spline, the two distinct knots around it, its span (-1: ezdxf's).
        pieces = np.array([len(e) for e in self.ends], dtype=int)
        spline = np.repeat(np.arange(n), pieces)
        end = np.array([k for e in self.ends for k in e], dtype=int)
        unique_sizes = np.array([len(u) for u in self.unique], dtype=int)
        at_end = np.cumsum(unique_sizes)[spline] - unique_sizes[spline] + end
        all_unique = np.concatenate([np.zeros(0), *self.unique])
        self.low, self.high = all_unique[at_end - 1], all_unique[at_end]
        simple = plain[spline]
        run = np.where(simple, first_run[spline] + end - 1, 0)
        above = run_stop[run] - self.knot_start[spline] if len(run_stop) else run
        # find_span on sorted knots: the binary search of a clamped spline is bounded
        # below by the degree, the linear search is not.
        degree = self.order[spline] - 1
        clamped = knots[np.where(simple, self.knot_start[spline] + degree, 0)] == 0.0
        above = np.where(clamped, np.maximum(above, degree), above)
        span = np.minimum(above, self.count[spline]) - 1
        # A2.2 would reach before the first knot
        self.span = np.where(simple & (span >= degree), span, -1)

    def at(self, curve: np.ndarray, piece: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Points of the splines `curve` at `t`, each within its `piece` (-1: any)."""
        xyz = np.empty((len(t), 3))
        has_piece = piece >= 0
        p = np.where(has_piece, piece, 0)
        if len(self.span):
            span = np.where(has_piece, self.span[p], -1)
            low, high = self.low[p], self.high[p]
        else:  # no spline has a piece: only lone parameters, ezdxf's
            span, low, high = np.full(len(t), -1), t, t
        # Evaluator.point: a parameter close to the last knot is the last knot.
        max_t = self.max_t[curve]
        u = np.where(_isclose(t[:, None], max_t[:, None]), max_t, t)
        last = (u >= self.knot_at_count[curve]) & (span >= 0)
        span = np.where(last, self.count[curve] - 1, np.where((low <= u) & (u < high), span, -1))
        fast = span >= 0
        for order in np.unique(self.order[curve[fast]]).tolist():
            rows = np.flatnonzero(fast & (self.order[curve] == order))
            got, ok = self._points(curve[rows], span[rows], u[rows], order)
            xyz[rows[ok]] = got[ok]
            fast[rows[~ok]] = False
        for i in np.flatnonzero(~fast).tolist():
            xyz[i] = self.points[curve[i]](float(t[i])).xyz
        return xyz

    def _points(
        self, curve: np.ndarray, span: np.ndarray, u: np.ndarray, order: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """A2.2's basis functions and A3.1's sum, in ezdxf's order of operations; and
        which rows had no zero denominator (ezdxf raises ZeroDivisionError there)."""
        k = self.knot_start[curve] + span
        left = [u] + [u - self.all_knots[k + 1 - j] for j in range(1, order)]
        right = [u] + [self.all_knots[k + j] - u for j in range(1, order)]
        basis = [np.ones(len(u))] + [np.zeros(len(u))] * (order - 1)
        ok = np.ones(len(u), dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            for j in range(1, order):
                saved = np.zeros(len(u))
                for r in range(j):
                    denominator = right[r + 1] + left[j - r]
                    ok &= denominator != 0.0
                    temp = basis[r] / denominator
                    basis[r] = saved + right[r + 1] * temp
                    saved = left[j - r] * temp
                basis[j] = saved
        first = self.control_start[curve] + span - (order - 1)
        total = np.zeros((len(u), 3))
        for i in range(order):
            total = total + self.all_control.take(first + i, axis=0) * basis[i][:, None]
        return total, ok


def _isclose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ezdxf's Vec3.isclose, row by row: diff ≤ |REL·b| or diff ≤ |REL·a| or diff ≤ ABS,
    as diff ≤ max(REL·max(|a|, |b|), ABS). The same test: scaling by REL > 0 rounds
    alike either sign and keeps the order, and where a NaN enters, diff is NaN too."""
    diff = np.abs(b - a)
    bound = np.maximum(np.maximum(np.abs(a), np.abs(b)) * _REL_TOL, _ABS_TOL)
    near = diff <= bound
    # .all(axis=1), column by column: a reduction across each short row takes numpy's
    # slow path, ~10× the cost of and-ing the few columns.
    out = near[:, 0].copy()
    for j in range(1, near.shape[1]):
        out &= near[:, j]
    return out


def _chord_distance(m: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ezdxf.math.distance_point_line_3d row by row, where the chord is not a point.

    Points of two columns (a curve whose z is +0.0 throughout) give the very distances
    of their three-column selves: each sum below then lacks a last term of ±0.0, which
    adds nothing to a sum of squares (≥ +0.0) and at most the sign of a zero `dot`,
    which only its square is used with."""
    # Coordinate-major copies: the arithmetic below on contiguous rows, not on every
    # third number of the n × 3 arrays, costs a third less for the copies' price.
    v1 = np.ascontiguousarray((m - s).T)
    a = np.ascontiguousarray((e - s).T)
    three = len(a) == 3
    with np.errstate(divide="ignore", invalid="ignore"):
        square = a[0] * a[0] + a[1] * a[1]
        if three:
            square += a[2] * a[2]
        factor = 1.0 / np.sqrt(square)
        uv = a * factor
        dot = uv[0] * v1[0] + uv[1] * v1[1]
        if three:
            dot += uv[2] * v1[2]
        v2 = uv * dot
        near = v1[0] * v1[0] + v1[1] * v1[1]
        along = v2[0] * v2[0] + v2[1] * v2[1]
        if three:
            near += v1[2] * v1[2]
            along += v2[2] * v2[2]
        diff = near - along
        return np.sqrt(np.maximum(diff, 0.0))  # diff ≤ 0 → 0, as there


def _subdivide(
    params: list[list[float]],
    at: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    distances: Sequence[float],
    degenerate_ok: bool,
    bounds: _EllipseBounds | None = None,
    xy: bool = False,
) -> list[Flattened]:
    """Each curve's first point, then the end of every piece once each piece is within
    its curve's distance of its chord. `degenerate_ok`: a piece whose ends coincide is
    done (the spline's rule); else the curve fails (the ellipse's ZeroDivisionError).
    `at(curve, piece, t)`: the points of `curve` at `t`, each inside the parameter range
    of the curve's first-depth `piece` (-1 for the lone parameter of a curve without one).
    `bounds`: what the ends of a piece tell for certain (see _EllipseBounds); the
    middles of pieces surely within their limit of their chord are not computed (a
    piece done needs none, and most pieces of the last depths are done), and only the
    ends that may be close are tested for it. `xy`: points of two columns (x and y: the
    plane's ellipses) are left so, not given a z of zeros.

    Only the pieces still too far from their chord are carried to the next depth: the
    left halves of the pieces halved, then their right halves, in one block each (copies
    of whole arrays, cheaper than interleaving). A finished piece is written once, at
    the end, to its place in the recursion's order, found from how many points each
    piece ended as."""
    n = len(params)
    lengths = np.array([len(p) for p in params], dtype=int)
    counts = np.maximum(lengths - 1, 0)  # pieces per curve
    t_all = np.array([t for p in params for t in p], dtype=float)
    offsets = np.cumsum(lengths) - lengths
    # Each parameter starts a piece but a curve's last, which ends its last piece.
    first_piece = np.cumsum(counts) - counts
    within = np.arange(len(t_all)) - np.repeat(offsets, lengths)
    own = np.repeat(first_piece, lengths) + np.minimum(within, np.repeat(counts, lengths) - 1)
    pts = at(
        np.repeat(np.arange(n), lengths), np.where(np.repeat(counts, lengths) > 0, own, -1), t_all
    )
    is_end = np.ones(len(t_all), dtype=bool)
    is_end[offsets[lengths > 0]] = False
    end_idx = np.flatnonzero(is_end)
    curve = first_curve = np.repeat(np.arange(n), counts)
    piece = np.arange(len(curve))
    s_t, e_t = t_all[end_idx - 1], t_all[end_idx]
    s_p, e_p = pts.take(end_idx - 1, axis=0), pts.take(end_idx, axis=0)
    limit = np.asarray(distances, dtype=float).reshape(-1)
    failed: dict[int, Exception] = {}
    # Per depth: which pieces were done, their end points, and which were halved.
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for _ in range(MAX_DEPTH):
        if not len(s_t):
            break
        m_t = (s_t + e_t) * 0.5
        if bounds is None:
            point_chord = _isclose(s_p, e_p)
        else:
            a = e_p - s_p
            chord = np.sqrt(np.einsum("ij,ij->i", a, a))
            point_chord = np.zeros(len(s_t), dtype=bool)
            meet = np.flatnonzero(bounds.may_meet(curve, chord))
            if len(meet):
                point_chord[meet] = _isclose(s_p.take(meet, axis=0), e_p.take(meet, axis=0))
        if point_chord.any() and not degenerate_ok:
            for k in np.unique(curve[point_chord]).tolist():
                failed[k] = ZeroDivisionError("Not a line.")
        piece_limit = limit[curve]
        if bounds is None:
            m_p = at(curve, piece, m_t)
            near = point_chord | (_chord_distance(m_p, s_p, e_p) < piece_limit)
            split = np.flatnonzero(~near)
        else:
            # The middles of the pieces not surely near (nor point chords) alone; those
            # halved are among them.
            near = point_chord | bounds.near(curve, s_t, e_t, chord, piece_limit)
            todo = np.flatnonzero(~near)
            m_todo = at(curve.take(todo), piece.take(todo), m_t.take(todo))
            close = _chord_distance(
                m_todo, s_p.take(todo, axis=0), e_p.take(todo, axis=0)
            ) < piece_limit.take(todo)
            near[todo] = close
            halved = np.flatnonzero(~close)  # `split`'s rows in `todo`, in order
            split = todo.take(halved)
            m_p = m_todo.take(halved, axis=0)
        # a.take(rows, axis=0): a[rows], the same copy; on the n × 3 points ~4× faster
        # than the fancy index's generic path.
        levels.append((near, e_p.take(np.flatnonzero(near), axis=0), split))
        if len(split) < len(near):
            s_t, m_t, e_t, curve, piece = (a.take(split) for a in (s_t, m_t, e_t, curve, piece))
            s_p, e_p = (a.take(split, axis=0) for a in (s_p, e_p))
            if bounds is None:
                m_p = m_p.take(split, axis=0)
        s_t, e_t = np.concatenate((s_t, m_t)), np.concatenate((m_t, e_t))
        s_p, e_p = np.concatenate((s_p, m_p)), np.concatenate((m_p, e_p))
        curve, piece = np.concatenate((curve, curve)), np.concatenate((piece, piece))
    else:
        for k in np.unique(curve).tolist():
            failed[k] = ValueError("the curve does not flatten (invalid coordinates)")
    # Points each piece ends as, deepest first; pieces never done count none (their
    # curve failed).
    ends = [np.zeros(len(s_t), dtype=int)]
    for near, _, split in reversed(levels):
        below = ends[-1]
        here = near.astype(int)
        here[split] = below[: len(split)] + below[len(split) :]
        ends.append(here)
    ends.reverse()
    # Where each piece's points start: after its curve's first point and every point
    # of the pieces before it.
    has_points = counts > 0
    start = np.cumsum(ends[0]) - ends[0] + np.cumsum(has_points)[first_curve]
    sizes = np.bincount(first_curve, weights=ends[0], minlength=n).astype(int) + has_points
    base = np.cumsum(sizes) - sizes
    # `at`'s columns: x, y (and z): a curve without z gets +0.0 there at the end.
    out_p = np.empty((int(sizes.sum()), pts.shape[1]))
    out_p[base[has_points]] = pts[offsets[has_points]]
    for (near, done_p, split), below in zip(levels, ends[1:], strict=True):
        out_p[start[near]] = done_p
        left = start[split]
        start = np.concatenate((left, left + below[: len(split)]))
    if out_p.shape[1] == 2 and not xy:  # the plane's zero z, unless x and y will do
        out_p = np.column_stack((out_p, np.zeros(len(out_p))))
    out: list[Flattened] = []
    for k in range(n):
        if k in failed:
            out.append(failed[k])
        else:
            out.append(out_p[base[k] : base[k] + sizes[k]])
    return out
