"""The words of a match, apart from the geometry: hand-built matches give exact sentences in
both languages, and the two languages say the same things."""

from __future__ import annotations

import dataclasses
import string

import pytest

from cad.similar.align import Match
from cad.similar.explain import NOTES


def match(**changes):  # type: ignore[no-untyped-def]
    """An exact, same-size match of a 16-hole plate, changed by `changes`."""
    base = Match(
        score=1.0,
        iou=1.0,
        edges_same=8,
        edges_candidate=8,
        holes_query=16,
        holes_candidate=16,
        holes_same=16,
        holes_resized=(),
        mirrored=False,
        angle_deg=0.0,
        scale=1.0,
        long_ratio=1.0,
        short_ratio=1.0,
        any_size=False,
        same_geometry=True,
        process_differs=(),
        same_part_number=None,
    )
    return dataclasses.replace(base, **changes)


def test_an_identical_part_is_said_to_be_the_same_part():  # type: ignore[no-untyped-def]
    m = match()
    assert m.explanation == "same part (identical geometry); outline matches; 16 of 16 holes match"
    assert m.explanation_ja == "同一形状、外形が一致、穴 16 個中 16 個が一致"


def test_every_difference_is_named_in_both_languages():  # type: ignore[no-untyped-def]
    # 11 holes equal and one resized pair 12 of the 14 query holes with 12 of the 16
    # candidate holes: 2 are elsewhere, and the candidate has 2 more.
    m = match(
        iou=0.912,
        edges_same=6,
        holes_query=14,
        holes_same=11,
        holes_resized=((12.0, 10.0),),
        mirrored=True,
        long_ratio=1.12,
        same_geometry=False,
        process_differs=(("thickness", "t2", "t3"),),
        same_part_number="AB-12",
    )
    assert m.explanation == (
        "outline overlaps 91 %, 6 of 8 edges equal; 11 of 16 holes match; hole Ø10.0 → Ø12.0; "
        "2 holes in other places; 2 holes fewer in this drawing; 12 % longer; mirror image; "
        "thickness t2 vs t3; same part number AB-12"
    )
    assert m.explanation_ja == (
        "外形の重なり 91%、辺 8 本中 6 本が同じ長さ、穴 16 個中 11 個が一致、穴径 Ø10.0 → Ø12.0、"
        "穴 2 個の位置が違う、この図面の穴が 2 個少ない、12% 長い、左右反転、板厚 t2 / t3、"
        "図番が同じ AB-12"
    )


def test_any_size_says_the_scale_or_the_stretch():  # type: ignore[no-untyped-def]
    half = match(any_size=True, same_geometry=False, long_ratio=0.5, short_ratio=0.5)
    assert half.notes_en[-1] == "0.50× the size" and half.notes_ja[-1] == "大きさ 0.50 倍"
    longer = match(any_size=True, same_geometry=False, long_ratio=1.2)
    assert longer.notes_en[-1] == "1.20× as long, 1.00× as wide"
    assert longer.notes_ja[-1] == "長さ 1.20 倍、幅 1.00 倍"


def test_both_languages_fill_in_the_same_values():  # type: ignore[no-untyped-def]
    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for code, (en, ja) in NOTES.items():
        assert fields(en) - {"s"} == fields(ja), code  # "s": the English plural only


def test_a_match_is_a_value():  # type: ignore[no-untyped-def]
    m = match()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.score = 0.5  # type: ignore[misc]
