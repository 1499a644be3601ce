"""What the allocation and the group quote read from shops: `allocation_shops`,
`capabilities` and `earliest_date`, on Carol's shop as conftest.py sets it up (the week of
tests/shops/test_capacity.py)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduling.allocation.model import Line, Shop, capable
from shops import actions
from shops.selectors import allocation_shops, capabilities, earliest_date

pytestmark = pytest.mark.django_db

SAT_21 = date(2026, 11, 21)
WORKED = (0, 0, 0, 1, 1, 0, 0)  # Sa Su Mo(勤労感謝の日) Tu We Th(closed) Fr(closed)


def test_each_shop_with_a_capability_is_one_allocation_shop(world, carol_capability):  # type: ignore[no-untyped-def]
    # The coordinator's shop has no capability yet: it is not offered work.
    (shop,) = allocation_shops(world.group, SAT_21, 7)
    assert shop == Shop(
        id=str(world.shop.pk),
        processes=frozenset({"laser", "bend"}),
        materials=frozenset({"SPCC", "SUS304"}),
        thickness_mm=(0.8, 6.0),
        max_part_mm=(2500.0, 1250.0),
        capacity_h={
            "laser": tuple(32.0 * w for w in WORKED),
            "bend": tuple(16.0 * w for w in WORKED),
        },
        target_share=0.3,
        min_share=0.1,
    )
    assert allocation_shops(world.other_group, SAT_21, 7) == []


def test_a_declared_process_without_a_machine_has_zero_capacity(world, actors, carol_capability):  # type: ignore[no-untyped-def]
    fields = actions.capability_fields(carol_capability["row"])
    fields = actions.CapabilityFields(**(fields.__dict__ | {"processes": ["laser", "bend", "tap"]}))
    actions.do_save_capability(world.shop, fields, acting=actors["carol"])
    (shop,) = allocation_shops(world.group, SAT_21, 7)
    assert shop.capacity_h["tap"] == (0.0,) * 7
    row = capabilities(world.group)[world.shop.pk]
    assert row.refusal("SPCC", 2.0, (100, 50), ("laser", "tap")) == (
        "能登レーザー工業 has no active machine for tap"
    )


def test_capabilities_say_why_a_shop_cannot_make_a_part(world, carol_capability):  # type: ignore[no-untyped-def]
    rows = capabilities(world.group)
    assert list(rows) == [world.shop.pk]
    row = rows[world.shop.pk]
    assert row.name == "能登レーザー工業"
    assert [m.name for m in row.machines] == ["ブレーキ", "CO2", "ファイバー 6kW"]
    assert row.refusal("SPCC", 2.0, (300, 200), ("laser", "bend")) is None
    # The part's sides in either order: 1200 × 2400 fits a 2500 × 1250 part.
    assert row.refusal("SPCC", 2.0, (1200, 2400), ("laser",)) is None
    assert row.refusal("SPCC", 2.0, (300, 200), ("laser", "weld", "paint")) == (
        "能登レーザー工業 does not do paint, weld"
    )
    assert (
        row.refusal("A5052", 2.0, (300, 200), ("laser",)) == "能登レーザー工業 does not work A5052"
    )
    assert row.refusal("SPCC", 9.0, (300, 200), ("laser",)) == (
        "能登レーザー工業 works 0.8–6 mm sheet, not 9 mm"
    )
    assert row.refusal("SPCC", 2.0, (3000, 200), ("laser",)) == (
        "能登レーザー工業 makes parts up to 2500×1250 mm, not 3000×200 mm"
    )


def test_the_allocation_reads_the_same_capability(world, carol_capability):  # type: ignore[no-untyped-def]
    (shop,) = allocation_shops(world.group, SAT_21, 7)
    line = Line(
        id="L1",
        processes=("laser", "bend"),
        material="SUS304",
        thickness_mm=3.0,
        size_mm=(400.0, 300.0),
        due_period=5,
        cost_jpy={shop.id: 12000.0},
        hours={shop.id: {"laser": 2.0, "bend": 1.0}},
    )
    assert capable(shop, line) is None
    assert capable(shop, line.__class__(**(line.__dict__ | {"material": "A5052"}))) == "no A5052"


def test_earliest_date_fits_the_work_into_the_calendar(world, carol_capability):  # type: ignore[no-untyped-def]
    # Laser 40 h: 32 on the 24th, 64 by the 25th; bend 20 h: 16 on the 25th, then nothing
    # until Monday the 30th (closure, weekend).
    need = {"laser": 40.0, "bend": 20.0}
    assert earliest_date(world.shop.pk, need, SAT_21) == date(2026, 11, 30)
    booked = {"laser": [0.0, 0.0, 0.0, 30.0]}
    assert earliest_date(world.shop.pk, need, SAT_21, booked) == date(2026, 12, 1)
    assert earliest_date(world.shop.pk, {"weld": 1.0}, SAT_21) is None


def test_earliest_date_falls_back_when_the_shop_has_no_capability(world):  # type: ignore[no-untyped-def]
    assert earliest_date(world.shop.pk, {"laser": 1.0}, SAT_21) is None
    assert earliest_date(world.lead_firm.pk, {"laser": 1.0}, SAT_21) is None
