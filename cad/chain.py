"""Edges to closed loops: drop duplicates, merge overlaps, join ends, close small gaps.

Every repair is reported. Cut length is the sum of what remains, so a line drawn twice
(or two lines overlapping) is cut once.
"""

from __future__ import annotations

import math
from collections import defaultdict
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
        ends = np.array([e.start for e in self.edges] + [self.edges[0].start])
        total = _shoelace(ends)
        for e in self.edges:
            if e.kind == "line":
                continue
            bulge = _shoelace(np.vstack([e.pts, e.pts[:1]]))  # arc closed by its chord
            if e.kind == "arc" and e.radius_mm:
                theta = e.length_mm / e.radius_mm
                exact = 0.5 * e.radius_mm**2 * (theta - math.sin(theta))
                total += math.copysign(exact, bulge)
            else:
                total += bulge
        return abs(total)


@dataclass
class Chained:
    loops: list[Loop]
    open_chains: list[list[Edge]]
    findings: list[Finding] = field(default_factory=list)


def _shoelace(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _key(p: np.ndarray) -> tuple[int, int]:
    q = tol.DUPLICATE_MM
    return (round(p[0] / q), round(p[1] / q))


def drop_duplicates(edges: list[Edge]) -> tuple[list[Edge], int]:
    seen: set[tuple] = set()
    kept: list[Edge] = []
    dropped = 0
    for e in edges:
        mid = e.pts[len(e.pts) // 2] if len(e.pts) > 2 else (e.pts[0] + e.pts[-1]) / 2
        ends = tuple(sorted([_key(e.start), _key(e.end)]))
        key = (e.kind == "circle", ends, _key(mid), round(e.length_mm / tol.DUPLICATE_MM))
        if key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(e)
    return kept, dropped


def merge_overlapping_lines(edges: list[Edge]) -> tuple[list[Edge], float]:
    """Collinear lines that overlap become one line over their union."""
    lines = [e for e in edges if e.kind == "line"]
    others = [e for e in edges if e.kind != "line"]
    groups: dict[tuple[int, int], list[tuple[float, float, Edge]]] = defaultdict(list)
    for e in lines:
        d = e.end - e.start
        length = math.hypot(*d)
        if length == 0:
            continue
        ux, uy = d / length
        if ux < -1e-12 or (abs(ux) <= 1e-12 and uy < 0):
            ux, uy = -ux, -uy
        offset = -uy * e.start[0] + ux * e.start[1]  # signed distance of the line from origin
        key = (round(math.degrees(math.atan2(uy, ux)) * 1e4), round(offset / tol.JOIN_MM))
        a = ux * e.start[0] + uy * e.start[1]
        b = ux * e.end[0] + uy * e.end[1]
        groups[key].append((min(a, b), max(a, b), e))
    merged: list[Edge] = []
    saved = 0.0
    for members in groups.values():
        if len(members) == 1:
            merged.append(members[0][2])
            continue
        members.sort(key=lambda m: m[0])
        run = [members[0]]
        for m in members[1:]:
            if m[0] < max(r[1] for r in run) - tol.JOIN_MM:  # overlaps the run (not just touching)
                run.append(m)
            else:
                merged.extend(_merge_run(run))
                saved += _overlap(run)
                run = [m]
        merged.extend(_merge_run(run))
        saved += _overlap(run)
    return others + merged, saved


def _overlap(run: list[tuple[float, float, Edge]]) -> float:
    return (
        sum(r[1] - r[0] for r in run) - (max(r[1] for r in run) - run[0][0])
        if len(run) > 1
        else 0.0
    )


def _merge_run(run: list[tuple[float, float, Edge]]) -> list[Edge]:
    if len(run) == 1:
        return [run[0][2]]
    pts = np.vstack([r[2].pts for r in run])
    d = run[0][2].end - run[0][2].start
    u = d / np.hypot(*d)
    proj = pts @ u
    a, b = pts[np.argmin(proj)], pts[np.argmax(proj)]
    first = run[0][2]
    return [
        Edge("line", np.array([a, b]), float(np.hypot(*(b - a))), first.layer, color=first.color)
    ]


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
    for group in _neighbourhoods(edges):
        members = [edges[i] for i in group]
        origin = np.vstack([e.pts for e in members]).min(axis=0)
        here, counts = _chain_here([_shift(e, -origin, snap=True) for e in members])
        tiny, dropped, saved = tiny + counts[0], dropped + counts[1], saved + counts[2]
        loops += [_loop_shifted(lp, origin) for lp in here.loops]
        open_chains += [[_shift(e, origin) for e in seq] for seq in here.open_chains]
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


def _neighbourhoods(edges: list[Edge]) -> list[list[int]]:
    """Groups of edges that could touch: boxes grown by the repair gap, overlapping, taken
    transitively. In the drawing's order, so the result does not depend on the numbers."""
    if not edges:
        return []
    lo = np.array([e.pts.min(axis=0) for e in edges]) - tol.REPAIR_GAP_MM
    hi = np.array([e.pts.max(axis=0) for e in edges]) + tol.REPAIR_GAP_MM
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    a, b = STRtree(boxes).query(boxes, predicate="intersects")
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(edges), len(edges)))
    _, label = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(label):
        groups.setdefault(int(g), []).append(i)
    return list(groups.values())


def _shift(edge: Edge, d: np.ndarray, snap: bool = False) -> Edge:
    pts = edge.pts + d
    if snap:
        pts = np.round(pts / SNAP_MM) * SNAP_MM
    return replace(
        edge,
        pts=pts,
        center=None if edge.center is None else (edge.center[0] + d[0], edge.center[1] + d[1]),
    )


def _loop_shifted(loop: Loop, d: np.ndarray) -> Loop:
    return replace(loop, edges=[_shift(e, d) for e in loop.edges], pts=loop.pts + d)


def _chain_here(edges: list[Edge]) -> tuple[Chained, tuple[int, int, float]]:
    """Chain one neighbourhood: its loops, open chains and closed gaps, and the counts of
    tiny, duplicate and overlapping pieces (reported once for the whole drawing)."""
    findings: list[Finding] = []
    tiny = [e for e in edges if e.length_mm < tol.TINY_MM and not e.closed]
    edges = [e for e in edges if e.length_mm >= tol.TINY_MM or e.closed]
    edges, dropped = drop_duplicates(edges)
    edges, saved = merge_overlapping_lines(edges)
    counts = (len(tiny), dropped, saved)

    loops = [Loop([e], _closed(e.pts), e.length_mm) for e in edges if e.closed]
    open_edges = [e for e in edges if not e.closed]
    if not open_edges:
        return Chained(loops, [], findings), counts

    ends = np.vstack([np.vstack([e.start, e.end]) for e in open_edges])
    node = _cluster(ends, tol.JOIN_MM)
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
            first = node[2 * path[0][0] + (1 if path[0][1] else 0)]
            last_i, last_rev = path[-1]
            last = node[2 * last_i + (0 if last_rev else 1)]
            chains.append((path, first == last))

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
        if gap <= tol.REPAIR_GAP_MM and (len(seq) > 1 or seq[0].kind != "line"):
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
    ends = np.vstack([np.vstack([c[0].start, c[-1].end]) for c in chains])  # 2i start, 2i+1 end
    pairs = [
        (float(np.hypot(*(ends[a] - ends[b]))), a, b)
        for a, b in cKDTree(ends).query_pairs(tol.REPAIR_GAP_MM)
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
        if cycle or close_gap <= tol.REPAIR_GAP_MM:
            loops.append(_loop(seq))
        else:
            out.append(seq)
    return out


def _cluster(points: np.ndarray, radius: float) -> list[int]:
    tree = cKDTree(points)
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in tree.query_pairs(radius):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
    return [find(i) for i in range(len(points))]


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
        if len(nxt) != 1 and len(adjacency[exit_node]) != 2:
            # A branch point (T-junction, three lines meeting): pick the straightest way
            # on; what is left becomes its own chain.
            if not nxt:
                return path
        if not nxt:
            return path
        current, entered_at = _straightest(edges[current], reversed_, nxt, edges)


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
    if np.allclose(pts[0], pts[-1]):
        return pts
    return np.vstack([pts, pts[:1]])


def _loop(seq: list[Edge]) -> Loop:
    pts = np.vstack([seq[0].pts] + [e.pts[1:] for e in seq[1:]])
    return Loop(seq, _closed(pts), float(sum(e.length_mm for e in seq)))
