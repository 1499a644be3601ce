"""Disruption → re-allocation (issue 13 item 2), on real services: a breakdown long enough
to make a line miss its promise is proposed to the coordinator with its options (stay
later, or another capable shop with its price and date); approving a move takes the work
off the shop and offers the line to the chosen shop; approving "stay" moves the promise,
which the buyer sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from drawings.models import Grant
from notifications.models import Notification
from offers.models import Offer
from production.models import Operation, Reallocation, Work
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DUE_DAYS = 20  # tests/allocation/conftest.order's due date


@pytest.fixture
def held(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    """A laser line held by the member shop (with a grant on the drawing), planned; the
    coordinator's shop (laser too) quoted it as well: the one other place it can go."""
    offer = publish_to(world, clients, drawing, world.shop)
    assert any(
        q.get("shop_id") == world.coordinator.pk and "refused" not in q for q in offer.line.quote
    )
    assert clients["carol"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    op = wait_until(lambda: Operation.objects.filter(work__offer=offer).first(), poll_s=0.3)
    return Work.objects.select_related("line").get(pk=op.work_id)


def break_down_past_the_due_date(clients, work):  # type: ignore[no-untyped-def]
    """The shop's only laser is down from now until 5 days after the promise."""
    op = Operation.objects.get(work=work)
    now = timezone.now()
    end = now + timedelta(days=(work.due_date - timezone.localdate()).days + 5)
    got = clients["dora"].post(
        f"/api/machines/{op.machine_id}/breakdowns",
        {"start": now.isoformat(), "end": end.isoformat(), "reason": "発振器交換"},
        content_type="application/json",
    )
    assert got.status_code == 201, got.content
    return wait_until(lambda: Reallocation.objects.filter(work=work).first(), poll_s=0.3)


def test_a_breakdown_that_breaks_a_promise_is_proposed_with_its_options(world, clients, held):  # type: ignore[no-untyped-def]
    proposal = break_down_past_the_due_date(clients, held)
    op = Operation.objects.get(work=held)
    assert timezone.localtime(op.end).date() > held.due_date  # the shop's plan is now late
    listed = clients["dora"].get("/api/reallocations").json()
    assert [p["id"] for p in listed] == [proposal.pk]
    p = listed[0]
    assert p["promised_date"] == held.due_date.isoformat()
    assert p["expected_date"] == timezone.localtime(op.end).date().isoformat()
    assert "Breakdown of laser-1" in p["reason"]
    stay, *moves = p["options"]
    assert stay["kind"] == "stay" and stay["shop"] == world.shop.name
    assert stay["finish_date"] == p["expected_date"] and stay["makes_due"] is False
    assert [m["shop"] for m in moves] == [world.coordinator.name]  # the other capable shop
    quoted = next(q for q in held.line.quote if q.get("shop_id") == world.coordinator.pk)
    assert moves[0]["cost_jpy"] == quoted["total_price_jpy"]
    assert moves[0]["makes_due"] is True  # it works every day and has nothing booked
    assert p["recommended"] == 1  # the only option that keeps the promise
    # The coordinator is told; nobody else sees the proposal.
    assert Notification.objects.filter(
        recipient=world.dora.user, message="reallocation_proposed"
    ).exists()
    for name in ("alice", "carol", "charlie"):
        assert clients[name].get("/api/reallocations").json() == []
        assert (
            clients[name]
            .post(
                f"/api/reallocations/{proposal.pk}/approve",
                {"option": 0},
                content_type="application/json",
            )
            .status_code
            == 404
        )


def test_approving_a_move_offers_the_line_to_the_chosen_shop(world, clients, held):  # type: ignore[no-untyped-def]
    proposal = break_down_past_the_due_date(clients, held)
    grant = held.offer.grant_id
    got = clients["dora"].post(
        f"/api/reallocations/{proposal.pk}/approve", {"option": 1}, content_type="application/json"
    )
    assert got.status_code == 200, got.content
    assert got.json()["status"] == "approved" and got.json()["chosen"] == 1
    moved = Work.objects.get(pk=held.pk)
    assert moved.status == "moved" and not Operation.objects.filter(work=moved).exists()
    assert Grant.objects.get(pk=grant).revoked_at is not None
    offer = wait_until(
        lambda: Offer.objects.filter(line=held.line, status="offered").first(), poll_s=0.3
    )
    assert offer.shop_id == world.coordinator.pk  # pinned to the chosen shop
    assert clients["carol"].get(f"/api/drawings/{held.line.drawing_id}").status_code == 404
    assert clients["dora"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    new_work = wait_until(lambda: Work.objects.filter(offer=offer).first(), poll_s=0.3)
    # The buyer sees the line at its new shop with that shop's promise.
    works = {w["id"]: w for w in clients["alice"].get("/api/works").json()}
    assert works[new_work.pk]["shop"] == world.coordinator.name
    assert works[new_work.pk]["promised_date"] == new_work.due_date.isoformat()
    assert works[held.pk]["status"] == "moved"
    assert Notification.objects.filter(
        recipient=world.alice.user, message="promise_changed"
    ).exists()
    again = clients["dora"].post(
        f"/api/reallocations/{proposal.pk}/approve", {"option": 1}, content_type="application/json"
    )
    assert again.status_code == 409


def test_approving_stay_moves_the_promise_the_buyer_sees(world, clients, held):  # type: ignore[no-untyped-def]
    proposal = break_down_past_the_due_date(clients, held)
    got = clients["dora"].post(
        f"/api/reallocations/{proposal.pk}/approve", {"option": 0}, content_type="application/json"
    )
    assert got.status_code == 200, got.content
    expected = date.fromisoformat(got.json()["expected_date"])
    assert Work.objects.get(pk=held.pk).due_date == expected
    works = {w["id"]: w for w in clients["alice"].get("/api/works").json()}
    assert works[held.pk]["promised_date"] == expected.isoformat()
    assert (
        works[held.pk]["line_due_date"]
        == (timezone.localdate() + timedelta(days=DUE_DAYS)).isoformat()
    )  # the order's own date is kept
    sched = clients["alice"].get("/api/schedule").json()["operations"]
    assert [o["late"] for o in sched] == [False]  # late against the new promise no more
    note = Notification.objects.get(recipient=world.alice.user, message="promise_changed")
    assert note.params["date"] == expected.isoformat()


def test_bad_choices_are_refused(world, clients, held):  # type: ignore[no-untyped-def]
    proposal = break_down_past_the_due_date(clients, held)
    url = f"/api/reallocations/{proposal.pk}/approve"
    got = clients["dora"].post(url, {"option": 7}, content_type="application/json")
    assert got.status_code == 422 and "one of the options" in str(got.json())
    Operation.objects.filter(work=held).update(started=True)
    got = clients["dora"].post(url, {"option": 1}, content_type="application/json")
    assert got.status_code == 409 and "can only stay" in got.json()["detail"]
    assert Work.objects.get(pk=held.pk).status in {"planned", "started"}
    assert Reallocation.objects.get(pk=proposal.pk).status == "open"


def test_when_the_plan_makes_the_date_again_the_proposal_is_withdrawn(world, clients, held):  # type: ignore[no-untyped-def]
    from production.actions import replan_shop
    from production.models import Breakdown

    proposal = break_down_past_the_due_date(clients, held)
    Breakdown.objects.all().delete()  # repaired sooner than feared
    status = replan_shop(world.shop.pk)
    assert status in {"optimal", "feasible"}, status
    assert Reallocation.objects.get(pk=proposal.pk).status == "obsolete"
    assert clients["dora"].get("/api/reallocations").json() == []
