"""Each insight figure worked out by hand on the month of tests/insight/rows.py, for the
coordinator (everyone by name), a member shop (itself and the group) and a lead firm
(its own orders and the group)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from insight import metrics
from insight.metrics import Period
from tests.insight.rows import HAKUSAN, KANAZAWA, MAY, may_2026, may_week

pytestmark = pytest.mark.django_db

PERIOD = Period.month(2026, 5)


@pytest.fixture
def month(world):  # type: ignore[no-untyped-def]
    return may_2026(world)


def by_org(rows, **match):  # type: ignore[no-untyped-def]
    return {r.org_id: r for r in rows if all(getattr(r, k) == v for k, v in match.items())}


# -- the period ---------------------------------------------------------------------------------
def test_a_period_is_whole_months_in_japanese_time():  # type: ignore[no-untyped-def]
    p = Period.between(date(2026, 11, 15), date(2027, 2, 3))
    assert (p.first, p.months, p.end) == (date(2026, 11, 1), 4, date(2027, 3, 1))
    assert p.start_at == datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert p.label == "2026-11 – 2027-02"
    assert Period.last_months(date(2026, 2, 10), 3).first == date(2025, 12, 1)


def test_the_weeks_of_a_period_are_the_iso_weeks_that_overlap_it():  # type: ignore[no-untyped-def]
    # May 2026 begins on a Friday and ends on a Sunday.
    assert PERIOD.week_starts == (
        date(2026, 4, 27),
        date(2026, 5, 4),
        date(2026, 5, 11),
        date(2026, 5, 18),
        date(2026, 5, 25),
    )


def test_a_period_refuses_a_mid_month_start_and_too_many_months():  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        Period(date(2026, 5, 2))
    with pytest.raises(ValueError):
        Period(MAY, metrics.MAX_MONTHS + 1)


# -- work shared --------------------------------------------------------------------------------
def test_work_shared_counts_quoted_hours_and_yen_per_shop_against_its_target(world, month):  # type: ignore[no-untyped-def]
    rows = by_org(metrics.work_shared(world.dora, PERIOD))
    carol, hakusan, coord, group = (
        rows[world.shop.pk],
        rows[month.hakusan.pk],
        rows[world.coordinator.pk],
        rows[None],
    )
    # w1 + w2 at Carol's; w3 at 白山 (its moved w4 left out); w5 was accepted in April.
    assert (group.hours, group.yen) == (20.0, 200_000)
    assert (carol.hours, carol.yen, carol.share, carol.target_share) == (16.0, 160_000, 0.8, 0.5)
    assert (hakusan.hours, hakusan.yen, hakusan.share, hakusan.target_share) == (
        4.0,
        40_000,
        0.2,
        0.3,
    )
    assert (coord.hours, coord.share, coord.target_share) == (0.0, 0.0, None)


def test_work_shared_is_per_month_and_counts_a_work_in_the_month_it_was_accepted(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.work_shared(world.dora, Period(date(2026, 4, 1), 2))
    april = by_org(rows, month=date(2026, 4, 1))
    assert (april[world.coordinator.pk].hours, april[world.coordinator.pk].share) == (8.0, 1.0)
    assert (april[None].hours, april[None].yen) == (8.0, 80_000)
    assert by_org(rows, month=MAY)[None].hours == 20.0


def test_a_member_shop_sees_its_own_share_and_the_group_total_only(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.work_shared(world.carol, PERIOD)
    assert [(r.org_id, r.hours, r.share) for r in rows] == [
        (world.shop.pk, 16.0, 0.8),
        (None, 20.0, 1.0),
    ]


def test_a_lead_firm_sees_the_groups_work_total_only(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.work_shared(world.alice, PERIOD)
    assert [(r.org_id, r.hours, r.yen) for r in rows] == [(None, 20.0, 200_000)]


# -- on-time ------------------------------------------------------------------------------------
def test_on_time_rate_counts_the_last_receipt_or_the_close_date_against_the_promise(world, month):  # type: ignore[no-untyped-def]
    rows = by_org(metrics.on_time_rate(world.dora, PERIOD))
    # Four works closed in May, three on time: w2's receipt is on the 16th in Japan.
    assert (rows[None].closed, rows[None].on_time, rows[None].rate) == (4, 3, 0.75)
    assert (rows[world.shop.pk].closed, rows[world.shop.pk].on_time) == (2, 1)
    assert rows[world.shop.pk].rate == 0.5
    # No receipt: w3 counts its close date, the promised day itself.
    assert (rows[month.hakusan.pk].closed, rows[month.hakusan.pk].rate) == (1, 1.0)
    assert (rows[world.coordinator.pk].closed, rows[world.coordinator.pk].rate) == (1, 1.0)


def test_a_receipt_late_in_the_evening_of_the_promised_day_is_on_time():  # type: ignore[no-untyped-def]
    jst = ZoneInfo("Asia/Tokyo")
    due = date(2026, 5, 20)
    assert metrics.on_time(datetime(2026, 5, 20, 23, 59, tzinfo=jst), None, due)
    assert not metrics.on_time(datetime(2026, 5, 21, 0, 1, tzinfo=jst), None, due)
    # The receipt counts before the close date.
    assert metrics.on_time(
        datetime(2026, 5, 19, 9, tzinfo=jst), datetime(2026, 5, 22, tzinfo=jst), due
    )


def test_a_lead_firm_sees_the_on_time_rate_of_its_own_lines(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.on_time_rate(world.alice, PERIOD)
    assert [(r.org_id, r.closed, r.on_time) for r in rows] == [
        (world.lead_firm.pk, 2, 1),
        (None, 4, 3),
    ]


def test_a_member_shop_sees_its_own_on_time_rate_and_the_groups(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.on_time_rate(world.carol, PERIOD)
    assert [(r.org_id, r.closed, r.on_time) for r in rows] == [
        (world.shop.pk, 2, 1),
        (None, 4, 3),
    ]


# -- win rate -----------------------------------------------------------------------------------
def test_win_rate_is_requests_made_in_the_period_that_became_orders(world, month):  # type: ignore[no-untyped-def]
    rows = by_org(metrics.win_rate(world.dora, PERIOD))
    assert (rows[world.lead_firm.pk].requests, rows[world.lead_firm.pk].placed) == (4, 2)
    assert (rows[month.kanazawa.pk].requests, rows[month.kanazawa.pk].placed) == (2, 1)
    assert (rows[None].requests, rows[None].placed, rows[None].rate) == (6, 3, 0.5)


def test_a_lead_firm_sees_its_own_win_rate_and_the_groups(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.win_rate(world.alice, PERIOD)
    assert [(r.org_id, r.requests, r.placed) for r in rows] == [
        (world.lead_firm.pk, 4, 2),
        (None, 6, 3),
    ]


def test_a_member_shop_sees_the_groups_win_rate_only(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.win_rate(world.carol, PERIOD)
    assert [(r.org_id, r.requests, r.placed) for r in rows] == [(None, 6, 3)]


# -- turnaround ---------------------------------------------------------------------------------
def test_turnaround_medians_of_request_to_order_and_offer_to_answer(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.turnaround(world.dora, PERIOD)
    orders = by_org(rows, kind=metrics.REQUEST_TO_ORDER)
    offers = by_org(rows, kind=metrics.OFFER_TO_ANSWER)
    # Placed in May: 6 h, 24 h, the April request after 96 h (Alice); 2 h (金沢電機).
    assert (orders[world.lead_firm.pk].count, orders[world.lead_firm.pk].median_h) == (3, 24.0)
    assert (orders[month.kanazawa.pk].count, orders[month.kanazawa.pk].median_h) == (1, 2.0)
    assert (orders[None].count, orders[None].median_h) == (4, 15.0)
    # Answered in May: 2 h, 4 h, 24 h (Carol); 1 h, 3 h (白山; the lapsed one has no answer).
    assert (offers[world.shop.pk].count, offers[world.shop.pk].median_h) == (3, 4.0)
    assert (offers[month.hakusan.pk].count, offers[month.hakusan.pk].median_h) == (2, 2.0)
    assert (offers[world.coordinator.pk].count, offers[world.coordinator.pk].median_h) == (
        0,
        None,
    )
    assert (offers[None].count, offers[None].median_h) == (5, 3.0)


def test_a_member_shop_sees_its_answer_time_and_the_groups_turnaround(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.turnaround(world.carol, PERIOD)
    assert [(r.kind, r.org_id, r.count, r.median_h) for r in rows] == [
        (metrics.REQUEST_TO_ORDER, None, 4, 15.0),
        (metrics.OFFER_TO_ANSWER, world.shop.pk, 3, 4.0),
        (metrics.OFFER_TO_ANSWER, None, 5, 3.0),
    ]


def test_a_lead_firm_sees_its_request_to_order_time_and_the_groups(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.turnaround(world.alice, PERIOD)
    assert [(r.kind, r.org_id, r.count, r.median_h) for r in rows] == [
        (metrics.REQUEST_TO_ORDER, world.lead_firm.pk, 3, 24.0),
        (metrics.REQUEST_TO_ORDER, None, 4, 15.0),
        (metrics.OFFER_TO_ANSWER, None, 5, 3.0),
    ]


# -- load per process ---------------------------------------------------------------------------
def test_load_per_process_is_machine_hours_clipped_to_iso_weeks(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.load_per_process(world.dora, PERIOD)
    group = {(r.week_start, r.process): r.hours for r in rows if r.org_id is None}
    # Carol's 4 h laser and 2 h bend; 白山's laser from 22:00 Sunday: 2 h in each week.
    assert group[(may_week(11), "laser")] == 6.0
    assert group[(may_week(11), "bend")] == 2.0
    assert group[(may_week(18), "laser")] == 2.0
    assert group[(may_week(4), "laser")] == 0.0
    assert sum(group.values()) == 10.0  # the moved work's 10 h are not counted
    carol = {(r.week_start, r.process): r.hours for r in rows if r.org_id == world.shop.pk}
    assert carol[(may_week(11), "laser")] == 4.0
    assert sum(carol.values()) == 6.0


def test_a_member_shop_sees_its_own_load_and_the_groups(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.load_per_process(world.carol, PERIOD)
    assert {r.org_id for r in rows} == {world.shop.pk, None}
    assert sum(r.hours for r in rows if r.org_id == world.shop.pk) == 6.0


def test_a_lead_firm_sees_the_groups_load_only(world, month):  # type: ignore[no-untyped-def]
    rows = metrics.load_per_process(world.alice, PERIOD)
    assert {r.org_id for r in rows} == {None}
    assert sum(r.hours for r in rows) == 10.0


# -- who sees what ------------------------------------------------------------------------------
def names_in(found: metrics.Insight) -> set[str]:
    rows = [*found.shares, *found.on_time, *found.win_rate, *found.turnaround, *found.load]
    return {r.org for r in rows}


def test_the_coordinator_sees_every_member_by_name(world, month):  # type: ignore[no-untyped-def]
    names = names_in(metrics.insight(world.dora, PERIOD))
    assert {world.shop.name, HAKUSAN, world.coordinator.name, KANAZAWA} <= names


def test_a_member_shop_never_sees_another_member_by_name(world, month):  # type: ignore[no-untyped-def]
    names = names_in(metrics.insight(world.carol, PERIOD))
    assert names == {world.shop.name, world.group.name}


def test_a_lead_firm_sees_its_own_name_and_the_groups_only(world, month):  # type: ignore[no-untyped-def]
    names = names_in(metrics.insight(world.alice, PERIOD))
    assert names == {world.lead_firm.name, world.group.name}


def test_another_groups_user_sees_nothing_of_this_group(world, month):  # type: ignore[no-untyped-def]
    found = metrics.insight(world.charlie, PERIOD)
    assert found.group_name == world.other_group.name
    assert names_in(found) <= {world.other_group.name, world.other_org.name}
    assert all(r.hours == 0 and r.yen == 0 for r in found.shares)
    assert all(r.closed == 0 for r in found.on_time)
    assert all(r.requests == 0 for r in found.win_rate)
    assert all(r.count == 0 for r in found.turnaround)
    assert all(r.hours == 0 for r in found.load)


def test_a_disabled_membership_sees_nothing(world, month):  # type: ignore[no-untyped-def]
    world.carol.is_active = False
    world.carol.save()
    found = metrics.insight(world.carol, PERIOD)
    assert (found.view, found.shares, found.on_time) == (metrics.NO_VIEW, [], [])


def test_material_saved_says_no_joint_orders_rather_than_a_number(world, month):  # type: ignore[no-untyped-def]
    # Until the purchasing app records a joint order, there is no figure at all.
    assert metrics.material_saved(world.dora, PERIOD) is None
