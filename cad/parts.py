"""Loops to parts: which loop is an outline, which a cut-out, which a note box; then
each part's features (holes, slots, radii, bends) and thickness-based checks."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import split
from shapely.strtree import STRtree

from . import tolerances as tol
from .chain import Loop
from .extract import Style, TextItem
from .findings import finding
from .model import Bend, Edge, Finding, Hole, Part, Slot
from .rect import hulls, min_rect


@dataclass
class _Node:
    loop: Loop
    poly: Polygon
    area: float
    parent: int | None = None
    depth: int = 0


def _polygons(rings: list[np.ndarray]) -> list[Polygon]:
    """[Polygon(ring) for ring in rings], with two shapely calls for all of them: the
    same rings from the same coordinates (GEOS closes an open one alike either way),
    without a constructor's checks per polygon, which on a sheet of a thousand
    outlines cost more than GEOS's own work. Rings of fewer than four points, which
    Polygon pads or refuses in its own way, are left to it."""
    whole = [k for k, ring in enumerate(rings) if len(ring) >= 4]
    out = [Polygon(ring) if len(ring) < 4 else None for ring in rings]
    if whole:
        coords = np.concatenate([rings[k] for k in whole])
        which = np.repeat(np.arange(len(whole)), [len(rings[k]) for k in whole])
        made = shapely.polygons(shapely.linearrings(coords, indices=which)).tolist()
        for k, poly in zip(whole, made, strict=True):
            out[k] = poly
    return out  # type: ignore[return-value]


def _made_valid(poly: Polygon) -> Polygon:
    """The largest polygon of an invalid one made valid (empty when there is none)."""
    fixed = shapely.make_valid(poly)
    polys = [g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon)]
    return max(polys, key=lambda g: g.area) if polys else Polygon()


def is_rectangle(loop: Loop) -> bool:
    pts = loop.pts[:-1]
    if not all(e.kind == "line" for e in loop.edges):
        return False
    # Collapse collinear vertices, then ask for four right angles.
    corners = []
    n = len(pts)
    for i in range(n):
        a, b, c = pts[i - 1], pts[i], pts[(i + 1) % n]
        u, v = b - a, c - b
        cross = u[0] * v[1] - u[1] * v[0]
        if abs(cross) > 1e-6 * (np.hypot(*u) * np.hypot(*v) + 1e-12):
            corners.append((u, v))
    if len(corners) != 4:
        return False
    return all(abs(np.dot(u, v)) < 1e-3 * np.hypot(*u) * np.hypot(*v) for u, v in corners)


def nest(loops: list[Loop]) -> tuple[list[_Node], list[Finding]]:
    findings: list[Finding] = []
    # GEOS's checks, areas and probe points asked for all the loops in one call each: the
    # same functions on the same polygons as one call per loop, which on a sheet of a
    # thousand small cut-outs cost more than GEOS's own work.
    made = _polygons([loop.pts for loop in loops])
    valid = shapely.is_valid(made).tolist()
    polys = [poly if ok else _made_valid(poly) for poly, ok in zip(made, valid, strict=True)]
    empty = shapely.is_empty(polys).tolist()
    areas = shapely.area(polys).tolist()
    nodes = []
    for loop, poly, ok, is_empty, area in zip(loops, polys, valid, empty, areas, strict=True):
        if is_empty or area <= 0:
            continue
        if not ok:
            findings.append(finding("SELF_INTERSECTION", location=tuple(loop.pts[0])))
        nodes.append(_Node(loop, poly, area))
    nodes.sort(key=lambda n: -n.area)
    # Smallest enclosing loop of each loop: only loops whose box holds its probe point are
    # candidates (an R-tree query), and of those, the smallest (the latest in the order
    # by area) that is larger and holds the probe point.
    node_polys = np.array([n.poly for n in nodes], dtype=object)
    tree = STRtree(node_polys)
    probes = shapely.point_on_surface(node_polys)
    inner, outer = tree.query(probes) if len(nodes) else (np.zeros(0, int), np.zeros(0, int))
    node_areas = np.array([n.area for n in nodes], dtype=float)
    maybe = (outer < inner) & (node_areas[outer] > node_areas[inner])
    inner, outer = inner[maybe], outer[maybe]
    holds = shapely.contains(node_polys[outer], probes[inner])
    parent = np.full(len(nodes), -1)
    np.maximum.at(parent, inner[holds], outer[holds])
    for node, j in zip(nodes, parent.tolist(), strict=True):
        node.parent = None if j < 0 else j
    for node in nodes:  # parents come earlier in the list, so depths fill in one pass
        node.depth = 0 if node.parent is None else nodes[node.parent].depth + 1
    return nodes, findings


def drop_note_boxes(nodes: list[_Node], texts: list[TextItem]) -> list[_Node]:
    """Title-block cells and drawing frames are closed rectangles around text, not parts."""
    points = [Point(t.x, t.y) for t in texts]
    if not points:
        return nodes
    boxes: set[int] = set()
    for i, node in enumerate(nodes):
        if not is_rectangle(node.loop):
            continue
        children = [nodes[k].poly for k in range(len(nodes)) if nodes[k].parent == i]
        for p in points:
            if node.poly.contains(p) and not any(c.contains(p) for c in children):
                boxes.add(i)
                break
    # A rectangle that encloses note boxes (the frame around the title block) is one too.
    changed = True
    while changed:
        changed = False
        for i, node in enumerate(nodes):
            if i in boxes or not is_rectangle(node.loop):
                continue
            if any(nodes[k].parent == i and k in boxes for k in range(len(nodes))):
                boxes.add(i)
                changed = True
    if not boxes:
        return nodes
    kept = [n for k, n in enumerate(nodes) if k not in boxes]
    return nest([n.loop for n in kept])[0]


def round_hole(loop: Loop) -> Hole | None:
    edges = loop.edges
    if len(edges) == 1 and edges[0].kind == "circle":
        e = edges[0]
        assert e.radius_mm is not None and e.center is not None  # circles always carry both
        return Hole(2 * e.radius_mm, (float(e.center[0]), float(e.center[1])), "circle")
    if all(e.kind == "arc" for e in edges):
        centers = np.array([e.center for e in edges])
        radii = np.array([e.radius_mm for e in edges])
        if np.ptp(centers, axis=0).max() < tol.JOIN_MM and np.ptp(radii) < tol.JOIN_MM:
            cx, cy = centers.mean(axis=0)
            return Hole(2 * float(radii.mean()), (float(cx), float(cy)), "circle")
    pts = loop.pts[:-1]
    if len(pts) >= 8 and all(e.kind == "line" for e in edges):
        c = pts.mean(axis=0)
        r = np.hypot(*(pts - c).T)
        if r.mean() > 0 and np.ptp(r) / r.mean() < tol.ROUND_POLYGON_REL:
            return Hole(2 * float(r.mean()), (float(c[0]), float(c[1])), "polygon")
    return None


def slot(loop: Loop) -> Slot | None:
    arcs = [e for e in loop.edges if e.kind == "arc"]
    lines = [e for e in loop.edges if e.kind == "line"]
    if len(arcs) != 2 or len(lines) != 2 or len(loop.edges) != 4:
        return None
    r1, r2 = arcs[0].radius_mm or 0.0, arcs[1].radius_mm or 0.0
    if r1 <= 0 or abs(r1 - r2) > tol.JOIN_MM:
        return None
    if any(abs(e.length_mm / r1 - math.pi) > 0.01 for e in arcs):  # two half circles
        return None
    c1, c2 = np.array(arcs[0].center), np.array(arcs[1].center)
    mx, my = (c1 + c2) / 2
    return Slot(2 * r1, float(np.hypot(*(c2 - c1))) + 2 * r1, (float(mx), float(my)))


def _inside_radii(loops: list[Loop], material: Polygon | Callable[[], Polygon]) -> list[float]:
    """The radii of the arcs of `loops` whose centres lie outside the material: inside
    corners. `material`, or a function making it: most parts have no arc, and then
    their polygon with holes is not made."""
    arcs = [
        e
        for loop in loops
        if len(loop.edges) != 1  # a round hole is a hole, not a corner
        for e in loop.edges
        if e.kind == "arc" and e.center is not None and e.radius_mm is not None
    ]
    if not arcs:
        return []
    # material.contains(Point(centre)) of each, as one call: the same GEOS predicate on
    # the same points (the polygon is not prepared either way), without a Point object
    # and a call per arc (a plate of a few hundred rounded cut-outs has a thousand).
    centres = shapely.points(np.array([e.center for e in arcs], dtype=float).reshape(-1, 2))
    if not isinstance(material, Polygon):
        material = material()
    held = shapely.contains(material, centres).tolist()
    return [e.radius_mm for e, inside in zip(arcs, held, strict=True) if not inside]  # type: ignore[misc]


# `_smallest_feature` lowers each cut-out's bound by this share of its box diagonal: far
# beyond the float noise of an area, a box or a rectangle's sides (~1e-13 of the size).
FEATURE_BOUND_MARGIN = 1e-9


def _smallest_feature(sizes: list[float], cutouts: list[Polygon]) -> float | None:
    """The least of `sizes` and of the short sides of the cut-outs' minimum rectangles
    (None when there are neither). Neither side of a rectangle around a shape is longer
    than the shape's box diagonal, so its short side is at least area / diagonal: a
    cut-out whose bound lies above the least size found cannot be the least, and its
    rectangle (the costly part of a sheet of a few hundred curved cut-outs) is left
    uncomputed. Cut-outs are tried from the lowest bound up."""
    if not sizes and not cutouts:
        return None
    least = min(sizes, default=math.inf)
    # Each cut-out's box and area asked of GEOS in one call each (the same functions on
    # the same polygons as poly.bounds and poly.area one by one, cheaper on a part with
    # hundreds); the bound itself in Python floats, as it was.
    boxes = shapely.bounds(cutouts).tolist() if cutouts else []
    areas = shapely.area(cutouts).tolist() if cutouts else []
    bounds = []
    for (minx, miny, maxx, maxy), area in zip(boxes, areas, strict=True):
        diagonal = math.hypot(maxx - minx, maxy - miny)  # > 0: nest keeps loops with area
        bounds.append(area / diagonal - FEATURE_BOUND_MARGIN * diagonal)
    for k in sorted(range(len(cutouts)), key=bounds.__getitem__):
        if bounds[k] > least:
            break
        # A rectangle of a few hundred hull points costs ~10 times a width bound: a
        # cut-out whose narrowest width lies above the least size found is skipped. A
        # skipped short side is above `least`, so `least` takes the values it would.
        # (Nothing lies above no size found yet: the first cut-out of a part without
        # holes is measured.)
        if (
            least < math.inf
            and len(cutouts[k].exterior.coords) >= WIDTH_BOUND_MIN_POINTS
            and _width_bound(cutouts[k], boxes[k]) > least
        ):
            continue
        least = min(least, min_rect(cutouts[k]).short_mm)
    return least


# `_width_bound` for outlines of this many points or more: for fewer, min_rect's products
# are smaller than the bound's own.
WIDTH_BOUND_MIN_POINTS = 64
# Widths are measured across this many directions, evenly spread over half a turn.
WIDTH_DIRECTIONS = 64
_DIRECTIONS = np.array(
    [
        (math.cos(math.pi * k / WIDTH_DIRECTIONS), math.sin(math.pi * k / WIDTH_DIRECTIONS))
        for k in range(WIDTH_DIRECTIONS)
    ]
)


def _width_bound(poly: Polygon, box: tuple[float, float, float, float]) -> float:
    """A lower bound of the narrowest width of `poly` (in any direction), and so of its
    minimum rectangle's short side (a rectangle's side is the width across it), with
    room for min_rect's float noise. `box`: poly.bounds.

    The widths w(u) across the sampled directions u bound the others: every direction
    u' lies within d = π / (2 · WIDTH_DIRECTIONS) of one, and for points within R of a
    centre c, (p − c)·u' ≥ (p − c)·u · cos d − R · sin d, so that on both sides
    w(u') ≥ w(u) · cos d − 2R · sin d. R: half the box's diagonal, about its middle."""
    minx, miny, maxx, maxy = box
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    radius = math.hypot(maxx - minx, maxy - miny) / 2
    # every point of the polygon (its holes' lie inside its outline), about the box's
    # middle, along each direction: a row per direction
    along = _DIRECTIONS @ (shapely.get_coordinates(poly) - (cx, cy)).T
    widths = np.maximum.reduce(along, axis=1) - np.minimum.reduce(along, axis=1)
    d = math.pi / (2 * WIDTH_DIRECTIONS)
    least = float(widths.min()) * math.cos(d) - 2 * radius * math.sin(d)
    # float noise of the products here and in min_rect: ~1e-15 of the size, far below
    return least - FEATURE_BOUND_MARGIN * 2 * radius


def build_parts(nodes: list[_Node], thickness_mm: float | None) -> tuple[list[Part], list[Finding]]:
    findings: list[Finding] = []
    parts: list[Part] = []
    outers = [i for i, n in enumerate(nodes) if n.depth % 2 == 0]
    children: dict[int, list[_Node]] = {}
    for n in nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n)
    # The outlines' hulls (for their rectangles) and boxes, asked of GEOS in a few calls
    # for all: the same as one call each per part.
    outer_polys = [nodes[i].poly for i in outers]
    outer_hulls = hulls(outer_polys)
    outer_boxes = shapely.bounds(outer_polys).tolist() if outers else []
    for i, hull, box in zip(outers, outer_hulls, outer_boxes, strict=True):
        node = nodes[i]
        if node.depth >= 2:
            findings.append(finding("FLOATING_ISLAND", location=tuple(node.loop.pts[0])))
        hole_nodes = children.get(i, [])
        outer_poly = node.poly

        def material(outer: Polygon = outer_poly, holes: list[_Node] = hole_nodes) -> Polygon:
            # The rings themselves, not their coordinates: shapely takes a LinearRing as
            # it is, the same ring its coordinates would make again, without the round trip.
            return Polygon(outer.exterior, [h.poly.exterior for h in holes])

        holes, slots, cutouts = [], [], []
        for h in hole_nodes:
            rh = round_hole(h.loop)
            if rh:
                holes.append(rh)
                continue
            s = slot(h.loop)
            if s:
                slots.append(s)
                continue
            cutouts.append(h.poly)
        rect = min_rect(outer_poly, hull)
        sides = (rect.long_mm, rect.short_mm)
        minx, miny, maxx, maxy = box
        inside = _inside_radii([node.loop] + [h.loop for h in hole_nodes], material)
        part = Part(
            index=len(parts),
            outer=node.loop.pts,
            inner=tuple(h.loop.pts for h in hole_nodes),
            bbox_mm=(minx, miny, maxx, maxy),
            min_rect_mm=(sides[0], sides[1]),
            net_area_mm2=node.loop.exact_area_mm2()
            - sum(h.loop.exact_area_mm2() for h in hole_nodes),
            cut_length_mm=float(node.loop.length_mm + sum(h.loop.length_mm for h in hole_nodes)),
            pierce_count=1 + len(hole_nodes),
            holes=tuple(sorted(holes, key=lambda h: (h.diameter_mm, h.center))),
            slots=tuple(slots),
            min_inside_radius_mm=min(inside) if inside else None,
            segments=tuple(
                (e.kind, e.length_mm, e.radius_mm or 0.0)
                for loop in [node.loop] + [h.loop for h in hole_nodes]
                for e in loop.edges
            ),
            smallest_feature_mm=_smallest_feature(
                [h.diameter_mm for h in holes] + [s.width_mm for s in slots], cutouts
            ),
        )
        parts.append(part)
        if thickness_mm:
            findings += thickness_checks(part, outer_poly, thickness_mm)
    if len(parts) > 1:
        findings.append(finding("SEVERAL_PARTS", len(parts)))
    return parts, findings


def thickness_checks(part: Part, outer: Polygon, t: float) -> list[Finding]:
    """Rules of thumb from fabricators' guides (QUOTING.md): hole ≥ 0.5·t on a laser (warn
    below 1.0·t), hole-to-edge ≥ t."""
    out = []
    boundary = outer.exterior
    for h in part.holes:
        if h.diameter_mm < 0.5 * t:
            out.append(finding("HOLE_TOO_SMALL", h.diameter_mm, h.center))
        elif h.diameter_mm < t:
            out.append(finding("HOLE_SMALL", h.diameter_mm, h.center))
        edge_gap = boundary.distance(Point(h.center)) - h.diameter_mm / 2
        if edge_gap < t:
            out.append(finding("HOLE_NEAR_EDGE", edge_gap, h.center))
    return out


# QUOTING.md, "Manufacturability rules of thumb": hole to bend ≥ 2·t + inside radius;
# minimum flange ≥ max(4·t, 0.7·V-die opening).
HOLE_TO_BEND_T = 2.0
MIN_FLANGE_T = 4.0
MIN_FLANGE_PER_VDIE = 0.7
# QUOTING.md: V-die opening 6t for t ≤ 2.5 mm, 8t for 3–8, 10t up to 12, 12t above, as
# (largest t in mm, opening in t). The table leaves 2.5–3 mm out; 8t is taken there.
VDIE_OPENING_T = ((2.5, 6.0), (8.0, 8.0), (12.0, 10.0), (math.inf, 12.0))
# A flat pattern does not say its inside bend radius and nothing else in the code assumes
# one; QUOTING.md's minimum (inside radius ≥ t) is taken, the least a brake can make.
INSIDE_RADIUS_T = 1.0


def vdie_opening_mm(t: float) -> float:
    return next(k for top, k in VDIE_OPENING_T if t <= top) * t


def bend_checks(part: Part, t: float) -> list[Finding]:
    """Rules of thumb for bent parts (QUOTING.md): a hole ≥ 2·t + inside radius from a
    bend line, each flange ≥ max(4·t, 0.7·V-die opening) deep."""
    bends = tuple(b for b in part.bends if b.length_mm > tol.TINY_MM)
    if not bends:
        return []
    out = []
    lines = [LineString([b.start, b.end]) for b in bends]
    hole_limit = HOLE_TO_BEND_T * t + INSIDE_RADIUS_T * t
    for h in part.holes:
        gap = min(line.distance(Point(h.center)) for line in lines) - h.diameter_mm / 2
        if gap < hole_limit:
            out.append(
                finding("HOLE_NEAR_BEND", max(gap, 0.0), h.center, limit=f"{hole_limit:.2f}")
            )
    flange_limit = max(MIN_FLANGE_T * t, MIN_FLANGE_PER_VDIE * vdie_opening_mm(t))
    for depth, where in flange_depths(Polygon(part.outer), bends):
        if depth < flange_limit:
            out.append(finding("FLANGE_TOO_SHORT", depth, where, limit=f"{flange_limit:.2f}"))
    return out


def flange_depths(
    outer: Polygon, bends: tuple[Bend, ...]
) -> list[tuple[float, tuple[float, float]]]:
    """The flat part cut along every bend line into faces; for each face beside a bend, how
    far it reaches from that bend line (the smallest over the bends it borders), and a
    point inside it. A bend line that does not run edge to edge borders no face."""
    if not outer.is_valid:
        return []  # a self-crossing outline is reported as such; its faces mean nothing
    cutters = [_lengthened(b) for b in bends]
    faces = [g for g in split(outer, MultiLineString(cutters)).geoms if isinstance(g, Polygon)]
    out = []
    for face in faces:
        ring = np.asarray(face.exterior.coords)
        depths = []
        for bend, cutter in zip(bends, cutters, strict=True):
            shared = face.exterior.intersection(cutter.buffer(tol.DUPLICATE_MM)).length
            if shared < 0.5 * bend.length_mm:
                continue
            a, b = np.asarray(bend.start), np.asarray(bend.end)
            d = (b - a) / np.hypot(*(b - a))
            rel = ring - a
            depths.append(float(np.abs(d[0] * rel[:, 1] - d[1] * rel[:, 0]).max()))
        if depths:
            inside = face.representative_point()
            out.append((min(depths), (inside.x, inside.y)))
    return out


def _lengthened(bend: Bend) -> LineString:
    """The bend line run on past both ends by the reach `assign_bends` allows, so that it
    crosses the outline it stops short of."""
    a, b = np.asarray(bend.start), np.asarray(bend.end)
    d = (b - a) / np.hypot(*(b - a))
    reach = 2 * max(tol.BEND_EDGE_MM, 0.005 * bend.length_mm)
    return LineString([a - reach * d, b + reach * d])


def assign_bends(
    parts: list[Part], candidates: list[tuple[Edge, str, float]]
) -> tuple[list[tuple[Bend, ...]], list[Finding], set[int]]:
    """Find for each part the bend candidates that run across it, edge to edge. Returns
    the bends of each part (in the order of `parts`), the findings and the ids of the
    edges taken as bends."""
    findings: list[Finding] = []
    taken: set[int] = set()
    if not parts:  # nothing to run across: each candidate's buffer would go unused
        return [], findings, taken
    if not candidates:  # nothing to look for: each part's polygon and the tree would go unused
        return [() for _ in parts], findings, taken
    found: list[list[Bend]] = [[] for _ in parts]
    polys = _polygons([p.outer for p in parts])
    grown: dict[tuple[int, float], Polygon] = {}  # buffering is costly: once per part and reach
    tree = STRtree(polys)
    for edge, why, confidence in candidates:
        line = LineString([edge.start, edge.end])
        reach = max(tol.BEND_EDGE_MM, 0.005 * edge.length_mm)
        for k in sorted(int(j) for j in tree.query(line.buffer(reach).envelope)):
            poly = polys[k]
            key = (k, round(reach, 3))
            if key not in grown:
                grown[key] = poly.buffer(reach)
            if not grown[key].contains(line):
                continue
            edge_to_edge = all(
                poly.exterior.distance(Point(p)) <= reach for p in (edge.start, edge.end)
            )
            if not edge_to_edge and why != "layer":
                continue
            c = confidence if edge_to_edge else confidence * 0.6
            reasons = (why,) + (
                ("edge to edge",) if edge_to_edge else ("does not reach both edges",)
            )
            found[k].append(Bend(edge.length_mm, tuple(edge.start), tuple(edge.end), c, reasons))
            taken.add(id(edge))
            break
    if any(b.confidence < 0.6 for bends in found for b in bends):
        findings.append(finding("BEND_UNCERTAIN"))
    return [tuple(bends) for bends in found], findings, taken


def bend_candidates(
    bend_layer: list[tuple[Edge, Style, str]],
    styled: list[tuple[Edge, Style]],
    leftovers: list[Edge],
    cut_styles: Counter,
) -> list[tuple[Edge, str, float]]:
    """Straight lines that may be bends, with how sure we are from how they are drawn."""
    out = []
    for edge, _style, _ in bend_layer:
        if edge.kind == "line":
            out.append((edge, "layer", 0.95))
    for edge, _style in styled:
        out.append((edge, "linetype", 0.75))
    main = cut_styles.most_common(1)[0][0] if cut_styles else None
    for edge in leftovers:
        if edge.kind != "line":
            continue
        distinct = main is not None and (edge.layer, edge.color) != (main[0], main[2])
        out.append((edge, "colour/layer" if distinct else "open line", 0.5 if distinct else 0.3))
    return out
