"""From a DXF document to edges, sorted by what they are for: cut, bend, engraving, notes.

Blocks are expanded (nested, scaled, rotated, mirrored, arrays) with a depth limit and
an entity budget. The budget is checked before anything is expanded: what every INSERT
would expand to is counted from the block definitions, each block read once, so a block
bomb (a small block in a huge array, or blocks of blocks of blocks) costs as much to
refuse as its file costs to read. Lengths are measured on the true curve: arcs and bulges from their
radius and angle, splines and ellipses on a polyline within `FLATTEN_MM` of the curve.
"""

from __future__ import annotations

import gc
import math
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from ezdxf.document import Drawing
from ezdxf.entities import DXFGraphic, Insert, Line, Text
from ezdxf.entities.copy import CopySettings, CopyStrategy, default_copy
from ezdxf.explode import virtual_block_reference_entities
from ezdxf.math import OCS, Matrix44, OCSTransform, Vec3, bulge_to_arc

from .errors import CadError
from .fastread import PlainDrawing
from .flatten import Flattened, flatten_curves
from .model import Edge
from .reader import Limits

ANNOTATION_TYPES = {
    "TEXT",
    "MTEXT",
    "ATTRIB",
    "ATTDEF",
    "DIMENSION",
    "ARC_DIMENSION",
    "LARGE_RADIAL_DIMENSION",
    "LEADER",
    "MULTILEADER",
    "MLEADER",
    "TOLERANCE",
    "HATCH",
    "MPOLYGON",
    "IMAGE",
    "WIPEOUT",
    "VIEWPORT",
    "POINT",
    "XLINE",
    "RAY",
    "SOLID",
    "TRACE",
    "SHAPE",
    "ACAD_TABLE",
    "TABLE",
    "UNDERLAY",
    "PDFUNDERLAY",
    "DWFUNDERLAY",
    "DGNUNDERLAY",
    "OLE2FRAME",
    "MLINE",
}
TEXT_TYPES = {"TEXT", "MTEXT", "ATTRIB"}
CURVE_TYPES = {"LINE", "ARC", "CIRCLE", "ELLIPSE", "LWPOLYLINE", "POLYLINE", "SPLINE"}
FLATTENED_TYPES = {"ELLIPSE", "SPLINE"}

# Layer names, upper-cased and NFKC-normalised, that say what a layer holds.
BEND_WORDS = ("BEND", "FOLD", "曲げ", "曲ゲ", "マゲ", "折り")
ENGRAVE_WORDS = ("ETCH", "ENGRAV", "MARK", "SCRIBE", "刻印", "マーキング", "ケガキ")
NOTE_WORDS = (
    "DIM",
    "ANNO",
    "TEXT",
    "TITLE",
    "BORDER",
    "FRAME",
    "NOTE",
    "CENTER",
    "CENTRE",
    "CONSTR",
    "HIDDEN",
    "HATCH",
    "DEFPOINTS",
    "VIEWPORT",
    "SHEET",
    "寸法",
    "図枠",
    "表題",
    "中心",
    "注記",
    "補助",
    "文字",
    "枠",
)
STYLED_LINETYPES = ("CENTER", "CENTRE", "DASH", "HIDDEN", "PHANTOM", "DOT", "DIVIDE", "BORDER")


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").upper()


def layer_role(layer: str) -> str:
    name = _norm(layer)
    if any(w in name for w in BEND_WORDS):
        return "bend"
    if any(w in name for w in ENGRAVE_WORDS):
        return "engrave"
    if any(w in name for w in NOTE_WORDS):
        return "note"
    return "cut"


@dataclass
class Style:
    layer: str
    linetype: str
    color: int


@dataclass
class TextItem:
    text: str
    x: float
    y: float
    role: str


@dataclass
class Extracted:
    cut: list[Edge] = field(default_factory=list)
    bend_lines: list[tuple[Edge, Style, str]] = field(default_factory=list)  # (edge, style, why)
    styled_lines: list[tuple[Edge, Style]] = field(default_factory=list)  # dashed/centre lines
    engrave: list[Edge] = field(default_factory=list)
    notes: list[np.ndarray] = field(default_factory=list)  # polylines, for pictures
    texts: list[TextItem] = field(default_factory=list)
    cut_styles: Counter = field(default_factory=Counter)  # (layer, linetype, color) of cut edges
    counts: Counter = field(default_factory=Counter)
    bad_coordinates: int = 0
    bad_geometry: int = 0
    unsupported: int = 0
    text_on_cut_layer: int = 0


class _Walker:
    def __init__(self, doc: Drawing | PlainDrawing, limits: Limits, deadline: float) -> None:
        self.doc = doc
        self.limits = limits
        self.deadline = deadline
        self.out = Extracted()
        self.seen = 0
        # Curves in the order met, each (edges, or None for a curve flattened at the end,
        # its index in `curves`, style); routed to cut, bend, … once all are flattened.
        self.items: list[tuple[list[Edge] | None, int, Style]] = []
        self.curves: list[tuple[DXFGraphic, float]] = []  # ELLIPSE/SPLINE, flattening tolerance
        # LINE edges wait for their points: the ends of all the LINEs met, x0 y0 x1 y1
        # each, become one array in `finish` (an array per LINE costs more than its read).
        self.lines: list[Edge] = []
        self.line_ends: list[float] = []
        self.arcs = _ArcPoints()  # ARC, CIRCLE and bulge points, evaluated in `finish`
        # A drawing has a handful of distinct styles and layers; thousands of entities share them.
        self.styles: dict[tuple, Style] = {}  # type: ignore[type-arg]
        self.routes: dict[
            tuple[str, str], tuple[str, bool]
        ] = {}  # (layer, linetype) → role, styled

    # -- styles -----------------------------------------------------------------------------
    def style_of(self, e: DXFGraphic, parent: Style | None) -> Style:
        # e.dxf.get(key, default), three times per entity, without its checks: every
        # graphic entity supports these keys and holds them, when set, in the namespace's
        # __dict__ (DXFNamespace.hasattr).
        attribs = vars(e.dxf)
        layer = attribs.get("layer", "0")
        if layer == "0" and parent is not None:
            layer = parent.layer  # entities on layer 0 in a block take the insert's layer
        linetype = attribs.get("linetype", "BYLAYER")
        color = attribs.get("color", 256)
        key = (
            layer,
            linetype,
            color,
            None if parent is None else (parent.layer, parent.linetype, parent.color),
        )
        style = self.styles.get(key)
        if style is None:
            style = self.styles[key] = self._resolve(layer, linetype, color, parent)
        return style

    def _resolve(self, layer: str, linetype: str, color: int, parent: Style | None) -> Style:
        layer_entry = self.doc.layers.get(layer) if layer in self.doc.layers else None
        if linetype.upper() == "BYLAYER":
            linetype = (
                layer_entry.dxf.get("linetype", "CONTINUOUS") if layer_entry else "CONTINUOUS"
            )
        elif linetype.upper() == "BYBLOCK":
            linetype = parent.linetype if parent else "CONTINUOUS"
        if color == 256:
            color = abs(layer_entry.dxf.get("color", 7)) if layer_entry else 7
        elif color == 0:
            color = parent.color if parent else 7
        return Style(layer, linetype.upper(), color)

    # -- walking ----------------------------------------------------------------------------
    def tick(self) -> None:
        self.seen += 1
        if self.seen > self.limits.max_entities:
            raise CadError("TOO_MANY_ENTITIES", f"(more than {self.limits.max_entities})")
        if self.seen % 500 == 0 and time.monotonic() > self.deadline:
            raise CadError("TIMEOUT", f"(over {self.limits.max_seconds:.0f} s)")

    def walk(self, entities, depth: int, parent: Style | None) -> None:  # type: ignore[no-untyped-def]
        for e in entities:
            self.tick()
            kind = e.dxftype()
            self.out.counts[kind] += 1
            if kind == "INSERT":
                self.expand(e, depth, parent)
            elif kind in TEXT_TYPES:
                self.text(e, parent)
            elif kind in CURVE_TYPES:
                self.curve(e, kind, parent)
            elif kind not in ANNOTATION_TYPES:
                self.out.unsupported += 1  # 3D solids, meshes, faces, proxies

    def expand(self, insert, depth: int, parent: Style | None) -> None:  # type: ignore[no-untyped-def]
        if depth >= self.limits.max_block_depth:
            raise CadError("NESTING_TOO_DEEP", f"(more than {self.limits.max_block_depth} levels)")
        style = self.style_of(insert, parent)
        for attrib in insert.attribs:
            self.text(attrib, style)
        try:
            copies = list(insert.multi_insert()) if insert.mcount > 1 else [insert]
        except Exception:  # noqa: BLE001 - a broken array insert is skipped, not fatal
            self.out.bad_geometry += 1
            return
        for copy in copies:
            try:
                self.walk(_virtual_entities(copy), depth + 1, style)
            except CadError:
                raise
            except Exception:  # noqa: BLE001 - a block ezdxf cannot transform (e.g. zero scale)
                self.out.bad_geometry += 1

    def text(self, e, parent: Style | None) -> None:  # type: ignore[no-untyped-def]
        try:
            raw = e.plain_text() if e.dxftype() == "MTEXT" else e.dxf.get("text", "")
            point = e.dxf.get("insert", Vec3())
            ocs = e.ocs() if e.dxftype() != "MTEXT" else None
            wcs = ocs.to_wcs(point) if ocs is not None else Vec3(point)
        except Exception:  # noqa: BLE001
            return
        role = layer_role(self.style_of(e, parent).layer)
        if raw and raw.strip():
            self.out.texts.append(TextItem(raw.strip(), float(wcs.x), float(wcs.y), role))
            if role == "cut" and e.dxftype() in {"TEXT", "MTEXT"}:
                self.out.text_on_cut_layer += 1

    # -- curves -----------------------------------------------------------------------------
    def curve(self, e, kind: str, parent: Style | None) -> None:  # type: ignore[no-untyped-def]
        style = self.style_of(e, parent)
        if kind in FLATTENED_TYPES:  # flattened all together in `finish`
            try:
                distance = _tol(_entity_size(e))
            except Exception:  # noqa: BLE001 - a spline without points, …
                self.out.bad_geometry += 1
                return
            self.items.append((None, len(self.curves), style))
            self.curves.append((e, distance))
            return
        try:
            if kind == "LINE":
                # _line_edge, its points set in `finish`
                start, end = e.dxf.start, e.dxf.end
                sx, sy, tx, ty = start.x, start.y, end.x, end.y
                edge = Edge("line", _NO_POINTS, math.hypot(tx - sx, ty - sy), style.layer)
                self.lines.append(edge)
                self.line_ends += (sx, sy, tx, ty)
                edges = [edge]
            else:
                edges = list(edges_of(e, style.layer, self.arcs))
        except Exception:  # noqa: BLE001 - degenerate arcs, meshes, …
            self.out.bad_geometry += 1
            return
        self.items.append((edges, -1, style))

    def finish(self) -> Extracted:
        """Flatten the ellipses and splines met, then sort every curve's edges by role,
        in the order the curves were met."""
        self.arcs.fill()
        if self.lines:
            # Each LINE's points a 2 × 2 view of one array: the same numbers, dtype and
            # layout as np.array([(x0, y0), (x1, y1)]) of each.
            ends = np.array(self.line_ends, dtype=float).reshape(-1, 2, 2)
            for edge, pts in zip(self.lines, ends, strict=True):
                edge.pts = pts
        distances = [d for _, d in self.curves]
        flat = flatten_curves([e for e, _ in self.curves], distances, xy=True)
        made = _curve_edge_parts(flat, distances)
        items: list[tuple[list[Edge], Style]] = []
        for edges, k, style in self.items:
            if edges is None:
                if made[k] is not None:
                    pts, length, closed = made[k]  # type: ignore[misc]
                    items.append(([Edge("curve", pts, length, style.layer, closed=closed)], style))
                    continue
                try:  # what `_curve_edge_parts` left: the error `_curve_edge` raises
                    edges = [_curve_edge(flat[k], style.layer, self.curves[k][1])]
                except Exception:  # noqa: BLE001 - invalid splines, degenerate ellipses, …
                    self.out.bad_geometry += 1
                    continue
            items.append((edges, style))
        # NaN fails the comparison as ±inf and huge values do.
        sane = (max_abs_coordinate([e for edges, _ in items for e in edges]) <= 1e12).tolist()
        # Curves met one after another in one style are routed together: the same edges
        # in the same order to the same lists, and a call per run rather than per curve
        # (a sheet of LINEs on one layer is a single run).
        k = 0
        for style, run in _runs(items):
            self.route(run, sane[k : k + len(run)], style)
            k += len(run)
        return self.out

    def route(self, edges: list[Edge], sane: list[bool], style: Style) -> None:
        """Sort edges by role; `sane`: whether each one's coordinates are."""
        good = []
        for edge, ok in zip(edges, sane, strict=True):
            if not ok or not math.isfinite(edge.length_mm):
                self.out.bad_coordinates += 1
                continue
            good.append(edge)
        route = self.routes.get((style.layer, style.linetype))
        if route is None:
            route = self.routes[(style.layer, style.linetype)] = (
                layer_role(style.layer),
                any(w in style.linetype for w in STYLED_LINETYPES),
            )
        role, styled = route
        if role == "cut" and not styled:  # nearly every edge of a drawing: in one go
            for edge in good:
                edge.color = style.color
            if good:
                self.out.cut += good
                self.out.cut_styles[(style.layer, style.linetype, style.color)] += len(good)
            return
        for edge in good:
            edge.color = style.color
            if role == "bend":
                self.out.bend_lines.append((edge, style, "layer"))
            elif role == "engrave":
                self.out.engrave.append(edge)
            elif role == "note":
                self.out.notes.append(edge.pts)
            elif styled:
                if edge.kind == "line":
                    self.out.styled_lines.append((edge, style))
                else:
                    self.out.notes.append(edge.pts)
            else:
                self.out.cut.append(edge)
                self.out.cut_styles[(style.layer, style.linetype, style.color)] += 1


def _runs(items: list[tuple[list[Edge], Style]]) -> list[tuple[Style, list[Edge]]]:
    """The edges of `items`, in order, in runs of one style (the same Style object: the
    walker makes one per distinct style)."""
    runs: list[tuple[Style, list[Edge]]] = []
    for edges, style in items:
        if runs and runs[-1][0] is style:
            runs[-1][1].extend(edges)
        else:
            runs.append((style, list(edges)))
    return runs


class _MovedLine:
    """A block's LINE as the walk reads ezdxf's virtual copy of it: its attributes as
    drawn (layer, linetype, colour, …) and its ends moved by the insert's matrix, with
    Line.transform's own call. ezdxf's copy (a new namespace, its handles rewired) and
    the rest of its transform (thickness and extrusion, which the walk does not read)
    are most of an expansion's cost."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.dxf = SimpleNamespace(**vars(line.dxf))

    def dxftype(self) -> str:
        return "LINE"

    def transform(self, m: Matrix44) -> _MovedLine:
        # From the ends as they are now: ezdxf transforms a copy once, but a second call
        # must compose with the first, as Line.transform would.
        self.dxf.start, self.dxf.end = m.transform_vertices([self.dxf.start, self.dxf.end])
        return self


class _Attribs(SimpleNamespace):
    def get(self, key: str, default: object = None) -> object:  # DXFNamespace.get
        return self.__dict__.get(key, default)


class _MovedText:
    """A block's TEXT as the walk reads ezdxf's virtual copy of it (`_Walker.text`: its
    string, layer and colour, and its insertion point in the WCS), the point and the
    extrusion moved by Text.transform's own calls. The rest of that transform (the
    alignment point, width, height, rotation, each set through ezdxf's checked
    attributes on a copy) is not read. It raises only where the OCSTransform made
    here raises first (a block flattened onto a line: the text's y direction goes to
    nothing only if its plane does), so the walk skips such a block at the same entity."""

    def __init__(self, text: Text) -> None:
        self.dxf = _Attribs(**vars(text.dxf))
        source = text.dxf  # ezdxf's defaults for what the file left out
        self.dxf.insert = source.insert
        self.dxf.extrusion = source.extrusion

    def dxftype(self) -> str:
        return "TEXT"

    def ocs(self) -> OCS:
        return OCS(self.dxf.extrusion)

    def transform(self, m: Matrix44) -> _MovedText:
        dxf = self.dxf
        ocs = OCSTransform(dxf.extrusion, m)
        dxf.insert = ocs.transform_vertex(dxf.insert)
        dxf.extrusion = ocs.new_extrusion
        return self


class _CopyForWalk(CopyStrategy):
    """ezdxf's default copy, but a plain LINE or TEXT (no XDATA or extension dictionary,
    whose copy and transform do more) becomes a _MovedLine or a _MovedText."""

    def copy(self, entity):  # type: ignore[no-untyped-def]
        kind = type(entity)
        if (
            (kind is Line or kind is Text)
            and entity.xdata is None
            and entity.extension_dict is None
        ):
            return _MovedLine(entity) if kind is Line else _MovedText(entity)
        return default_copy.copy(entity)


_COPY_FOR_WALK = _CopyForWalk(CopySettings())


def _virtual_entities(insert: Insert) -> Iterator[DXFGraphic | _MovedLine]:
    """insert.virtual_entities(), its plain LINEs as _MovedLines: the same entities in
    the same order, by ezdxf's own expansion (matrix, ATTDEFs left out, arcs of a
    non-uniformly scaled block as ellipses, nested inserts, what it skips), with a copy
    strategy of ours."""
    for e in virtual_block_reference_entities(insert, copy_strategy=_COPY_FOR_WALK):
        if not isinstance(e, (_MovedLine, _MovedText)):
            e.set_source_block_reference(insert)  # as Insert.virtual_entities
        yield e


# A LINE edge's points until `_Walker.finish` sets them.
_NO_POINTS = np.zeros((0, 2))


@dataclass(frozen=True)
class Expansion:
    """What walking the model space would visit, counted without expanding a block."""

    entities: int  # model-space entities plus every entity of every block copy, arrays included
    model_space: int  # model-space entities alone
    depth: int  # the longest chain of INSERTs inside INSERTs (0: no blocks are used)
    entities_read: int  # block-definition entities read to count (each block is read once)


def expansion_size(
    doc: Drawing | PlainDrawing,
    limits: Limits,
    model_space: list | None = None,  # type: ignore[type-arg]
) -> Expansion:
    """Count what the model space expands to, reading each block definition once.

    Raises BLOCK_CYCLE for a block that inserts itself and NESTING_TOO_DEEP past the depth
    limit, as the walk would. The count is exact for what the walk visits, except that a
    polyline with arcs in a non-uniformly scaled block is exploded by ezdxf into one entity
    per segment; the walk's own budget check still catches that. `model_space`: the
    model space's entities, when already listed."""
    # block name (lower case, as ezdxf keys them) → (entities visited per copy, INSERT
    # levels inside the block)
    memo: dict[str, tuple[int, int]] = {}
    stack: list[str] = []
    read = 0

    def insert_size(insert: Insert, depth: int) -> tuple[int, int]:
        """Entities visited when expanding `insert`, met `depth` INSERTs deep, and the
        INSERT levels its expansion holds, itself included."""
        too_deep = CadError("NESTING_TOO_DEEP", f"(more than {limits.max_block_depth} levels)")
        if depth >= limits.max_block_depth:
            raise too_deep
        name = str(insert.dxf.get("name", "")).lower()
        if name in stack:
            raise CadError("BLOCK_CYCLE", f"({' → '.join([*stack[stack.index(name) :], name])})")
        if name not in memo:
            memo[name] = block_size(name, depth + 1)
        per_copy, height = memo[name]
        if depth + height >= limits.max_block_depth:
            raise too_deep
        copies = insert.mcount if insert.mcount > 1 else 1  # as _Walker.expand
        return copies * per_copy, height + 1

    def block_size(name: str, depth: int) -> tuple[int, int]:
        nonlocal read
        block = doc.blocks.get(name)
        if block is None:
            return 0, 0  # the walk reports a missing block as bad geometry
        stack.append(name)
        visited, height = 0, 0
        for e in block:
            read += 1
            kind = e.dxftype()
            if kind == "ATTDEF":  # ezdxf's expansion leaves these out: INSERT.attribs hold them
                continue
            visited += 1
            if kind == "INSERT":
                inner, levels = insert_size(e, depth)  # type: ignore[arg-type]
                visited += inner
                height = max(height, levels)
        stack.pop()
        return visited, height

    total, count, deepest = 0, 0, 0
    for e in doc.modelspace() if model_space is None else model_space:
        count += 1
        if e.dxftype() == "INSERT":
            inner, levels = insert_size(e, 0)  # type: ignore[arg-type]
            total += inner
            deepest = max(deepest, levels)
    return Expansion(count + total, count, deepest, read)


def extract(doc: Drawing | PlainDrawing, limits: Limits, started: float) -> Extracted:
    # The model space's live entities listed once, for the count and the walk (each
    # pass over ezdxf's entity space asks every entity whether it is alive).
    try:
        model_space = list(doc.modelspace())
    except Exception as exc:  # noqa: BLE001 - a damaged file ezdxf loaded without a model space
        raise CadError("UNREADABLE_DXF", f"(no model space: {type(exc).__name__})") from exc
    size = expansion_size(doc, limits, model_space)
    if size.model_space > limits.max_entities:
        raise CadError("TOO_MANY_ENTITIES", f"(more than {limits.max_entities})")
    if size.entities > limits.max_entities:
        raise CadError(
            "BLOCK_EXPANSION_TOO_LARGE", f"({size.entities:,} > {limits.max_entities:,})"
        )
    walker = _Walker(doc, limits, started + limits.max_seconds)
    # Without a block to expand, the walk makes no cycles (see collections_paused); the
    # copies of expanded blocks are, and are left to the collector.
    with collections_paused() if size.entities == size.model_space else nullcontext():
        walker.walk(model_space, 0, None)
        return walker.finish()


@contextmanager
def collections_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while the edges are extracted (from a
    drawing without blocks), chained and made into parts. That work makes tens of
    thousands of small objects and no cycles, and each collection the allocations
    trigger walks the whole loaded drawing again (a sheet of 10 000 LINEs: ~5% of its
    analysis, and ~10% of its extraction). The extraction of a drawing with blocks,
    whose expanded copies are cycles (entity ↔ attributes), is left collected.
    A collector already off is left off; one turned back on by a concurrent analysis
    merely collects sooner."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def max_abs_coordinate(edges: list[Edge]) -> np.ndarray:
    """Each edge's largest coordinate by magnitude (NaN where it has a NaN), with a few
    numpy calls for the whole drawing: a reduction per edge costs more than its LINE's
    reading on a sheet of thousands."""
    if not edges:
        return np.zeros(0)
    counts = [len(e.pts) for e in edges]  # ≥ 2 each: an edge holds both its ends
    first = np.cumsum([0, *counts[:-1]])
    magnitude = np.concatenate([e.pts for e in edges])
    np.abs(magnitude, out=magnitude)  # in place: no second array of the drawing's size
    # .max(axis=1) on two columns runs ~40 times slower than np.maximum of the two; both
    # exact, NaN kept.
    largest = (
        np.maximum(magnitude[:, 0], magnitude[:, 1])
        if magnitude.shape[1] == 2
        else magnitude.max(axis=1)
    )
    return np.maximum.reduceat(largest, first)


# -- geometry of single entities -----------------------------------------------------------
def _ocs_xy_to_wcs(ocs: OCS, pts: np.ndarray, elevation: float) -> np.ndarray:
    """x and y of ocs.to_wcs((x, y, elevation)) for each row of `pts`, as one array
    operation: a tilted polyline's arc has hundreds of points, and a Vec3 and a call
    each were most of its analysis. The same sum as ezdxf's Matrix44.ocs_to_wcs
    (transform_direction), term by term, so the same doubles."""
    if not ocs.transform:
        return np.array(pts[:, :2], dtype=float)
    ux, uy, uz = ocs.ux, ocs.uy, ocs.uz
    x, y = pts[:, 0], pts[:, 1]
    out = np.empty((len(pts), 2))
    out[:, 0] = x * ux.x + y * uy.x + elevation * uz.x
    out[:, 1] = x * ux.y + y * uy.y + elevation * uz.y
    return out


def _arc_plan(r: float, a0: float, a1: float, tol: float) -> tuple[float, int, float]:
    """The span, number of chords and parameter step of `arc_points`' arc (raising for
    what it refuses)."""
    span = (a1 - a0) % (2 * math.pi) or 2 * math.pi
    if r <= 0:
        raise ValueError("radius must be positive")
    step = 2 * math.acos(max(-1.0, 1 - tol / r)) if tol < r else math.pi / 2
    n = max(2, min(4096, math.ceil(span / max(step, 1e-6))))
    return span, n, span / n


def arc_points(cx: float, cy: float, r: float, a0: float, a1: float, tol: float) -> np.ndarray:
    """Points on a CCW arc from angle a0 to a1 (radians), chords within `tol` of the arc."""
    span, n, dt = _arc_plan(r, a0, a1, tol)
    # np.linspace(0.0, span, n + 1) as numpy computes it, k · (span / n) and the last one
    # `span`, without its ~5 µs of checks per arc; a subnormal span whose step rounds
    # to zero takes numpy's other path.
    if dt == 0.0:
        t = np.linspace(0.0, span, n + 1)
    else:
        t = np.arange(n + 1, dtype=float)
        t *= dt
        t[-1] = span
    t += a0
    pts = np.empty((n + 1, 2))
    pts[:, 0] = cx + r * np.cos(t)
    pts[:, 1] = cy + r * np.sin(t)
    return pts


def _arc_ends(
    pts: np.ndarray, reverse: bool, ends: tuple[float, float, float, float] | None
) -> np.ndarray:
    """An arc's points run the other way if `reverse`, then its first and last set to
    `ends` (x0, y0, x1, y1) when given: the exact ends of the entity."""
    if reverse:
        pts = pts[::-1]
    if ends is not None:
        pts[0], pts[-1] = ends[:2], ends[2:]
    return pts


class _ArcPoints:
    """`arc_points` of every arc of a drawing, evaluated together once all are met: each
    arc's sizes are planned when met (and it is refused then, as arc_points would), and
    its points are the same numbers, k · step + a0 through cos and sin, with a few numpy
    calls for all (np.cos and np.sin give each element alike in any array: this machine's
    numpy, tested in tests/cad/test_analysis_speedups_5.py); numpy's calls per arc
    cost more than an arc's reading on a plate of a few hundred rounded cut-outs. An
    edge's points are a view of the drawing's array (reversed where the arc runs the
    other way), set before the edges are used."""

    def __init__(self) -> None:
        self.numbers: list[tuple[float, float, float, float, float, int, float]] = []
        self.edges: list[tuple[Edge, bool, tuple[float, float, float, float] | None]] = []

    def add(
        self,
        edge: Edge,
        cx: float,
        cy: float,
        r: float,
        a0: float,
        a1: float,
        tol: float,
        reverse: bool,
        ends: tuple[float, float, float, float] | None,
    ) -> None:
        """`edge`'s points to be `_arc_ends(arc_points(cx, cy, r, a0, a1, tol), reverse,
        ends)`."""
        span, n, dt = _arc_plan(r, a0, a1, tol)
        if dt == 0.0:  # numpy's linspace path: this arc alone, now
            edge.pts = _arc_ends(arc_points(cx, cy, r, a0, a1, tol), reverse, ends)
            return
        self.numbers.append((cx, cy, r, a0, span, n, dt))
        self.edges.append((edge, reverse, ends))

    def fill(self) -> None:
        if not self.edges:
            return
        # (the chord counts, ≤ 4096, are exact as doubles)
        cx, cy, r, a0, span, chords, dt = np.array(self.numbers, dtype=float).T
        sizes = chords.astype(int) + 1
        start = np.cumsum(sizes) - sizes
        # each arc's np.arange(n + 1, dtype=float) · step, its last `span`, plus a0
        t = (np.arange(int(sizes.sum())) - np.repeat(start, sizes)).astype(float)
        t *= np.repeat(dt, sizes)
        t[start + sizes - 1] = span
        t += np.repeat(a0, sizes)
        pts = np.empty((len(t), 2))
        radius = np.repeat(r, sizes)
        pts[:, 0] = np.repeat(cx, sizes) + radius * np.cos(t)
        pts[:, 1] = np.repeat(cy, sizes) + radius * np.sin(t)
        for (edge, reverse, ends), k, m in zip(
            self.edges, start.tolist(), sizes.tolist(), strict=True
        ):
            edge.pts = _arc_ends(pts[k : k + m], reverse, ends)
        self.numbers, self.edges = [], []


# Flattening runs in drawing units; a fixed relative tolerance keeps it unit-free.
def _tol(size: float) -> float:
    return max(size * 1e-4, 1e-6)


def edges_of(e, layer: str, arcs: _ArcPoints | None = None):  # type: ignore[no-untyped-def]
    """The edges of one entity. `arcs`: where its arcs' points are to be evaluated,
    with the drawing's others (its edges' points are set by arcs.fill()); None: now."""
    kind = e.dxftype()
    if kind == "LINE":
        yield _line_edge(e, layer)
    elif kind in {"ARC", "CIRCLE"}:
        r = float(e.dxf.radius)
        if not r > 0:
            raise ValueError("radius ≤ 0")
        ocs = e.ocs()
        c = ocs.to_wcs(e.dxf.center)
        if kind == "CIRCLE":
            if arcs is None:
                pts = arc_points(c.x, c.y, r, 0.0, 2 * math.pi, _tol(r))
                yield Edge("circle", pts, 2 * math.pi * r, layer, (c.x, c.y), r, closed=True)
                return
            edge = Edge("circle", _NO_POINTS, 2 * math.pi * r, layer, (c.x, c.y), r, closed=True)
            arcs.add(edge, c.x, c.y, r, 0.0, 2 * math.pi, _tol(r), False, None)
            yield edge
            return
        a0, a1 = math.radians(e.dxf.start_angle), math.radians(e.dxf.end_angle)
        span = (a1 - a0) % (2 * math.pi) or 2 * math.pi
        # e.start_point and e.end_point (WCS, mirroring included) as ARC.vertices computes
        # them, on the OCS already built rather than one more each.
        centre = Vec3(e.dxf.center)
        start = ocs.to_wcs(Vec3.from_deg_angle(e.dxf.start_angle, r) + centre)
        end = ocs.to_wcs(Vec3.from_deg_angle(e.dxf.end_angle, r) + centre)
        # Angles in WCS: a mirrored OCS (extrusion -Z) runs the arc the other way.
        w0 = math.atan2(start.y - c.y, start.x - c.x)
        w1 = math.atan2(end.y - c.y, end.x - c.x)
        reverse = ocs.uz.z < 0
        a = w1 if reverse else w0
        ends = (start.x, start.y, end.x, end.y)
        if arcs is None:
            pts = _arc_ends(arc_points(c.x, c.y, r, a, a + span, _tol(r)), reverse, ends)
            yield Edge("arc", pts, r * span, layer, (c.x, c.y), r)
            return
        edge = Edge("arc", _NO_POINTS, r * span, layer, (c.x, c.y), r)
        arcs.add(edge, c.x, c.y, r, a, a + span, _tol(r), reverse, ends)
        yield edge
    elif kind in {"LWPOLYLINE", "POLYLINE"}:
        yield from _polyline_edges(e, layer, arcs)
    elif kind in FLATTENED_TYPES:
        distance = _tol(_entity_size(e))
        flat = flatten_curves([e], [distance])[0]
        yield _curve_edge(flat, layer, distance)


def _line_edge(e, layer: str) -> Edge:  # type: ignore[no-untyped-def]
    s, t = e.dxf.start, e.dxf.end
    sx, sy, tx, ty = s.x, s.y, t.x, t.y
    return Edge("line", np.array([(sx, sy), (tx, ty)]), math.hypot(tx - sx, ty - sy), layer)


def _curve_edge(flat: Flattened, layer: str, distance: float) -> Edge:
    """A flattened ELLIPSE or SPLINE (or why it could not be) as one edge."""
    if isinstance(flat, Exception):
        raise flat
    pts = np.ascontiguousarray(flat[:, :2])
    if len(pts) < 2:
        raise ValueError("degenerate curve")
    # np.allclose(first, last, atol=distance), written out on the four floats: the call
    # costs ~40 µs, numpy on two-element arrays still several.
    (x0, y0), (x1, y1) = pts[0].tolist(), pts[-1].tolist()
    closed = abs(x0 - x1) <= distance + 1e-5 * abs(x1) and abs(y0 - y1) <= distance + 1e-5 * abs(y1)
    step = pts[1:] - pts[:-1]  # np.diff(pts, axis=0), without its checks
    length = float(np.hypot(step[:, 0], step[:, 1]).sum())
    return Edge("curve", pts, length, layer, closed=closed)


def _curve_edge_parts(
    flat: list[Flattened], distances: list[float]
) -> list[tuple[np.ndarray, float, bool] | None]:
    """The points, length and closedness `_curve_edge` gives each flattened curve, with
    a few numpy calls for all of them (its ~10 calls per curve cost more than an
    ellipse's flattening); None where it raises, for it to raise.

    Each curve's points are a view of one array of all their x and y (the same numbers,
    C-ordered, as its own copy). The lengths of its chords are taken from one array of
    all the chords' (between two curves, a chord belongs to neither and is left out):
    np.hypot of the same differences, element by element, and each curve's sum over its
    own contiguous run, which numpy's pairwise sum adds as it adds the curve's own array."""
    arrays = {k: f for k, f in enumerate(flat) if isinstance(f, np.ndarray) and len(f) >= 2}
    out: list[tuple[np.ndarray, float, bool] | None] = [None] * len(flat)
    if not arrays:
        return out
    good = list(arrays)
    sizes = [len(f) for f in arrays.values()]
    xy = np.concatenate([f[:, :2] for f in arrays.values()])
    stop = np.cumsum(sizes)
    start = stop - sizes
    step = xy[1:] - xy[:-1]
    chords = np.hypot(step[:, 0], step[:, 1])
    firsts, lasts = xy[start].tolist(), xy[stop - 1].tolist()
    for k, a, b, (x0, y0), (x1, y1) in zip(
        good, start.tolist(), stop.tolist(), firsts, lasts, strict=True
    ):
        # as `_curve_edge`: np.allclose(first, last, atol=distance), written out
        near_x = abs(x0 - x1) <= distances[k] + 1e-5 * abs(x1)
        closed = near_x and abs(y0 - y1) <= distances[k] + 1e-5 * abs(y1)
        out[k] = (xy[a:b], float(chords[a : b - 1].sum()), closed)
    return out


def _entity_size(e) -> float:  # type: ignore[no-untyped-def]
    if e.dxftype() == "ELLIPSE":
        return float(Vec3(e.dxf.major_axis).magnitude) or 1.0
    # The n × 3 array ezdxf keeps the points in (VertexArray.values): the very doubles
    # iterating the points gives, without a Python loop over them.
    pts = e.control_points.values if len(e.control_points) else e.fit_points.values
    if not len(pts):
        raise ValueError("spline without points")
    if len(pts) <= SMALL_SPLINE_POINTS:
        # np.ptp's max − min of each column, then the larger, on Python floats: the same
        # doubles, without numpy's ~5 µs of calls per spline (a traced outline has
        # hundreds). Infinities and NaN, whose differences and maxima numpy and Python
        # order alike only by luck, are left to numpy. (Where +0.0 and -0.0 tie, the two
        # may take either, and only a zero size's sign can differ: it becomes 1.0.)
        xs, ys = pts[:, 0].tolist(), pts[:, 1].tolist()
        if all(math.isfinite(v) for v in xs) and all(math.isfinite(v) for v in ys):
            return max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return float(np.ptp(pts[:, :2], axis=0).max()) or 1.0


# `_entity_size` measures splines of up to this many points in Python.
SMALL_SPLINE_POINTS = 32


# Columns x, y and bulge of ezdxf's LWPOLYLINE vertex array.
_XYB = [0, 1, 4]


def _polyline_edges(e, layer: str, arcs: _ArcPoints | None = None):  # type: ignore[no-untyped-def]
    lw = e.dxftype() == "LWPOLYLINE"
    if lw:
        # e.get_points("xyb"): the same doubles, taken from the (n, 5) array ezdxf keeps
        # the vertices in (x, y, start width, end width, bulge), not through a tuple per
        # vertex (ezdxf's format_point). Python floats rather than numpy's: the same
        # values and arithmetic on them.
        raw = e.lwpoints.values[:, _XYB].tolist()
        closed = e.closed
        ocs = e.ocs()
        elevation = e.dxf.get("elevation", 0.0)
    else:
        if e.is_polygon_mesh or e.is_poly_face_mesh:
            raise ValueError("mesh")
        raw = [(v.dxf.location.x, v.dxf.location.y, v.dxf.get("bulge", 0.0)) for v in e.vertices]
        closed = e.is_closed
        ocs = e.ocs() if e.is_2d_polyline else OCS()
        elevation = e.dxf.elevation.z if e.is_2d_polyline else 0.0
    if len(raw) < 2:
        return
    n = len(raw) if closed else len(raw) - 1
    moved = ocs.uz.z != 1.0 or elevation  # points to WCS one by one: the arcs' now
    for i in range(n):
        x1, y1, bulge = raw[i]
        x2, y2, _ = raw[(i + 1) % len(raw)]
        chord = math.hypot(x2 - x1, y2 - y1)
        later = None
        if abs(bulge) < 1e-12 or chord == 0:
            pts_ocs = np.array([(x1, y1), (x2, y2)], dtype=float)
            edge_kind, length, center, radius = "line", chord, None, None
        else:
            # A LWPOLYLINE's bulge as the numpy double ezdxf's tuples held: its radius
            # comes out a numpy double then, as it always has (the same value either way).
            c, a_start, a_end, r = bulge_to_arc(
                (x1, y1), (x2, y2), np.float64(bulge) if lw else bulge
            )
            # bulge_to_arc runs CCW; a negative bulge goes the other way
            arc = (c.x, c.y, r, a_start, a_end, _tol(r), bulge < 0, (x1, y1, x2, y2))
            if arcs is None or moved:
                pts_ocs = _arc_ends(arc_points(*arc[:6]), arc[6], arc[7])
            else:
                pts_ocs, later = _NO_POINTS, arc
            theta = 4 * math.atan(abs(bulge))
            edge_kind, length, center, radius = "arc", r * theta, (c.x, c.y), r
        if later is not None:
            edge = Edge(edge_kind, pts_ocs, float(length), layer, center, radius)
            assert arcs is not None
            arcs.add(edge, *later)
            yield edge
            continue
        if moved:
            pts = _ocs_xy_to_wcs(ocs, pts_ocs, elevation)
            if center is not None:
                cw = ocs.to_wcs(Vec3(center[0], center[1], elevation))
                center = (cw.x, cw.y)
        else:
            pts = pts_ocs
        yield Edge(edge_kind, pts, float(length), layer, center, radius)
