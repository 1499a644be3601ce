"""The 100×50 plate with four Ø10 holes, drawn every way a customer's CAD might draw it.

By hand: cut length = 2·(100 + 50) + 4·π·10 = 300 + 40π mm; pierces = 1 outline + 4 holes
= 5; net area = 100·50 − 4·π·5² = 5000 − 100π mm².
"""

from __future__ import annotations

import math

import pytest

from cad.analyze import analyze_file

CUT = 300 + 40 * math.pi
AREA = 5000 - 100 * math.pi


def check_plate(part, k: float = 1.0) -> None:  # type: ignore[no-untyped-def]
    assert part.cut_length_mm == pytest.approx(CUT * k, rel=1e-9)
    assert part.net_area_mm2 == pytest.approx(AREA * k * k, rel=1e-9)
    assert part.pierce_count == 5
    assert [round(h.diameter_mm, 9) for h in part.holes] == [10.0 * k] * 4
    assert sorted(round(s, 6) for s in part.min_rect_mm) == [50.0 * k, 100.0 * k]


def test_plate_as_one_polyline_and_circles(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.modelspace())
    a = analyze_file(save(doc))
    assert len(a.parts) == 1
    check_plate(a.parts[0])
    assert a.parts[0].bbox_mm == pytest.approx((0, 0, 100, 50))
    assert {g["diameter_mm"]: g["count"] for g in a.parts[0].hole_groups()} == {10.0: 4}
    assert a.units["name"] == "mm" and a.units["source"] == "header"
    assert [f.code for f in a.findings] == []


def test_plate_as_exploded_lines(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.modelspace(), exploded=True)
    check_plate(analyze_file(save(doc)).parts[0])


def test_plate_in_inches_gives_the_same_mm(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc(units=1)
    build.add_plate(doc.modelspace(), k=1 / 25.4)
    a = analyze_file(save(doc))
    assert a.units["name"] == "in"
    check_plate(a.parts[0])


@pytest.mark.parametrize("mirror", [False, True])
def test_plate_rotated_37_degrees_and_mirrored(build, save, mirror):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.modelspace(), transform=build.rotation(37.0, mirror=mirror))
    part = analyze_file(save(doc)).parts[0]
    check_plate(part)
    # The axis-aligned box of a 100×50 rectangle turned 37°: 100·cos37 + 50·sin37 wide.
    c, s = math.cos(math.radians(37)), math.sin(math.radians(37))
    w, h = part.size_mm
    assert (w, h) == pytest.approx((100 * c + 50 * s, 100 * s + 50 * c), rel=1e-9)


def test_plate_in_a_block_inserted_twice_at_scale_two(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    block = doc.blocks.new("PLATE")
    build.add_plate(block)
    msp = doc.modelspace()
    msp.add_blockref("PLATE", (0, 0), dxfattribs={"xscale": 2, "yscale": 2})
    msp.add_blockref("PLATE", (500, 0), dxfattribs={"xscale": 2, "yscale": 2, "rotation": 90})
    a = analyze_file(save(doc))
    assert len(a.parts) == 2
    for part in a.parts:
        check_plate(part, k=2.0)
    assert "SEVERAL_PARTS" in [f.code for f in a.findings]


def test_mirrored_block_with_arcs_keeps_true_lengths(build, save):  # type: ignore[no-untyped-def]
    """A slot (two semicircles r=5 joined by 20 mm lines) inside a mirrored insert:
    by hand, perimeter 2·20 + 2·π·5 and area 20·10 + π·5²."""
    doc = build.new_doc()
    block = doc.blocks.new("SLOT")
    block.add_line((0, 0), (20, 0))
    block.add_arc((20, 5), 5, -90, 90)
    block.add_line((20, 10), (0, 10))
    block.add_arc((0, 5), 5, 90, 270)
    doc.modelspace().add_blockref("SLOT", (100, 100), dxfattribs={"xscale": -1})
    part = analyze_file(save(doc)).parts[0]
    assert part.cut_length_mm == pytest.approx(40 + 10 * math.pi, rel=1e-9)
    assert part.net_area_mm2 == pytest.approx(200 + 25 * math.pi, rel=1e-6)


def test_bulge_semicircle_is_measured_on_the_arc_not_the_chord(build, save):  # type: ignore[no-untyped-def]
    """QUOTING.md: a bulge of 1 between points 10 apart is a semicircle r=5, 5π long
    (some helpers report the chord, 10.0). Closed by a straight line: 10 + 5π."""
    doc = build.new_doc()
    doc.modelspace().add_lwpolyline([(0, 0, 1), (10, 0, 0)], format="xyb", close=True)
    part = analyze_file(save(doc)).parts[0]
    assert part.cut_length_mm == pytest.approx(10 + 5 * math.pi, rel=1e-9)
    assert part.net_area_mm2 == pytest.approx(math.pi * 25 / 2, rel=1e-9)


def test_an_analysis_cannot_be_changed_after_the_fact(build, save):  # type: ignore[no-untyped-def]
    """Results are frozen values (STYLE.md): a caller that edits a part or the findings
    list of one analysis cannot change what another reader of it sees."""
    import dataclasses

    doc = build.new_doc()
    build.add_plate(doc.modelspace())
    a = analyze_file(save(doc))
    part = a.parts[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        part.engraving_length_mm = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.parts = ()  # type: ignore[misc]
    for sequence in (a.parts, a.findings, part.inner, part.holes, part.bends, part.segments):
        assert isinstance(sequence, tuple)
    check_plate(part)
