"""The coordinator's allocation run on real services: queued, solved by the worker with
progress, saved at once; pins re-solve; publishing happens once; nobody else sees it."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from allocation import actions, tasks
from allocation.models import AllocationRun, ProposedPlacement
from kumiai.asgi import application
from orders.models import OrderLine
from tenancy.context import Actor
from tests.allocation.conftest import order
from tests.portal.test_jobs import session_headers
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def finished(client, run_id: int) -> dict:  # type: ignore[no-untyped-def]
    return wait_until(
        lambda: (
            (b := client.get(f"/api/allocation-runs/{run_id}").json())["status"]
            in {"done", "failed"}
            and b
        ),
        poll_s=0.3,
    )


def cheapest(line: OrderLine) -> str:
    return min((q for q in line.quote if "refused" not in q), key=lambda q: q["total_price_jpy"])[
        "shop"
    ]


def test_a_run_places_each_line_at_a_capable_shop_and_is_published_once(world, clients, drawing):  # type: ignore[no-untyped-def]
    alice, dora = clients["alice"], clients["dora"]
    order(alice, drawing, {"processes": ["laser"]}, {"processes": ["laser", "bend"]})
    started = dora.post("/api/allocation-runs", content_type="application/json")
    assert started.status_code == 201, started.content
    run = finished(dora, started.json()["id"])
    assert run["status"] == "done" and run["solver_status"] in {"optimal", "feasible"}
    placed = {p["line"]: p for p in run["placements"]}
    cut, bent = OrderLine.objects.order_by("number")
    # Only the coordinator bends; the laser-only line goes to the cheaper shop (room is
    # plenty: 8 h a day for 34 days against a few hours of work).
    assert placed[bent.pk]["shop_name"] == world.coordinator.name
    assert placed[cut.pk]["shop_name"] == cheapest(cut)
    assert all(p["late_days"] == 0 and p["why"] for p in placed.values())
    assert set(run["timings"]) >= {"queue_s", "fetch_s", "solve_s", "save_s"}

    published = dora.post(f"/api/allocation-runs/{run['id']}/publish")
    assert published.status_code == 200 and published.json()["published_at"]
    again = dora.post(f"/api/allocation-runs/{run['id']}/publish")
    assert again.status_code == 409 and "already published" in again.json()["detail"]


def test_a_task_delivered_twice_solves_once(world, clients, drawing):  # type: ignore[no-untyped-def]
    order(clients["alice"], drawing, {"processes": ["laser"]})
    run = actions.do_start_run(acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None)
    assert tasks.solve_run(run.pk) in {"optimal", "feasible"}
    assert tasks.solve_run(run.pk) == "not queued"
    assert ProposedPlacement.objects.filter(run=run).count() == 1


def test_one_run_at_a_time_and_only_the_coordinator_starts_one(world, clients, drawing):  # type: ignore[no-untyped-def]
    actions.do_start_run(acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None)
    busy = clients["dora"].post("/api/allocation-runs", content_type="application/json")
    assert busy.status_code == 409 and "still going" in busy.json()["detail"]
    for name in ("alice", "carol"):
        got = clients[name].post("/api/allocation-runs", content_type="application/json")
        assert got.status_code == 403, name
    assert AllocationRun.objects.count() == 1
    # Another group's coordinator runs its own group's allocation, which holds nothing of ours.
    theirs = clients["charlie"].post("/api/allocation-runs")
    assert theirs.status_code == 201
    assert tasks.solve_run(theirs.json()["id"]) == "empty"


def test_a_pin_moves_the_line_and_an_impossible_pin_is_explained(world, clients, drawing):  # type: ignore[no-untyped-def]
    alice, dora = clients["alice"], clients["dora"]
    order(alice, drawing, {"processes": ["laser"]}, {"processes": ["laser", "bend"]})
    first = finished(dora, dora.post("/api/allocation-runs").json()["id"])
    cut, bent = OrderLine.objects.order_by("number")
    other = (
        world.shop if cheapest(cut) == world.coordinator.name else world.coordinator
    )  # the shop the solver did not choose
    pinned = dora.post(
        f"/api/allocation-runs/{first['id']}/pin",
        {"line": cut.pk, "shop": other.pk},
        content_type="application/json",
    )
    assert pinned.status_code == 201
    second = finished(dora, pinned.json()["id"])
    by_line = {p["line"]: p for p in second["placements"]}
    assert by_line[cut.pk]["shop"] == other.pk and by_line[cut.pk]["pinned"]
    assert by_line[cut.pk]["moved"] and not by_line[bent.pk]["moved"]

    # The member shop has no press brake: the bent line cannot be pinned there.
    impossible = dora.post(
        f"/api/allocation-runs/{second['id']}/pin",
        {"line": bent.pk, "shop": world.shop.pk},
        content_type="application/json",
    )
    third = finished(dora, impossible.json()["id"])
    assert third["status"] == "done" and third["placements"] == []
    assert any(world.shop.name in e for e in third["explanation"]), third["explanation"]
    refused = dora.post(f"/api/allocation-runs/{third['id']}/publish")
    assert refused.status_code == 409 and "no plan" in refused.json()["detail"]


def test_nothing_open_is_a_run_with_nothing_to_do(world, clients, group_ready):  # type: ignore[no-untyped-def]
    run = actions.do_start_run(acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None)
    assert tasks.solve_run(run.pk) == "empty"
    run.refresh_from_db()
    assert run.status == "done" and run.explanation and not run.placements.exists()


def test_who_sees_a_run(world, clients, drawing):  # type: ignore[no-untyped-def]
    order(clients["alice"], drawing, {"processes": ["laser"]})
    run = actions.do_start_run(acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None)
    tasks.solve_run(run.pk)
    urls = [f"/api/allocation-runs/{run.pk}", f"/allocation/runs/{run.pk}/"]
    for url in urls:
        assert clients["dora"].get(url).status_code == 200
    for name in ("alice", "carol", "charlie"):
        assert clients[name].get(f"/api/allocation-runs/{run.pk}").status_code == 404, name
        assert clients[name].post(f"/api/allocation-runs/{run.pk}/publish").status_code in {
            403,
            404,
        }
        assert clients[name].get(f"/allocation/runs/{run.pk}/").status_code in {403, 404}
        assert clients[name].get("/api/allocation-runs").json() == []

    async def listen(who):  # type: ignore[no-untyped-def]
        c = WebsocketCommunicator(
            application, f"/ws/allocation-runs/{run.pk}/", headers=session_headers(clients[who])
        )
        ok = await c.connect()
        if ok[0]:
            event = await c.receive_json_from(timeout=5)
            await c.disconnect()
            return event["run"]["status"]
        return ok

    assert async_to_sync(listen)("dora") == "done"
    for name in ("alice", "carol", "charlie"):
        assert async_to_sync(listen)(name) == (False, 4404), name


def test_the_run_page_shows_the_proposal_and_each_shops_load(world, clients, drawing):  # type: ignore[no-untyped-def]
    order(clients["alice"], drawing, {"processes": ["laser", "bend"]})
    run = actions.do_start_run(acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None)
    tasks.solve_run(run.pk)
    page = clients["dora"].get(f"/allocation/runs/{run.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="placements"' in html and 'data-testid="shop-chart"' in html
    assert world.coordinator.name in html and 'data-testid="publish"' in html


def test_the_coordinator_sets_the_weights_and_a_run_uses_them(world, clients, group_ready):  # type: ignore[no-untyped-def]
    dora = clients["dora"]
    assert (
        dora.get("/api/allocation-weights").json()["move_per_line_jpy"] > 0
    )  # not zero by default
    got = dora.put(
        "/api/allocation-weights",
        {"tardiness_per_day_jpy": 9000, "time_limit_s": 3},
        content_type="application/json",
    )
    assert got.status_code == 200 and got.json()["tardiness_per_day_jpy"] == 9000
    bad = dora.put("/api/allocation-weights", {"time_limit_s": 0}, content_type="application/json")
    assert bad.status_code == 422 and "time limit" in str(bad.json())
    assert dora.get("/api/allocation-weights").json()["time_limit_s"] == 3  # nothing changed
    for name in ("alice", "carol"):
        assert clients[name].get("/api/allocation-weights").status_code == 403
        assert (
            clients[name]
            .put("/api/allocation-weights", {}, content_type="application/json")
            .status_code
            == 403
        )
    run = actions.do_start_run(acting=Actor(world.dora.user, world.dora), enqueue=lambda _id: None)
    assert run.weights["tardiness_per_day_jpy"] == 9000 and run.weights["time_limit_s"] == 3
    # Another group's coordinator reads its own group's weights, the defaults.
    assert clients["charlie"].get("/api/allocation-weights").json()["tardiness_per_day_jpy"] == 5000


def test_hours_already_offered_are_taken_off_the_capacity_a_re_plan_sees(world, clients, drawing):  # type: ignore[no-untyped-def]
    """A re-plan of one line solves that line alone: the published plan's promised hours
    must come off each shop's days, or the line could land on a day already full."""
    from django.utils import timezone

    from allocation.problem import booked_hours, inputs

    order(clients["alice"], drawing, {"processes": ["laser"]})
    line = OrderLine.objects.get()
    run = actions.do_start_run(
        acting=Actor(world.dora.user, world.dora),
        enqueue=lambda _id: None,
        pins={str(line.pk): world.shop.pk},
    )
    tasks.solve_run(run.pk)
    today = timezone.localdate()
    assert booked_hours(world.group, today) == {}  # nothing offered yet
    clients["dora"].post(f"/api/allocation-runs/{run.pk}/publish")
    wait_until(lambda: OrderLine.objects.get().status == "offered", poll_s=0.2)
    placed = ProposedPlacement.objects.get(run=run)
    day = (placed.finish_date - today).days
    hours = next(q for q in line.quote if q["shop_id"] == world.shop.pk)["hours"]["laser"]
    assert booked_hours(world.group, today) == {(world.shop.pk, "laser", day): hours}
    booked = booked_hours(world.group, today)
    data = inputs(world.group, [OrderLine.objects.get()], today, run.weights, {}, booked=booked)
    carol_shop = next(s for s in data.shops if s.id == world.shop.name)
    assert carol_shop.capacity_h["laser"][day] == pytest.approx(8.0 - hours)  # 8 h a day
