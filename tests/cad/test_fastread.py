"""cad/fastread.py, the reader for plain DXF files, against ezdxf's loader: a file it
reads gives the very analysis ezdxf's reading gives (every number bit for bit, every
finding), and a file it does not reproduce is left to ezdxf (None)."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import fields, is_dataclass
from pathlib import Path

import ezdxf
import numpy as np
import pytest

from cad.analyze import analyze_loaded
from cad.errors import CadError
from cad.fastread import PlainDrawing, _refused_in_model_space, read_plain
from cad.reader import DEFAULT_LIMITS, load_file

from .test_corpus import corpus, path

logging.getLogger("ezdxf").setLevel(logging.CRITICAL)


def analysis(p: Path, plain: bool) -> tuple[str, object]:
    """(which reader read it, the analysis or the refusal's code)."""
    try:
        loaded = load_file(p, plain=plain)
    except CadError as exc:
        return "refused", exc.code
    reader = "plain" if isinstance(loaded.doc, PlainDrawing) else "ezdxf"
    try:
        return reader, analyze_loaded(loaded, "x.dxf", None, DEFAULT_LIMITS, time.monotonic())
    except CadError as exc:
        return reader, exc.code


def difference(a: object, b: object, where: str = "") -> str | None:
    """Where `a` and `b` differ: arrays by their bytes, floats by their bits (a signed
    zero or a NaN's payload counts), dataclasses, sequences and dicts item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        same = (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and a.tobytes() == b.tobytes()
        )
        return None if same else where
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if is_dataclass(a):
        for f in fields(a):
            d = difference(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
            if d:
                return d
        return None
    if isinstance(a, list | tuple):
        if len(a) != len(b):  # type: ignore[arg-type]
            return f"{where}: {len(a)} vs {len(b)} items"  # type: ignore[arg-type]
        for k, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            d = difference(x, y, f"{where}[{k}]")
            if d:
                return d
        return None
    if isinstance(a, dict):
        if list(a) != list(b):  # type: ignore[call-overload]
            return f"{where}: keys"
        for k in a:
            d = difference(a[k], b[k], f"{where}[{k!r}]")  # type: ignore[index]
            if d:
                return d
        return None
    if isinstance(a, float):
        return (
            None
            if np.float64(a).tobytes() == np.float64(b).tobytes()
            else f"{where}: {a!r} vs {b!r}"
        )
    return None if a == b else f"{where}: {a!r} vs {b!r}"


def assert_same_as_ezdxf(p: Path) -> str:
    reader, fast = analysis(p, plain=True)
    _, slow = analysis(p, plain=False)
    assert difference(fast, slow) is None, (p.name, reader, difference(fast, slow))
    return reader


def test_the_comparison_sees_a_signed_zero_and_a_moved_point():  # type: ignore[no-untyped-def]
    """The check the tests below rest on can fail."""
    a = np.array([[0.0, 1.0]])
    assert difference(a, np.array([[-0.0, 1.0]])) is not None
    assert difference(a, np.array([[0.0, 1.0 + 1e-15]])) is not None
    assert difference({"x": (0.0,)}, {"x": (-0.0,)}) is not None
    assert difference(a, a.copy()) is None


def test_every_corpus_file_gives_the_analysis_ezdxf_s_reading_gives():  # type: ignore[no-untyped-def]
    readers = {"plain": 0, "ezdxf": 0, "refused": 0}
    for row in corpus():
        readers[assert_same_as_ezdxf(path(row["repo"], row["path"]))] += 1
    # Most of the corpus is plain; the rest (blocks, MTEXT, dimensions, code pages,
    # binary, damaged files) is ezdxf's.
    assert readers["plain"] >= 80, readers
    assert readers["ezdxf"] >= 40, readers


# -- drawn here: every kind of entity the reader fills, and what it must leave alone ----------
def kinds_sheet(version: str) -> ezdxf.document.Drawing:
    """Each entity kind the reader builds, on layers with their own colour and
    linetype, with XDATA, an extension of application data and a paper-space copy."""
    doc = ezdxf.new(version)
    doc.units = 4
    doc.layers.add("CUT", color=3)
    doc.layers.add("ETCH-Marks", color=5, linetype="DASHED")
    doc.layers.add("Bend", color=1)
    msp = doc.modelspace()
    if version != "R12":  # R12 has no LWPOLYLINE, SPLINE or ELLIPSE
        msp.add_lwpolyline(
            [(0, 0, 0), (200, 0, 0.3), (200, 100, 0), (0, 100, -0.2)],
            format="xyb",
            close=True,
            dxfattribs={"layer": "CUT"},
        )
        msp.add_ellipse((60, 70), (12, 3, 0), 0.4, dxfattribs={"layer": "CUT"})
        msp.add_ellipse((160, 70), (-5, 8, 0), 0.5, 0.3, 4.0, dxfattribs={"layer": "CUT"})
        msp.add_spline(
            [(120, 20), (130, 35), (140, 20), (150, 35), (160, 20)], dxfattribs={"layer": "CUT"}
        )
        msp.add_open_spline([(20, 80), (30, 95), (40, 80), (50, 95)], degree=3)
    else:
        for a, b in (
            ((0, 0), (200, 0)),
            ((200, 0), (200, 100)),
            ((200, 100), (0, 100)),
            ((0, 100), (0, 0)),
        ):
            msp.add_line(a, b, dxfattribs={"layer": "CUT"})
    msp.add_circle((30, 30), 6.5, dxfattribs={"layer": "CUT"})
    msp.add_arc((100, 50), 10, 30, 300, dxfattribs={"layer": "CUT"})
    msp.add_line((90, 50), (110, 50), dxfattribs={"layer": "ETCH-Marks", "color": 2})
    msp.add_line((150, 10), (150, 90), dxfattribs={"layer": "Bend"})
    msp.add_text("SUS304 t=2.0", dxfattribs={"insert": (10, 110), "layer": "CUT"})
    msp.add_point((5, 5))
    marked = msp.add_line((0, 120), (200, 120))
    marked.set_xdata("KUMIAI", [(1000, "note"), (1040, 1.5)])
    doc.layouts.get("Layout1").add_line((0, 0), (500, 500))  # paper space: not read
    return doc


@pytest.mark.parametrize("version", ["R12", "R2000", "R2010", "R2018"])
def test_every_entity_kind_is_read_as_ezdxf_reads_it(save, version):  # type: ignore[no-untyped-def]
    doc = kinds_sheet(version)
    p = save(doc)  # conftest.py
    assert assert_same_as_ezdxf(p) == "plain"
    fast = read_plain(p.read_bytes())
    assert fast is not None
    kinds = [e.dxftype() for e in fast.modelspace()]
    assert "LINE" in kinds and "CIRCLE" in kinds and "ARC" in kinds and "TEXT" in kinds
    if version != "R12":
        assert {"LWPOLYLINE", "SPLINE", "ELLIPSE"} <= set(kinds)
    assert not any(
        k == "LINE" and e.dxf.start.x == 0 and e.dxf.end.x == 500
        for k, e in zip(kinds, fast.modelspace(), strict=True)
    )


def _edit(text: str, old: str, new: str, after: str = "") -> str:
    """`text` with the first `old` after the first `after` replaced by `new`."""
    start = text.index(after) if after else 0
    assert old in text[start:], old
    return text[:start] + text[start:].replace(old, new, 1)


def _layout_record(text: str) -> str:
    """The Model layout's block record (330 in its AcDbLayout) made a handle of nothing."""
    start = text.index("AcDbLayout", text.index("OBJECTS"))
    at = text.index("330\n", start) + 4
    return text[:at] + "FFFFF" + text[text.index("\n", at) :]


def plain_sheet(tmp_path: Path) -> tuple[Path, str]:
    doc = kinds_sheet("R2010")
    p = tmp_path / "sheet.dxf"
    doc.saveas(p)
    return p, p.read_text()


def write_text(tmp_path: Path, name: str, text: str, newline: str = "\n") -> Path:
    p = tmp_path / name
    p.write_bytes(text.replace("\n", newline).encode("latin-1"))
    return p


@pytest.mark.parametrize(
    "why, edit",
    [
        (
            "a block reference",
            lambda t: _edit(
                t, "  0\nPOINT\n", "  0\nINSERT\n  2\nNOSUCH\n 10\n0\n 20\n0\n 30\n0\n  0\nPOINT\n"
            ),
        ),
        (
            "MTEXT",
            lambda t: _edit(
                t, "  0\nPOINT\n", "  0\nMTEXT\n  1\nhello\n 10\n0\n 20\n0\n 30\n0\n  0\nPOINT\n"
            ),
        ),
        ("a character outside ASCII", lambda t: _edit(t, "SUS304", "SUS304\xe9")),
        ("no EOF", lambda t: t[: t.rindex("EOF")]),
        (
            "a bad number in OBJECTS",
            lambda t: _edit(t, "  0\nDICTIONARY\n", "  0\nDICTIONARY\n 40\nnot-a-number\n"),
        ),
        (
            "a point without its y",
            lambda t: _edit(t, "  0\nPOINT\n  5\n", "  0\nPOINT\n 10\n1.0\n  5\n"),
        ),
        ("a bad handle", lambda t: _edit(t, "  0\nPOINT\n  5\n", "  0\nPOINT\n  5\nXYZ\n  5\n")),
        (
            "tags outside a section",
            lambda t: _edit(
                t, "  0\nSECTION\n  2\nENTITIES\n", "  0\nPOINT\n  0\nSECTION\n  2\nENTITIES\n"
            ),
        ),
        ("an unknown version", lambda t: _edit(t, "AC1024", "AC1099")),
        # Faults found by the seeded damage below, each once read here and not by ezdxf:
        (
            "a header variable without its value",
            lambda t: _edit(t, "  9\n$ACADVER\n", "  9\n$ACADVER\n  9\n$FOO\n"),
        ),
        (
            "an ENDTAB without its TABLE",
            lambda t: _edit(t, "  0\nENDTAB\n", "  0\nENDTAB\n  0\nENDTAB\n"),
        ),
        (
            "an unclosed application-data group in an object",
            lambda t: _edit(t, "102\n}\n", "", after="OBJECTS"),
        ),
        ("a layout without its block record", _layout_record),
        (
            "a layout entry that is not a LAYOUT",
            lambda t: _edit(t, "  0\nLAYOUT\n", "  0\nXRECORD\n"),
        ),
        (
            "the Model layout renamed",
            lambda t: _edit(t, "  3\nModel\n", "  3\nModelX\n", after="OBJECTS"),
        ),
    ],
)
def test_what_the_reader_does_not_reproduce_is_left_to_ezdxf(tmp_path, why, edit):  # type: ignore[no-untyped-def]
    _, text = plain_sheet(tmp_path)
    p = write_text(tmp_path, "edited.dxf", edit(text))
    assert read_plain(p.read_bytes()) is None, why
    assert_same_as_ezdxf(p)


def test_line_ends_are_read_as_ezdxf_reads_them(tmp_path):  # type: ignore[no-untyped-def]
    _, text = plain_sheet(tmp_path)
    assert assert_same_as_ezdxf(write_text(tmp_path, "crlf.dxf", text, "\r\n")) == "plain"
    # Old Mac line ends: refused before either reader (cad/reader.py's sniff), alike.
    assert assert_same_as_ezdxf(write_text(tmp_path, "cr.dxf", text, "\r")) == "refused"


def test_comments_and_junk_after_eof_are_skipped_as_ezdxf_skips_them(tmp_path):  # type: ignore[no-untyped-def]
    _, text = plain_sheet(tmp_path)
    text = _edit(
        text,
        "  0\nSECTION\n  2\nENTITIES\n",
        "999\na comment\n  0\nSECTION\n  2\nENTITIES\n999\nanother\n",
    )
    p = write_text(tmp_path, "comments.dxf", text + "junk\nafter\nthe end\n")
    assert assert_same_as_ezdxf(p) == "plain"


def test_paper_space_by_owner_or_by_flag_is_not_read(tmp_path):  # type: ignore[no-untyped-def]
    """A LINE with the paper-space flag, and one owned by the paper space's block record
    with the flag saying model space (the owner decides, as in ezdxf)."""
    p, text = plain_sheet(tmp_path)
    doc = ezdxf.readfile(p)
    paper = doc.block_records.get("*Paper_Space").dxf.handle
    model = doc.block_records.get("*Model_Space").dxf.handle
    first_line = text.index("  0\nLINE\n")
    flagged = (
        f"  0\nLINE\n  5\nAAA1\n330\n{model}\n100\nAcDbEntity\n 67\n1\n  8\nCUT\n100\nAcDbLine\n"
        " 10\n0\n 20\n0\n 30\n0\n 11\n900\n 21\n900\n 31\n0\n"
        f"  0\nLINE\n  5\nAAA2\n330\n{paper}\n100\nAcDbEntity\n 67\n0\n  8\nCUT\n100\nAcDbLine\n"
        " 10\n0\n 20\n0\n 30\n0\n 11\n-900\n 21\n900\n 31\n0\n"
    )
    out = write_text(tmp_path, "paper.dxf", text[:first_line] + flagged + text[first_line:])
    assert assert_same_as_ezdxf(out) == "plain"
    fast_doc = read_plain(out.read_bytes())
    assert fast_doc is not None
    # The first LINE (owner: model space, flag: paper) is read; the second is not.
    assert (
        sum(1 for e in fast_doc.modelspace() if e.dxftype() == "LINE" and e.dxf.end.x == 900) == 1
    )
    assert not any(e.dxftype() == "LINE" and e.dxf.end.x == -900 for e in fast_doc.modelspace())


def test_a_block_in_the_model_space_is_left_to_ezdxf_before_the_file_is_split(tmp_path):  # type: ignore[no-untyped-def]
    """The byte check that spares a block-heavy file the whole fast read: an INSERT or
    an old POLYLINE in the model space is seen; those flagged for the paper space (a
    title block), a text that says INSERT, and an INSERT inside a block definition only
    are not, and those files stay on the fast path."""
    doc = kinds_sheet("R2010")
    frame = doc.blocks.new("FRAME")
    frame.add_line((0, 0), (10, 0))
    inner = doc.blocks.new("OUTER")
    inner.add_blockref("FRAME", (5, 5))  # an INSERT in BLOCKS, none in ENTITIES
    doc.layouts.get("Layout1").add_blockref("OUTER", (0, 0))  # flagged (67, 1)
    doc.layouts.get("Layout1").add_polyline2d([(0, 0), (10, 0), (10, 10)])
    doc.modelspace().add_text("INSERT", dxfattribs={"insert": (10, 130)})
    p = tmp_path / "title_block.dxf"
    doc.saveas(p)
    data = p.read_bytes()
    assert b"INSERT" in data[data.index(b"ENTITIES") :]  # the paper-space one and the text
    assert not _refused_in_model_space(data)
    assert assert_same_as_ezdxf(p) == "plain"
    # Its flag after a value "0" (layer 0), which a check by lines alone took for a code 0.
    text = p.read_text()
    first_line = text.index("  0\nLINE\n", text.index("ENTITIES"))
    layer_first = (
        "  0\nINSERT\n  5\nAAB1\n100\nAcDbEntity\n  8\n0\n 67\n1\n"
        "100\nAcDbBlockReference\n  2\nFRAME\n 10\n0\n 20\n0\n 30\n0\n"
    )
    p = write_text(tmp_path, "layer_first.dxf", text[:first_line] + layer_first + text[first_line:])
    assert not _refused_in_model_space(p.read_bytes())
    assert assert_same_as_ezdxf(p) == "plain"

    doc.modelspace().add_blockref("FRAME", (50, 50))
    for newline in ("\n", "\r\n"):
        p = tmp_path / f"model_block{len(newline)}.dxf"
        doc.saveas(p)
        p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", newline.encode()))
        assert _refused_in_model_space(p.read_bytes()), repr(newline)
        assert read_plain(p.read_bytes()) is None
        assert assert_same_as_ezdxf(p) == "ezdxf"

    polyline = kinds_sheet("R2010")
    polyline.modelspace().add_polyline2d([(0, 0, 0.5), (40, 0, 0), (40, 30, 0)], format="xyb")
    p = tmp_path / "polyline.dxf"
    polyline.saveas(p)
    assert _refused_in_model_space(p.read_bytes())
    assert assert_same_as_ezdxf(p) == "ezdxf"


def test_damaged_copies_are_read_as_ezdxf_reads_them_or_left_to_it(tmp_path):  # type: ignore[no-untyped-def]
    """Seeded damage to a plain sheet, one or two edits a copy (a line dropped, doubled
    or swapped with the next, garbled, or made another group code or a telling value):
    each copy is either left to ezdxf or gives ezdxf's analysis, refusal or findings
    (RECOVERED included). 1,600 more copies (seeds 4-7) were run by hand on this code."""
    _, text = plain_sheet(tmp_path)
    lines = text.split("\n")
    rng = random.Random(15)
    codes = [" 10", " 20", " 38", " 67", "330", "100", "102", "1001", "  8", "  5", "  2", "  0"]
    words = ["0", "-1", "1e400", "nan", "", "LINE", "SECTION", "ENDSEC", "{ACAD_X", "}", "1"]
    plain = 0
    for k in range(120):
        damaged = list(lines)
        for _ in range(rng.choice([1, 1, 2])):
            i = rng.randrange(len(damaged) - 1)
            how = rng.randrange(6)
            if how == 0:
                del damaged[i]
            elif how == 1:
                damaged.insert(i, damaged[i])
            elif how == 2:
                damaged[i], damaged[i + 1] = damaged[i + 1], damaged[i]
            elif how == 3:
                damaged[i] = damaged[i] + "x"
            elif how == 4:
                damaged[i] = rng.choice(codes)
            else:
                damaged[i] = rng.choice(words)
        p = write_text(tmp_path, f"damaged_{k}.dxf", "\n".join(damaged))
        plain += assert_same_as_ezdxf(p) == "plain"
    assert plain >= 15  # the damage often lands where the analysis does not look


def test_a_plain_sheet_holds_what_was_drawn(tmp_path):  # type: ignore[no-untyped-def]
    """What kinds_sheet drew, read back: the version, the polyline's vertex with its
    bulge in ezdxf's column, a layer's colour by any case of its name."""
    p, _ = plain_sheet(tmp_path)
    fast = read_plain(p.read_bytes())
    assert fast is not None and fast.dxfversion == "AC1024"
    lw = next(e for e in fast.modelspace() if e.dxftype() == "LWPOLYLINE")
    assert lw.closed and lw.lwpoints.values[1].tolist() == [200.0, 0.0, 0.0, 0.0, 0.3]
    assert fast.layers.get("etch-marks").dxf.color == 5 and "cut" in fast.layers
