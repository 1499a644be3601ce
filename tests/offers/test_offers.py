"""Offers on real services: a published run fills the shops' inboxes (with the drawing
granted), answers happen once however many arrive together, and a decline, a lapse or a
rejected counter-offer re-plans the line to another shop."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from allocation import actions as allocation_actions
from allocation import tasks as allocation_tasks
from offers import actions
from offers.models import Offer
from orders.models import OrderLine
from tenancy.context import Actor
from tests.allocation.conftest import order
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def publish_to(world, clients, drawing, shop, **line):  # type: ignore[no-untyped-def]
    """Alice orders one line; the coordinator allocates it pinned to `shop` and publishes."""
    order(clients["alice"], drawing, {"processes": ["laser"], **line})
    line_row = OrderLine.objects.latest("pk")
    run = allocation_actions.do_start_run(
        acting=Actor(world.dora.user, world.dora),
        enqueue=lambda _id: None,
        pins={str(line_row.pk): shop.pk},
    )
    allocation_tasks.solve_run(run.pk)
    published = clients["dora"].post(f"/api/allocation-runs/{run.pk}/publish")
    assert published.status_code == 200, published.content
    # Offers are made by the worker once the run is published.
    return wait_until(
        lambda: Offer.objects.filter(line=line_row, status="offered").first(), poll_s=0.2
    )


def test_a_published_run_fills_the_shops_inbox_and_grants_the_drawing(world, clients, drawing):  # type: ignore[no-untyped-def]
    carol = clients["carol"]
    assert carol.get(f"/api/drawings/{drawing.pk}").status_code == 404  # no grant yet
    offer = publish_to(world, clients, drawing, world.shop)
    inbox = carol.get("/api/offers").json()
    assert [o["id"] for o in inbox] == [offer.pk]
    mine = inbox[0]
    assert mine["status"] == "offered" and mine["part_number"] == "BR-100"
    assert set(mine) >= {"id", "line", "shop", "status", "deadline"}
    assert mine["price_jpy"] > 0
    assert carol.get(f"/api/drawings/{drawing.pk}").status_code == 200  # granted with the offer
    assert [o["id"] for o in clients["dora"].get("/api/offers").json()] == [offer.pk]
    for name in ("alice", "charlie"):
        assert clients[name].get("/api/offers").json() == []
        assert clients[name].get(f"/api/offers/{offer.pk}").status_code == 404
        assert clients[name].post(f"/api/offers/{offer.pk}/accept").status_code == 404


def test_a_decline_is_re_planned_and_offered_to_another_shop(
    world, clients, drawing, celery_worker
):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.shop)
    carol = clients["carol"]
    no_reason = carol.post(
        f"/api/offers/{offer.pk}/decline", {"reason": " "}, content_type="application/json"
    )
    assert no_reason.status_code == 422
    got = carol.post(
        f"/api/offers/{offer.pk}/decline",
        {"reason": "その週はレーザーが満杯です"},
        content_type="application/json",
    )
    assert got.status_code == 200 and got.json()["status"] == "declined"
    assert carol.get(f"/api/drawings/{drawing.pk}").status_code == 404  # the grant ended
    line = OrderLine.objects.get(pk=offer.line_id)
    assert line.declined_by == [world.shop.pk]
    again = wait_until(
        lambda: Offer.objects.filter(line=line, status="offered").first(), poll_s=0.3
    )
    assert again.shop_id == world.coordinator.pk  # the only other shop
    assert again.run.auto_publish and "その週は" in again.run.reason
    assert again.run.previous_id == offer.run_id  # re-planned against the published plan


def test_fifty_accepts_at_once_give_one_acceptance(world, clients, drawing):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.shop)

    def accept(_i: int) -> int:
        c = Client()
        c.force_login(world.carol.user)
        try:
            return c.post(f"/api/offers/{offer.pk}/accept").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(accept, range(50)))
    assert codes.count(200) == 1 and codes.count(409) == 49, codes
    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert OrderLine.objects.get(pk=offer.line_id).status == "accepted"


def test_an_accept_racing_the_deadline_has_one_outcome(world, clients, drawing):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.shop)
    deadline = timezone.now() + timedelta(milliseconds=300)
    Offer.objects.filter(pk=offer.pk).update(deadline=deadline)

    def accept() -> int:
        c = Client()
        c.force_login(world.carol.user)
        try:
            while timezone.now() < deadline - timedelta(milliseconds=20):
                pass
            return c.post(f"/api/offers/{offer.pk}/accept").status_code
        finally:
            connections.close_all()

    def lapse() -> int:
        try:
            while timezone.now() < deadline:
                pass
            return actions.expire_offers()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        accepted, lapsed = pool.submit(accept), pool.submit(lapse)
        code, n = accepted.result(), lapsed.result()
    offer.refresh_from_db()
    if offer.status == "accepted":
        assert code == 200 and n == 0
    else:
        assert offer.status == "expired" and code == 409 and n == 1


def test_counter_offers_are_checked_and_the_coordinator_decides(
    world, clients, drawing, celery_worker
):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.shop)
    carol, dora = clients["carol"], clients["dora"]
    url = f"/api/offers/{offer.pk}/counter"
    bad_price = carol.post(url, {"price_jpy": -5}, content_type="application/json")
    past = carol.post(url, {"due_date": "2020-01-01"}, content_type="application/json")
    nothing = carol.post(url, {}, content_type="application/json")
    assert (bad_price.status_code, past.status_code, nothing.status_code) == (422, 422, 422)
    assert "more than zero" in str(bad_price.json()) and "in the past" in str(past.json())
    assert Offer.objects.get(pk=offer.pk).status == "offered"  # nothing changed

    later = (timezone.localdate() + timedelta(days=40)).isoformat()
    countered = carol.post(
        url, {"price_jpy": 99999, "due_date": later}, content_type="application/json"
    )
    assert countered.status_code == 200 and countered.json()["status"] == "countered"
    assert (
        carol.post(f"/api/offers/{offer.pk}/accept").status_code == 409
    )  # waits for the coordinator
    assert (
        carol.post(f"{url}/answer", {"accept": True}, content_type="application/json").status_code
        == 403
    )
    accepted = dora.post(f"{url}/answer", {"accept": True}, content_type="application/json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert (
        body["status"] == "accepted"
        and body["price_jpy"] == 99999
        and body["promised_date"] == later
    )

    second = publish_to(world, clients, drawing, world.shop)
    carol.post(
        f"/api/offers/{second.pk}/counter", {"price_jpy": 1}, content_type="application/json"
    )
    rejected = dora.post(
        f"/api/offers/{second.pk}/counter/answer",
        {"accept": False},
        content_type="application/json",
    )
    assert rejected.json()["status"] == "rejected"
    again = wait_until(
        lambda: Offer.objects.filter(line_id=second.line_id, status="offered").first(), poll_s=0.3
    )
    assert again.shop_id == world.coordinator.pk


def test_two_coordinators_publishing_one_run_publish_it_once(world, clients, drawing):  # type: ignore[no-untyped-def]
    from tenancy.actions import add_member
    from tenancy.models import Role

    kei = add_member(
        world.coordinator, "kei@kaga.example", "Kei", Role.ADMIN, "x" * 16, acting=Actor.system("t")
    )
    order(clients["alice"], drawing, {"processes": ["laser"]}, {"processes": ["laser", "bend"]})
    run = allocation_actions.do_start_run(
        acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None
    )
    allocation_tasks.solve_run(run.pk)

    def publish(user) -> int:  # type: ignore[no-untyped-def]
        c = Client()
        c.force_login(user)
        try:
            return c.post(f"/api/allocation-runs/{run.pk}/publish").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = sorted(pool.map(publish, [world.dora.user, kei.user]))
    assert codes == [200, 409]
    wait_until(lambda: Offer.objects.filter(run=run).count() >= 2, poll_s=0.2)
    assert Offer.objects.filter(run=run).count() == 2  # one per placement, not two


def test_the_inbox_page_answers_offers(world, clients, drawing):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.shop)
    carol = clients["carol"]
    page = carol.get("/offers/")
    assert page.status_code == 200 and f'data-testid="offer-{offer.pk}"' in page.content.decode()
    assert (
        clients["charlie"].get("/offers/list/").content.decode().count('data-testid="offer-') == 0
    )
    got = carol.post(f"/offers/{offer.pk}/accept/")
    assert got.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted"


def test_another_shop_never_sees_the_offer_nor_its_price(world, clients, drawing):  # type: ignore[no-untyped-def]
    from tenancy.actions import add_member, create_organization
    from tenancy.models import OrgKind, Role
    from tests.conftest import client_for

    system = Actor.system("t")
    hakusan = create_organization(
        world.group, "白山ベンディング", OrgKind.MEMBER_SHOP, acting=system
    )
    hana = client_for(
        add_member(hakusan, "hana@h.example", "Hana", Role.ADMIN, "x" * 16, acting=system)
    )
    offer = publish_to(world, clients, drawing, world.shop)
    assert hana.get("/api/offers").json() == []
    for url in (f"/api/offers/{offer.pk}", f"/api/drawings/{drawing.pk}"):
        assert hana.get(url).status_code == 404
    assert hana.post(f"/api/offers/{offer.pk}/accept").status_code == 404
    assert str(offer.price_jpy) not in hana.get("/offers/list/").content.decode()


def test_a_shop_offered_many_lines_at_once_reads_one_notification(world, clients, drawing):  # type: ignore[no-untyped-def]
    from notifications.models import Notification

    order(
        clients["alice"],
        drawing,
        {"processes": ["laser"]},
        {"processes": ["laser"]},
        {"processes": ["laser"]},
    )
    pins = {str(pk): world.shop.pk for pk in OrderLine.objects.values_list("pk", flat=True)}
    run = allocation_actions.do_start_run(
        acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None, pins=pins
    )
    allocation_tasks.solve_run(run.pk)
    clients["dora"].post(f"/api/allocation-runs/{run.pk}/publish")
    wait_until(lambda: Offer.objects.filter(run=run).count() == 3, poll_s=0.2)
    mine = wait_until(
        lambda: list(Notification.objects.filter(recipient=world.carol.user, kind="offer_made")),
        poll_s=0.2,
    )
    assert len(mine) == 1 and mine[0].message == "offered_many" and mine[0].params["count"] == 3
    total = sum(Offer.objects.filter(run=run).values_list("price_jpy", flat=True))
    assert mine[0].params["price_jpy"] == total
