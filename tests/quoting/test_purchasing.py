"""Joint purchasing, by hand: three shops' SPCC 1.6 mm demand over two weeks, the sheets
it needs on the default profile, the break the joint order reaches, the saving against
each shop buying alone, and the split back to the shops, to the yen."""

from __future__ import annotations

import random
from datetime import date

import pytest

from quoting.profile import CostProfile
from quoting.purchasing import (
    Item,
    LineIn,
    PartDemand,
    PriceBreak,
    PriceRow,
    PurchasingError,
    cheapest_supplier,
    check_price_rows,
    iso_week,
    need_date,
    price_break,
    sheet_demand,
    sheet_fraction,
    split_order,
    split_yen,
)

PROFILE = CostProfile.default()  # SPCC: utilisation 0.75, trim 10 mm a side, gap 3 mm
SABUROKU = Item("SPCC", 1.6, 914, 1829)
# A supplier's SPCC 1.6 mm サブロク list: 1–9 sheets ¥4,800, 10–14 ¥4,600, 15–49 ¥4,350,
# 50 and more ¥4,100.
BREAKS = (
    PriceBreak(1, 4800, 9),
    PriceBreak(10, 4600, 14),
    PriceBreak(15, 4350, 49),
    PriceBreak(50, 4100),
)
W10, W11 = date(2025, 3, 5), date(2025, 3, 12)  # ISO weeks 2025-W10 and 2025-W11
A = (880.0, 600.0)  # a panel
C = (500.0, 500.0)  # a square plate


def parts(shop: int, day: date, size: tuple[float, float], qty: int) -> PartDemand:
    return PartDemand(shop, "SPCC", 1.6, size[0], size[1], qty, day)


def test_a_panel_takes_a_third_of_a_saburoku_by_the_grid():
    # サブロク 914 × 1829 less 10 mm trim a side: 894 × 1809 usable. 880 × 600 with a
    # 3 mm gap: (894+3)//(880+3) = 1 across, (1809+3)//(600+3) = 3 along: 3 a sheet
    # (turned: 1 × 2). By area: 528,000 / (914·1829·0.75 = 1,253,779.5) = 0.421 > 1/3,
    # so the grid, a packing that exists, counts.
    sheet, per_piece = sheet_fraction(PROFILE, "SPCC", *A)
    assert sheet == (914, 1829)
    assert per_piece == pytest.approx(1 / 3)


def test_a_square_plate_takes_its_area_over_the_utilisation():
    # 500 × 500: the grid places (897//503) × (1812//503) = 1 × 3; by area
    # 250,000 / 1,253,779.5 = 0.19940, less than 1/3: the nesting estimate counts.
    sheet, per_piece = sheet_fraction(PROFILE, "SPCC", *C)
    assert sheet == (914, 1829)
    assert per_piece == pytest.approx(250_000 / 1_253_779.5)


def test_a_part_too_large_for_the_shi_hachi_goes_on_a_goto_and_a_huge_one_is_refused():
    sheet, per_piece = sheet_fraction(PROFILE, "SPCC", 1300, 2500)
    assert sheet == (1524, 3048) and per_piece == 1.0
    with pytest.raises(PurchasingError) as exc:
        sheet_fraction(PROFILE, "SPCC", 1600, 3100)
    assert exc.value.code == "PART_LARGER_THAN_SHEET"


def worked_example() -> list[PartDemand]:
    return [
        parts(1, W10, A, 12),  # 12 × 1/3 = 4 sheets
        parts(1, W11, C, 10),  # 10 × 0.19940 = 1.994 → 2
        parts(2, W10, A, 9),  # 9 × 1/3 = 3
        parts(2, W11, A, 6),  # 6 × 1/3 = 2 …
        parts(2, W11, C, 5),  # … + 5 × 0.19940 = 0.997: 2.997 on shared sheets → 3
        parts(3, W10, A, 3),  # 1
        parts(3, W11, C, 20),  # 20 × 0.19940 = 3.988 → 4
    ]


def test_worked_example_sheets_per_shop_and_week():
    rows = sheet_demand(worked_example(), {1: PROFILE, 2: PROFILE, 3: PROFILE})
    got = {(r.shop_id, r.week): r.sheets for r in rows}
    assert got == {
        (1, "2025-W10"): 4, (2, "2025-W10"): 3, (3, "2025-W10"): 1,
        (1, "2025-W11"): 2, (2, "2025-W11"): 3, (3, "2025-W11"): 4,
    }  # fmt: skip
    assert {r.item for r in rows} == {SABUROKU}
    assert sum(r.sheets for r in rows) == 17


def test_worked_example_break_saving_and_split_to_the_yen():
    # Per shop over the two weeks: 6, 6 and 5 sheets; 17 together.
    order = split_order([LineIn(SABUROKU, {1: 6, 2: 6, 3: 5}, BREAKS)], delivery_jpy=2500)
    (line,) = order.lines
    # 17 reaches the 15-sheet break: ¥4,350 a sheet, 17 × 4,350 = ¥73,950.
    assert (line.sheets, line.break_min_qty, line.unit_price_jpy) == (17, 15, 4350)
    assert line.total_jpy == 73_950
    # Alone each stays under 10 sheets: ¥4,800. 6·4,800 + 6·4,800 + 5·4,800 = ¥81,600.
    assert line.alone_jpy == 81_600 and line.saved_jpy == 7_650
    # Delivery ¥2,500 by sheets: 15,000/17 = 882 r 6, 882 r 6, 12,500/17 = 735 r 5;
    # 2,499 handed out, the last yen to the largest remainder — shops 1 and 2 tie at 6,
    # the lower id (1) takes it: 883, 882, 735.
    split = {s.shop_id: s for s in order.shops}
    assert {k: s.delivery_jpy for k, s in split.items()} == {1: 883, 2: 882, 3: 735}
    # Each pays sheets × ¥4,350 + its delivery: 26,983 / 26,982 / 22,485.
    assert {k: s.total_jpy for k, s in split.items()} == {1: 26_983, 2: 26_982, 3: 22_485}
    assert order.total_jpy == 73_950 + 2_500 == 76_450
    assert sum(s.total_jpy for s in order.shops) == order.total_jpy
    # Alone: 6 × 4,800 + the whole ¥2,500 delivery = 31,300 (shops 1, 2); 26,500 (shop 3).
    assert {k: s.saved_jpy for k, s in split.items()} == {1: 4_317, 2: 4_318, 3: 4_015}
    assert order.saved_jpy == 89_100 - 76_450 == 12_650


def test_price_break_is_the_largest_minimum_reached():
    assert price_break(BREAKS, 9).unit_price_jpy == 4800
    assert price_break(BREAKS, 10).unit_price_jpy == 4600
    assert price_break(BREAKS, 50).unit_price_jpy == 4100
    assert price_break(BREAKS, 1000).unit_price_jpy == 4100
    # Below the smallest minimum: the list price (its first row).
    assert price_break([PriceBreak(5, 900)], 2).unit_price_jpy == 900
    with pytest.raises(PurchasingError):
        price_break([], 3)


def test_split_yen_ties_go_to_the_lower_id_and_the_sum_is_exact():
    assert split_yen(101, {2: 1, 1: 1}) == {1: 51, 2: 50}
    assert split_yen(0, {1: 0, 2: 0}) == {1: 0, 2: 0}
    assert split_yen(10, {1: 0, 2: 3}) == {1: 0, 2: 10}
    with pytest.raises(PurchasingError):
        split_yen(10, {1: -1, 2: 3})


def test_split_always_sums_to_the_total_and_never_moves_more_than_a_yen():
    rng = random.Random(14)
    for _ in range(500):
        weights = {i: rng.randint(0, 40) for i in range(1, rng.randint(2, 8))}
        total = rng.randint(0, 50_000)
        got = split_yen(total, weights)
        assert sum(got.values()) == (total if sum(weights.values()) else 0)
        whole = sum(weights.values()) or 1
        for k, w in weights.items():
            assert abs(got[k] - total * w / whole) < 1


def test_a_share_below_zero_is_refused():
    with pytest.raises(PurchasingError) as exc:
        split_order([LineIn(SABUROKU, {1: 6, 2: -1}, BREAKS)], delivery_jpy=0)
    assert exc.value.code == "NEGATIVE_SHARE"


def test_a_shop_with_no_sheets_pays_nothing_and_saves_nothing():
    order = split_order([LineIn(SABUROKU, {1: 12, 2: 0}, BREAKS)], delivery_jpy=2500)
    split = {s.shop_id: s for s in order.shops}
    assert (split[2].total_jpy, split[2].saved_jpy) == (0, 0)
    assert split[1].total_jpy == 12 * 4600 + 2500 and split[1].saved_jpy == 0


def row(n: int, min_qty: int, price: int, max_qty: int | None = None, **kw) -> PriceRow:  # type: ignore[no-untyped-def]
    base = {"material": "SPCC", "thickness_mm": 1.6, "sheet_w_mm": 914, "sheet_l_mm": 1829}
    return PriceRow(n, **{**base, **kw}, min_qty=min_qty, unit_price_jpy=price, max_qty=max_qty)


def test_a_clean_price_list_has_no_errors():
    rows = [row(2, 1, 4800, 9), row(3, 10, 4600, 14), row(4, 15, 4350, 49), row(5, 50, 4100)]
    assert check_price_rows(rows, PROFILE.materials) == []


def test_bad_price_rows_are_each_named():
    rows = [
        row(2, 1, 4800, 12),
        row(3, 10, 4600),  # overlaps row 2 (1–12)
        row(4, 10, 4500),  # duplicate minimum
        row(5, 0, 4000, material="SUS304"),  # zero quantity
        row(6, 5, -10, thickness_mm=2.0),  # negative price
        row(7, 1, 1000, material="UNOBTAINIUM"),
        row(8, 1, 3000, 4, thickness_mm=3.2),
        row(9, 8, 2900, thickness_mm=3.2),  # gap 5–7
        row(10, 1, 3000, thickness_mm=4.5),
        row(11, 10, 3100, thickness_mm=4.5),  # dearer for more
    ]
    errors = {(e.row, e.message.split(":")[0]) for e in check_price_rows(rows, PROFILE.materials)}
    assert errors == {
        (3, "overlapping breaks"),
        (4, "duplicate break"),
        (5, "the minimum quantity must be at least 1 sheet"),
        (6, "the unit price must be more than 0 yen"),
        (7, "unknown material 'UNOBTAINIUM'"),
        (9, "gap between breaks"),
        (11, "a larger break costs more per sheet than row 10"),
    }


def test_the_cheapest_supplier_at_the_quantity_wins():
    lists = {
        7: {SABUROKU: (PriceBreak(1, 5000), PriceBreak(20, 4000))},
        3: {SABUROKU: (PriceBreak(1, 4500),)},
    }
    assert cheapest_supplier(SABUROKU, 10, lists) == 3
    assert cheapest_supplier(SABUROKU, 20, lists) == 7
    assert cheapest_supplier(Item("SPCC", 2.0, 914, 1829), 20, lists) is None


def test_sheets_are_needed_at_the_first_operation_or_a_week_before_due():
    assert need_date(date(2025, 3, 20), None) == date(2025, 3, 13)
    assert need_date(date(2025, 3, 20), date(2025, 3, 3)) == date(2025, 3, 3)
    assert iso_week(date(2024, 12, 30)) == "2025-W01"


def test_demand_does_not_depend_on_the_order_of_the_parts():
    demand = worked_example()
    shuffled = demand[:]
    random.Random(3).shuffle(shuffled)
    profiles = {1: PROFILE, 2: PROFILE, 3: PROFILE}
    assert sheet_demand(demand, profiles) == sheet_demand(shuffled, profiles)
