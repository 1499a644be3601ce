"""Punching and the brake's extra time, priced by hand from the default profile
(quoting/default_profile.yaml): punch 8,000 JPY/h, 1.5 s a hit, set-up 30 min + 10 min a
tool; brake 6,000 JPY/h, 30 s a bend, +15 s a complication, set-up 10 min + 5 min a tool
change, bends over 1,000 mm are long. Laser numbers as in test_hand_quote.py."""

from __future__ import annotations

import math

import ezdxf
import pytest
import yaml

from cad.analyze import analyze_file
from quoting.model import BendFeature, PartFeatures, QuoteRequest, quote
from quoting.profile import CostProfile

PROFILE = CostProfile.default()
V = 15.6 * 1000 / 60  # SPCC 1.6 mm: 30 + 0.6·(6 − 30) m/min, in mm/s
A = 5 * 1000  # mm/s²
PIERCE = 0.26 + 0.3  # pierce at 1.6 mm + lead-in, s


def analysed(doc, tmp_path):  # type: ignore[no-untyped-def]
    doc.saveas(tmp_path / "part.dxf")
    a = analyze_file(tmp_path / "part.dxf")
    return PartFeatures.from_part(a.parts[0], a.findings)


def new_doc():  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    doc.units = 4
    return doc


def costs(features, req):  # type: ignore[no-untyped-def]
    q = quote(features, req, PROFILE)
    return q, {c.name: c for c in q.breaks[0].components}


def test_four_holes_are_punched_with_one_tool_and_come_off_the_laser(tmp_path):  # type: ignore[no-untyped-def]
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    for c in [(15, 15), (85, 15), (15, 35), (85, 35)]:
        msp.add_circle(c, 5)
    plate = analysed(doc, tmp_path)

    q, got = costs(plate, QuoteRequest("SPCC", 1.6, (10,), frozenset({"punch"})))

    # Four Ø10 holes: Ø10 ≥ 1.2·1.6 + 0.2 = 2.12 mm and ≤ 88.9 mm, one diameter ⇒ one tool.
    assert (q.per_part["punch_hits"], q.per_part["punch_tools"]) == (4, 1)
    assert got["punching"].cost_jpy == pytest.approx(10 * 4 * 1.5 * 8000 / 3600)  # 133.33
    assert got["punch_setup"].cost_jpy == pytest.approx((30 + 1 * 10) * 8000 / 60)  # 5,333.33
    assert "nibbl" in got["punching"].formula  # the outline stays on the laser, and says so

    # The laser cuts only the outline now: four sides, one pierce, one rapid move.
    sides = sum(L / V + V / A for L in (100, 50, 100, 50))
    tour = 0.7124 * math.sqrt(1 * 100 * 50) + (100 + 50) / 2  # 125.4 mm, under v²/a = 555.6
    laser_s = sides + 1 * PIERCE + 2 * math.sqrt(tour / A)
    assert q.per_part["laser_s"] == pytest.approx(laser_s, rel=1e-9)
    assert got["laser_cutting"].cost_jpy == pytest.approx(10 * laser_s * 12000 / 3600, rel=1e-9)
    minutes = q.breaks[0].machine_minutes
    assert minutes["punch"] == pytest.approx(10 * 4 * 1.5 / 60 + 30 + 1 * 10)


def test_a_tool_per_distinct_size_and_holes_no_standard_tool_fits_stay_on_the_laser(tmp_path):  # type: ignore[no-untyped-def]
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (300, 0), (300, 200), (0, 200)], close=True)
    msp.add_circle((30, 30), 5)  # Ø10
    msp.add_circle((270, 30), 5)  # Ø10 again: same tool
    msp.add_circle((30, 170), 3)  # Ø6
    msp.add_circle((270, 170), 0.5)  # Ø1 < 2.12 mm: too small to punch in 1.6 mm
    msp.add_circle((110, 100), 50)  # Ø100 > 88.9 mm: no standard tool
    # An 8 × 20 mm obround slot: one hit with an obround tool.
    msp.add_line((194, 96), (206, 96))
    msp.add_arc((206, 100), 4, -90, 90)
    msp.add_line((206, 104), (194, 104))
    msp.add_arc((194, 100), 4, 90, 270)
    part = analysed(doc, tmp_path)

    q, got = costs(part, QuoteRequest("SPCC", 1.6, (20,), frozenset({"punch"})))

    assert (q.per_part["punch_hits"], q.per_part["punch_tools"]) == (4, 3)  # Ø10 ×2, Ø6, slot
    assert got["punching"].cost_jpy == pytest.approx(20 * 4 * 1.5 * 8000 / 3600)
    assert got["punch_setup"].cost_jpy == pytest.approx((30 + 3 * 10) * 8000 / 60)  # 8,000
    # 7 contours, 4 punched: the outline, Ø1 and Ø100 are still pierced by the laser.
    assert q.per_part["pierce_s"] == pytest.approx((7 - 4) * PIERCE)


def test_punch_asked_for_a_part_without_holes_costs_nothing_and_says_so():  # type: ignore[no-untyped-def]
    blank = PartFeatures(300.0, 1, 5000.0, (100.0, 50.0), (("line", 100.0, 0.0),) * 3)
    q, got = costs(blank, QuoteRequest("SPCC", 1.6, (1,), frozenset({"punch"})))
    assert "punching" not in got and "punch_setup" not in got
    assert "NOTHING_TO_PUNCH" in {f["code"] for f in q.findings}


def bent(*bends: BendFeature) -> PartFeatures:
    return PartFeatures(
        cut_length_mm=2800.0,
        pierce_count=1,
        net_area_mm2=1200.0 * 200,
        size_mm=(1200.0, 200.0),
        segments=(),
        bend_count=len(bends),
        bends=bends,
    )


def test_a_45_degree_bend_adds_fifteen_seconds_and_a_tool_change():  # type: ignore[no-untyped-def]
    part = bent(BendFeature(200.0, 90.0), BendFeature(200.0, 45.0))
    q, got = costs(part, QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"})))
    # First piece, so no learning yet: (2 × 30 + 15) s at 6,000 JPY/h.
    assert got["bending"].cost_jpy == pytest.approx((2 * 30 + 15) * 6000 / 3600)  # 125
    # Two angles ⇒ one tool change: (10 + 1 × 5) min at 6,000 JPY/h.
    assert got["brake_setup"].cost_jpy == pytest.approx((10 + 1 * 5) * 6000 / 60)  # 1,500
    assert q.per_part["brake_tool_changes"] == 1
    assert q.breaks[0].machine_minutes["brake"] == pytest.approx((2 * 30 + 15) / 60 + 10 + 5)


def test_long_and_bent_at_another_angle_are_two_complications_and_unknown_angles_are_90():  # type: ignore[no-untyped-def]
    part = bent(
        BendFeature(1200.0, None),  # long: +15
        BendFeature(1200.0, 135.0),  # long and not 90°: +30
        BendFeature(100.0, 135.0),  # not 90°: +15
        BendFeature(100.0, 89.8),  # a 90° bend to the degree
    )
    q, got = costs(part, QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"})))
    assert got["bending"].cost_jpy == pytest.approx((4 * 30 + 4 * 15) * 6000 / 3600)  # 300
    # Angles 90 (the unknown one and 89.8°) and 135 ⇒ one tool change.
    assert got["brake_setup"].cost_jpy == pytest.approx((10 + 1 * 5) * 6000 / 60)
    assert got["bending"].inputs["unknown_angle"] == 1


def test_a_confirmed_count_above_the_detected_one_keeps_the_detected_bends():  # type: ignore[no-untyped-def]
    part = bent(BendFeature(1200.0, 90.0))
    req = QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"}), confirmed_bends=2)
    _, got = costs(part, req)
    # The long detected bend (+15) and a second, undescribed one priced as standard.
    assert got["bending"].cost_jpy == pytest.approx((2 * 30 + 15) * 6000 / 3600)
    fewer = QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"}), confirmed_bends=0)
    assert "bending" not in costs(part, fewer)[1]


def test_a_bend_line_from_a_drawing_has_no_angle_and_is_priced_as_90(tmp_path):  # type: ignore[no-untyped-def]
    doc = new_doc()
    doc.layers.add("BEND")
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    msp.add_line((50, 0), (50, 50), dxfattribs={"layer": "BEND"})
    part = analysed(doc, tmp_path)
    assert part.bends == (BendFeature(length_mm=pytest.approx(50.0), angle_deg=None),)

    _, got = costs(part, QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"})))
    assert got["bending"].cost_jpy == pytest.approx(1 * 30 * 6000 / 3600)  # 50
    assert got["brake_setup"].cost_jpy == pytest.approx(10 * 6000 / 60)
    assert "unknown" in got["bending"].formula


def test_a_profile_written_before_the_new_fields_still_loads_with_the_shipped_values():  # type: ignore[no-untyped-def]
    data = yaml.safe_load(PROFILE.dump())
    del data["brake"]["long_bend_mm"]
    for key in ("min_hole_over_t", "min_hole_extra_mm", "min_hole_mm", "max_tool_mm"):
        del data["punch"][key]
    assert CostProfile.parse(data) == PROFILE
