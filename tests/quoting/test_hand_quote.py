"""The 100×50 plate with four Ø10 holes in SPCC 1.6 mm, priced by hand from the default
profile (quoting/default_profile.yaml), component by component."""

from __future__ import annotations

import math

import ezdxf
import pytest

from cad.analyze import analyze_file
from quoting.model import PartFeatures, QuoteRequest, quote
from quoting.profile import CostProfile


@pytest.fixture
def plate(tmp_path):  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    for c in [(15, 15), (85, 15), (15, 35), (85, 35)]:
        msp.add_circle(c, 5)
    doc.saveas(tmp_path / "plate.dxf")
    a = analyze_file(tmp_path / "plate.dxf")
    return PartFeatures.from_part(a.parts[0], a.findings)


def test_each_component_equals_the_hand_computation(plate):  # type: ignore[no-untyped-def]
    q = quote(plate, QuoteRequest("SPCC", 1.6, (10,)), CostProfile.default())
    (b,) = q.breaks
    got = {c.name: c.cost_jpy for c in b.components}

    # Laser speed: SPCC rows 1 mm → 30, 2 mm → 6 m/min; at 1.6: 30 + 0.6·(6 − 30) = 15.6 m/min.
    v = 15.6 * 1000 / 60  # 260 mm/s
    a = 5 * 1000  # 5 m/s² in mm/s²; v²/a = 13.52 mm, shorter than every side
    sides = sum(L / v + v / a for L in (100, 50, 100, 50))
    # Holes r = 5: on an arc v ≤ √(a·r) = √25000 = 158.1 mm/s; 10π = 31.4 mm ≥ v²/a = 5 mm.
    v_arc = math.sqrt(a * 5)
    holes = 4 * (10 * math.pi / v_arc + v_arc / a)
    # Pierce: 1 mm → 0.2 s, 2 mm → 0.3 s, so 0.26 s at 1.6; plus 0.3 s lead-in; 5 contours.
    pierces = 5 * (0.26 + 0.3)
    # Rapids: tour ≈ 0.7124·√(n·w·h) + (w + h)/2 over 5 moves; 100 m/min never reached.
    tour = 0.7124 * math.sqrt(5 * 100 * 50) + 75
    rapids = 5 * 2 * math.sqrt(tour / 5 / a)
    laser_s = sides + holes + pierces + rapids
    assert q.per_part["laser_s"] == pytest.approx(laser_s, rel=1e-9)
    assert got["laser_cutting"] == pytest.approx(10 * laser_s * 12000 / 3600, rel=1e-9)
    assert got["laser_setup"] == pytest.approx((10 + 5) * 12000 / 60)  # 3,000 JPY

    # Material: net area 5000 − 100π mm² × 1.6 mm × 7.85 g/cm³; blank = part / 0.75.
    part_kg = (5000 - 100 * math.pi) * 1.6 * 7.85e-6
    blank_kg = part_kg / 0.75
    assert got["material"] == pytest.approx(
        10 * (blank_kg * 150 - (blank_kg - part_kg) * 40), rel=1e-9
    )

    # Deburr 40 s/m of cut (0.3 + 0.04π m) + 60 s handling, on a 90 % learning curve.
    manual_s = (0.3 + 0.04 * math.pi) * 40 + 60
    learn = sum(i ** math.log2(0.9) for i in range(1, 11)) / 10
    assert got["deburr_handling"] == pytest.approx(10 * learn * manual_s * 4800 / 3600, rel=1e-9)

    cost = got["material"] + got["laser_cutting"] + got["laser_setup"] + got["deburr_handling"]
    assert got["markup"] == pytest.approx(0.2 * cost)
    assert b.total_price_jpy == pytest.approx(1.2 * cost)
    assert b.unit_price_jpy == pytest.approx(1.2 * cost / 10)
    assert "bending" not in got


def test_a_confirmed_bend_count_overrides_detection_and_prices_the_brake(plate):  # type: ignore[no-untyped-def]
    q = quote(
        plate,
        QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"}), confirmed_bends=3),
        CostProfile.default(),
    )
    got = {c.name: c.cost_jpy for c in q.breaks[0].components}
    assert got["bending"] == pytest.approx(3 * 30 * 6000 / 3600)  # first piece: no learning yet
    assert got["brake_setup"] == pytest.approx(10 * 6000 / 60)


def test_line_minimum_raises_a_tiny_order(plate):  # type: ignore[no-untyped-def]
    profile = CostProfile.default().model_copy(update={"line_minimum_jpy": 50000.0})
    b = quote(plate, QuoteRequest("SPCC", 1.6, (1,)), profile).breaks[0]
    assert b.total_price_jpy == 50000.0
    assert b.components[-1].name == "line_minimum"


def test_paint_is_priced_by_area_with_a_lot_minimum(plate):  # type: ignore[no-untyped-def]
    q = quote(
        plate, QuoteRequest("SPCC", 1.6, (1, 1000), frozenset({"paint"})), CostProfile.default()
    )
    one, many = ({c.name: c.cost_jpy for c in b.components} for b in q.breaks)
    assert one["paint"] == 5000  # lot minimum
    area_m2 = 2 * (5000 - 100 * math.pi) / 1e6  # both sides
    assert many["paint"] == pytest.approx(1000 * area_m2 * 2500)
