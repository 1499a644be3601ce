"""Benchmark (not a test): graded similarity, "similar when nothing is the same".

A new part rarely has a near-duplicate in the library; then the order of the
neighbours is the whole value. This measures that order the way the silhouette
benchmarks do (MPEG-7 protocol): sets of outlines in classes, every outline queried
against the whole set (itself included), and the bull's-eye score, the share of its
class among the 2×class-size nearest, averaged.

Kimia and MPEG-7 files cannot be downloaded here, so the sets are generated, seeded
and deterministic:
- `corpus`: each class is one real part's outer outline from ../shared/data/dxf, its
  members non-rigid variants (bent along its long axis, stretched 10–40 % one way,
  notched, a tab added, a local bulge, a protruding end turned by 8–25°, noise on the
  contour), each also turned, maybe mirrored and scaled ×0.5–2;
- `creatures`: object-like silhouettes, each class a template of a body (an ellipse),
  maybe a head, and limbs of one or two segments; members vary limb angles, lengths
  and thicknesses and the body's proportions (articulation is what makes the real
  silhouette sets hard), then the same rigid changes;
- `blobs`: smooth bodies from a few radial harmonics with bumps; members vary the
  harmonics and bumps a little, bend and stretch.

Rankings compared, per set:
- `full`: the project's search as a query goes through it (Index.query: the first
  stage's 200 candidates, the exact re-rank, the graded order for what does not fit
  nearly exactly), in "any size" and "same size" mode (Index.query uses the graded
  order in "any size" only, so the two "same size" columns agree);
- `exact`: the same without the graded order (the exact score alone, as before);
- `first stage`: the descriptor distance alone (any size);
- `crude`: compactness and aspect, Euclidean (a baseline);
- `graded only`: graded.distances over the whole set (no first stage), as a ceiling.

With `--pixels N` every outline is first traced as a bitmap N pixels across would be
(staircase edges, as the outlines of image benchmarks are); `--seed` draws other sets
from the same generators. Both check that the score holds beyond the sets tuned on.

Run: nice -n 19 .venv/bin/python bench/similar_graded.py [--classes N --members M]
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.polygon import orient

from cad.analyze import analyze_file
from cad.errors import CadError
from cad.model import Part
from cad.rect import min_rect
from cad.similar import graded
from cad.similar.descriptor import describe
from cad.similar.index import Index, build
from cad.similar.shape import Shape, shape_of

DXF = Path(__file__).resolve().parents[2] / "shared" / "data" / "dxf"
CLASSES_WITH_PARTS = {"single_part", "multi_part_nest", "eng_drawing", "fastener_view"}


# --- outlines as the search sees them ----------------------------------------------------


def largest(geom) -> Polygon:  # type: ignore[no-untyped-def]
    """The largest piece of a geometry as a hole-free polygon (a silhouette)."""
    if isinstance(geom, MultiPolygon):
        geom = max(geom.geoms, key=lambda g: g.area)
    if not isinstance(geom, Polygon) or geom.is_empty:
        raise ValueError("no polygon")
    poly = Polygon(geom.exterior.coords)
    if not poly.is_valid:
        poly = largest(poly.buffer(0))
    return orient(poly, sign=1.0)


def silhouette_shape(poly: Polygon) -> Shape:
    """The project's Shape of an outline without cut-outs, through shape_of."""
    ring = np.asarray(poly.exterior.coords)
    r = min_rect(poly)
    minx, miny, maxx, maxy = poly.bounds
    part = Part(
        index=0,
        outer=ring,
        inner=(),
        bbox_mm=(minx, miny, maxx, maxy),
        min_rect_mm=(r.long_mm, r.short_mm),
        net_area_mm2=float(poly.area),
        cut_length_mm=float(poly.exterior.length),
        pierce_count=1,
    )
    return shape_of(part)


def normalised(poly: Polygon, size_mm: float = 100.0) -> Polygon:
    """Centred, principal axis along x, RMS radius `size_mm` / 2."""
    poly = affinity.translate(poly, -poly.centroid.x, -poly.centroid.y)
    pts = np.asarray(poly.exterior.coords)
    cov = np.cov(pts.T)
    w, v = np.linalg.eigh(cov)
    angle = math.degrees(math.atan2(v[1, 1], v[0, 1]))
    poly = affinity.rotate(poly, -angle, origin=(0, 0))
    rms = math.sqrt(float((np.asarray(poly.exterior.coords) ** 2).sum(axis=1).mean()))
    return affinity.scale(poly, size_mm / 2 / rms, size_mm / 2 / rms, origin=(0, 0))


def dense(poly: Polygon, n: int = 400) -> Polygon:
    return Polygon(poly.exterior.segmentize(poly.exterior.length / n).coords)


# --- non-rigid changes (on a normalised outline, RMS radius 50) -----------------------


def bent(poly: Polygon, rng: random.Random) -> Polygon:
    """Curved along the long axis: y += b·x²/L."""
    p = dense(poly)
    minx, _, maxx, _ = p.bounds
    half = max(abs(minx), abs(maxx))
    b = rng.choice([-1, 1]) * rng.uniform(0.08, 0.25)
    pts = np.asarray(p.exterior.coords)
    pts[:, 1] += b * pts[:, 0] ** 2 / half
    return largest(Polygon(pts).buffer(0))


def stretched(poly: Polygon, rng: random.Random) -> Polygon:
    f = rng.uniform(1.1, 1.4)
    return (
        affinity.scale(poly, f, 1.0, origin=(0, 0))
        if rng.random() < 0.5
        else (affinity.scale(poly, 1.0, f, origin=(0, 0)))
    )


def _boundary_point(poly: Polygon, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """A random point on the contour and the outward normal there."""
    ring = poly.exterior
    t = rng.random() * ring.length
    a = np.asarray(ring.interpolate(t).coords[0])
    b = np.asarray(ring.interpolate((t + 0.5) % ring.length).coords[0])
    tangent = (b - a) / max(float(np.hypot(*(b - a))), 1e-9)
    normal = np.array([tangent[1], -tangent[0]])  # right of a CCW contour: outward
    return a, normal


def _tab(centre: np.ndarray, normal: np.ndarray, width: float, depth: float) -> Polygon:
    tangent = np.array([-normal[1], normal[0]])
    corners = [
        centre - tangent * width / 2 - normal * depth,
        centre + tangent * width / 2 - normal * depth,
        centre + tangent * width / 2 + normal * depth,
        centre - tangent * width / 2 + normal * depth,
    ]
    return Polygon(corners)


def notched(poly: Polygon, rng: random.Random) -> Polygon:
    p, n = _boundary_point(poly, rng)
    if rng.random() < 0.5:
        cut = _tab(p, n, rng.uniform(5, 14), rng.uniform(4, 10))
    else:
        w = rng.uniform(6, 14)
        t = np.array([-n[1], n[0]])
        cut = Polygon([p + t * w / 2 + n, p - t * w / 2 + n, p - n * rng.uniform(5, 10)])
    return largest(poly.difference(cut))


def featured(poly: Polygon, rng: random.Random) -> Polygon:
    p, n = _boundary_point(poly, rng)
    return largest(poly.union(_tab(p, n, rng.uniform(5, 14), rng.uniform(4, 12))))


def bulged(poly: Polygon, rng: random.Random) -> Polygon:
    p = dense(poly)
    pts = np.asarray(p.exterior.coords)[:-1]
    tangent = np.roll(pts, -1, axis=0) - np.roll(pts, 1, axis=0)
    normal = np.column_stack([tangent[:, 1], -tangent[:, 0]])
    normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-9)[:, None]
    centre = pts[rng.randrange(len(pts))]
    d = np.hypot(*(pts - centre).T)
    amp = rng.choice([-1, 1]) * rng.uniform(3, 8)
    pts = pts + normal * (amp * np.exp(-((d / rng.uniform(8, 20)) ** 2)))[:, None]
    return largest(Polygon(pts).buffer(0))


def articulated(poly: Polygon, rng: random.Random) -> Polygon:
    """A protruding end (beyond a line across one extremity) turned about that line."""
    direction = rng.uniform(0, 2 * math.pi)
    d = np.array([math.cos(direction), math.sin(direction)])
    pts = np.asarray(poly.exterior.coords)
    proj = pts @ d
    lo, hi = float(proj.min()), float(proj.max())
    cut_at = hi - rng.uniform(0.15, 0.35) * (hi - lo)
    far = 4 * (hi - lo) + 10
    t = np.array([-d[1], d[0]])
    beyond = Polygon(
        [d * cut_at + t * far, d * cut_at - t * far, d * far - t * far, d * far + t * far]
    )
    end = poly.intersection(beyond)
    body = poly.difference(beyond)
    if end.is_empty or body.is_empty:
        return poly
    pivot = d * cut_at + t * float(np.asarray(end.centroid.coords[0]) @ t)
    turned = affinity.rotate(end, rng.choice([-1, 1]) * rng.uniform(8, 25), origin=tuple(pivot))
    return largest(body.union(turned.buffer(0.01)).buffer(0))


def noisy(poly: Polygon, rng: random.Random) -> Polygon:
    p = dense(poly, 300)
    pts = np.asarray(p.exterior.coords)[:-1]
    g = np.random.default_rng(rng.randrange(2**32))
    noise = g.normal(0.0, rng.uniform(0.3, 0.8), size=len(pts))
    noise = np.convolve(np.concatenate([noise[-2:], noise, noise[:2]]), np.ones(5) / 5, "valid")
    tangent = np.roll(pts, -1, axis=0) - np.roll(pts, 1, axis=0)
    normal = np.column_stack([tangent[:, 1], -tangent[:, 0]])
    normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-9)[:, None]
    return largest(Polygon(pts + normal * noise[:, None]).buffer(0))


NON_RIGID: list[Callable[[Polygon, random.Random], Polygon]] = [
    bent,
    stretched,
    notched,
    featured,
    bulged,
    articulated,
]


def rigid(poly: Polygon, rng: random.Random) -> Polygon:
    poly = affinity.rotate(poly, rng.uniform(0, 360), origin=(0, 0))
    if rng.random() < 0.5:
        poly = affinity.scale(poly, -1.0, 1.0, origin=(0, 0))
    f = math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
    poly = affinity.scale(poly, f, f, origin=(0, 0))
    return affinity.translate(poly, rng.uniform(-500, 500), rng.uniform(-500, 500))


def variant(base: Polygon, rng: random.Random) -> Polygon:
    poly = base
    for change in rng.sample(NON_RIGID, rng.choice([2, 2, 3])):
        try:
            poly = change(poly, rng)
        except ValueError:
            pass
    if rng.random() < 0.5:
        poly = noisy(poly, rng)
    return orient(rigid(largest(poly.buffer(0)), rng), sign=1.0)


# --- the sets ------------------------------------------------------------------------


def corpus_outlines(limit: int, rng: random.Random) -> list[Polygon]:
    """Distinct non-rectangular outer outlines of real parts, normalised."""
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    rows = list(csv.DictReader(open(DXF / "inventory.csv", encoding="utf-8")))
    found: list[Polygon] = []
    keys: list[np.ndarray] = []
    for row in rows:
        if row["manual_class"] not in CLASSES_WITH_PARTS:
            continue
        try:
            analysis = analyze_file(DXF / row["repo"] / row["path"])
        except CadError:
            continue
        for part in analysis.parts:
            poly = Polygon(part.outer)
            if not poly.is_valid or poly.area <= 0:
                continue
            rect = poly.area / max(part.min_rect_mm[0] * part.min_rect_mm[1], 1e-9)
            simple = poly.simplify(0.01 * math.sqrt(poly.area))
            if rect > 0.93 or len(simple.exterior.coords) < 7:
                continue  # a rectangle or a disc: a class of those is not a shape
            poly = normalised(largest(poly))
            # One class per outline: drop scaled copies and size series (a key of
            # scale-free numbers close to one already taken).
            key = np.array(
                [
                    4 * math.pi * poly.area / poly.length**2,
                    rect,
                    part.min_rect_mm[1] / part.min_rect_mm[0],
                    poly.area / poly.convex_hull.area,
                ]
            )
            if any(np.abs(key - k).max() < 0.04 for k in keys):
                continue
            # Nor two outlines that overlap well once both lie along their principal
            # axes (two U-brackets of one design from two printers are one class).
            if any(overlaps(poly, other) for other in found):
                continue
            keys.append(key)
            found.append(poly)
    rng.shuffle(found)
    return found[:limit]


def overlaps(a: Polygon, b: Polygon, at_least: float = 0.7) -> bool:
    """Whether two normalised outlines overlap by `at_least` (IoU) when turned in
    steps of 15° and mirrored or not (a method-neutral test for "the same design")."""
    for mirror in (1, -1):
        image = affinity.scale(b, mirror, 1, origin=(0, 0))
        for angle in range(0, 360, 15):
            turned = affinity.rotate(image, angle, origin=(0, 0))
            union = a.union(turned).area
            if union > 0 and a.intersection(turned).area / union >= at_least:
                return True
    return False


def creature_template(rng: random.Random) -> dict:
    limbs = []
    for _ in range(rng.randint(1, 3)):
        limb = {
            "at": rng.uniform(0, 2 * math.pi),
            "angle": rng.uniform(-40, 40),
            "length": rng.uniform(25, 70),
            "width": rng.uniform(4, 12),
            "joint": rng.uniform(-70, 70) if rng.random() < 0.5 else None,
        }
        limbs.append(limb)
        if rng.random() < 0.6:  # a pair, as animals have: mirrored about the body's axis
            limbs.append(
                {
                    **limb,
                    "at": -limb["at"],
                    "angle": -limb["angle"],
                    "joint": -limb["joint"] if limb["joint"] is not None else None,
                }
            )
    return {
        "a": rng.uniform(30, 60),
        "b": rng.uniform(10, 35),
        "head": rng.uniform(8, 18) if rng.random() < 0.6 else None,
        "neck": rng.uniform(-30, 30),
        "limbs": limbs,
    }


def creature(t: dict, rng: random.Random, vary: float = 1.0) -> Polygon:
    a = t["a"] * rng.uniform(1 - 0.1 * vary, 1 + 0.1 * vary)
    b = t["b"] * rng.uniform(1 - 0.1 * vary, 1 + 0.1 * vary)
    body = affinity.scale(Point(0, 0).buffer(1.0, 32), a, b)
    parts = [body]
    if t["head"] is not None:
        neck = math.radians(t["neck"] + rng.uniform(-20, 20) * vary)
        r = t["head"] * rng.uniform(1 - 0.15 * vary, 1 + 0.15 * vary)
        centre = (a + 0.6 * r) * np.array([math.cos(neck), math.sin(neck)])
        parts.append(Point(*centre).buffer(r, 24))
        parts.append(LineString([(0, 0), tuple(centre)]).buffer(0.6 * r))
    for limb in t["limbs"]:
        at = limb["at"] + rng.uniform(-0.1, 0.1) * vary
        root = np.array([a * math.cos(at), b * math.sin(at)])
        normal = np.array([b * math.cos(at), a * math.sin(at)])
        normal /= np.hypot(*normal)
        heading = math.atan2(normal[1], normal[0]) + math.radians(
            limb["angle"] + rng.uniform(-25, 25) * vary
        )
        length = limb["length"] * rng.uniform(1 - 0.15 * vary, 1 + 0.15 * vary)
        width = limb["width"] * rng.uniform(1 - 0.2 * vary, 1 + 0.2 * vary)
        start = root - 0.3 * length * np.array([math.cos(heading), math.sin(heading)])
        pts = [tuple(start)]
        if limb["joint"] is None:
            pts.append(tuple(root + length * np.array([math.cos(heading), math.sin(heading)])))
        else:
            knee = root + 0.55 * length * np.array([math.cos(heading), math.sin(heading)])
            h2 = heading + math.radians(limb["joint"] + rng.uniform(-30, 30) * vary)
            pts += [
                tuple(knee),
                tuple(knee + 0.5 * length * np.array([math.cos(h2), math.sin(h2)])),
            ]
        parts.append(LineString(pts).buffer(width / 2, 8))
    shape = parts[0]
    for p in parts[1:]:
        shape = shape.union(p)
    return largest(shape)


def blob_template(rng: random.Random) -> dict:
    k = rng.randint(2, 6)
    return {
        "harmonics": [
            (h, rng.uniform(0.05, 0.3) / math.sqrt(h - 1), rng.uniform(0, 2 * math.pi))
            for h in rng.sample(range(2, 8), k)
        ],
        "bumps": [
            (rng.uniform(0, 2 * math.pi), rng.uniform(0.15, 0.4), rng.uniform(0.1, 0.3))
            for _ in range(rng.randint(0, 3))
        ],
    }


def blob(t: dict, rng: random.Random) -> Polygon:
    theta = np.linspace(0, 2 * math.pi, 360, endpoint=False)
    r = np.ones_like(theta)
    for h, amp, phase in t["harmonics"]:
        r += amp * rng.uniform(0.8, 1.2) * np.cos(h * theta + phase + rng.uniform(-0.15, 0.15))
    for at, height, width in t["bumps"]:
        d = np.angle(np.exp(1j * (theta - at - rng.uniform(-0.1, 0.1))))
        r += height * rng.uniform(0.7, 1.3) * np.exp(-((d / width) ** 2))
    r = np.maximum(r, 0.15)
    poly = largest(Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]) * 50).buffer(0))
    for change in rng.sample([bent, stretched, bulged], rng.choice([1, 2])):
        poly = change(poly, rng)
    return poly


def traced(poly: Polygon, pixels: int) -> Polygon:
    """The outline as a bitmap's traced edge: the silhouette benchmarks are images, so
    their outlines are staircases of pixel edges. Points every 0.3 pixel along the
    outline, each snapped to the pixel grid (the larger side `pixels` across), and a
    corner put in wherever a step moves both ways, so every edge runs along x or y."""
    minx, miny, maxx, maxy = poly.bounds
    px = max(maxx - minx, maxy - miny) / pixels
    snapped = np.round(np.asarray(poly.exterior.segmentize(0.3 * px).coords) / px)
    ring = [snapped[0]]
    for q in snapped[1:]:
        a = ring[-1]
        if (q == a).all():
            continue
        if q[0] != a[0] and q[1] != a[1]:
            ring.append(np.array([q[0], a[1]]))
        ring.append(q)
    return orient(largest(Polygon(np.array(ring) * px).buffer(0)), sign=1.0)


def make_sets(classes: int, members: int, seed: int) -> dict[str, list[tuple[int, Polygon]]]:
    rng = random.Random(seed)
    sets: dict[str, list[tuple[int, Polygon]]] = {}
    bases = corpus_outlines(classes, random.Random(seed))
    sets["corpus"] = [(c, variant(b, rng)) for c, b in enumerate(bases) for _ in range(members)]
    templates = [creature_template(rng) for _ in range(classes)]
    sets["creatures"] = [
        (c, orient(rigid(normalised(creature(t, rng)), rng), sign=1.0))
        for c, t in enumerate(templates)
        for _ in range(members)
    ]
    blobs = [blob_template(rng) for _ in range(classes)]
    sets["blobs"] = [
        (c, orient(rigid(normalised(blob(t, rng)), rng), sign=1.0))
        for c, t in enumerate(blobs)
        for _ in range(members)
    ]
    return sets


# --- rankings ------------------------------------------------------------------------


def crude_rankings(shapes: list[Shape]) -> list[list[int]]:
    f = np.array(
        [
            [4 * math.pi * s.outer_area_mm2 / s.perimeter_mm**2, s.rect_mm[1] / s.rect_mm[0]]
            for s in shapes
        ]
    )
    d = np.hypot(f[:, None, 0] - f[None, :, 0], f[:, None, 1] - f[None, :, 1])
    return [list(np.argsort(row, kind="stable")) for row in d]


def first_stage_rankings(index: Index, shapes: list[Shape], k: int) -> list[list[int]]:
    return [list(index.first.search(describe(s), k, any_size=True)[0]) for s in shapes]


def full_rankings(
    index: Index, shapes: list[Shape], k: int, any_size: bool, with_graded: bool = True
) -> tuple[list[list[int]], list[float]]:
    """Index.query's answers; without `with_graded`, as before graded.py (every
    candidate counts as a near-exact fit, so the exact score alone orders)."""
    saved = graded.NEAR_EXACT
    graded.NEAR_EXACT = saved if with_graded else -1.0
    out, times = [], []
    for s in shapes:
        t0 = time.perf_counter()
        results = index.query(s, k=k, any_size=any_size)
        times.append(time.perf_counter() - t0)
        out.append([r.index for r in results])
    graded.NEAR_EXACT = saved
    return out, times


def graded_rankings(index: Index) -> list[list[int]]:
    cands = [index.candidate(i) for i in range(len(index.entries))]
    return [
        list(np.argsort(graded.distances(c.graded, cands_g), kind="stable"))
        for c, cands_g in ((c, [x.graded for x in cands]) for c in cands)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", type=int, default=20, help="classes per set")
    parser.add_argument("--members", type=int, default=10, help="outlines per class")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--sets", default="corpus,creatures,blobs")
    parser.add_argument("--no-same-size", action="store_true", help="skip the same-size run")
    parser.add_argument("--graded-only", action="store_true", help="also rank by graded alone")
    parser.add_argument("--save", type=Path, help="write the outlines (npz) to look at")
    parser.add_argument(
        "--pixels",
        type=int,
        default=0,
        help="trace every outline as a bitmap this many pixels across (staircase edges)",
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    sets = make_sets(args.classes, args.members, args.seed)
    if args.pixels:
        sets = {
            name: [(c, traced(p, args.pixels)) for c, p in items] for name, items in sets.items()
        }
    print(f"sets made in {time.perf_counter() - t0:.1f} s")
    columns = ["crude", "first stage", "exact any size", "full any size"]
    if not args.no_same_size:
        columns += ["exact same size", "full same size"]
    if args.graded_only:
        columns.append("graded only")
    scores: dict[str, dict[str, float]] = {}
    times: list[float] = []
    exact_times: list[float] = []
    for name in args.sets.split(","):
        items = sets[name]
        labels = [c for c, _ in items]
        shapes = [silhouette_shape(p) for _, p in items]
        if args.save:
            np.savez(
                args.save.with_name(f"{args.save.stem}_{name}.npz"),
                **{
                    f"{c}_{i}": s.polygon
                    for i, (c, s) in enumerate(zip(labels, shapes, strict=True))
                },
            )
        index = build(
            (f"{name}/{c}/{i}", 0, s) for i, (c, s) in enumerate(zip(labels, shapes, strict=True))
        )
        k = 2 * args.members
        row = {
            "crude": graded.bulls_eye(labels, crude_rankings(shapes)),
            "first stage": graded.bulls_eye(labels, first_stage_rankings(index, shapes, k)),
        }
        for mode, any_size in (("any size", True), ("same size", False)):
            if args.no_same_size and not any_size:
                continue
            ranked, t = full_rankings(index, shapes, k, any_size, with_graded=False)
            exact_times += t
            row[f"exact {mode}"] = graded.bulls_eye(labels, ranked)
            ranked, t = full_rankings(index, shapes, k, any_size)
            times += t
            row[f"full {mode}"] = graded.bulls_eye(labels, ranked)
        if args.graded_only:
            row["graded only"] = graded.bulls_eye(labels, graded_rankings(index))
        # How many of a class the first stage's candidates hold: the re-rank's ceiling.
        cands = [set(index.first.search(describe(s), 200, any_size=True)[0]) for s in shapes]
        recall = statistics.fmean(
            sum(labels[j] == labels[i] for j in cands[i]) / args.members for i in range(len(shapes))
        )
        scores[name] = row
        print(
            f"{name:10} {len(shapes)} outlines, {len(set(labels))} classes: "
            + ", ".join(f"{c} {100 * row[c]:.1f} %" for c in columns)
            + f"; class members among 200 candidates {100 * recall:.1f} %"
        )
    print(f"\nbull's-eye %   {'':10}" + "".join(f"{c:>16}" for c in columns))
    for name, row in scores.items():
        print(f"               {name:10}" + "".join(f"{100 * row[c]:16.1f}" for c in columns))
    print(
        f"               {'mean':10}"
        + "".join(f"{100 * statistics.fmean(r[c] for r in scores.values()):16.1f}" for c in columns)
    )
    for what, t in (("exact re-rank only", exact_times), ("with graded order", times)):
        print(
            f"query, {what} (k = {2 * args.members}, ≤200 candidates): median "
            f"{1000 * statistics.median(t):.0f} ms, p90 {1000 * np.percentile(t, 90):.0f} ms"
        )
    print("(times indicative only: the machine is shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
