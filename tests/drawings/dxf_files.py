"""Small DXF files made here, in millimetres, with sizes a person can check by hand."""

from __future__ import annotations

import io

import ezdxf


def plate(
    w: float = 100.0,
    h: float = 50.0,
    holes: tuple[tuple[float, float, float], ...] = (
        (15, 12.5, 10),
        (85, 12.5, 10),
        (15, 37.5, 10),
        (85, 37.5, 10),
    ),
    text: str | None = None,
) -> bytes:
    """A w×h plate with round holes (x, y, diameter), as DXF bytes."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4  # millimetres (ezdxf.new() says metres otherwise)
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (w, 0), (w, h), (0, h)], close=True)
    for x, y, d in holes:
        msp.add_circle((x, y), d / 2)
    if text:
        msp.add_text(text, dxfattribs={"layer": "TEXT", "height": 3}).set_placement((5, h + 5))
    out = io.StringIO()
    doc.write(out)
    return out.getvalue().encode()


def block_bomb() -> bytes:
    """A 100-line block in a 300×300 array: nine million lines once expanded."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4
    block = doc.blocks.new("B")
    for i in range(100):
        block.add_line((0, i), (10, i))
    doc.modelspace().add_blockref("B", (0, 0)).dxf.update(
        {"row_count": 300, "column_count": 300, "row_spacing": 20, "column_spacing": 20}
    )
    out = io.StringIO()
    doc.write(out)
    return out.getvalue().encode()


def many_lines(n: int) -> bytes:
    """A minimal DXF (R12) of `n` LINE entities, written as text: a million entities in
    about 40 MB, in a second, where ezdxf would take minutes to build them."""
    line = "0\nLINE\n8\n0\n10\n{x}\n20\n0\n30\n0\n11\n{x}\n21\n1\n31\n0\n"
    head = "0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n0\nSECTION\n2\nENTITIES\n"
    body = "".join(line.format(x=i % 1000) for i in range(n))
    return (head + body + "0\nENDSEC\n0\nEOF\n").encode()
