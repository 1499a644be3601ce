"""Reading the plain DXF files most drawings are, into ezdxf's own entity objects, several
times faster than ezdxf's loader.

`ezdxf.readfile` builds the whole document: an object per tag, each entity split into
subclasses and loaded attribute by attribute, every table, block and object set up. On a
sheet of a few thousand LINEs and polylines that is most of an analysis, which issue 15
(item 7) holds to 1.3× that very read. The analysis reads the model space's curves and
texts, the layer table and the version, nothing else. For a file that holds nothing else
that matters (ASCII, no blocks used, only the entity kinds below, a sound structure),
this module splits its tags in bulk and fills ezdxf's own classes (Line, Arc, LWPolyline,
Spline, …) with the values ezdxf's loader would give them: the same group-code tables,
the same casts, the same rules for points, subclasses, application data and XDATA, the
same choice of model space. Anything else gives None, and the caller reads the file with
ezdxf as before. `tests/cad/test_fastread.py` holds the two to the same analysis on
every drawing of the corpus and the bench's.

Soundness is judged as ezdxf's loader judges it where that decides between its fast
loader and recover mode (the analysis reports a recovered file): the section structure,
the group codes, every number of every section (ezdxf's tag compiler refuses a file with
one bad float anywhere), the handles, the header and the table entries (read by ezdxf's
own loaders: they are few), the application-data groups of every object, and the
layouts by which ezdxf finds the model space. What ezdxf's entity loaders would refuse
in the other parts not read here (the rest of OBJECTS, CLASSES) is not checked. Seeded
damage to a sheet (tests/cad/test_fastread.py, and 1,600 more copies by hand) found
three faults of that kind, each now checked and tested; the last 1,600 copies, none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from ezdxf.entities import (
    Arc,
    Circle,
    DXFEntity,
    Ellipse,
    Layer,
    Line,
    LWPolyline,
    Spline,
    Text,
    factory,
)
from ezdxf.entities.dxfgfx import acdb_entity_group_codes
from ezdxf.entities.ellipse import merged_ellipse_group_codes
from ezdxf.entities.line import merged_line_group_codes
from ezdxf.entities.lwpolyline import LWPolylinePoints, acdb_lwpolyline_group_codes
from ezdxf.entities.spline import acdb_spline_group_codes
from ezdxf.entities.text import merged_text_group_codes
from ezdxf.lldxf.extendedtags import ExtendedTags
from ezdxf.lldxf.tags import Tags as EzTags
from ezdxf.lldxf.types import POINT_CODES, TYPE_TABLE, DXFTag, DXFVertex, is_valid_handle
from ezdxf.lldxf.validator import make_table_key
from ezdxf.math import NULLVEC, Vec3
from ezdxf.sections.header import HeaderSection
from ezdxf.sections.tables import TABLENAMES

# $ACADVER values read here, and the version ezdxf gives the document (it upgrades R13
# and R14 to R2000 on load).
VERSIONS = {
    "AC1009": "AC1009",
    "AC1012": "AC1015",
    "AC1014": "AC1015",
    "AC1015": "AC1015",
    "AC1018": "AC1018",
    "AC1021": "AC1021",
    "AC1024": "AC1024",
    "AC1027": "AC1027",
    "AC1032": "AC1032",
}

# Entities the walk only counts, whose ezdxf loaders take any values (the simple loader).
COUNTED = {"POINT", "SOLID", "TRACE", "3DFACE", "XLINE", "RAY"}


class NotPlain(Exception):
    """The file holds something this reader does not reproduce: ezdxf reads it."""


@dataclass
class PlainLayers:
    """`doc.layers` as the walk asks it: `name in layers` and `layers.get(name)`, keyed
    as ezdxf keys its tables (make_table_key: lower case; a later entry replaces one of
    the same name)."""

    entries: dict[str, Layer] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and make_table_key(name) in self.entries

    def get(self, name: str) -> Layer:
        return self.entries[make_table_key(name)]


class _NoBlocks:
    def get(self, name: str) -> None:
        return None


@dataclass
class PlainDrawing:
    """What the analysis reads of a drawing: its version, layers and model space."""

    dxfversion: str
    layers: PlainLayers
    model_space: list[DXFEntity]
    blocks: _NoBlocks = field(default_factory=_NoBlocks)

    def modelspace(self) -> list[DXFEntity]:
        return self.model_space


class Counted:
    """A model-space entity the walk counts and reads nothing of."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def dxftype(self) -> str:
        return self.kind


# -- tags ------------------------------------------------------------------------------------
_STR, _INT, _FLOAT, _POINT = 0, 1, 2, 3


def _kind(code: int) -> int:
    if code in POINT_CODES:
        return _POINT
    t = TYPE_TABLE.get(code, str)
    return _INT if t is int else _FLOAT if t is float else _STR


_KINDS: dict[int, int] = {}


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return int(float(value))  # as ezdxf's compiler: ProE writes integers as floats


def _point(codes: list[int], values: list[str], i: int, b: int) -> tuple[tuple[float, ...], int]:
    """The point whose x is tag i (of tags before b), as ezdxf's compiler reads it: its y
    must follow, its z may; and the index after it. ValueError for a bad number."""
    code = codes[i]
    if i + 1 >= b or codes[i + 1] != code + 10:
        raise NotPlain("point without its y")
    if i + 2 < b and codes[i + 2] == code + 20:
        return (float(values[i]), float(values[i + 1]), float(values[i + 2])), i + 3
    return (float(values[i]), float(values[i + 1])), i + 2


class Tags:
    """A file's tags as two lists, group codes (int) and values (str, code 0's stripped,
    as ezdxf's compiler strips them), comments left out; up to its first (0, EOF)."""

    def __init__(self, data: bytes) -> None:
        if not data.isascii():
            raise NotPlain("not ASCII")  # code pages: ezdxf's detection decides
        text = data.decode("ascii")
        if "\r" in text:  # the universal newlines of ezdxf's text-mode read
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        raw_codes, values = lines[0::2], lines[1::2]
        # ezdxf's loader stops at the first (0, "EOF") as written; what follows is not read.
        end = 0
        while True:
            try:
                end = values.index("EOF", end)
            except ValueError:
                raise NotPlain("no EOF") from None
            try:
                if int(raw_codes[end]) == 0:
                    break
            except ValueError:
                raise NotPlain("bad group code") from None
            end += 1
        del raw_codes[end:], values[end:]
        try:
            number = {c: int(c) for c in set(raw_codes)}
        except ValueError:
            raise NotPlain("bad group code") from None
        every = np.fromiter(map(number.__getitem__, raw_codes), dtype=np.int64)
        comments = np.flatnonzero(every == 999)
        if len(comments):  # ezdxf's loader skips them
            keep = np.flatnonzero(every != 999)
            every = every[keep]
            values = [values[k] for k in keep.tolist()]
        self.codes, self.values = every.tolist(), values
        self.zeros = np.flatnonzero(every == 0).tolist()
        for k in self.zeros:
            values[k] = values[k].strip()
        if not self.zeros or self.zeros[0] != 0:
            raise NotPlain("tags before the first structure tag")
        self._check_handles(np.flatnonzero((every == 5) | (every == 105)).tolist())
        for c in number.values():
            if c not in _KINDS:
                _KINDS[c] = _kind(c)

    def _check_handles(self, found: list[int]) -> None:
        """ezdxf's entity database refuses a handle that is not hexadecimal, or 0. The
        handle is the base class's code 5 (105 in a DIMSTYLE, whose 5 is an attribute)."""
        codes, values, zeros = self.codes, self.values, self.zeros
        starts = np.asarray(zeros)[np.searchsorted(zeros, found, side="right") - 1].tolist()
        for k, a in zip(found, starts, strict=True):
            if codes[k] != (105 if values[a] == "DIMSTYLE" else 5):
                continue
            if k > a + 1 and any(c in (100, 101, 1001) for c in codes[a + 1 : k]):
                continue  # past the base class: an attribute
            if values[k] == "0" or not is_valid_handle(values[k]):
                raise NotPlain("a bad handle")

    def simple(
        self, a: int, b: int, mapping: dict[int, str]
    ) -> tuple[dict[str, object], list[object], bool]:
        """Entity a..b loaded as ezdxf's simple_dxfattribs_loader loads it, in one pass:
        every tag outside application data and XDATA, compiled as ezdxf's compiler
        compiles it, set by `mapping` (group code → attribute name), the last of a code
        kept. Also the base class's owners (330), and whether it has a code 38."""
        codes, values, kinds = self.codes, self.values, _KINDS
        attrs: dict[str, object] = {}
        owners: list[object] = []
        base, elevation = True, False
        i = a + 1
        try:
            while i < b:
                code = codes[i]
                kind = kinds[code]
                if kind == _POINT:
                    point, i = _point(codes, values, i, b)
                    name = mapping.get(code)
                    if name is not None:
                        attrs[name] = Vec3(point)
                    continue
                if code == 1001:
                    self.check(i, b)  # XDATA: compiled, not loaded
                    break
                if kind == _FLOAT:
                    value: object = float(values[i])
                elif kind == _INT:
                    value = _int(values[i])
                else:
                    value = values[i]
                    if code == 100:
                        base = False
                    elif code == 101:
                        raise NotPlain("embedded object")
                    elif code == 102 and base and value[:1] == "{":
                        closing = ("}", value[1:] + "}")
                        j = i + 1
                        while j < b and not (codes[j] == 102 and values[j] in closing):
                            j += 1
                        if j == b:
                            raise NotPlain("application data without its end")
                        self.check(i + 1, j)
                        i = j + 1
                        continue
                    elif code == 330 and base:
                        owners.append(value)
                if code == 38:
                    elevation = True
                name = mapping.get(code)
                if name is not None:
                    attrs[name] = value
                i += 1
        except ValueError:
            raise NotPlain("bad number") from None
        return attrs, owners, elevation

    def entities(self) -> Iterator[tuple[int, int]]:
        """(start, stop) of each structure entity, a (0, …) tag and what follows it."""
        zeros = self.zeros
        yield from zip(zeros, [*zeros[1:], len(self.codes)], strict=True)

    def compiled(self, a: int, b: int) -> list[tuple[int, object]]:
        """Tags a..b as ezdxf's tag compiler gives them: points as tuples (x, y[, z]) from
        their x, y and optional z codes, numbers as int or float; NotPlain where the
        compiler raises."""
        codes, values, kinds = self.codes, self.values, _KINDS
        out: list[tuple[int, object]] = []
        i = a
        try:
            while i < b:
                code = codes[i]
                kind = kinds[code]
                if kind == _POINT:
                    point, i = _point(codes, values, i, b)
                    out.append((code, point))
                    continue
                if kind == _FLOAT:
                    out.append((code, float(values[i])))
                elif kind == _INT:
                    out.append((code, _int(values[i])))
                else:
                    out.append((code, values[i]))
                i += 1
        except ValueError:
            raise NotPlain("bad number") from None
        return out

    def check(self, a: int, b: int) -> None:
        """Raise NotPlain where ezdxf's compiler would refuse tags a..b."""
        self.compiled(a, b)


# -- entities ---------------------------------------------------------------------------------
@dataclass
class _Parts:
    """An entity's tags as ezdxf's ExtendedTags splits them: the base class (application
    data groups left out), the subclasses each from its (100, …) marker; XDATA left out."""

    base: list[tuple[int, object]]
    subclasses: list[list[tuple[int, object]]]


def _split(tags: list[tuple[int, object]]) -> _Parts:
    base: list[tuple[int, object]] = []
    subclasses: list[list[tuple[int, object]]] = []
    current = base
    i, n = 0, len(tags)
    while i < n:
        code, value = tags[i]
        if code == 1001:
            break  # XDATA runs to the end of the entity
        if code == 101:
            raise NotPlain("embedded object")
        if code == 100:
            current = [tags[i]]
            subclasses.append(current)
        elif code == 102 and current is base and isinstance(value, str) and value[:1] == "{":
            closing = ("}", value[1:] + "}")
            i += 1
            while i < n and not (tags[i][0] == 102 and tags[i][1] in closing):
                i += 1
            if i == n:
                raise NotPlain("application data without its end")
        else:
            current.append(tags[i])
        i += 1
    return _Parts(base, subclasses)


def _by_subclass(
    entity: DXFEntity, tags: list[tuple[int, object]], mapping: dict[int, str | list[str]]
) -> None:
    """ezdxf's fast_load_dxfattribs on one subclass (its marker first) whose every tag
    it knows; NotPlain for a tag ezdxf would log or try to recover."""
    put = entity.dxf.unprotected_set
    for code, value in tags[1:]:
        name = mapping.get(code)
        if not isinstance(name, str):
            raise NotPlain(f"tag {code} in {tags[0][1]}")
        if name[0] != "*":
            put(name, Vec3(value) if code in POINT_CODES else value)


def _graphic_base(entity: DXFEntity, parts: _Parts, kind: str, marker: str) -> list:  # type: ignore[type-arg]
    """DXFGraphic's loading of a subclassed entity (LWPOLYLINE, SPLINE): the base class's
    own tags added to AcDbEntity, which is loaded; the entity's own subclass returned."""
    if len(parts.subclasses) != 2:
        raise NotPlain(f"{kind} without exactly its two subclasses")
    acdb_entity, own = parts.subclasses
    if acdb_entity[0][1] != "AcDbEntity" or own[0][1] != marker:
        raise NotPlain(f"{kind}'s subclasses")
    extra = [t for t in parts.base if t[0] not in (0, 5, 102, 330)]
    loaded = acdb_entity + extra
    if any(code in (92, 160) for code, _ in loaded):
        raise NotPlain("proxy graphic")
    _by_subclass(entity, loaded, acdb_entity_group_codes)
    return own


def _lwpolyline(parts: _Parts) -> LWPolyline:
    e = LWPolyline()
    own = _graphic_base(e, parts, "LWPOLYLINE", "AcDbPolyline")
    # LWPolylinePoints.from_tags
    vertices: list[list[float]] = []
    point: list[float] | None = None
    attribs: dict[int, float] = {}
    rest = [own[0]]
    for code, value in own[1:]:
        if code == 10:
            if point is not None:
                vertices.append(
                    [*point, attribs.get(40, 0), attribs.get(41, 0), attribs.get(42, 0)]
                )
            point = list(value[0:2])  # type: ignore[index]
            attribs = {}
        elif code in (40, 41, 42):
            attribs[code] = value  # type: ignore[assignment]
        else:
            rest.append((code, value))
    if point is not None:
        vertices.append([*point, attribs.get(40, 0), attribs.get(41, 0), attribs.get(42, 0)])
    e.lwpoints = LWPolylinePoints(data=vertices)
    _by_subclass(e, rest, acdb_lwpolyline_group_codes)
    return e


def _spline(parts: _Parts) -> Spline:
    e = Spline()
    own = _graphic_base(e, parts, "SPLINE", "AcDbSpline")
    # Spline.load_spline_data
    control, fit, knots, weights = [], [], [], []
    rest = [own[0]]
    for code, value in own[1:]:
        if code == 10:
            control.append(value)
        elif code == 11:
            fit.append(value)
        elif code == 40:
            knots.append(value)
        elif code == 41:
            weights.append(value)
        elif code in (12, 13) and NULLVEC.isclose(value):  # type: ignore[arg-type]
            pass  # a null tangent: ezdxf drops it on loading
        else:
            rest.append((code, value))
    _by_subclass(e, rest, acdb_spline_group_codes)
    e.control_points = control  # type: ignore[assignment]
    e.fit_points = fit  # type: ignore[assignment]
    e.knots = knots  # type: ignore[assignment]
    e.weights = weights  # type: ignore[assignment]
    return e


def _loaded(mapping: dict) -> dict[int, str]:  # type: ignore[type-arg]
    """The attributes a simple loader sets: names, not callbacks ("*…") or lists."""
    return {c: n for c, n in mapping.items() if isinstance(n, str) and n[0] != "*"}


# Entities loaded by ezdxf's simple loader: class, its group codes, and whether ezdxf
# moves a code 38 (an R11 elevation) into its points in an R12 file.
SIMPLE: dict[str, tuple[type, dict[int, str], bool]] = {
    "LINE": (Line, _loaded(merged_line_group_codes), False),
    "CIRCLE": (Circle, _loaded(Circle.MERGED_GROUP_CODES), True),
    "ARC": (Arc, _loaded(Arc.MERGED_GROUP_CODES), True),
    "ELLIPSE": (Ellipse, _loaded(merged_ellipse_group_codes), False),
    "TEXT": (Text, _loaded(merged_text_group_codes), True),
}
SUBCLASSED: dict[str, Callable[[_Parts], DXFEntity]] = {
    "LWPOLYLINE": _lwpolyline,
    "SPLINE": _spline,
}


def _owner_and_paperspace(parts: _Parts) -> tuple[list[object], object]:
    owners = [value for code, value in parts.base if code == 330]
    paperspace = None
    for tags in (parts.base, *parts.subclasses):
        for code, value in tags:
            if code == 67:
                paperspace = value
    return owners, paperspace


# -- the file ---------------------------------------------------------------------------------
# A structure tag's two lines (0, NAME), ending at NAME's end, blanks allowed as ezdxf
# strips them. Matched backwards from a found NAME (bytes.find is a fast scan; a
# regular expression that starts at every newline of a megabyte is not).
_CODE_ZERO_BEFORE = re.compile(rb"(?:^|\n)[ \t]*0[ \t]*\r?\n[ \t]*\Z")
_LINE_END = re.compile(rb"[ \t]*(?:\r?\n|\Z)")
_SECTION_NAME = re.compile(rb"[ \t]*2[ \t]*\r?\n[ \t]*ENTITIES[ \t]*(?:\r?\n|\Z)")


def _structure_tags(data: bytes, name: bytes, start: int, end: int) -> Iterator[int]:
    """The end of each structure tag (0, name) in data[start:end]."""
    at = data.find(name, start, end)
    while at >= 0:
        after = at + len(name)
        line_end = _LINE_END.match(data, after)
        if line_end is not None and _CODE_ZERO_BEFORE.search(data, max(0, at - 32), at):
            yield line_end.end()
        at = data.find(name, after, end)


def _paper_flagged(data: bytes, after: int, end: int) -> bool:
    """Whether the entity whose structure tag ends at `after` holds the tag (67, 1),
    read as code and value lines in pairs up to its next structure tag: a value of
    "0" (layer 0, a flag) is never taken for a code."""
    pos = after
    while pos < end:
        code_end = data.find(b"\n", pos, end)
        if code_end < 0:
            return False
        value_end = data.find(b"\n", code_end + 1, end)
        if value_end < 0:
            value_end = end
        code = data[pos:code_end].strip()
        if code == b"0":
            return False
        if code == b"67":
            return data[code_end + 1 : value_end].strip() == b"1"
        pos = value_end + 1
    return False


# Kinds `_read` refuses in the model space that drawings often hold: a block used, and
# the old POLYLINE with its VERTEXes (R12 exports).
_REFUSED_KINDS = (b"INSERT", b"POLYLINE")


def _refused_in_model_space(data: bytes) -> bool:
    """Whether the ENTITIES section, read as bytes, holds an INSERT or a POLYLINE without
    the paper-space flag (67, 1), which `_read` refuses only after it has split and
    checked the whole file (a quarter of ezdxf's own read, spent for nothing). A
    paper-space title block is flagged, and stays on the fast path. The check only ever
    sends a file to ezdxf sooner: an entity it misses is still refused by `_read`, one
    it takes wrongly for the model space (unflagged, owned by the paper space) is read
    by ezdxf, slower and the same."""
    start = -1
    for after in _structure_tags(data, b"SECTION", 0, len(data)):
        if _SECTION_NAME.match(data, after):
            start = after
            break
    if start < 0:
        return False
    end = next(_structure_tags(data, b"ENDSEC", start, len(data)), len(data))
    for kind in _REFUSED_KINDS:
        for after in _structure_tags(data, kind, start, end):
            if not _paper_flagged(data, after, end):
                return True
    return False


def read_plain(data: bytes) -> PlainDrawing | None:
    """The drawing in `data` as the analysis reads it, or None where ezdxf must read it."""
    if _refused_in_model_space(data):
        return None
    try:
        return _read(Tags(data))
    except NotPlain:
        return None
    except Exception:  # noqa: BLE001 - whatever else surprises this reader, ezdxf reads it
        return None


def _read(tags: Tags) -> PlainDrawing:
    sections: dict[str, list[tuple[int, int]]] = {}
    current: list[tuple[int, int]] | None = None
    codes, values = tags.codes, tags.values
    for a, b in tags.entities():
        kind = values[a]
        if kind == "SECTION":
            if current is not None or b - a < 2 or codes[a + 1] != 2:
                raise NotPlain("section structure")
            name = values[a + 1]
            if name in sections:
                raise NotPlain(f"two {name} sections")
            # The section's own entity first: the HEADER's variables are in it.
            current = sections[name] = [(a, b)]
        elif kind == "EOF":
            raise NotPlain("an EOF written otherwise before the EOF")
        elif kind == "ENDSEC":
            if current is None:
                raise NotPlain("ENDSEC outside a section")
            current = None
            tags.check(a, b)
        elif current is None:
            raise NotPlain("tags outside a section")
        else:
            current.append((a, b))
    if current is not None:
        raise NotPlain("missing ENDSEC")

    version = _version(tags, sections.get("HEADER", []))
    layers, model_key, paper_key, block_records = _tables(tags, sections.get("TABLES", []))
    _check_blocks(tags, sections.get("BLOCKS", []))
    objects = sections.get("OBJECTS", [])
    if len(objects) > 1 and values[objects[1][0]] != "DICTIONARY":
        raise NotPlain("OBJECTS without its root dictionary")
    if version != "AC1009":
        _check_layouts(tags, objects[1:], model_key, block_records)
    for name, entities in sections.items():
        if name not in ("HEADER", "TABLES", "BLOCKS", "ENTITIES"):
            for a, b in entities:
                _split(tags.compiled(a, b))  # ezdxf's compiler, then its ExtendedTags
    if model_key is None and version != "AC1009":
        raise NotPlain("no *Model_Space block record")
    model_space: list[DXFEntity] = []
    r12 = version == "AC1009"  # ezdxf loads subclassed entities otherwise in R12 files
    for a, b in sections.get("ENTITIES", [])[1:]:
        kind = values[a]
        simple = SIMPLE.get(kind)
        if simple is not None:
            attrs, owners, elevation = tags.simple(a, b, simple[1])
            paperspace = attrs.get("paperspace")
        else:
            parts = _split(tags.compiled(a, b))
            owners, paperspace = _owner_and_paperspace(parts)
        if len(owners) > 1:
            raise NotPlain("two owners")  # which one ezdxf takes depends on the handle's place
        owner = owners[0] if owners else None
        # ezdxf's EntitySection: the owner decides, then the paperspace flag.
        if owner is not None and model_key is None:
            raise NotPlain("an owner without block records")
        if owner is not None and owner == model_key:
            in_model = True
        elif owner is not None and owner == paper_key:
            in_model = False
        else:
            in_model = not paperspace
        if not in_model:
            continue
        if simple is not None:
            cls, _, moves_elevation = simple
            if elevation and moves_elevation:
                raise NotPlain("R11 elevation")  # ezdxf moves it into R12 files' points
            e = cls()
            e.dxf.__dict__.update(attrs)  # DXFNamespace.unprotected_set of each
            model_space.append(e)
        elif kind in SUBCLASSED:
            if r12:
                raise NotPlain(f"{kind} in an R12 file")
            model_space.append(SUBCLASSED[kind](parts))
        elif kind in COUNTED:
            model_space.append(Counted(kind))  # type: ignore[arg-type]
        else:
            raise NotPlain(f"{kind} in the model space")
    return PlainDrawing(version, layers, model_space)


def _ezdxf_tags(compiled: list[tuple[int, object]]) -> EzTags:
    return EzTags(DXFVertex(c, v) if c in POINT_CODES else DXFTag(c, v) for c, v in compiled)  # type: ignore[arg-type]


def _version(tags: Tags, header: list[tuple[int, int]]) -> str:
    """The document's version as ezdxf sets it, from a header ezdxf's own loader reads
    (it refuses a malformed one)."""
    if not header:
        return "AC1009"  # ezdxf: a file without a header is R12
    a, b = header[0]  # ezdxf reads the section's first structure entity alone
    found = HeaderSection.load(_ezdxf_tags(tags.compiled(a, b))).get("$ACADVER", "AC1009")
    for a, b in header[1:]:
        tags.check(a, b)
    if found not in VERSIONS:
        raise NotPlain(f"version {found!r}")
    return VERSIONS[found]


def _tables(
    tags: Tags, entities: list[tuple[int, int]]
) -> tuple[PlainLayers, str | None, str | None, set[str]]:
    layers = PlainLayers()
    model_key = paper_key = None
    block_records: set[str] = set()
    table = None
    for a, b in entities:
        kind = tags.values[a]
        compiled = tags.compiled(a, b)
        if kind == "SECTION":
            continue
        if kind == "TABLE":
            table = next((v for c, v in compiled if c == 2), None)
            if table not in TABLENAMES:
                raise NotPlain(f"table {table!r}")  # ezdxf has no such table
            continue
        if kind == "ENDTAB":
            if table is None:
                raise NotPlain("ENDTAB without its TABLE")  # ezdxf loads an empty table: fails
            table = None
            continue
        if table is None:
            raise NotPlain("a table entry outside a table")
        if kind != table:
            continue  # ezdxf ignores an entry of another kind (with a warning)
        # Table entries are few: ezdxf's own loader reads them.
        entry = factory.load(ExtendedTags(_ezdxf_tags(compiled)))
        name = entry.dxf.get("name")
        if not isinstance(name, str):
            raise NotPlain(f"a {kind} without a name")  # ezdxf keys its tables by name
        key = make_table_key(name)
        if kind == "LAYER":
            layers.entries[key] = entry  # type: ignore[assignment]
        elif kind == "BLOCK_RECORD":
            handle = entry.dxf.get("handle")
            block_records.add(handle)
            if key == "*model_space":
                model_key = handle
            else:
                paper_key = handle
    return layers, model_key, paper_key, block_records  # type: ignore[return-value]


def _entries(compiled: list[tuple[int, object]]) -> list[tuple[str, str]]:
    """A DICTIONARY's entries: (name, handle), each a (3, name) then its (350|360, handle)."""
    out = []
    for (c, name), (d, handle) in zip(compiled, compiled[1:], strict=False):
        if c == 3 and d in (350, 360):
            out.append((str(name), str(handle)))
    return out


def _check_layouts(
    tags: Tags, objects: list[tuple[int, int]], model_key: str | None, block_records: set[str]
) -> None:
    """The model space ezdxf's Layouts would find: the root dictionary's ACAD_LAYOUT
    entries, each LAYOUT's block record, and the entry named Model (restored only where
    fewer than two layouts are read) on the *Model_Space block record."""
    if not objects:
        raise NotPlain("no OBJECTS")
    by_handle: dict[str, tuple[int, int]] = {}
    for a, b in objects:
        for k in range(a + 1, b):
            if tags.codes[k] in (100, 1001, 101):
                break
            if tags.codes[k] == 5:
                by_handle[tags.values[k]] = (a, b)
    root = _entries(tags.compiled(*objects[0]))
    layout_dicts = [h for name, h in root if name == "ACAD_LAYOUT"]
    if not layout_dicts:
        return  # ezdxf makes the dictionary and restores Model and Layout1
    if len(layout_dicts) > 1 or layout_dicts[0] not in by_handle:
        raise NotPlain("the ACAD_LAYOUT dictionary")
    found: dict[str, str] = {}  # layout key → its block record
    for name, handle in _entries(tags.compiled(*by_handle[layout_dicts[0]])):
        if handle not in by_handle:
            raise NotPlain("a layout elsewhere or missing")
        a, b = by_handle[handle]
        layout = factory.load(ExtendedTags(_ezdxf_tags(tags.compiled(a, b))))
        if layout.dxftype() != "LAYOUT":
            raise NotPlain("a layout entry that is not a LAYOUT")
        record = layout.dxf.get("block_record_handle")
        if record not in block_records:
            raise NotPlain("a layout without its block record")
        found[name.upper()] = record
    if len(found) >= 2 and found.get("MODEL") != model_key:
        raise NotPlain("the Model layout")


def _check_blocks(tags: Tags, entities: list[tuple[int, int]]) -> None:
    """Every number sound, and nothing drawn in a *Model_Space block (ezdxf adds that
    to the model space)."""
    in_model = False
    for a, b in entities:
        compiled = tags.compiled(a, b)
        kind = tags.values[a]
        if kind == "BLOCK":
            name = next((v for c, v in compiled if c == 2), "")
            in_model = isinstance(name, str) and name.lower() == "*model_space"
        elif kind == "ENDBLK":
            in_model = False
        elif in_model:
            raise NotPlain("entities in the *Model_Space block")
