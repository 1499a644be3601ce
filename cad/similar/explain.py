"""What matches and what differs, in English and Japanese. One place for the words, so both
stay in step (as cad/findings.py does for findings); the measures come from the alignment
(align.py), which says nothing in words itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cad.tolerances import OUTLINE_SAME_IOU, SIZE_SAME_REL

if TYPE_CHECKING:
    from .align import Match

NOTES: dict[str, tuple[str, str]] = {
    # code: (English, Japanese), filled from the match's measures
    "SAME_GEOMETRY": ("same part (identical geometry)", "同一形状"),
    # The same geometry mirrored: in a shop the other hand's part, with its own number.
    "MIRROR_OF_SAME": ("mirror image of this part", "この部品の鏡像"),
    "OUTLINE_SAME": ("outline matches", "外形が一致"),
    "OUTLINE_OVERLAP": (
        "outline overlaps {iou_pct:.0f} %, {same} of {total} edges equal",
        "外形の重なり {iou_pct:.0f}%、辺 {total} 本中 {same} 本が同じ長さ",
    ),
    "HOLES_SAME": ("{same} of {total} holes match", "穴 {total} 個中 {same} 個が一致"),
    "HOLE_RESIZED": (
        "hole Ø{candidate:.1f} → Ø{query:.1f}",
        "穴径 Ø{candidate:.1f} → Ø{query:.1f}",
    ),
    "HOLES_MOVED": ("{n} hole{s} in other places", "穴 {n} 個の位置が違う"),
    "HOLES_MORE": ("{n} more hole{s} in this drawing", "この図面の穴が {n} 個多い"),
    "HOLES_FEWER": ("{n} hole{s} fewer in this drawing", "この図面の穴が {n} 個少ない"),
    "SCALED": ("{ratio:.2f}× the size", "大きさ {ratio:.2f} 倍"),
    "STRETCHED": (
        "{long:.2f}× as long, {short:.2f}× as wide",
        "長さ {long:.2f} 倍、幅 {short:.2f} 倍",
    ),
    "LONGER": ("{pct} % longer", "{pct}% 長い"),
    "SHORTER": ("{pct} % shorter", "{pct}% 短い"),
    "WIDER": ("{pct} % wider", "{pct}% 幅が広い"),
    "NARROWER": ("{pct} % narrower", "{pct}% 幅が狭い"),
    "MIRRORED": ("mirror image", "左右反転"),
    "MATERIAL_DIFFERS": ("material {query} vs {candidate}", "材質 {query} / {candidate}"),
    "THICKNESS_DIFFERS": ("thickness {query} vs {candidate}", "板厚 {query} / {candidate}"),
    "SAME_PART_NUMBER": ("same part number {number}", "図番が同じ {number}"),
}

# How many resized holes are named one by one.
RESIZED_SHOWN = 3

Note = tuple[str, dict[str, object]]  # (code, values)


def notes(m: Match) -> list[Note]:
    """The notes for one match, most telling first."""
    out: list[Note] = []
    # The hash does not see a mirror, and two parts can share it by chance: "same" also
    # needs every hole on a hole at the placement found.
    identical = (
        m.same_geometry
        and m.iou >= OUTLINE_SAME_IOU
        and m.holes_same == m.holes_candidate == m.holes_query
    )
    if identical:
        out.append(("MIRROR_OF_SAME" if m.mirrored else "SAME_GEOMETRY", {}))
    if m.iou >= OUTLINE_SAME_IOU and m.edges_same == m.edges_candidate:
        out.append(("OUTLINE_SAME", {}))
    else:
        out.append(
            (
                "OUTLINE_OVERLAP",
                {"iou_pct": m.iou * 100, "same": m.edges_same, "total": m.edges_candidate},
            )
        )
    if m.holes_candidate:
        out.append(("HOLES_SAME", {"same": m.holes_same, "total": m.holes_candidate}))
    for dq, dc in m.holes_resized[:RESIZED_SHOWN]:
        out.append(("HOLE_RESIZED", {"query": dq, "candidate": dc}))
    paired = m.holes_same + len(m.holes_resized)
    extra = m.holes_query - paired
    missing = m.holes_candidate - paired
    moved = min(extra, missing)
    if moved > 0:
        extra, missing = extra - moved, missing - moved
        out.append(("HOLES_MOVED", _count(moved)))
    if extra > 0:
        out.append(("HOLES_MORE", _count(extra)))
    if missing > 0:
        out.append(("HOLES_FEWER", _count(missing)))
    out += _size(m)
    if m.mirrored and not identical:
        out.append(("MIRRORED", {}))
    for what, query, candidate in m.process_differs:
        code = "MATERIAL_DIFFERS" if what == "material" else "THICKNESS_DIFFERS"
        out.append((code, {"query": query, "candidate": candidate}))
    if m.same_part_number:
        out.append(("SAME_PART_NUMBER", {"number": m.same_part_number}))
    return out


def english(m: Match) -> list[str]:
    return [NOTES[code][0].format(**values) for code, values in notes(m)]


def japanese(m: Match) -> list[str]:
    return [NOTES[code][1].format(**values) for code, values in notes(m)]


def _count(n: int) -> dict[str, object]:
    return {"n": n, "s": "s" if n > 1 else ""}


def _pct(ratio: float) -> int:
    return round(abs(ratio - 1) * 100)


def _size(m: Match) -> list[Note]:
    """In "any size" mode the scale or the stretch; else how much longer or wider."""
    long_, short = m.long_ratio, m.short_ratio
    if m.any_size and abs(long_ - short) <= SIZE_SAME_REL * long_:
        return [("SCALED", {"ratio": long_})] if abs(long_ - 1) > SIZE_SAME_REL else []
    if m.any_size:
        return [("STRETCHED", {"long": long_, "short": short})]
    out: list[Note] = []
    for ratio, more, less in ((long_, "LONGER", "SHORTER"), (short, "WIDER", "NARROWER")):
        if abs(ratio - 1) > SIZE_SAME_REL:
            out.append((more if ratio > 1 else less, {"pct": _pct(ratio)}))
    return out
