"""Findings and repairs on small drawings whose answers are known by construction."""

from __future__ import annotations

import math

import pytest

from cad.analyze import analyze_file


def codes(a) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in a.findings]


def rect_lines(msp, w, h, gap=0.0, layer="0"):  # type: ignore[no-untyped-def]
    msp.add_line((0, 0), (w, 0), dxfattribs={"layer": layer})
    msp.add_line((w, 0), (w, h), dxfattribs={"layer": layer})
    msp.add_line((w, h), (0, h), dxfattribs={"layer": layer})
    msp.add_line((0, h), (0, gap), dxfattribs={"layer": layer})


def test_small_gap_is_closed_and_reported_with_its_size(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    rect_lines(doc.modelspace(), 100, 50, gap=0.2)
    a = analyze_file(save(doc))
    assert len(a.parts) == 1
    gap = [f for f in a.findings if f.code == "GAP_CLOSED"]
    assert len(gap) == 1 and gap[0].value == pytest.approx(0.2)
    assert a.parts[0].cut_length_mm == pytest.approx(300 - 0.2)


def test_open_contour_is_reported_with_gap_size(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    rect_lines(doc.modelspace(), 100, 50, gap=2.0)
    a = analyze_file(save(doc))
    assert a.parts == ()
    opened = [f for f in a.findings if f.code == "OPEN_CONTOUR"]
    assert len(opened) == 1 and opened[0].value == pytest.approx(2.0)
    assert (
        opened[0].severity == "error"
        and "2.000 mm" in opened[0].message_en
        and "隙間" in opened[0].message_ja
    )


def test_every_line_drawn_twice_is_cut_once(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    rect_lines(doc.modelspace(), 100, 50)
    rect_lines(doc.modelspace(), 100, 50)
    a = analyze_file(save(doc))
    assert a.parts[0].cut_length_mm == pytest.approx(300)
    dup = [f for f in a.findings if f.code == "DUPLICATE_SEGMENTS"]
    assert dup and dup[0].value == 4


def test_overlapping_lines_are_merged_not_counted_twice(build, save):  # type: ignore[no-untyped-def]
    """Bottom edge drawn as 0→60 and 40→100: the union is 100 mm, the overlap 20 mm."""
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_line((0, 0), (60, 0))
    msp.add_line((40, 0), (100, 0))
    msp.add_line((100, 0), (100, 50))
    msp.add_line((100, 50), (0, 50))
    msp.add_line((0, 50), (0, 0))
    a = analyze_file(save(doc))
    assert a.parts[0].cut_length_mm == pytest.approx(300)
    overlap = [f for f in a.findings if f.code == "OVERLAPPING_SEGMENTS"]
    assert overlap and overlap[0].value == pytest.approx(20)


def test_bend_line_on_a_bend_layer_running_edge_to_edge(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_line((30, 0), (30, 50), dxfattribs={"layer": "IV_BEND"})
    msp.add_line((70, 0), (70, 50), dxfattribs={"layer": "曲げ線"})
    part = analyze_file(save(doc)).parts[0]
    assert len(part.bends) == 2
    assert all(b.length_mm == pytest.approx(50) and b.confidence >= 0.9 for b in part.bends)
    assert part.cut_length_mm == pytest.approx(300)  # bends are not cut


def test_dashed_line_across_the_part_is_a_bend_with_less_confidence(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    doc.linetypes.add("DASHED", pattern=[0.5, 0.25, -0.25])
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_line((0, 20), (100, 20), dxfattribs={"linetype": "DASHED"})
    part = analyze_file(save(doc)).parts[0]
    assert [round(b.length_mm, 6) for b in part.bends] == [100.0]
    assert 0.6 < part.bends[0].confidence < 0.9


def test_slot_is_recognised_with_width_and_length(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    # Obround: centres 20 apart, radius 4 → width 8, overall length 28.
    msp.add_lwpolyline(
        [(40, 21, 0), (60, 21, 1), (60, 29, 0), (40, 29, 1)], format="xyb", close=True
    )
    part = analyze_file(save(doc)).parts[0]
    assert len(part.slots) == 1
    assert (part.slots[0].width_mm, part.slots[0].length_mm) == pytest.approx((8, 28))
    assert part.pierce_count == 2
    assert part.min_inside_radius_mm == pytest.approx(4)  # the slot's ends are inside corners


def test_text_facts_are_read_from_full_width_characters(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_text("ＳＵＳ３０４　ｔ＝２．０", dxfattribs={"layer": "TEXT"}).set_placement((0, -20))
    msp.add_mtext("図番：ＫＭ－２０２６－０１", dxfattribs={"layer": "TEXT"}).set_location((0, -40))
    a = analyze_file(save(doc))
    assert (a.text.material, a.text.thickness_mm, a.text.part_number) == (
        "SUS304",
        2.0,
        "KM-2026-01",
    )


def test_title_block_and_frame_are_not_parts(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    build.add_plate(msp, transform=lambda p: (p[0] + 50, p[1] + 100))
    msp.add_lwpolyline([(0, 0), (420, 0), (420, 297), (0, 297)], close=True)  # A3 frame
    msp.add_lwpolyline([(250, 0), (420, 0), (420, 40), (250, 40)], close=True)  # title block
    msp.add_lwpolyline([(250, 40), (420, 40), (420, 60), (250, 60)], close=True)
    msp.add_text("DWG NO: KM-7").set_placement((260, 10))
    msp.add_text("SPCC t1.6").set_placement((260, 45))
    msp.add_linear_dim(base=(50, 170), p1=(50, 150), p2=(150, 150)).render()
    a = analyze_file(save(doc))
    assert len(a.parts) == 1
    assert a.parts[0].cut_length_mm == pytest.approx(300 + 40 * math.pi)
    assert a.text.part_number == "KM-7" and a.text.material == "SPCC"


def test_unitless_file_is_inferred_and_flagged(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc(units=None)
    build.add_plate(doc.modelspace(), k=1 / 25.4)  # 3.94 × 1.97: inches, plausibly
    a = analyze_file(save(doc))
    assert (a.units["name"], a.units["source"]) == ("in", "inferred")
    assert "UNITLESS_FILE" in codes(a)
    assert a.parts[0].cut_length_mm == pytest.approx(300 + 40 * math.pi)

    doc = build.new_doc(units=None)
    build.add_plate(doc.modelspace())
    a = analyze_file(save(doc))
    assert (a.units["name"], a.units["source"]) == ("mm", "inferred")


def test_metres_written_for_mm_numbers_are_corrected(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc(units=6)  # what ezdxf.new() writes by default
    build.add_plate(doc.modelspace())
    a = analyze_file(save(doc))
    assert a.units["source"] == "corrected" and "UNITS_CORRECTED" in codes(a)
    assert a.parts[0].size_mm == pytest.approx((100, 50))


def test_holes_below_thickness_minimums_are_flagged(build, save):  # type: ignore[no-untyped-def]
    """t = 3: a Ø1 hole is under 0.5·t (error), a Ø2 hole under 1.0·t (warning), and a
    Ø4 hole 1 mm from the edge is closer than t."""
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_circle((20, 25), 0.5)
    msp.add_circle((50, 25), 1.0)
    msp.add_circle((3, 25), 2.0)
    a = analyze_file(save(doc), thickness_mm=3.0)
    found = {(f.code, f.value) for f in a.findings}
    assert ("HOLE_TOO_SMALL", 1.0) in found
    assert ("HOLE_SMALL", 2.0) in found
    assert ("HOLE_NEAR_EDGE", 1.0) in found


def test_openscad_style_polygon_holes_are_round_holes(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    n, r = 30, 4.0
    pts = [
        (50 + r * math.cos(2 * math.pi * i / n), 25 + r * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]
    for a_, b_ in zip(pts, pts[1:] + pts[:1], strict=True):
        msp.add_line(a_, b_)
    part = analyze_file(save(doc)).parts[0]
    assert [(round(h.diameter_mm, 6), h.drawn_as) for h in part.holes] == [(8.0, "polygon")]


def test_two_separate_plates_are_two_parts(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.modelspace())
    build.add_plate(doc.modelspace(), transform=lambda p: (p[0] + 200, p[1]))
    a = analyze_file(save(doc))
    assert len(a.parts) == 2 and "SEVERAL_PARTS" in codes(a)


def test_every_finding_speaks_english_and_japanese():  # type: ignore[no-untyped-def]
    from cad.findings import TEXTS, finding

    for code in TEXTS:
        f = finding(code, 1.5, (0, 0), unit="mm", reason="r", limit="2.00")
        assert f.severity in {"info", "warning", "error"}
        assert f.message_en and f.message_ja and f.message_en != f.message_ja, code


def test_array_insert_gives_one_part_per_copy(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.blocks.new("PLATE"))
    doc.modelspace().add_blockref("PLATE", (0, 0)).grid(size=(2, 3), spacing=(80, 150))
    a = analyze_file(save(doc))
    assert len(a.parts) == 6
    assert all(p.cut_length_mm == pytest.approx(300 + 40 * math.pi) for p in a.parts)


def test_engraving_is_measured_but_not_cut(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_line((10, 10), (40, 10), dxfattribs={"layer": "ETCH"})
    msp.add_line((10, 20), (30, 20), dxfattribs={"layer": "刻印"})
    part = analyze_file(save(doc)).parts[0]
    assert part.engraving_length_mm == pytest.approx(50)
    assert part.cut_length_mm == pytest.approx(300)


def test_a_contour_that_crosses_itself_is_reported(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    doc.modelspace().add_lwpolyline([(0, 0), (100, 50), (100, 0), (0, 50)], close=True)  # bow tie
    assert "SELF_INTERSECTION" in codes(analyze_file(save(doc)))


def test_tiny_entities_are_ignored_and_counted(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_line((20, 20), (20, 20))
    msp.add_line((30, 30), (30.001, 30))
    a = analyze_file(save(doc))
    tiny = [f for f in a.findings if f.code == "ZERO_LENGTH"]
    assert tiny and tiny[0].value == 2
    assert a.parts[0].cut_length_mm == pytest.approx(300)


def test_live_text_on_a_cut_layer_is_flagged(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_text("ABC", dxfattribs={"layer": "0"}).set_placement((10, 10))
    assert "TEXT_IN_CUT_LAYER" in codes(analyze_file(save(doc)))


def test_a_line_in_another_colour_across_the_part_is_an_uncertain_bend(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_line((40, 0), (40, 50), dxfattribs={"color": 1})  # red, same layer and linetype
    a = analyze_file(save(doc))
    (bend,) = a.parts[0].bends
    assert bend.length_mm == pytest.approx(50) and bend.confidence == pytest.approx(0.5)
    assert "BEND_UNCERTAIN" in codes(a) and "OPEN_CONTOUR" not in codes(a)
