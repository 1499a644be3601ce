"""Sheet-metal parts for the demo library, drawn here with ezdxf (no data is shipped or
downloaded): flat patterns as a shop would receive them, with bend lines on a BEND
layer, a title block's text (図番 / 品名 / 材質 / 板厚), size series and a mirror pair,
so similar search, quotes and findings all have something to show."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import ezdxf


@dataclass(frozen=True)
class DemoPart:
    part_number: str
    title: str
    material: str
    thickness_mm: float
    customer: str
    dxf: Callable[[], bytes]


def _doc():  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4  # mm
    doc.layers.add("CUT", color=7)
    doc.layers.add("BEND", color=1, linetype="DASHED")
    doc.layers.add("TEXT", color=3)
    return doc, doc.modelspace()


def _title(msp, x: float, y: float, number: str, title: str, material: str, t: float) -> None:  # type: ignore[no-untyped-def]
    for i, line in enumerate(
        (f"図番: {number}", f"品名: {title}", f"材質: {material}", f"板厚: {t}")
    ):
        msp.add_text(line, dxfattribs={"layer": "TEXT", "height": 3.5}).set_placement(
            (x, y - i * 6)
        )


def _bytes(doc) -> bytes:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    doc.write(out)
    return out.getvalue().encode()


def _slot(msp, cx: float, cy: float, length: float, width: float) -> None:  # type: ignore[no-untyped-def]
    r, half = width / 2, length / 2 - width / 2
    msp.add_line((cx - half, cy - r), (cx + half, cy - r), dxfattribs={"layer": "CUT"})
    msp.add_arc((cx + half, cy), r, -90, 90, dxfattribs={"layer": "CUT"})
    msp.add_line((cx + half, cy + r), (cx - half, cy + r), dxfattribs={"layer": "CUT"})
    msp.add_arc((cx - half, cy), r, 90, 270, dxfattribs={"layer": "CUT"})


def l_bracket(
    number: str, w: float, h: float, t: float, mirror: bool = False
) -> Callable[[], bytes]:
    """An L-bracket's flat pattern: w × h, one bend across at 40 %, two holes on each
    flange; the mirrored one has its notch on the other side."""

    def make() -> bytes:
        doc, msp = _doc()
        n = 12.0
        pts = [(0, 0), (w, 0), (w, h), (n, h), (n, h - n), (0, h - n)]
        if mirror:
            pts = [(w - x, y) for x, y in pts]
        msp.add_lwpolyline(pts, close=True, dxfattribs={"layer": "CUT"})
        yb = 0.4 * h
        msp.add_line((0, yb), (w, yb), dxfattribs={"layer": "BEND"})
        # The smallest one has its lower holes too near the bend (a finding to show).
        low = 0.3 if w < 90 else 0.2
        for fx in (0.25, 0.75):
            msp.add_circle((fx * w, low * h), 3.3, dxfattribs={"layer": "CUT"})
            msp.add_circle((fx * w, 0.7 * h), 4.5, dxfattribs={"layer": "CUT"})
        _title(msp, 0, -10, number, "L金具" + ("（左）" if mirror else ""), "SPCC", t)
        return _bytes(doc)

    return make


def plate(
    number: str, w: float, h: float, d: float, t: float, material: str
) -> Callable[[], bytes]:
    def make() -> bytes:
        doc, msp = _doc()
        r = 5.0
        msp.add_lwpolyline(
            [
                (r, 0, 0),
                (w - r, 0, 0.414214),
                (w, r, 0),
                (w, h - r, 0.414214),
                (w - r, h, 0),
                (r, h, 0.414214),
                (0, h - r, 0),
                (0, r, 0.414214),
            ],
            format="xyb",
            close=True,
            dxfattribs={"layer": "CUT"},
        )
        m = 10 + d / 2
        for x, y in ((m, m), (w - m, m), (m, h - m), (w - m, h - m)):
            msp.add_circle((x, y), d / 2, dxfattribs={"layer": "CUT"})
        _title(msp, 0, -10, number, "取付プレート", material, t)
        return _bytes(doc)

    return make


def flange(number: str, outer: float, bolts: int, bolt_d: float, t: float) -> Callable[[], bytes]:
    def make() -> bytes:
        doc, msp = _doc()
        msp.add_circle((0, 0), outer / 2, dxfattribs={"layer": "CUT"})
        msp.add_circle((0, 0), outer / 6, dxfattribs={"layer": "CUT"})
        pcd = outer * 0.75 / 2
        for k in range(bolts):
            a = 2 * math.pi * k / bolts
            msp.add_circle(
                (pcd * math.cos(a), pcd * math.sin(a)), bolt_d / 2, dxfattribs={"layer": "CUT"}
            )
        _title(msp, -outer / 2, -outer / 2 - 10, number, "フランジ", "SS400", t)
        return _bytes(doc)

    return make


def channel(
    number: str, length: float, web: float, flange_mm: float, t: float
) -> Callable[[], bytes]:
    """A U-channel's flat pattern: two bend lines along its length, slots in the web."""

    def make() -> bytes:
        doc, msp = _doc()
        h = web + 2 * flange_mm
        msp.add_lwpolyline(
            [(0, 0), (length, 0), (length, h), (0, h)], close=True, dxfattribs={"layer": "CUT"}
        )
        for y in (flange_mm, flange_mm + web):
            msp.add_line((0, y), (length, y), dxfattribs={"layer": "BEND"})
        for x in (length * 0.25, length * 0.5, length * 0.75):
            _slot(msp, x, h / 2, 20, 6.5)
        _title(msp, 0, -10, number, "チャンネル", "SECC", t)
        return _bytes(doc)

    return make


def cover(number: str, w: float, h: float, t: float) -> Callable[[], bytes]:
    """A cover panel: a window cut-out, a row of vent slots, four corner holes."""

    def make() -> bytes:
        doc, msp = _doc()
        msp.add_lwpolyline(
            [(0, 0), (w, 0), (w, h), (0, h)], close=True, dxfattribs={"layer": "CUT"}
        )
        msp.add_lwpolyline(
            [(w * 0.1, h * 0.45), (w * 0.45, h * 0.45), (w * 0.45, h * 0.85), (w * 0.1, h * 0.85)],
            close=True,
            dxfattribs={"layer": "CUT"},
        )
        for k in range(6):
            _slot(msp, w * 0.6 + k * 0, h * 0.2 + k * (h * 0.12), w * 0.3, 5)
        for x, y in ((8, 8), (w - 8, 8), (8, h - 8), (w - 8, h - 8)):
            msp.add_circle((x, y), 2.2, dxfattribs={"layer": "CUT"})
        _title(msp, 0, -10, number, "カバー", "SUS304", t)
        return _bytes(doc)

    return make


PARTS = (
    DemoPart(
        "HK-BR-080",
        "L金具",
        "SPCC",
        1.6,
        "北陸機器 組立ライン",
        l_bracket("HK-BR-080", 80, 60, 1.6),
    ),
    DemoPart(
        "HK-BR-100",
        "L金具",
        "SPCC",
        1.6,
        "北陸機器 組立ライン",
        l_bracket("HK-BR-100", 100, 75, 1.6),
    ),
    DemoPart(
        "HK-BR-120",
        "L金具",
        "SPCC",
        2.0,
        "北陸機器 組立ライン",
        l_bracket("HK-BR-120", 120, 90, 2.0),
    ),
    DemoPart(
        "HK-BR-100L",
        "L金具（左）",
        "SPCC",
        1.6,
        "北陸機器 組立ライン",
        l_bracket("HK-BR-100L", 100, 75, 1.6, mirror=True),
    ),
    DemoPart(
        "HK-PL-150",
        "取付プレート",
        "SS400",
        3.2,
        "北陸機器 架台",
        plate("HK-PL-150", 150, 100, 11, 3.2, "SS400"),
    ),
    DemoPart(
        "HK-PL-200",
        "取付プレート",
        "SS400",
        3.2,
        "北陸機器 架台",
        plate("HK-PL-200", 200, 120, 13, 3.2, "SS400"),
    ),
    DemoPart(
        "HK-PL-200A",
        "取付プレート（アルミ）",
        "A5052",
        3.0,
        "北陸機器 架台",
        plate("HK-PL-200A", 200, 120, 13, 3.0, "A5052"),
    ),
    DemoPart(
        "HK-FL-120", "フランジ", "SS400", 4.5, "北陸機器 配管", flange("HK-FL-120", 120, 6, 11, 4.5)
    ),
    DemoPart(
        "HK-FL-160", "フランジ", "SS400", 4.5, "北陸機器 配管", flange("HK-FL-160", 160, 8, 13, 4.5)
    ),
    DemoPart(
        "HK-CH-300",
        "チャンネル",
        "SECC",
        1.2,
        "北陸機器 制御盤",
        channel("HK-CH-300", 300, 60, 20, 1.2),
    ),
    DemoPart(
        "HK-CV-240", "カバー", "SUS304", 1.0, "北陸機器 制御盤", cover("HK-CV-240", 240, 160, 1.0)
    ),
)
