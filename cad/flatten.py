"""ELLIPSE and SPLINE entities flattened to the very points ezdxf's `flattening` gives,
all the curves of a drawing at once.

ezdxf halves each piece of a curve recursively, in Python, until the middle of the piece
lies within `distance` of its chord; on a drawing of hundreds of ellipses that costs
several times the reading of the file. Here every piece of every curve still too far
from its chord is halved at once with numpy, a depth at a time: the same decisions on the
same numbers (the arithmetic below is ezdxf's, operation for operation, and splines are
evaluated by ezdxf's own evaluator), so the same points in the same order.
`tests/cad/test_analysis_speed_invariants.py` holds the two to it.
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


def flatten_curves(entities: Sequence, distances: Sequence[float]) -> list[Flattened]:  # type: ignore[type-arg]
    """`entity.flattening(distance)` of each ELLIPSE or SPLINE entity, as arrays."""
    out: list[Flattened] = [ValueError("not a curve")] * len(entities)
    for kind, flatten in (("ELLIPSE", _ellipses), ("SPLINE", _splines)):
        mine = [k for k, e in enumerate(entities) if e.dxftype() == kind]
        found = flatten([entities[k] for k in mine], [distances[k] for k in mine])
        for k, result in zip(mine, found, strict=True):
            out[k] = result
    return out


def _ellipses(entities: list, distances: list[float]) -> list[Flattened]:  # type: ignore[type-arg]
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
    f = np.array(frames, dtype=float).reshape(-1, 11)

    def at(curve: np.ndarray, t: np.ndarray) -> np.ndarray:
        g = f[curve]
        x = (np.cos(t) * g[:, 9])[:, None] * g[:, 3:6]
        y = (np.sin(t) * g[:, 10])[:, None] * g[:, 6:9]
        return g[:, 0:3] + x + y

    flat = _subdivide(params, at, distances, degenerate_ok=False)
    return [r if isinstance(r, Exception) else p for r, p in zip(out, flat, strict=True)]


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


def _splines(entities: list, distances: list[float]) -> list[Flattened]:  # type: ignore[type-arg]
    out: list[Flattened] = []
    params: list[list[float]] = []
    points: list = []  # type: ignore[type-arg]  # each spline's evaluator.point
    for e in entities:
        try:
            bspline = e.construction_tool()
            points.append(bspline.evaluator.point)
            params.append(_spline_params(np.unique(np.array(bspline.knots()))))
            out.append(np.zeros((0, 3)))
        except Exception as exc:  # noqa: BLE001 - ezdxf's own refusal, e.g. bad knots
            out.append(exc)
            points.append(None)
            params.append([])

    def at(curve: np.ndarray, t: np.ndarray) -> np.ndarray:
        xyz = [points[c](u).xyz for c, u in zip(curve.tolist(), t.tolist(), strict=True)]
        return np.array(xyz, dtype=float).reshape(-1, 3)

    flat = _subdivide(params, at, distances, degenerate_ok=True)
    return [r if isinstance(r, Exception) else p for r, p in zip(out, flat, strict=True)]


def _spline_params(knots: np.ndarray) -> list[float]:
    """The parameters BSpline.flattening starts from (np.float64 arithmetic, as there)."""
    if not len(knots):
        return []
    seg_f64 = np.float64(SPLINE_SEGMENTS)
    t = knots[0]
    params = [t]
    for t1 in knots[1:]:
        delta = (t1 - t) / seg_f64
        while t < t1:
            next_t = t + delta
            if abs(next_t - t1) <= 1e-8 + 1e-5 * abs(t1):  # np.isclose, without its cost
                next_t = t1
            params.append(next_t)
            t = next_t
    return [float(p) for p in params]


def _isclose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ezdxf's Vec3.isclose, row by row."""
    diff = np.abs(b - a)
    near = (diff <= np.abs(_REL_TOL * b)) | (diff <= np.abs(_REL_TOL * a)) | (diff <= _ABS_TOL)
    return near.all(axis=1)


def _chord_distance(m: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ezdxf.math.distance_point_line_3d row by row, where the chord is not a point."""
    v1 = (m - s).T
    a = (e - s).T
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 / np.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
        uv = a * factor
        dot = uv[0] * v1[0] + uv[1] * v1[1] + uv[2] * v1[2]
        v2 = uv * dot
        diff = (v1[0] * v1[0] + v1[1] * v1[1] + v1[2] * v1[2]) - (
            v2[0] * v2[0] + v2[1] * v2[1] + v2[2] * v2[2]
        )
        return np.sqrt(np.maximum(diff, 0.0))  # diff ≤ 0 → 0, as there


def _subdivide(
    params: list[list[float]],
    at: Callable[[np.ndarray, np.ndarray], np.ndarray],
    distances: Sequence[float],
    degenerate_ok: bool,
) -> list[Flattened]:
    """Each curve's first point, then the end of every piece once each piece is within
    its curve's distance of its chord. `degenerate_ok`: a piece whose ends coincide is
    done (the spline's rule); else the curve fails (the ellipse's ZeroDivisionError)."""
    n = len(params)
    lengths = np.array([len(p) for p in params], dtype=int)
    counts = np.maximum(lengths - 1, 0)  # pieces per curve
    t_all = np.array([t for p in params for t in p], dtype=float)
    pts = at(np.repeat(np.arange(n), lengths), t_all)
    offsets = np.cumsum(lengths) - lengths
    is_end = np.ones(len(t_all), dtype=bool)
    is_end[offsets[lengths > 0]] = False
    end_idx = np.flatnonzero(is_end)
    curve = np.repeat(np.arange(n), counts)
    s_t, e_t = t_all[end_idx - 1], t_all[end_idx]
    s_p, e_p = pts[end_idx - 1], pts[end_idx]
    first_p = pts[offsets[counts > 0]]
    limit = np.asarray(distances, dtype=float).reshape(-1)
    failed: dict[int, Exception] = {}
    done = np.zeros(len(s_t), dtype=bool)
    for _ in range(MAX_DEPTH):
        todo = np.flatnonzero(~done)
        if not len(todo):
            break
        c = curve[todo]
        m_t = (s_t[todo] + e_t[todo]) * 0.5
        m_p = at(c, m_t)
        point_chord = _isclose(s_p[todo], e_p[todo])
        if point_chord.any() and not degenerate_ok:
            for k in np.unique(c[point_chord]).tolist():
                failed[k] = ZeroDivisionError("Not a line.")
        near = point_chord | (_chord_distance(m_p, s_p[todo], e_p[todo]) < limit[c])
        done[todo[near]] = True
        split = todo[~near]
        if not len(split):
            continue
        reps = np.ones(len(s_t), dtype=int)
        reps[split] = 2
        left = (np.cumsum(reps) - reps)[split]  # where each halved piece's first half lands
        s_t, e_t, curve, done = (np.repeat(a, reps) for a in (s_t, e_t, curve, done))
        s_p, e_p = np.repeat(s_p, reps, axis=0), np.repeat(e_p, reps, axis=0)
        mid_t, mid_p = m_t[~near], m_p[~near]
        e_t[left], e_p[left] = mid_t, mid_p
        s_t[left + 1], s_p[left + 1] = mid_t, mid_p
    else:
        for k in np.unique(curve[~done]).tolist():
            failed[k] = ValueError("the curve does not flatten (invalid coordinates)")
    per_curve = np.split(e_p, np.cumsum(np.bincount(curve, minlength=n))[:-1])
    out: list[Flattened] = []
    j = 0
    for k in range(n):
        if k in failed:
            out.append(failed[k])
        elif counts[k]:
            out.append(np.vstack([first_p[j : j + 1], per_curve[k]]))
        else:
            out.append(np.zeros((0, 3)))
        j += bool(counts[k])
    return out
