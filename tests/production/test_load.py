"""The load view (GET /api/schedule/load): per shop and ISO week, the standard hours
planned against the shop's capacity — exact numbers from operations of known length on
shops with known calendars — and who may see which shop's load and capacity."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from production import load as load_view
from production.models import Operation
from shops.models import Closure, Machine, ShopCapability
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

MONDAY = date(2026, 11, 23)  # ISO week 2026-W48


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# -- the pure part: hours clipped to weeks -----------------------------------------------------
def test_an_operation_across_midnight_sunday_counts_in_both_weeks():  # type: ignore[no-untyped-def]
    mondays = load_view.week_starts(MONDAY, 2)
    sunday = MONDAY + timedelta(days=6)
    spans = [
        # 20:00 Sunday to 02:00 Monday: four hours in the first week, two in the second.
        load_view.Span(1, "A", at(sunday, 20), at(sunday + timedelta(days=1), 2), 1.0),
        # Before the window and after it: not counted.
        load_view.Span(1, "A", at(MONDAY - timedelta(days=1), 9), at(MONDAY, 0), 1.0),
        load_view.Span(
            1, "A", at(MONDAY + timedelta(days=14), 0), at(MONDAY + timedelta(14), 3), 1.0
        ),
    ]
    assert load_view.planned_h(spans, mondays) == {1: [4.0, 2.0]}


def test_a_faster_machine_counts_its_standard_hours():  # type: ignore[no-untyped-def]
    mondays = load_view.week_starts(MONDAY, 1)
    # 90 minutes on a machine twice as fast is three hours of the shop's standard work.
    spans = [load_view.Span(7, "B", at(MONDAY, 9), at(MONDAY, 10, 30), 2.0)]
    assert load_view.planned_h(spans, mondays) == {7: [3.0]}


def test_capacity_per_day_and_process_adds_up_to_weeks():  # type: ignore[no-untyped-def]
    per_day = {"laser": (8.0,) * 5 + (0.0,) * 2 + (8.0,) * 7, "bend": (4.0,) * 14}
    assert load_view.weekly(per_day, 2) == [40.0 + 28.0, 56.0 + 28.0]


def test_weeks_are_labelled_as_iso_weeks_from_this_mondays():  # type: ignore[no-untyped-def]
    found = load_view.Load(load_view.week_starts(load_view.monday_of(date(2026, 12, 31)), 2), ())
    assert found.week_starts == (date(2026, 12, 28), date(2027, 1, 4))
    assert found.weeks == ("2026-W53", "2027-W01")


# -- through the API, on real services -------------------------------------------------------
@pytest.fixture
def loaded(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    """Alice's two lines: one at the coordinator's shop (laser-1 and bend-1, 8 h every
    day), one at Carol's (laser-1, 8 h a day, Sundays off, closed three days in week 2).
    The planned operations are then put at known times: the coordinator's laser from
    20:00 Sunday to 02:00 Monday across weeks 0 and 1, Carol's laser 09:00–12:30 on
    Tuesday of week 1."""
    first = publish_to(world, clients, drawing, world.coordinator, processes=["laser"])
    assert clients["dora"].post(f"/api/offers/{first.pk}/accept").status_code == 200
    second = publish_to(world, clients, drawing, world.shop, processes=["laser"])
    assert clients["carol"].post(f"/api/offers/{second.pk}/accept").status_code == 200
    ours = wait_until(lambda: Operation.objects.filter(work__offer=first).first(), poll_s=0.3)
    theirs = wait_until(lambda: Operation.objects.filter(work__offer=second).first(), poll_s=0.3)

    monday = load_view.monday_of(timezone.localdate())
    sunday = monday + timedelta(days=6)
    Operation.objects.filter(pk=ours.pk).update(
        start=at(sunday, 20), end=at(sunday + timedelta(days=1), 2)
    )
    Operation.objects.filter(pk=theirs.pk).update(
        start=at(monday + timedelta(days=8), 9), end=at(monday + timedelta(days=8), 12, 30)
    )
    ShopCapability.objects.filter(shop=world.shop).update(weekly_days_off=[7])
    Closure.objects.create(
        shop=world.shop,
        start_date=monday + timedelta(days=14),
        end_date=monday + timedelta(days=16),
        reason="棚卸し",
    )
    return ours, theirs


WEEKS = 4
COORD_PLANNED = [4.0, 2.0, 0.0, 0.0]
COORD_CAPACITY = [112.0] * WEEKS  # two machines × 8 h × 7 days
SHOP_PLANNED = [0.0, 3.5, 0.0, 0.0]
SHOP_CAPACITY = [48.0, 48.0, 24.0, 48.0]  # one machine × 8 h × 6 days; 3 days closed


def rows(client) -> dict:  # type: ignore[no-untyped-def]
    got = client.get(f"/api/schedule/load?weeks={WEEKS}")
    assert got.status_code == 200, got.content
    return got.json()


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_sees_every_shops_hours_against_its_capacity(world, clients, loaded):  # type: ignore[no-untyped-def]
    body = rows(clients["dora"])
    monday = load_view.monday_of(timezone.localdate())
    assert body["week_starts"] == [(monday + timedelta(weeks=k)).isoformat() for k in range(4)]
    year, week, _ = monday.isocalendar()
    assert body["weeks"][0] == f"{year}-W{week:02d}"
    assert body["shops"] == [
        {
            "shop_id": world.coordinator.pk,
            "shop": world.coordinator.name,
            "planned_h": COORD_PLANNED,
            "capacity_h": COORD_CAPACITY,
        },
        {
            "shop_id": world.shop.pk,
            "shop": world.shop.name,
            "planned_h": SHOP_PLANNED,
            "capacity_h": SHOP_CAPACITY,
        },
    ]


@pytest.mark.django_db(transaction=True)
def test_a_faster_machine_counts_double_in_the_planned_and_the_capacity_hours(
    world, clients, loaded
):  # type: ignore[no-untyped-def]
    ours, _theirs = loaded
    Machine.objects.filter(pk=ours.machine_id).update(speed_factor=2.0)
    coordinator = rows(clients["dora"])["shops"][0]
    assert coordinator["planned_h"] == [8.0, 4.0, 0.0, 0.0]
    assert coordinator["capacity_h"] == [168.0] * WEEKS  # laser 16 h a day, bend 8 h


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["alice", "bob", "vera"])
def test_the_buyer_sees_its_own_hours_at_each_shop_and_no_capacity(world, clients, loaded, name):  # type: ignore[no-untyped-def]
    body = rows(clients[name])
    assert body["shops"] == [
        {
            "shop_id": world.coordinator.pk,
            "shop": world.coordinator.name,
            "planned_h": COORD_PLANNED,
            "capacity_h": None,
        },
        {
            "shop_id": world.shop.pk,
            "shop": world.shop.name,
            "planned_h": SHOP_PLANNED,
            "capacity_h": None,
        },
    ]


@pytest.mark.django_db(transaction=True)
def test_another_lead_firm_sees_none_of_alices_hours(world, clients, loaded, password):  # type: ignore[no-untyped-def]
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role
    from tests.conftest import client_for

    system = Actor.system("test")
    rival = create_organization(world.group, "越前モーター", OrgKind.LEAD_FIRM, acting=system)
    erin = add_member(rival, "erin@e.example", "Erin", Role.ADMIN, password, acting=system)
    assert rows(client_for(erin))["shops"] == []


@pytest.mark.django_db(transaction=True)
def test_a_member_shop_sees_only_its_own_shop(world, clients, loaded):  # type: ignore[no-untyped-def]
    assert rows(clients["carol"])["shops"] == [
        {
            "shop_id": world.shop.pk,
            "shop": world.shop.name,
            "planned_h": SHOP_PLANNED,
            "capacity_h": SHOP_CAPACITY,
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_another_groups_user_gets_nothing_of_the_group(world, clients, loaded):  # type: ignore[no-untyped-def]
    got = clients["charlie"].get(f"/api/schedule/load?weeks={WEEKS}")
    assert got.status_code == 200 and got.json()["shops"] == []
    text = got.content.decode()
    assert world.coordinator.name not in text and world.shop.name not in text


@pytest.mark.django_db
def test_a_visitor_without_a_session_is_refused(client):  # type: ignore[no-untyped-def]
    assert client.get("/api/schedule/load").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("weeks", ["0", "27", "many"])
def test_a_bad_number_of_weeks_is_refused_with_a_reason(world, clients, weeks):  # type: ignore[no-untyped-def]
    got = clients["dora"].get(f"/api/schedule/load?weeks={weeks}")
    assert got.status_code == 422 and "weeks" in str(got.json()["errors"])


@pytest.mark.django_db
def test_eight_weeks_by_default_from_this_monday(world, clients):  # type: ignore[no-untyped-def]
    body = clients["dora"].get("/api/schedule/load").json()
    monday = load_view.monday_of(timezone.localdate())
    assert len(body["weeks"]) == 8 and body["week_starts"][0] == monday.isoformat()
    assert body["shops"] == []  # no shop of the group has set up its capability yet


@pytest.mark.django_db(transaction=True)
def test_the_load_is_read_in_four_queries(world, loaded, django_assert_num_queries):  # type: ignore[no-untyped-def]
    from tenancy.middleware import membership_of

    membership = membership_of(world.dora.user)
    # The operations, then the group's capabilities with their machines and closures.
    with django_assert_num_queries(4):
        found = load_view.load(membership, weeks=WEEKS)
    assert [s.planned_h for s in found.shops] == [tuple(COORD_PLANNED), tuple(SHOP_PLANNED)]
