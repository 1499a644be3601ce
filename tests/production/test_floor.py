"""The shop floor on real services: progress and delays, and a breakdown that moves the
plan around it; each refused with a clear message when wrong, and only for the shop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from kumiai.asgi import application
from production.models import Breakdown, Operation
from tests.offers.test_offers import publish_to
from tests.portal.test_jobs import session_headers
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def planned(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    """A laser-and-bend line accepted by the coordinator's shop, planned on its machines."""
    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser", "bend"])
    line = offer.line
    for q in line.quote:  # the test plate has no bends: give the brake half an hour
        if q.get("shop_id") == world.coordinator.pk:
            q["hours"]["bend"] = 0.5
    line.save(update_fields=["quote"])
    assert clients["dora"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    return wait_until(
        lambda: (
            (ops := list(Operation.objects.filter(work__offer=offer).order_by("seq")))
            and len(ops) == 2
            and ops
        ),
        poll_s=0.3,
    )


def iso(t):  # type: ignore[no-untyped-def]
    return t.isoformat()


def test_a_breakdown_moves_the_operation_past_the_window(world, clients, planned):  # type: ignore[no-untyped-def]
    laser, bend = planned
    start, end = laser.start - timedelta(minutes=1), laser.end + timedelta(hours=3)
    got = clients["dora"].post(
        f"/api/machines/{laser.machine_id}/breakdowns",
        {"start": iso(start), "end": iso(end), "reason": "レーザー発振器の故障"},
        content_type="application/json",
    )
    assert got.status_code == 201, got.content
    moved = wait_until(
        lambda: (op := Operation.objects.get(pk=laser.pk)).start >= end and op, poll_s=0.3
    )
    assert moved.machine_id == laser.machine_id  # the shop's only laser: it waits
    assert Operation.objects.get(pk=bend.pk).start >= moved.end  # bending still follows
    ops = clients["dora"].get("/api/schedule").json()["operations"]
    assert {o["id"] for o in ops} == {laser.pk, bend.pk}  # the same ids, moved in place


def test_a_delay_pushes_what_follows_and_progress_is_kept(world, clients, planned):  # type: ignore[no-untyped-def]
    laser, bend = planned
    dora = clients["dora"]
    url = f"/api/operations/{laser.pk}/progress"
    started = dora.post(url, {"status": "started", "done_qty": 3}, content_type="application/json")
    assert started.status_code == 200 and started.json()["started"] is True
    later = timezone.now() + timedelta(hours=5)
    delayed = dora.post(
        url, {"status": "delayed", "expected_end": iso(later)}, content_type="application/json"
    )
    assert delayed.status_code == 200
    wait_until(lambda: Operation.objects.get(pk=bend.pk).start >= later, poll_s=0.3)
    op = Operation.objects.get(pk=laser.pk)
    assert op.done_qty == 3 and op.end == later  # what was reported stays
    done = dora.post(
        url, {"status": "done", "done_qty": 10, "scrap_qty": 1}, content_type="application/json"
    )
    assert done.status_code == 200
    again = dora.post(url, {"status": "started"}, content_type="application/json")
    assert again.status_code == 409 and "already done" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "bogus"}, "started, done or delayed"),
        ({"status": "started", "done_qty": 11}, "from 0 to the line's 10 pieces"),
        ({"status": "started", "scrap_qty": -1}, "from 0"),
        ({"status": "delayed"}, "new expected end"),
    ],
)
def test_bad_progress_is_refused_and_changes_nothing(world, clients, planned, body, message):  # type: ignore[no-untyped-def]
    laser, _bend = planned
    got = clients["dora"].post(
        f"/api/operations/{laser.pk}/progress", body, content_type="application/json"
    )
    assert got.status_code == 422 and message in str(got.json()), got.json()
    op = Operation.objects.get(pk=laser.pk)
    assert (op.started, op.done_qty, op.scrap_qty, op.end) == (False, 0, 0, laser.end)


def test_bad_breakdowns_are_refused(world, clients, planned):  # type: ignore[no-untyped-def]
    laser, _bend = planned
    now = timezone.now()
    url = f"/api/machines/{laser.machine_id}/breakdowns"
    backwards = {"start": iso(now + timedelta(hours=2)), "end": iso(now + timedelta(hours=1))}
    over = {"start": iso(now - timedelta(hours=3)), "end": iso(now - timedelta(hours=1))}
    for body, message in ((backwards, "after the start"), (over, "over already")):
        got = clients["dora"].post(url, body, content_type="application/json")
        assert got.status_code == 422 and message in str(got.json())
    assert not Breakdown.objects.exists()


def test_only_the_shop_reports_on_its_floor(world, clients, planned):  # type: ignore[no-untyped-def]
    laser, _bend = planned
    now = timezone.now()
    window = {"start": iso(now), "end": iso(now + timedelta(hours=1))}
    progress = {"status": "started"}
    # The buyer sees the operation (its order) but does not report on the shop's floor.
    got = clients["alice"].post(
        f"/api/operations/{laser.pk}/progress", progress, content_type="application/json"
    )
    assert got.status_code == 403
    for name in ("carol", "charlie"):  # another shop, another group: nothing to find
        c = clients[name]
        assert (
            c.post(
                f"/api/operations/{laser.pk}/progress", progress, content_type="application/json"
            ).status_code
            == 404
        )
        assert (
            c.post(
                f"/api/machines/{laser.machine_id}/breakdowns",
                window,
                content_type="application/json",
            ).status_code
            == 404
        )
    assert not Breakdown.objects.exists() and not Operation.objects.get(pk=laser.pk).started


def test_the_schedule_socket_tells_whoever_may_see_it(world, clients, planned):  # type: ignore[no-untyped-def]
    from production.actions import push_schedule_change

    async def listen(who):  # type: ignore[no-untyped-def]
        from channels.db import database_sync_to_async

        c = WebsocketCommunicator(
            application, "/ws/schedule/", headers=session_headers(clients[who])
        )
        assert (await c.connect())[0]
        await database_sync_to_async(push_schedule_change)(world.coordinator)
        heard = not await c.receive_nothing(timeout=1)
        await c.disconnect()
        return heard

    assert async_to_sync(listen)("dora") is True  # the shop (the coordinator makes it)
    assert async_to_sync(listen)("alice") is True  # the buyer whose work it holds
    assert async_to_sync(listen)("carol") is False  # another shop
    assert async_to_sync(listen)("charlie") is False  # another group


def test_a_planned_start_that_passed_unreported_is_planned_again_from_now(world, clients, planned):  # type: ignore[no-untyped-def]
    """Time passes and the floor reports nothing: the laser's planned start is two hours
    ago. It has not started, so the next plan starts it from now (it used to freeze it
    as started while the work's release was now: no plan at all)."""
    from production.actions import replan_shop

    laser, bend = planned
    ago = timezone.now() - timedelta(hours=2)
    Operation.objects.filter(pk=laser.pk).update(start=ago, end=ago + (laser.end - laser.start))
    before = timezone.now()
    assert replan_shop(world.coordinator.pk) in {"optimal", "feasible"}
    again = Operation.objects.get(pk=laser.pk)
    assert again.start >= before - timedelta(minutes=1) and not again.started
    assert Operation.objects.get(pk=bend.pk).start >= again.end


def test_done_without_a_start_keeps_the_planned_length(world, clients, planned):  # type: ignore[no-untyped-def]
    laser, _bend = planned
    got = clients["dora"].post(
        f"/api/operations/{laser.pk}/progress",
        {"status": "done", "done_qty": 10},
        content_type="application/json",
    )
    assert got.status_code == 200
    op = Operation.objects.get(pk=laser.pk)
    assert op.done and op.end - op.start == laser.end - laser.start


def test_only_a_report_that_moves_the_operation_re_plans(world, clients, planned, monkeypatch):  # type: ignore[no-untyped-def]
    """More pieces done on work under way leave the machine plan as it is: no re-plan is
    queued (each costs seconds of solving); a delay, which moves the end, queues one."""
    from production import actions

    queued = []
    real = actions._replan_later
    monkeypatch.setattr(
        actions, "_replan_later", lambda shop_id, why="": (queued.append(why), real(shop_id, why))
    )
    laser, _bend = planned
    url = f"/api/operations/{laser.pk}/progress"
    dora = clients["dora"]
    assert dora.post(url, {"status": "started"}, content_type="application/json").status_code == 200
    before = len(queued)  # 0 or 1: the start moved it only if it was planned for later
    after_start = Operation.objects.get(pk=laser.pk)
    for pieces in (2, 5):
        got = dora.post(
            url, {"status": "started", "done_qty": pieces}, content_type="application/json"
        )
        assert got.status_code == 200 and got.json()["started"] is True
    op = Operation.objects.get(pk=laser.pk)
    assert op.done_qty == 5 and (op.start, op.end) == (after_start.start, after_start.end)
    assert len(queued) == before
    later = timezone.now() + timedelta(hours=5)
    delayed = dora.post(
        url, {"status": "delayed", "expected_end": iso(later)}, content_type="application/json"
    )
    assert delayed.status_code == 200
    assert len(queued) == before + 1 and "Delay" in queued[-1]


def test_a_report_made_while_the_plan_is_solved_neither_waits_nor_is_overwritten(  # type: ignore[no-untyped-def]
    world, clients, planned, monkeypatch
):
    """A re-plan solves for seconds without holding the shop: a delay reported meanwhile
    goes through at once (with the shop held it would wait for the solve, which here
    waits for it: a deadlock) and keeps its new end when the plan is saved."""
    import threading

    from django.db import connection as test_connection

    from production import actions
    from tenancy.context import Actor

    laser, _bend = planned
    later = timezone.now() + timedelta(hours=5)
    dora = Actor(user=world.dora.user, membership=world.dora)
    outcome: dict[str, object] = {}

    def report() -> None:
        from django.db import connection

        try:
            op = Operation.objects.select_related("work__line", "work__shop").get(pk=laser.pk)
            actions.do_report_progress(op, status="delayed", expected_end=later, acting=dora)
            outcome["reported"] = True
        except Exception as exc:  # noqa: BLE001 - the test reads it below
            outcome["error"] = exc
        finally:
            connection.close()

    real_plan = actions.plan_shop

    def plan_while_reporting(*args, **kwargs):  # type: ignore[no-untyped-def]
        plan = real_plan(*args, **kwargs)  # made from the operations as they were read
        floor = threading.Thread(target=report)
        floor.start()
        floor.join(timeout=60)
        outcome["waited"] = floor.is_alive()
        return plan

    monkeypatch.setattr(actions, "plan_shop", plan_while_reporting)
    assert actions.replan_shop(world.coordinator.pk) in {"optimal", "feasible"}
    assert outcome == {"reported": True, "waited": False}
    op = Operation.objects.get(pk=laser.pk)
    assert op.started and op.end == later  # the report stands over the plan made before it
    assert test_connection.is_usable()
