"""Edges to closed loops: drop duplicates, merge overlaps, join ends, close small gaps.

Every repair is reported. Cut length is the sum of what remains, so a line drawn twice
(or two lines overlapping) is cut once.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely import STRtree

from . import tolerances as tol
from .findings import finding
from .model import Edge, Finding

# A drawing with hundreds of gaps gets the largest ones listed, not a wall of findings.
MAX_GAP_FINDINGS = 10


@dataclass
class Loop:
    edges: list[Edge]
    pts: np.ndarray  # closed polyline (first point repeated at the end)
    length_mm: float
    repaired_gap_mm: float = 0.0

    def exact_area_mm2(self) -> float:
        """Area on the true curves: the polygon through the edge ends, plus for each arc
        its circular segment (r²/2·(θ − sin θ)) on the side the arc bulges to."""
        first = self.edges[0]
        if len(self.edges) == 1 and first.kind == "circle" and first.radius_mm is not None:
            return math.pi * first.radius_mm**2
        # Both ends of every edge: where a gap was closed, an edge's end is not the next
        # one's start, and a polygon through the starts alone would cut the corner at
        # each gap on one walking direction and not on the other (a mirrored copy).
        # The same array as np.array of the ends listed one by one, a fraction of the
        # cost on an outline of hundreds of LINEs. A lone edge's polygon (p0, p1, p0)
        # has no area: its shoelace is a signed zero (each product has a zero factor, its
        # ends being finite), which adding the edge's own part and taking abs(…) leaves
        # no trace of. The lone edge taken so is a curve (an ellipse, a spline), whose
        # own shoelace runs through both its ends: NaN there makes both sums NaN alike.
        if len(self.edges) == 1 and first.kind == "curve":
            total = 0.0
        else:
            total = _shoelace(np.concatenate((_edge_ends(self.edges), first.pts[:1])))
        for e in self.edges:
            if e.kind == "line":
                continue
            if e.kind == "arc" and e.radius_mm:
                theta = e.length_mm / e.radius_mm
                exact = 0.5 * e.radius_mm**2 * (theta - math.sin(theta))
                # Only the side the arc bulges to is taken from its points: the sign of
                # its shoelace, which three of its points tell (see _arc_side).
                side = _arc_side(e)
                if side is None:
                    side = _shoelace(np.concatenate((e.pts, e.pts[:1])))  # closed by its chord
                total += math.copysign(exact, side)
            else:
                total += _shoelace(np.concatenate((e.pts, e.pts[:1])))
        return abs(total)


@dataclass
class Chained:
    loops: list[Loop]
    open_chains: list[list[Edge]]
    findings: list[Finding] = field(default_factory=list)


# `_arc_side` trusts three points of an arc when their triangle's area exceeds this share
# of (E + E²), E the points' largest coordinate difference: ten times what the float
# noise of the arc's points (≤ ~1e-8 mm up to MAX_COORD_MM, the 1e-9 mm snap included)
# and of the shoelace's sums (≤ n² · 2.2e-16 · E², n ≤ 4097 points) could take away.
ARC_SIDE_MARGIN = 1e-5


def _arc_side(arc: Edge) -> float | None:
    """The sign of the shoelace of an arc's points closed by its chord (±1.0), from its
    first, middle and last points, or None where they cannot tell it for certain.

    An arc's points (with a centre: as the extraction makes them, then scaled, moved,
    snapped or reversed, but no more than ~1e-8 mm off their curve) run one way round a
    convex curve; their polygon, closed by the chord, splits at the middle point into
    the triangle of the three points and two polygons turning the same way. So the
    polygon turns as the triangle does, unless the triangle is so flat (a tiny or
    nearly whole arc, or one of a few points on a huge radius) that the points' noise
    or the rounding of the shoelace could outweigh it; then the caller sums the
    shoelace itself. A shoelace of a few hundred points per arc costs more than the
    rest of a part's area on a plate of rounded cut-outs."""
    pts = arc.pts
    n = len(pts)
    if arc.center is None or n < 3:
        return None
    # ndarray.item per number: a fancy index and its list cost several times as much
    at, m = pts.item, n // 2
    x0, y0, xm, ym, xl, yl = at(0, 0), at(0, 1), at(m, 0), at(m, 1), at(n - 1, 0), at(n - 1, 1)
    ax, ay, bx, by = xm - x0, ym - y0, xl - x0, yl - y0
    cross = ax * by - ay * bx  # twice the triangle's signed area
    extent = max(abs(ax), abs(ay), abs(bx), abs(by))
    # NaN and infinities fail the comparison, and go the plain way.
    if abs(cross) > 2 * ARC_SIDE_MARGIN * (extent + extent * extent):
        return 1.0 if cross > 0 else -1.0
    return None


def _shoelace(pts: np.ndarray) -> float:
    # About the first point: far from the origin the products x·y are huge and cancel,
    # and a moved copy's area would differ in the 8th digit.
    x, y = (pts - pts[0]).T
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _mid(e: Edge) -> np.ndarray:
    return e.pts[len(e.pts) // 2] if len(e.pts) > 2 else (e.pts[0] + e.pts[-1]) / 2


def drop_duplicates(edges: list[Edge]) -> tuple[list[Edge], int]:
    """An edge drawn again (ends in either order, middle and length within DUPLICATE_MM)
    is cut once; the first drawn is kept. Compared pair by pair, not by rounding to a
    grid: a grid puts two copies 1e-9 mm apart on either side of a cell boundary as
    often as the drawing is moved or turned."""
    if len(edges) < 2:
        return edges, 0
    limit = tol.DUPLICATE_MM + tol.THRESHOLD_PAD_MM
    mids = np.array([_mid(e) for e in edges])
    dropped: set[int] = set()
    for i, j in sorted(cKDTree(mids).query_pairs(limit)):
        a, b = edges[i], edges[j]
        if j in dropped or (a.kind == "circle") != (b.kind == "circle"):
            continue
        if abs(a.length_mm - b.length_mm) > limit:
            continue
        same = max(math.dist(a.start, b.start), math.dist(a.end, b.end)) <= limit
        swapped = max(math.dist(a.start, b.end), math.dist(a.end, b.start)) <= limit
        if same or swapped:
            dropped.add(j)
    return [e for k, e in enumerate(edges) if k not in dropped], len(dropped)


def merge_overlapping_lines(edges: list[Edge]) -> tuple[list[Edge], float]:
    """Lines that lie on one line (each end within DUPLICATE_MM of the longer one's line)
    and overlap by more than JOIN_MM become one line over their union, in the place of
    the first drawn. Decided pair by pair: rounding directions and offsets to buckets,
    as this once did, let two lines 0.01 mm apart (a hole beside a rounded corner) merge
    or not depending on where the bucket edges fell in a moved or turned copy."""
    idx = [k for k, e in enumerate(edges) if e.kind == "line" and e.length_mm > 0]
    if len(idx) < 2:
        return edges, 0.0
    limit = tol.DUPLICATE_MM + tol.THRESHOLD_PAD_MM
    a = np.array([edges[k].start for k in idx])
    b = np.array([edges[k].end for k in idx])
    p, q, length, off, overlap = _line_pairs(a, b, limit)
    same = (off <= limit) & (overlap > tol.JOIN_MM + tol.THRESHOLD_PAD_MM)
    if not same.any():
        return edges, 0.0
    parent = list(range(len(idx)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(p[same], q[same], strict=True):
        ri, rj = find(int(i)), find(int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)  # the first drawn leads its group
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(idx)):
        groups[find(i)].append(i)
    out = list(edges)
    gone: set[int] = set()
    saved = 0.0
    for root, members in groups.items():
        if len(members) == 1:
            continue
        main = max(members, key=lambda i: (length[i], -i))
        d = (b[main] - a[main]) / length[main]
        pts = np.vstack([a[members], b[members]])
        proj = pts @ d
        s, e = pts[int(np.argmin(proj))], pts[int(np.argmax(proj))]
        first = edges[idx[root]]
        merged = Edge(
            "line", np.array([s, e]), float(np.hypot(*(e - s))), first.layer, color=first.color
        )
        saved += float(length[members].sum()) - merged.length_mm
        out[idx[root]] = merged
        gone.update(idx[i] for i in members if i != root)
    return [e for k, e in enumerate(out) if k not in gone], saved


# Chaining decides between near-equal gaps, overlaps and directions, and groups lines on
# grids; float noise must not decide those differently for the same part drawn elsewhere
# or with a frame around it. So each neighbourhood of edges (those within the repair gap
# of each other) is chained in its own frame, origin at its lowest corner, on a 1e-9 mm
# grid: a moved copy then has the very same numbers (a move's rounding noise is ~1e-12 mm
# at 5 m from the origin), and a frame or title block is another neighbourhood.
SNAP_MM = 1e-9


def chain(edges: list[Edge]) -> Chained:
    loops: list[Loop] = []
    open_chains: list[list[Edge]] = []
    gaps: list[Finding] = []
    tiny = dropped = 0
    saved = 0.0
    # Every edge's points in one array: boxes, origins and the snap are a few numpy calls
    # for the whole drawing rather than a few per edge (a sheet has thousands of LINEs).
    counts = [len(e.pts) for e in edges]
    first = np.cumsum([0, *counts[:-1]]) if edges else np.zeros(0, dtype=int)
    pts = np.concatenate([e.pts for e in edges]) if edges else np.zeros((0, 2))
    lo = np.minimum.reduceat(pts, first, axis=0) if edges else pts
    hi = np.maximum.reduceat(pts, first, axis=0) if edges else pts
    groups, label = _neighbourhoods(lo, hi)
    # each neighbourhood's lowest corner, and each edge's move into its frame
    origins = np.full((len(groups), 2), np.inf)
    np.minimum.at(origins, label, lo)
    shift = -origins[label]
    local = _snapped(pts, np.repeat(shift, counts, axis=0))
    checked = _may_overlap(edges, pts, first, np.array(counts, dtype=int), label)
    nodes = _group_nodes(edges, local, first, np.array(counts, dtype=int), label, checked)
    # Python ints for the slices, and an edge's move as a row only where it has a centre
    # to move (all `_moved` reads it for): numpy scalars and row views per edge cost
    # more than the rest of the move on a sheet of thousands of LINEs.
    starts = first.tolist()
    for g, (group, origin) in enumerate(zip(groups, origins, strict=True)):
        if len(group) == 1 and edges[group[0]].closed:  # a circle, an ellipse alone
            i = group[0]
            d = None if edges[i].center is None else shift[i]
            loops.append(_lone_loop(edges[i], local[starts[i] : starts[i] + counts[i]], d, origin))
            continue
        members = [
            _moved(
                edges[i],
                local[starts[i] : starts[i] + counts[i]],
                None if edges[i].center is None else shift[i],
            )
            for i in group
        ]
        here, found = _chain_here(members, g in checked, nodes.get(g))
        tiny, dropped, saved = tiny + found[0], dropped + found[1], saved + found[2]
        back = _all_moved([e for lp in here.loops for e in lp.edges], origin)
        for lp in here.loops:
            moved = [next(back) for _ in lp.edges]
            loops.append(Loop(moved, lp.pts + origin, lp.length_mm, lp.repaired_gap_mm))
        back = _all_moved([e for seq in here.open_chains for e in seq], origin)
        open_chains += [[next(back) for _ in seq] for seq in here.open_chains]
        gaps += [
            f
            if f.location is None
            else replace(
                f,
                location=(round(f.location[0] + origin[0], 3), round(f.location[1] + origin[1], 3)),
            )
            for f in here.findings
        ]
    findings: list[Finding] = []
    if tiny:
        findings.append(finding("ZERO_LENGTH", tiny))
    if dropped:
        findings.append(finding("DUPLICATE_SEGMENTS", dropped))
    if saved > tol.JOIN_MM:
        findings.append(finding("OVERLAPPING_SEGMENTS", saved))
    return Chained(loops, open_chains, findings + gaps)


def _snapped(pts: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """np.round((pts + shift) / SNAP_MM) * SNAP_MM, each step in place: the same numbers
    (np.round to no decimals is np.rint) without three more arrays the size of the
    drawing's points, each fresh from the system (a page fault per 4 KiB): a tenth of
    the time on a sheet of thousands of points."""
    local = pts + shift
    local /= SNAP_MM
    np.rint(local, out=local)
    local *= SNAP_MM
    return local


# `_may_overlap` looks for duplicates and overlaps on the drawing's own numbers, before
# each neighbourhood is moved and snapped (that moves a point by ≤ SNAP_MM, plus rounding
# noise ~1e-9 mm at the largest coordinates allowed): with this much room it finds every
# pair the exact checks could find, and a few more.
OVERLAP_SEARCH_ROOM_MM = 1e-6


def _may_overlap(
    edges: list[Edge], pts: np.ndarray, first: np.ndarray, counts: np.ndarray, label: np.ndarray
) -> set[int]:
    """The neighbourhoods (by `label`) holding a pair of edges that may be duplicates
    (`drop_duplicates`) or overlapping lines (`merge_overlapping_lines`), found for the
    whole drawing at once. On a sheet of a hundred holes drawn as LINEs, most have none,
    and checking each pair by pair costs more than reading the file."""
    if len(edges) < 2:
        return set()
    limit = tol.DUPLICATE_MM + tol.THRESHOLD_PAD_MM + OVERLAP_SEARCH_ROOM_MM
    # as _mid: the middle point of a polyline, the middle of a line's ends
    mids = np.where(
        (counts > 2)[:, None],
        pts[first + counts // 2],
        (pts[first] + pts[first + counts - 1]) / 2,
    )
    near = _tree(mids).query_pairs(limit, output_type="ndarray")
    # Then drop_duplicates' own tests of each pair, with the same room: two lines that
    # cross at their middles (a cross, an X mark) are near by their middles alone.
    in_group = label[near[:, 0]] == label[near[:, 1]]
    i, j = near[in_group, 0], near[in_group, 1]
    kind = np.array([edges[k].kind == "circle" for k in i.tolist()], dtype=bool)
    other = np.array([edges[k].kind == "circle" for k in j.tolist()], dtype=bool)
    length = np.array([edges[k].length_mm for k in i.tolist()], dtype=float)
    length -= np.array([edges[k].length_mm for k in j.tolist()], dtype=float)
    start, end = pts[first], pts[first + counts - 1]

    def apart(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.hypot(*(u - v).T)

    same = np.maximum(apart(start[i], start[j]), apart(end[i], end[j])) <= limit
    swapped = np.maximum(apart(start[i], end[j]), apart(end[i], start[j])) <= limit
    twin = (kind == other) & ~(np.abs(length) > limit) & (same | swapped)
    found = {int(g) for g in label[i[twin]]}
    lines = np.flatnonzero([e.kind == "line" and e.length_mm > 0 for e in edges])
    if len(lines) < 2:
        return found
    a, b = pts[first[lines]], pts[first[lines] + 1]
    p, q, _length, off, overlap = _line_pairs(a, b, limit, group=label[lines])
    maybe = (off <= limit) & (overlap > tol.JOIN_MM - OVERLAP_SEARCH_ROOM_MM)
    return found | {int(g) for g in label[lines[p[maybe]]]}


def _group_nodes(
    edges: list[Edge],
    local: np.ndarray,
    first: np.ndarray,
    counts: np.ndarray,
    label: np.ndarray,
    checked: set[int],
) -> dict[int, list[int]]:
    """`_nodes` of the open edges' ends of each neighbourhood (by `label`) not in
    `checked`, found for all of them at once: two k-d trees for the drawing rather than
    two per neighbourhood (a sheet of a thousand outlines has a thousand).

    Those neighbourhoods have no duplicates or overlaps to drop, so `_chain_here` keeps
    their edges as they come: their open edges are those neither closed nor tiny, in
    the drawing's order, and their ends the first and last of their points in the
    neighbourhood's frame (`local`). Each neighbourhood's ends are consecutive, so a
    node, the lowest end of its set, is the neighbourhood's first end plus the node
    `_nodes` finds for the neighbourhood alone."""
    closed = np.array([e.closed for e in edges], dtype=bool)
    # as `_chain_here`'s is_tiny; NaN lengths are not tiny either way
    tiny = ~closed & (np.array([e.length_mm for e in edges], dtype=float) < _TINY)
    keep = ~closed & ~tiny
    if checked:
        keep &= ~np.isin(label, list(checked))
    # the kept edges, by neighbourhood and, within one, in the drawing's order
    order = np.argsort(label, kind="stable")
    kept = order[keep[order]]
    if not len(kept):
        return {}
    rows = np.stack((first[kept], first[kept] + counts[kept] - 1), axis=1).ravel()
    group = np.repeat(label[kept], 2)
    node = _nodes(local[rows], group)
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    stops = np.append(starts[1:], len(group))
    return {
        g: [k - start for k in node[start:stop]]
        for g, start, stop in zip(
            group[starts].tolist(), starts.tolist(), stops.tolist(), strict=True
        )
    }


# `_chain_here`'s tiny edges: shorter than this and not closed.
_TINY = tol.TINY_MM - tol.THRESHOLD_PAD_MM


def _tree(points: np.ndarray) -> cKDTree:
    """A k-d tree for the pairs within a distance of the ends or middles of a whole
    drawing: split at the middle of each box rather than at the median point, and its
    boxes not shrunk to the points, it is built in about half the time. The pairs it
    finds are the same: each is decided by its own distance, whatever the tree's shape
    (and the order they come in is not relied on: they are sorted, counted or joined
    as sets)."""
    return cKDTree(points, balanced_tree=False, compact_nodes=False)


def _line_pairs(
    a: np.ndarray, b: np.ndarray, limit: float, group: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (p < q) of the lines a→b whose boxes, grown by `limit`, meet (and, given
    `group`, in one group), each line's length, and per pair, measured along the longer
    line: how far the shorter's farther end lies off it, and how far the two overlap."""
    p, q = _box_pairs(np.minimum(a, b) - limit, np.maximum(a, b) + limit)
    keep = p < q
    if group is not None:
        keep &= group[p] == group[q]
    p, q = p[keep], q[keep]
    length = np.hypot(*(b - a).T)
    longer = np.where(length[p] >= length[q], p, q)
    other = np.where(longer == p, q, p)
    u = (b[longer] - a[longer]) / length[longer][:, None]
    rel_a, rel_b = a[other] - a[longer], b[other] - a[longer]
    off = np.maximum(
        np.abs(u[:, 0] * rel_a[:, 1] - u[:, 1] * rel_a[:, 0]),
        np.abs(u[:, 0] * rel_b[:, 1] - u[:, 1] * rel_b[:, 0]),
    )
    ta = np.einsum("ij,ij->i", rel_a, u)
    tb = np.einsum("ij,ij->i", rel_b, u)
    overlap = np.minimum(length[longer], np.maximum(ta, tb)) - np.maximum(0.0, np.minimum(ta, tb))
    return p, q, length, off, overlap


def _box_pairs(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (p, q), both ways and each box with itself, of the boxes from `lo` to
    `hi` (rows of corners) that meet, touching included. A box is its own envelope, so
    the tree's envelope test alone decides, exactly: an `intersects` predicate on top
    tests each pair again on the geometry and costs several times the query. The boxes
    go in as lines from corner to corner, whose envelopes they are: cheaper to build than
    polygons."""
    lines = shapely.linestrings(np.stack([lo, hi], axis=1))
    p, q = STRtree(lines).query(lines)
    return p, q


def _neighbourhoods(lo: np.ndarray, hi: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """Groups of edges that could touch: their boxes (`lo`, `hi`: each edge's corners)
    grown by the repair gap, overlapping, taken transitively. In the drawing's order, so
    the result does not depend on the numbers; with each edge's group."""
    n = len(lo)
    if not n:
        return [], np.zeros(0, dtype=int)
    a, b = _box_pairs(lo - tol.REPAIR_GAP_MM, hi + tol.REPAIR_GAP_MM)
    groups: dict[int, list[int]] = {}
    if len(a) <= SMALL_GRAPH_PAIRS:
        # The same sets by union-find: scipy's graph costs ~0.1 ms to set up, more
        # than joining a few hundred pairs in Python. Each set is keyed by its root,
        # and numbered, as below, by where it first appears in the drawing.
        root = _union_roots(n, a.tolist(), b.tolist())
        for i, g in enumerate(root):
            groups.setdefault(g, []).append(i)
        number = {g: k for k, g in enumerate(groups)}
        return list(groups.values()), np.array([number[g] for g in root], dtype=int)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    for i, g in enumerate(component.tolist()):
        groups.setdefault(g, []).append(i)
    place = np.zeros(len(groups), dtype=int)  # component → its group's place in drawing order
    place[list(groups)] = np.arange(len(groups))
    return list(groups.values()), place[component]


# `_neighbourhoods` joins up to this many box pairs (both ways, each box with itself) in
# Python, more with scipy.
SMALL_GRAPH_PAIRS = 256


def _union_roots(n: int, a: list[int], b: list[int]) -> list[int]:
    """Each of `n` items' set, named by its lowest item, once a[k] and b[k] are joined
    (transitively)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(a, b, strict=True):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)  # so a set is named by its lowest item
    return [find(i) for i in range(n)]


def _moved(edge: Edge, pts: np.ndarray, d: np.ndarray | None) -> Edge:
    """`edge` with its points `pts`, moved by `d`: its centre moved by `d` too (`d` may
    be None for an edge without a centre)."""
    center = None
    if edge.center is not None:
        assert d is not None
        center = (edge.center[0] + d[0], edge.center[1] + d[1])
    return Edge(
        edge.kind, pts, edge.length_mm, edge.layer, center, edge.radius_mm, edge.closed, edge.color
    )


def _lone_loop(edge: Edge, pts: np.ndarray, d: np.ndarray | None, origin: np.ndarray) -> Loop:
    """The loop `chain` makes of a neighbourhood of one closed edge (`pts`: its points in
    the neighbourhood's frame, `d`: its move there), as `_chain_here` and the move back
    make it: the edge is its own loop (never tiny, nor paired with another), closed on
    the frame's numbers, its points and centre moved back by `origin`. The same numbers
    without their detour (an edge moved, a neighbourhood chained, the edges and the
    loop's points moved back one by one), which costs more than the rest of a sheet of
    round or elliptic holes."""
    back = pts + origin  # the edge's points moved back, as `_all_moved`'s sum
    # `_closed` on the frame's numbers; a loop that repeats its first point repeats it
    # moved back
    ring = back if _closed(pts) is pts else np.concatenate([back, back[:1]])
    center = edge.center
    if center is not None:  # moved into the frame and back, as `_moved` twice
        assert d is not None
        center = (center[0] + d[0] + origin[0], center[1] + d[1] + origin[1])
    moved = Edge(
        edge.kind, back, edge.length_mm, edge.layer, center, edge.radius_mm, True, edge.color
    )
    return Loop([moved], ring, edge.length_mm)


def _all_moved(edges: list[Edge], d: np.ndarray) -> Iterator[Edge]:
    """Each edge moved by `d` (as `_moved` moves it), with one numpy addition for all of
    them, in place: the edges `_chain_here` gives `chain` are its own (the moved copies
    of the drawing's, their reversals and merges), each in one loop or open chain, so
    that a copy of each (thousands on a plate of cut-outs) would only be thrown away."""
    if not edges:
        return
    pts = np.concatenate([e.pts for e in edges])
    pts += d  # in place: `+ d`'s numbers, without another array
    k = 0
    for e in edges:
        n = len(e.pts)
        e.pts = pts[k : k + n]
        if e.center is not None:
            e.center = (e.center[0] + d[0], e.center[1] + d[1])
        yield e
        k += n


def _chain_here(
    edges: list[Edge], may_overlap: bool = True, node: list[int] | None = None
) -> tuple[Chained, tuple[int, int, float]]:
    """Chain one neighbourhood: its loops, open chains and closed gaps, and the counts of
    tiny, duplicate and overlapping pieces (reported once for the whole drawing).
    `may_overlap` False: no two edges here can be duplicates or overlapping lines (see
    `_may_overlap`), so the pair-by-pair checks are left out. `node`: the nodes of the
    open edges' ends, when already found (`_group_nodes`)."""
    findings: list[Finding] = []
    is_tiny = [e.length_mm < _TINY and not e.closed for e in edges]
    tiny = [e for e, t in zip(edges, is_tiny, strict=True) if t]
    edges = [e for e, t in zip(edges, is_tiny, strict=True) if not t]
    dropped, saved = 0, 0.0
    if may_overlap:
        edges, dropped = drop_duplicates(edges)
        edges, saved = merge_overlapping_lines(edges)
    counts = (len(tiny), dropped, saved)

    loops = [Loop([e], _closed(e.pts), e.length_mm) for e in edges if e.closed]
    open_edges = [e for e in edges if not e.closed]
    if not open_edges:
        return Chained(loops, [], findings), counts

    if node is None:
        node = _nodes(_edge_ends(open_edges))
    # node ids of each edge's two ends
    adjacency: dict[int, list[tuple[int, int]]] = defaultdict(list)  # node -> [(edge, end)]
    for i in range(len(open_edges)):
        adjacency[node[2 * i]].append((i, 0))
        adjacency[node[2 * i + 1]].append((i, 1))

    used = [False] * len(open_edges)
    chains: list[tuple[list[tuple[int, bool]], bool]] = []  # ([(edge, reversed)], closed)
    # Start from dead ends first so open chains come out whole, then walk cycles.
    starts = sorted(adjacency, key=lambda n: len(adjacency[n]) != 1)
    for start_node in starts:
        for edge_index, end in adjacency[start_node]:
            if used[edge_index]:
                continue
            path = _walk(edge_index, end, open_edges, node, adjacency, used)
            cycles, rest = _split_at_revisits(path, node)
            chains += [(c, True) for c in cycles]
            if rest:
                chains.append((rest, False))

    open_chains: list[list[Edge]] = []
    pending: list[list[Edge]] = []
    for path, closed in chains:
        seq = [_oriented(open_edges[i], rev) for i, rev in path]
        if closed:
            loops.append(_loop(seq))
        else:
            pending.append(seq)

    # Close chains whose own ends are within the repair gap; pair up the rest greedily.
    still_open: list[list[Edge]] = []
    for seq in pending:
        gap = float(np.hypot(*(seq[-1].end - seq[0].start)))
        if gap <= tol.REPAIR_GAP_MM + tol.THRESHOLD_PAD_MM and (
            len(seq) > 1 or seq[0].kind != "line"
        ):
            loop = _loop(seq)
            loop.repaired_gap_mm = gap
            loops.append(loop)
            findings.append(finding("GAP_CLOSED", gap, seq[0].start))
        else:
            still_open.append(seq)
    still_open = _join_nearby_chains(still_open, loops, findings)
    for seq in still_open:
        open_chains.append(seq)
    return Chained(loops, open_chains, findings), counts


def _join_nearby_chains(
    chains: list[list[Edge]], loops: list[Loop], findings: list[Finding]
) -> list[list[Edge]]:
    """Open chains whose ends nearly meet are one contour with small gaps.

    Ends within the repair gap are matched greedily, nearest first, each end once (a k-d
    tree keeps this near-linear on drawings with thousands of pieces); then the linked
    chains are walked into loops or longer open chains.
    """
    if len(chains) < 2:
        return chains
    ends = _ends([(c[0].start, c[-1].end) for c in chains])  # 2i start, 2i+1 end
    pairs = [
        (float(np.hypot(*(ends[a] - ends[b]))), a, b)
        for a, b in cKDTree(ends).query_pairs(tol.REPAIR_GAP_MM + tol.THRESHOLD_PAD_MM)
        if a // 2 != b // 2
    ]
    link: dict[int, int] = {}
    gaps: list[tuple[float, np.ndarray]] = []
    for gap, a, b in sorted(pairs):
        if a in link or b in link:
            continue
        link[a], link[b] = b, a
        gaps.append((gap, ends[a]))
    if not link:
        return chains
    for gap, where in sorted(gaps, key=lambda g: -g[0])[:MAX_GAP_FINDINGS]:
        findings.append(finding("GAP_CLOSED", gap, where))

    def walk(entry: int) -> tuple[list[Edge], bool]:
        """Follow links from chain end `entry`; True when the walk comes back round."""
        seq: list[Edge] = []
        end = entry
        while True:
            i, forward = end // 2, end % 2 == 0
            seen.add(i)
            seq += chains[i] if forward else [_oriented(e, True) for e in reversed(chains[i])]
            exit_end = 2 * i + 1 if forward else 2 * i
            nxt = link.get(exit_end)
            if nxt is None:
                return seq, False
            if nxt // 2 in seen:
                return seq, True
            end = nxt

    seen: set[int] = set()
    out: list[list[Edge]] = []
    # Free ends first (open results), then whatever is left is made of cycles.
    starts = [e for e in range(len(ends)) if e not in link] + list(range(len(ends)))
    for entry in starts:
        if entry // 2 in seen:
            continue
        seq, cycle = walk(entry)
        close_gap = float(np.hypot(*(seq[-1].end - seq[0].start)))
        if cycle or close_gap <= tol.REPAIR_GAP_MM + tol.THRESHOLD_PAD_MM:
            loops.append(_loop(seq))
        else:
            out.append(seq)
    return out


def _ends(pairs: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Each pair's two points as rows 2i and 2i + 1: one array built for all, not a
    stack of two per pair (thousands on a sheet drawn in LINEs)."""
    return np.array(pairs, dtype=float).reshape(-1, 2)


def _edge_ends(edges: list[Edge]) -> np.ndarray:
    """`_ends` of each edge's start and end, by one slice of its points each (rows 0 and
    -1 of an edge of two or more): the same array, without an array per end."""
    return np.concatenate(
        [e.pts[:: len(e.pts) - 1] if len(e.pts) > 1 else e.pts[[0, -1]] for e in edges]
    ).astype(float, copy=False)


def _nodes(points: np.ndarray, group: np.ndarray | None = None) -> list[int]:
    """The node of each end. Ends within SAME_POINT_MM are one point (transitively); then
    each end still alone joins the nearest other lone end within JOIN_MM, nearest pair
    first, each once. An end that already meets another is not pulled to a third that
    happens to lie close: that would join two contours that nearly touch (a hole 0.01 mm
    inside a rounded corner) into one tangle, walked differently in every turned copy.

    `group`: each end's group (the same for consecutive ends only), for the nodes of
    several groups at once, each as if alone. The groups are kept apart by a third
    coordinate, the group's number: ends of two groups lie ≥ 1 apart there, beyond
    either radius, and ends of one group differ there by an exact 0, which adds nothing
    to the sum of squares the tree compares (its distances are the plane's, bit for
    bit). The pairs within a group, and so the sets, their lowest ends and the nearest
    lone pairs taken first, are those the group alone gives."""
    n = len(points)
    spread = points if group is None else np.column_stack((points, group.astype(float)))
    pairs = _tree(spread).query_pairs(
        tol.SAME_POINT_MM + tol.THRESHOLD_PAD_MM, output_type="ndarray"
    )
    meets = np.bincount(pairs.ravel(), minlength=n)
    if not len(pairs) or meets.max() <= 1:
        # Where each end meets at most one other (a drawing whose lines join end to end),
        # the sets are those pairs and the lone ends: each pair's node is its lower end
        # (pairs come i < j), as `_union_nodes` would find, without a Python step per end.
        node_array = np.arange(n)
        node_array[pairs[:, 1]] = pairs[:, 0]
        node = node_array.tolist()
        lone = np.flatnonzero(meets == 0)
    else:
        node, lone = _union_nodes(n, pairs)
    if len(lone) > 1:
        near = _tree(spread[lone]).query_pairs(
            tol.JOIN_MM + tol.THRESHOLD_PAD_MM, output_type="ndarray"
        )
        if len(near):
            d = np.hypot(*(points[lone[near[:, 0]]] - points[lone[near[:, 1]]]).T)
            taken: set[int] = set()
            for k in np.lexsort((near[:, 1], near[:, 0], d)):
                i, j = int(lone[near[k, 0]]), int(lone[near[k, 1]])
                if i in taken or j in taken:
                    continue
                taken.update((i, j))
                node[j] = i  # i < j: pairs come i < j, and `lone` rises
    return node


def _union_nodes(n: int, pairs: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Each of `n` ends' node (the lowest end of its set) once `pairs` are joined,
    transitively, and the ends alone in theirs, rising. Each end's node is found once:
    the lone ends `_nodes` joins next are their own nodes so far, and joining two sets
    the later one's node alone."""
    if len(pairs) <= SMALL_GRAPH_PAIRS:
        node = _union_roots(n, pairs[:, 0].tolist(), pairs[:, 1].tolist())
        size = Counter(node)
        return node, np.array([i for i in range(n) if size[node[i]] == 1], dtype=int)
    # The same sets as scipy's connected components, each named by its lowest end: a
    # Python step per end costs more on the ends of a whole drawing (`_group_nodes`).
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    lowest = np.full(component.max() + 1, n)
    np.minimum.at(lowest, component, np.arange(n))
    alone = np.bincount(component)[component] == 1
    return lowest[component].tolist(), np.flatnonzero(alone)


def _walk(edge_index, end, edges, node, adjacency, used):  # type: ignore[no-untyped-def]
    """Follow edges from one end until a dead end, a branch, or back to the start."""
    path = []
    start_node = node[2 * edge_index + end]
    current, entered_at = edge_index, end
    while True:
        used[current] = True
        reversed_ = entered_at == 1
        path.append((current, reversed_))
        exit_node = node[2 * current + (0 if reversed_ else 1)]
        if exit_node == start_node:
            return path
        nxt = [(i, k) for i, k in adjacency[exit_node] if not used[i]]
        if not nxt:
            return path
        # At a branch point (T-junction, three lines meeting), the straightest way on;
        # what is left becomes its own chain.
        current, entered_at = (
            nxt[0] if len(nxt) == 1 else _straightest(edges[current], reversed_, nxt, edges)
        )


def _split_at_revisits(
    path: list[tuple[int, bool]], node: list[int]
) -> tuple[list[list[tuple[int, bool]]], list[tuple[int, bool]]]:
    """A walk cut into simple cycles wherever it comes back to a node it has passed, and
    what is left of it (empty when the walk closed). Where an outline touches itself or a
    hole at a vertex, four edges meet and which way the walk turns there is a near tie
    that a turned or mirrored copy can break the other way; the cycles between the
    visits are the same whichever way it turned, so the loops do not depend on it."""
    cycles: list[list[tuple[int, bool]]] = []
    stack: list[tuple[int, bool]] = []
    i0, rev0 = path[0]
    at: dict[int, int] = {node[2 * i0 + (1 if rev0 else 0)]: 0}  # node -> stack position
    for step in path:
        i, rev = step
        stack.append(step)
        exit_node = node[2 * i + (0 if rev else 1)]
        pos = at.get(exit_node)
        if pos is None:
            at[exit_node] = len(stack)
            continue
        cycles.append(stack[pos:])
        del stack[pos:]
        at = {n: k for n, k in at.items() if k <= pos}
    return cycles, stack


def _straightest(prev: Edge, prev_reversed: bool, options, edges):  # type: ignore[no-untyped-def]
    if len(options) == 1:
        return options[0]
    p = prev.pts[::-1] if prev_reversed else prev.pts
    d0 = p[-1] - p[-2]
    best, best_cos = options[0], -2.0
    for i, k in options:
        q = edges[i].pts[::-1] if k == 1 else edges[i].pts
        d1 = q[1] - q[0]
        cos = float(np.dot(d0, d1) / (np.hypot(*d0) * np.hypot(*d1) + 1e-12))
        if cos > best_cos:
            best, best_cos = (i, k), cos
    return best


def _oriented(e: Edge, reverse: bool) -> Edge:
    if not reverse:
        return e
    return Edge(
        e.kind, e.pts[::-1].copy(), e.length_mm, e.layer, e.center, e.radius_mm, e.closed, e.color
    )


def _closed(pts: np.ndarray) -> np.ndarray:
    # np.allclose(first, last), written out on Python floats (the same doubles and
    # arithmetic, NaN failing alike): numpy on two-element rows costs more than the
    # rest of a loop.
    if all(
        abs(a - b) <= 1e-8 + 1e-5 * abs(b)
        for a, b in zip(pts[0].tolist(), pts[-1].tolist(), strict=True)
    ):
        return pts
    return np.concatenate([pts, pts[:1]])


def _loop(seq: list[Edge]) -> Loop:
    pts = np.concatenate([seq[0].pts] + [e.pts[1:] for e in seq[1:]])
    return Loop(seq, _closed(pts), float(sum(e.length_mm for e in seq)))
