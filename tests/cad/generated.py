"""Generated parts for property tests: a w×h plate with rounded corners and round holes,
as primitives that are transformed exactly before they are written out, so every copy is
the same part by construction."""

from __future__ import annotations

import math
import random

import ezdxf
from hypothesis import strategies as st

# A generated part: a w×h plate with round holes and a rounded notch, as primitives that
# we can transform exactly before writing them out.
part_spec = st.fixed_dictionaries(
    {
        "w": st.floats(40, 400),
        "h": st.floats(30, 300),
        "holes": st.lists(
            st.tuples(st.floats(0.1, 0.9), st.floats(0.1, 0.9), st.floats(1.5, 8)),
            min_size=0,
            max_size=5,
        ),
    }
)
# The drawing as its designer left it: to compare every transformed copy against.
IDENTITY = {
    "angle": 0,
    "dx": 0,
    "dy": 0,
    "mirror": False,
    "seed": 0,
    "inch": False,
    "layer": "0",
    "exploded": False,
}
transform_spec = st.fixed_dictionaries(
    {
        "angle": st.floats(0, 360),
        "dx": st.floats(-5000, 5000),
        "dy": st.floats(-5000, 5000),
        "mirror": st.booleans(),
        "seed": st.integers(0, 10_000),
        "inch": st.booleans(),
        "layer": st.sampled_from(["0", "CUT", "外形", "Layer 7"]),
        "exploded": st.booleans(),
    }
)


def primitives(spec):  # type: ignore[no-untyped-def]
    """Lines, arcs and circles of the part, in mm, free of overlapping holes."""
    w, h = spec["w"], spec["h"]
    r = min(w, h) * 0.08  # rounded corners
    items = [
        ("line", (r, 0), (w - r, 0)),
        ("arc", (w - r, r), r, -90, 0),
        ("line", (w, r), (w, h - r)),
        ("arc", (w - r, h - r), r, 0, 90),
        ("line", (w - r, h), (r, h)),
        ("arc", (r, h - r), r, 90, 180),
        ("line", (0, h - r), (0, r)),
        ("arc", (r, r), r, 180, 270),
    ]
    placed: list[tuple[float, float, float]] = []
    for fx, fy, d in spec["holes"]:
        c = (r + fx * (w - 2 * r), r + fy * (h - 2 * r))
        rad = min(d / 2, 0.3 * r + 0.5)
        if c[0] - rad < r or c[0] + rad > w - r or c[1] - rad < r or c[1] + rad > h - r:
            continue
        if all(math.dist(c, (px, py)) > rad + pr + 1 for px, py, pr in placed):
            placed.append((c[0], c[1], rad))
            items.append(("circle", c, rad))
    return items


def write(items, t, path):  # type: ignore[no-untyped-def]
    items_all = items
    k = 1 / 25.4 if t["inch"] else 1.0
    a = math.radians(t["angle"])
    sx = -1.0 if t["mirror"] else 1.0

    def tf(p):  # type: ignore[no-untyped-def]
        x, y = p[0] * sx, p[1]
        return (
            (x * math.cos(a) - y * math.sin(a) + t["dx"]) * k,
            (x * math.sin(a) + y * math.cos(a) + t["dy"]) * k,
        )

    doc = ezdxf.new("R2010")
    doc.units = 1 if t["inch"] else 4
    msp = doc.modelspace()
    attrs = {"layer": t["layer"]}
    items = list(items)
    if not t.get("exploded", True):
        # The rounded outline as one closed polyline: a bulge of tan(90°/4) on each corner,
        # negative when mirroring turns the loop clockwise.
        b = math.tan(math.radians(22.5)) * (-1 if t["mirror"] else 1)
        outline = [i for i in items if i[0] != "circle"]
        items = [i for i in items if i[0] == "circle"]
        pts = []
        for line, _arc in zip(outline[0::2], outline[1::2], strict=True):
            pts += [(*tf(line[1]), 0, 0, 0.0), (*tf(line[2]), 0, 0, b)]
        msp.add_lwpolyline(pts, format="xyseb", close=True, dxfattribs=attrs)
    random.Random(t["seed"]).shuffle(items)
    for item in items:
        if item[0] == "line":
            msp.add_line(tf(item[1]), tf(item[2]), dxfattribs=attrs)
        elif item[0] == "circle":
            msp.add_circle(tf(item[1]), item[2] * k, dxfattribs=attrs)
        else:
            _, c, r, a0, a1 = item
            # Transform the arc through its end points; mirroring flips its direction.
            s0 = (c[0] + r * math.cos(math.radians(a0)), c[1] + r * math.sin(math.radians(a0)))
            s1 = (c[0] + r * math.cos(math.radians(a1)), c[1] + r * math.sin(math.radians(a1)))
            cc, p0, p1 = tf(c), tf(s0), tf(s1)
            if t["mirror"]:
                p0, p1 = p1, p0
            start = math.degrees(math.atan2(p0[1] - cc[1], p0[0] - cc[0]))
            end = math.degrees(math.atan2(p1[1] - cc[1], p1[0] - cc[0]))
            msp.add_arc(cc, r * k, start, end, dxfattribs=attrs)
    if t.get("framed"):
        w, h = spec_w(items_all), spec_h(items_all)
        pts = [tf(p) for p in ((0, 0), (w, 0), (w, h), (0, h))]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        add_frame(msp, [(min(xs), min(ys)), (max(xs), max(ys))])
    doc.saveas(path)


def spec_w(items) -> float:  # type: ignore[no-untyped-def]
    return max(p[0] for i in items if i[0] == "line" for p in (i[1], i[2]))


def spec_h(items) -> float:  # type: ignore[no-untyped-def]
    return max(p[1] for i in items if i[0] == "line" for p in (i[1], i[2]))


def add_frame(msp, corners) -> None:  # type: ignore[no-untyped-def]
    """A drawing frame with a title block (cells holding text) and a dimension along the
    part, around the part whose opposite corners are given (in file units)."""
    (ax, ay), (bx, by) = corners
    x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
    size = max(x1 - x0, y1 - y0)
    msp.add_linear_dim(base=(x0, y1 + 0.1 * size), p1=(x0, y1), p2=(x1, y1)).render()
    m = 0.3 * size
    fx0, fy0, fx1, fy1 = x0 - m, y0 - m - 0.3 * size, x1 + m, y1 + m
    rect = msp.add_polyline2d if msp.doc.dxfversion < "AC1015" else msp.add_lwpolyline  # R12
    rect([(fx0, fy0), (fx1, fy0), (fx1, fy1), (fx0, fy1)], close=True)
    cw, ch = 0.4 * size, 0.08 * size
    for row, text in enumerate(["品名: ブラケット", "DRAWN K. SATO", "SCALE 1:1"]):
        cx, cy = fx1 - cw, fy0 + row * ch
        rect([(cx, cy), (cx + cw, cy), (cx + cw, cy + ch), (cx, cy + ch)], close=True)
        msp.add_text(text, height=0.3 * ch).set_placement((cx + 0.05 * cw, cy + 0.3 * ch))


# --- hard families: drawings whose repairs hinge on near-equal distances --------------
#
# Each is a w×h plate with rounded corners and an asymmetric hole layout (so its mirror
# image is another part), drawn the way some exporters draw: corners and holes as many
# short chords (OpenSCAD), a hole a hundredth inside a rounded corner, a hole touching
# the outline at a vertex, entities drawn twice or overlapping, small gaps at the joins.
# Every copy made with `write` (turned, moved, mirrored, in inches, shuffled) is the same
# part by construction; the expected cut lengths below are sums of the drawn pieces.

HARD_KINDS = ("chorded_arcs", "touching_hole", "self_touching", "duplicates", "tiny_gaps")
# (x, y, ⌀) in mm on a 120 × 70 plate: no mirror symmetry, no 180° symmetry.
HARD_HOLES = ((20.0, 20.0, 8.0), (95.0, 22.0, 5.0), (30.0, 50.0, 4.0))
CHORD_MM = 0.5  # OpenSCAD's $fs: arcs as chords about this long
CORNER_MM = 6.0


def chords(
    c: tuple[float, float], r: float, a0_deg: float, a1_deg: float
) -> list[tuple[float, float]]:
    """Points along an arc from a0 to a1 (counter-clockwise when a1 > a0), ends included,
    about CHORD_MM apart."""
    n = max(2, math.ceil(r * abs(math.radians(a1_deg - a0_deg)) / CHORD_MM))
    return [
        (
            c[0] + r * math.cos(math.radians(a0_deg + (a1_deg - a0_deg) * k / n)),
            c[1] + r * math.sin(math.radians(a0_deg + (a1_deg - a0_deg) * k / n)),
        )
        for k in range(n + 1)
    ]


def polyline_items(pts: list[tuple[float, float]], closed: bool = True) -> list[tuple]:
    ends = pts + pts[:1] if closed else pts
    return [("line", a, b) for a, b in zip(ends, ends[1:], strict=False) if a != b]


def rounded_outline(w: float, h: float, r: float) -> list[tuple[float, float]]:
    """The plate's outline as chords, counter-clockwise from the bottom edge."""
    pts: list[tuple[float, float]] = []
    for c, a0 in (((w - r, r), -90), ((w - r, h - r), 0), ((r, h - r), 90), ((r, r), 180)):
        pts += chords(c, r, a0, a0 + 90)
    return pts


def items_length_mm(items: list[tuple]) -> float:
    """Length of lines and circles as drawn (what a hand would add up)."""
    total = 0.0
    for item in items:
        if item[0] == "line":
            total += math.dist(item[1], item[2])
        elif item[0] == "circle":
            total += 2 * math.pi * item[2]
        else:
            _, _, r, a0, a1 = item
            total += r * math.radians((a1 - a0) % 360)
    return total


def hard_part(  # type: ignore[no-untyped-def]
    kind: str, w: float = 120.0, h: float = 70.0, holes=HARD_HOLES, gap_mm: float = 0.2
) -> list[tuple]:
    """The primitives of one hard family member, in mm (see the section comment);
    `gap_mm` is the size of the "tiny_gaps" gaps."""
    r = CORNER_MM
    if kind in ("chorded_arcs", "touching_hole"):
        items = polyline_items(rounded_outline(w, h, r))
        items += [
            i for x, y, d in holes for i in polyline_items(chords((x, y), d / 2, 0, 360)[:-1])
        ]
        if kind == "touching_hole":
            # A hole a hundredth of a mm inside the rounded corner at (w, h), its chords at
            # the corner's angles: vertex pairs of two contours 0.01 mm apart.
            c = (w - r, h - r)
            items += polyline_items(chords(c, r - 0.01, 0, 360)[:-1])
        return items
    base = primitives_plate(w, h, r) + [("circle", (x, y), d / 2) for x, y, d in holes]
    if kind == "self_touching":
        # A triangular cut-out whose apex is a vertex of the bottom edge: four edges meet
        # there, and which way the walk turns is a near tie.
        p = (60.0, 0.0)
        bottom = base[0]
        base[0] = ("line", bottom[1], p)
        base.insert(1, ("line", p, bottom[2]))
        base += polyline_items([p, (p[0] + 8.0, 16.0), (p[0] - 8.0, 16.0)])
        return base
    if kind == "duplicates":
        # Every line drawn twice (once reversed), the long bottom edge also as two pieces
        # overlapping by 10 mm, one corner arc and one hole drawn twice.
        lines = [i for i in base if i[0] == "line"]
        (_, a, b) = lines[0]
        mid1, mid2 = (a[0] + (b[0] - a[0]) * 0.4, a[1]), (a[0] + (b[0] - a[0]) * 0.6, a[1])
        return (
            base
            + [("line", q, p) for _, p, q in lines]
            + [("line", a, mid2), ("line", mid1, b)]
            + [base[1], base[-1]]
        )
    if kind == "tiny_gaps":
        # Each straight side `gap_mm` short at its end: four gaps to close.
        return [("line", i[1], _towards(i[2], i[1], gap_mm)) if i[0] == "line" else i for i in base]
    raise ValueError(kind)


def primitives_plate(w: float, h: float, r: float) -> list[tuple]:
    """A w×h plate with corner radius r as LINE and ARC primitives (no holes)."""
    return [
        ("line", (r, 0.0), (w - r, 0.0)),
        ("arc", (w - r, r), r, -90, 0),
        ("line", (w, r), (w, h - r)),
        ("arc", (w - r, h - r), r, 0, 90),
        ("line", (w - r, h), (r, h)),
        ("arc", (r, h - r), r, 90, 180),
        ("line", (0.0, h - r), (0.0, r)),
        ("arc", (r, r), r, 180, 270),
    ]


def _towards(p: tuple[float, float], q: tuple[float, float], d: float) -> tuple[float, float]:
    """p moved d mm towards q."""
    k = d / math.dist(p, q)
    return (p[0] + (q[0] - p[0]) * k, p[1] + (q[1] - p[1]) * k)


def mirror_items(items: list[tuple], w: float) -> list[tuple]:
    """The other hand's part: x → w − x (its own drawing, not a transformed copy)."""

    def m(p):  # type: ignore[no-untyped-def]
        return (w - p[0], p[1])

    out: list[tuple] = []
    for item in items:
        if item[0] == "line":
            out.append(("line", m(item[1]), m(item[2])))
        elif item[0] == "circle":
            out.append(("circle", m(item[1]), item[2]))
        else:
            _, c, r, a0, a1 = item
            out.append(("arc", m(c), r, 180 - a1, 180 - a0))
    return out
