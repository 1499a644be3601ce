"""The demo's work under way (seed_demo_jobs), on real services, seeded as `kumiai run`
seeds it: orders placed, allocated, offered, accepted but one, planned on several shops'
machines, with floor progress, a shipment awaiting receipt and a breakdown that breaks a
promise. Each person sees it as they may; a second seed changes nothing, and neither do
the messages the seed leaves queued for the worker that `kumiai run` starts after it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from allocation.models import AllocationRun
from offers.models import Offer
from orders.models import Order, OrderLine
from production.models import Breakdown, Operation, Reallocation, Shipment, Work
from tenancy.models import Membership
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo password 42"
KATO = "kato@kaga-seimitsu.example.jp"  # the coordinator
ALICE = "alice@hokuriku-kiki.example.jp"  # the buyer
CAROL = "carol@noto-laser.example.jp"  # a member shop
SAKAI = "sakai@echizen-motor.example.jp"  # another lead firm of the same group
CHARLIE = "charlie@hamamatsu-press.example.jp"  # another group


def seed(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    """The four seeds in `kumiai run`'s order, no worker running (as at start-up)."""
    from kumiai.celery import app

    app.control.purge()  # what earlier tests left queued is not this seed's
    seed("seed_demo", "--password", PASSWORD)
    seed("seed_demo_drawings")
    seed("seed_demo_shops")
    return seed("seed_demo_jobs")


def client(email: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(Membership.objects.get(user__email=email).user)
    return c


def schedule_ids(email: str) -> set[int]:
    got = client(email).get("/api/schedule")
    assert got.status_code == 200
    return {o["id"] for o in got.json()["operations"]}


def state() -> dict[str, list[tuple[object, ...]]]:
    """What the seed made, row by row. Operation times are left out: a re-plan made a
    minute later starts what has not started a minute later."""
    return {
        "orders": list(Order.objects.values_list("pk", "number", "status").order_by("pk")),
        "lines": list(OrderLine.objects.values_list("pk", "status").order_by("pk")),
        "runs": list(AllocationRun.objects.values_list("pk", "status").order_by("pk")),
        "offers": list(Offer.objects.values_list("pk", "shop_id", "status").order_by("pk")),
        "works": list(Work.objects.values_list("pk", "shop_id", "status").order_by("pk")),
        "operations": list(
            Operation.objects.values_list(
                "pk", "work_id", "seq", "machine_id", "started", "done", "done_qty", "scrap_qty"
            ).order_by("pk")
        ),
        "shipments": list(
            Shipment.objects.values_list("pk", "work_id", "quantity", "received_at").order_by("pk")
        ),
        "breakdowns": list(
            Breakdown.objects.values_list("pk", "machine_id", "start", "end").order_by("pk")
        ),
        "proposals": list(
            Reallocation.objects.values_list("pk", "work_id", "status", "expected_date").order_by(
                "pk"
            )
        ),
    }


def test_the_seed_leaves_work_under_way_that_each_sees_as_they_may(seeded):  # type: ignore[no-untyped-def]
    assert "placed 3 orders (8 lines" in seeded
    buyer = Membership.objects.get(user__email=ALICE).organization
    assert Order.objects.filter(buyer=buyer, status="placed").count() == 3
    # Allocated, offered, all accepted but one, which waits in its shop's inbox.
    offers = Offer.objects.select_related("shop")
    assert offers.count() == OrderLine.objects.count() == 8
    waiting = [o for o in offers if o.status == "offered"]
    assert len(waiting) == 1 and offers.filter(status="accepted").count() == 7
    inbox = client(CAROL).get("/api/offers").json()
    assert [o["id"] for o in inbox if o["status"] == "offered"] == [waiting[0].pk]
    # Every accepted line is work on its own shop's machines; several shops hold some.
    ops = list(Operation.objects.select_related("work", "machine"))
    assert Work.objects.count() == 7 and len({op.work_id for op in ops}) == 7
    assert all(op.machine.shop_id == op.work.shop_id for op in ops)
    assert len({op.work.shop_id for op in ops}) >= 4
    # The floor (of Carol's shop): one operation done, one under way with part of its
    # pieces made, and those shipped, awaiting the buyer's receipt.
    done = [op for op in ops if op.done]
    started = [op for op in ops if op.started and not op.done]
    assert len(done) == 1 and done[0].done_qty == done[0].work.line.quantity
    steps_left = Operation.objects.filter(work_id=done[0].work_id, done=False).exists()
    assert Work.objects.get(pk=done[0].work_id).status == ("started" if steps_left else "done")
    assert len(started) == 1 and 0 < started[0].done_qty < started[0].work.line.quantity
    shipment = Shipment.objects.get()
    assert shipment.work_id == started[0].work_id and shipment.received_at is None
    assert shipment.quantity == started[0].done_qty
    mine = {w["id"]: w for w in client(ALICE).get("/api/works").json()}
    assert mine[shipment.work_id]["shipped_qty"] == shipment.quantity
    assert mine[shipment.work_id]["received_qty"] == 0
    # A breakdown at another shop: a line now late, proposed to the coordinator only.
    breakdown = Breakdown.objects.get()
    assert breakdown.shop_id != shipment.work.shop_id
    proposals = client(KATO).get("/api/reallocations").json()
    assert len(proposals) >= 1
    assert all(p["expected_date"] > p["promised_date"] for p in proposals)
    late = Reallocation.objects.get(pk=proposals[0]["id"]).work
    assert late.shop_id == breakdown.shop_id
    for email in (ALICE, CAROL, CHARLIE):
        assert client(email).get("/api/reallocations").json() == []
    # The shared schedule: the coordinator sees the group's, the buyer its own orders', a
    # shop its own machines'; another lead firm and another group see none of it.
    everything = {op.pk for op in ops}
    assert schedule_ids(KATO) == everything
    assert schedule_ids(ALICE) == {op.pk for op in ops if op.work.buyer_id == buyer.pk}
    noto = Membership.objects.get(user__email=CAROL).organization_id
    carols = schedule_ids(CAROL)
    assert carols == {op.pk for op in ops if op.work.shop_id == noto}
    assert {done[0].pk, started[0].pk} <= carols
    assert schedule_ids(SAKAI) == set() and schedule_ids(CHARLIE) == set()
    coordinator = client(KATO)
    for page in ("/schedule/", "/floor/", "/deliveries/", "/schedule/reallocations/"):
        assert coordinator.get(page).status_code == 200
    assert late.line.label in coordinator.get("/schedule/reallocations/").content.decode()


def test_a_second_seed_and_the_messages_left_for_the_worker_change_nothing(seeded):  # type: ignore[no-untyped-def]
    import redis
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.conf import settings
    from django.db import connections

    from kumiai.celery import app

    made = state()
    assert "kept the demo group's work" in seed("seed_demo_jobs")
    assert state() == made
    # What the seed's actions queued on commit (offers from the run, machine plans,
    # re-plans after the floor's reports, the drawings it did not use): the worker that
    # `kumiai run` starts next finds its work done.
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert broker.llen("celery") > 0

    quiet = [0]

    def drained() -> bool:
        # Twice in a row: a message being taken is briefly in neither place.
        empty = broker.llen("celery") == 0 and broker.hlen("unacked") == 0
        quiet[0] = quiet[0] + 1 if empty else 0
        return quiet[0] >= 2

    def close_db(**kwargs):  # type: ignore[no-untyped-def]
        connections.close_all()  # the worker thread's own, so the database can be flushed

    task_postrun.connect(close_db, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            wait_until(drained, poll_s=0.5)
    finally:
        task_postrun.disconnect(close_db)
    assert state() == made
