"""Shipments, receipt and closing (issue 13 item 1), on real services: partial and full
shipment by the shop, receipt by the buyer, and the last receipt closes the job — its
drawing grant ends and it becomes a past job with its real price and lead time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from drawings.models import Grant, PastJob
from production.models import Operation, Shipment, Work
from tests.production.test_floor import planned  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def ship(client, work, quantity, note=""):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/works/{work.pk}/shipments",
        {"quantity": quantity, "note": note},
        content_type="application/json",
    )


def test_partial_then_full_shipment_and_receipt_close_the_job(world, clients, at_member_shop):  # type: ignore[no-untyped-def]
    work = at_member_shop
    grant = Grant.objects.get(pk=work.offer.grant_id)
    assert grant.revoked_at is None
    carol, alice = clients["carol"], clients["alice"]  # the shop and the buyer
    assert carol.get(f"/api/drawings/{work.line.drawing_id}").status_code == 200

    first = ship(carol, work, 4, "ヤマト 1234-5678")
    assert first.status_code == 201, first.content
    view = {w["id"]: w for w in alice.get("/api/works").json()}[work.pk]
    assert (view["shipped_qty"], view["received_qty"], view["status"]) == (4, 0, "planned")

    got = alice.post(f"/api/shipments/{first.json()['id']}/receive")
    assert got.status_code == 200 and got.json()["received_at"]
    assert Work.objects.get(pk=work.pk).status == "planned"  # 6 pieces still to come

    rest = ship(carol, work, 6)
    assert rest.status_code == 201
    assert Work.objects.get(pk=work.pk).status == "shipped"
    assert not Operation.objects.filter(work=work, done=False).exists()  # the pieces left
    assert not PastJob.objects.filter(drawing=work.line.drawing).exists()  # not received yet

    got = alice.post(f"/api/shipments/{rest.json()['id']}/receive")
    assert got.status_code == 200
    closed = Work.objects.get(pk=work.pk)
    assert closed.status == "closed" and closed.closed_at is not None
    assert Grant.objects.get(pk=grant.pk).revoked_at is not None  # the shop's access ends
    assert carol.get(f"/api/drawings/{work.line.drawing_id}").status_code == 404

    past = PastJob.objects.get(drawing=work.line.drawing)
    # The agreed price of the line over its 10 pieces, to the sen.
    assert past.unit_price == (Decimal(work.offer.price_jpy) / 10).quantize(Decimal("0.01"))
    assert (past.quantity, past.maker_id, past.buyer_id) == (10, world.shop.pk, world.lead_firm.pk)
    ordered = timezone.localdate(work.line.order.placed_at)
    assert past.order_date == ordered
    assert past.lead_time_days == (timezone.localdate() - ordered).days
    # It is history now: the buyer's past jobs list it with its price.
    listed = alice.get("/api/past-jobs").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert past.pk in {r["id"] for r in rows}


def test_shipping_more_than_ordered_or_twice_received_is_refused(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, _bend = planned
    work = Work.objects.get(pk=laser.work_id)
    dora, alice = clients["dora"], clients["alice"]
    for quantity in (11, 0, -1):
        got = ship(dora, work, quantity)
        assert got.status_code == 422, got.content
        assert "Ship from 1 to the 10 piece(s) still to ship" in str(got.json()["errors"])
    assert not Shipment.objects.exists()
    s = ship(dora, work, 10).json()
    assert ship(dora, work, 1).status_code == 409  # all shipped: nothing more ships
    assert alice.post(f"/api/shipments/{s['id']}/receive").status_code == 200
    again = alice.post(f"/api/shipments/{s['id']}/receive")
    assert again.status_code == 409 and "confirmed already" in again.json()["detail"]
    assert PastJob.objects.filter(drawing=work.line.drawing).count() == 1  # closed once


def test_only_the_shop_ships_and_only_the_buyer_receives(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, _bend = planned
    work = Work.objects.get(pk=laser.work_id)
    assert ship(clients["alice"], work, 1).status_code == 403  # the buyer does not ship
    for name in ("carol", "charlie"):  # another shop; another group
        assert ship(clients[name], work, 1).status_code == 404
        assert clients[name].get("/api/works").json() == []
    s = ship(clients["dora"], work, 2).json()
    # The shop cannot confirm its own delivery; others cannot find it.
    assert clients["dora"].post(f"/api/shipments/{s['id']}/receive").status_code == 403
    for name in ("carol", "charlie"):
        assert clients[name].post(f"/api/shipments/{s['id']}/receive").status_code == 404
    assert Shipment.objects.get(pk=s["id"]).received_at is None
