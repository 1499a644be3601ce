"""An accepted offer becomes work whose operations are planned on the shop's machines,
in process order, inside the shop's working hours, each as long as the quote's hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import Operation, Work
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_accepted_offer_is_planned_on_the_shops_machines(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser", "bend"])
    # The test plate has no bend lines, so its quote gives the brake no time; as if it had
    # four bends: half an hour at the brake.
    line = offer.line
    for q in line.quote:
        if q.get("shop_id") == world.coordinator.pk:
            q["hours"]["bend"] = 0.5
    line.save(update_fields=["quote"])
    offer.refresh_from_db()
    got = clients["dora"].post(f"/api/offers/{offer.pk}/accept")
    assert got.status_code == 200, got.content
    work = wait_until(lambda: Work.objects.filter(offer=offer).first(), poll_s=0.3)
    ops = wait_until(
        lambda: (rows := list(Operation.objects.filter(work=work).order_by("seq"))) and rows,
        poll_s=0.3,
    )
    assert [op.process for op in ops] == ["laser", "bend"]
    assert all(op.machine.shop_id == world.coordinator.pk for op in ops)
    assert [op.machine.process for op in ops] == ["laser", "bend"]
    laser, bend = ops
    assert bend.start >= laser.end  # bending waits for cutting
    hours = next(q for q in offer.line.quote if q["shop_id"] == world.coordinator.pk)["hours"]
    for op in ops:  # speed factor 1: the quote's hours, to the minute
        minutes = (op.end - op.start).total_seconds() / 60
        assert minutes == max(1, round(hours[op.process] * 60))
        local_start, local_end = timezone.localtime(op.start), timezone.localtime(op.end)
        # The test shop works 8 h a day from 08:00, every day.
        assert local_start.hour >= 8 and (
            local_end - local_start.replace(hour=8, minute=0)
        ) <= timedelta(hours=8)
        assert op.start >= offer.created_at - timedelta(minutes=1)


def test_who_sees_the_machine_plan(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser"])
    clients["dora"].post(f"/api/offers/{offer.pk}/accept")
    wait_until(lambda: Operation.objects.filter(work__offer=offer).exists(), poll_s=0.3)
    part = drawing.part_number
    for name in ("dora", "alice"):  # the shop itself (the coordinator makes it), the buyer
        page = clients[name].get("/production/").content.decode()
        assert part in page and 'data-testid="op"' in page, name
    for name in ("carol", "charlie"):  # another shop, another group
        page = clients[name].get("/production/").content.decode()
        assert 'data-testid="op"' not in page and part not in page, name


def test_the_schedule_api_gives_each_person_their_view(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser"])
    clients["dora"].post(f"/api/offers/{offer.pk}/accept")
    op = wait_until(lambda: Operation.objects.filter(work__offer=offer).first(), poll_s=0.3)
    keys = {"id", "order", "line", "shop", "machine", "start", "end", "due_date", "late"}
    for name in ("dora", "alice"):
        ops = clients[name].get("/api/schedule").json()["operations"]
        assert [o["id"] for o in ops] == [op.pk], name
        assert keys <= set(ops[0]) and ops[0]["shop"] == world.coordinator.name
        assert "price" not in str(ops[0]) and ops[0]["late"] is False
    for name in ("carol", "charlie"):
        assert clients[name].get("/api/schedule").json() == {"operations": []}, name
