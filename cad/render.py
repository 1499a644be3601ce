"""Pictures of an analysis: SVG for the portal, PNG for lists and e-mail.

Cut outlines black, cut-outs dark blue, bends dashed orange, open contours red,
annotation pale grey — the same styles in both formats.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, ImageDraw

from .model import Analysis

STYLE = {
    "annotation": ("#c8ccd2", 1.0, None),
    "outer": ("#111111", 1.6, None),
    "inner": ("#0b3d91", 1.3, None),
    "open": ("#d11a1a", 2.0, None),
    "bend": ("#e07b00", 1.4, (6, 4)),
}


def _layers(a: Analysis) -> list[tuple[str, Sequence[np.ndarray]]]:
    bends = [np.array([b.start, b.end]) for p in a.parts for b in p.bends]
    return [
        ("annotation", a.annotation_edges),
        ("outer", [p.outer for p in a.parts]),
        ("inner", [h for p in a.parts for h in p.inner]),
        ("bend", bends),
        ("open", a.open_edges),
    ]


def _frame(a: Analysis, include_notes: bool) -> tuple[float, float, float, float]:
    groups = [pts for name, g in _layers(a) if include_notes or name != "annotation" for pts in g]
    if not groups:
        return (0.0, 0.0, 1.0, 1.0)
    allpts = np.vstack(groups)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


MARK_COLOR = {"error": "#d11a1a", "warning": "#c77700", "info": "#5b6b7b"}


def svg(
    a: Analysis,
    size_px: int = 480,
    include_notes: bool = False,
    marks: Sequence[tuple[float, float, str, str]] = (),
) -> str:
    """`marks` are numbered pins (x_mm, y_mm, label, severity) drawn over the part, e.g.
    where each finding is, so a list beside the picture can refer to them."""
    x0, y0, x1, y1 = _frame(a, include_notes)
    w, h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    pad = 0.04 * max(w, h)
    scale = size_px / (max(w, h) + 2 * pad)
    vw, vh = (w + 2 * pad) * scale, (h + 2 * pad) * scale
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {vw:.1f} {vh:.1f}" '
        f'width="{vw:.0f}" height="{vh:.0f}" role="img">',
        f"<title>{escape(a.source.rsplit('/', 1)[-1])}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for name, polylines in _layers(a):
        if name == "annotation" and not include_notes:
            continue
        color, width, dash = STYLE[name]
        dash_attr = f' stroke-dasharray="{dash[0]} {dash[1]}"' if dash else ""
        out.append(
            f'<g class="{name}" fill="none" stroke="{color}" stroke-width="{width}"'
            f' stroke-linejoin="round"{dash_attr}>'
        )
        for pts in polylines:
            xs = (pts[:, 0] - x0 + pad) * scale
            ys = (y1 - pts[:, 1] + pad) * scale  # DXF y goes up, SVG y goes down
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
            out.append(f'<polyline points="{d}"/>')
        out.append("</g>")
    r = max(6.0, size_px / 60)
    for x, y, label, severity in marks:
        cx, cy = (x - x0 + pad) * scale, (y1 - y + pad) * scale
        color = MARK_COLOR.get(severity, MARK_COLOR["info"])
        out.append(
            f'<g class="mark {escape(severity)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" '
            f'fill="{color}" fill-opacity="0.85"/><text x="{cx:.1f}" y="{cy + r * 0.4:.1f}" '
            f'font-size="{r * 1.2:.1f}" text-anchor="middle" fill="#fff" '
            f'font-family="sans-serif">{escape(label)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)


def png(a: Analysis, size_px: int = 256, include_notes: bool = False) -> bytes:
    ss = 3  # draw large, shrink with a good filter: cheap anti-aliasing
    big = size_px * ss
    x0, y0, x1, y1 = _frame(a, include_notes)
    w, h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    pad = 0.04 * max(w, h)
    scale = big / (max(w, h) + 2 * pad)
    img = Image.new("RGB", (big, big), "white")
    draw = ImageDraw.Draw(img)
    off_x = (big - (w + 2 * pad) * scale) / 2
    off_y = (big - (h + 2 * pad) * scale) / 2
    for name, polylines in _layers(a):
        if name == "annotation" and not include_notes:
            continue
        color, width, dash = STYLE[name]
        for pts in polylines:
            xs = (pts[:, 0] - x0 + pad) * scale + off_x
            ys = (y1 - pts[:, 1] + pad) * scale + off_y
            coords = list(zip(xs.tolist(), ys.tolist(), strict=True))
            if dash:
                for seg in _dashed(coords, dash[0] * ss * 1.5, dash[1] * ss * 1.5):
                    draw.line(seg, fill=color, width=max(1, int(width * ss)))
            else:
                draw.line(coords, fill=color, width=max(1, int(width * ss)), joint="curve")
    img = img.resize((size_px, size_px), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _dashed(
    coords: list[tuple[float, float]], on: float, off: float
) -> list[list[tuple[float, float]]]:
    (ax, ay), (bx, by) = coords[0], coords[-1]
    length = float(np.hypot(bx - ax, by - ay))
    segs, t = [], 0.0
    while t < length:
        t2 = min(t + on, length)
        segs.append(
            [
                (ax + (bx - ax) * t / length, ay + (by - ay) * t / length),
                (ax + (bx - ax) * t2 / length, ay + (by - ay) * t2 / length),
            ]
        )
        t = t2 + off
    return segs
