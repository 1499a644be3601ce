"""Moves by hand on the Gantt (issue 13 item 4), on real services: a sound move is saved
and kept by the next re-plan; each broken rule is refused with its reason and nothing
changes; only the shop (or the coordinator) moves its operations.

The coordinator's shop works every day, 08:00–16:00 (tests/allocation/conftest.capable).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from production.actions import replan_shop
from production.models import Breakdown, Operation
from shops.models import Machine
from tests.production.test_floor import planned  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def move(client, op, start, machine_id=None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/operations/{op.pk}/move",
        {"start": start.isoformat(), "machine_id": machine_id},
        content_type="application/json",
    )


def unchanged(*ops):  # type: ignore[no-untyped-def]
    for op in ops:
        now = Operation.objects.get(pk=op.pk)
        assert (now.machine_id, now.start, now.end, now.pinned) == (
            op.machine_id,
            op.start,
            op.end,
            False,
        )


def test_a_sound_move_is_kept_by_the_next_replan(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, bend = planned
    target = at(5, 9)  # well after the laser, inside the shift
    got = move(clients["dora"], bend, target)
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["pinned"] is True and datetime.fromisoformat(body["start"]) == target
    moved = Operation.objects.get(pk=bend.pk)
    assert moved.end - moved.start == bend.end - bend.start  # same machine: same length
    replan_shop(world.coordinator.pk)  # a plan made again keeps it where it was put
    again = Operation.objects.get(pk=bend.pk)
    assert (again.start, again.end, again.pinned) == (moved.start, moved.end, True)


def test_moving_to_a_faster_machine_takes_its_time(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, bend = planned
    fast = Machine.objects.create(
        shop=world.coordinator, name="bend-fast", process="bend", speed_factor=2.0
    )
    got = move(clients["dora"], bend, at(5, 9), machine_id=fast.pk)
    assert got.status_code == 200, got.content
    moved = Operation.objects.get(pk=bend.pk)
    assert moved.machine_id == fast.pk
    assert moved.end - moved.start == (bend.end - bend.start) / 2


@pytest.mark.parametrize(
    ("which", "when", "message"),
    [
        ("bend", lambda laser, bend: at(-1, 9), "into the past"),
        # 15:50 + the bend's half hour runs past the shift's end at 16:00
        ("bend", lambda laser, bend: at(5, 15, 50), "The shop is closed"),
        ("bend", lambda laser, bend: at(5, 3), "The shop is closed"),
        ("bend", lambda laser, bend: laser.start, "before the step before it (Laser cutting)"),
        ("laser", lambda laser, bend: bend.end + timedelta(days=1), "after the step that follows"),
    ],
    ids=["past", "over the shift end", "at night", "before its previous step", "after its next"],
)
def test_an_illegal_move_is_refused_with_its_reason(world, clients, planned, which, when, message):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, bend = planned
    op = bend if which == "bend" else laser
    got = move(clients["dora"], op, when(laser, bend))
    assert got.status_code == 422, got.content
    assert message in " ".join(got.json()["errors"]["start"]), got.json()
    unchanged(laser, bend)


def test_a_move_onto_a_breakdown_or_another_operation_is_refused(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, bend = planned
    Breakdown.objects.create(
        machine_id=bend.machine_id, shop=world.coordinator, start=at(5, 9), end=at(5, 12)
    )
    got = move(clients["dora"], bend, at(5, 10))
    assert got.status_code == 422 and "taken by a breakdown" in str(got.json())
    got = move(clients["dora"], bend, at(5, 13), machine_id=laser.machine_id)
    assert got.status_code == 422 and "does not do Bending" in str(got.json()["errors"])
    Breakdown.objects.all().delete()
    unchanged(laser, bend)


def test_a_move_to_another_shops_machine_or_of_started_work_is_refused(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, bend = planned
    theirs = Machine.objects.get(shop=world.shop, process="laser")
    got = move(clients["dora"], laser, at(5, 9), machine_id=theirs.pk)
    assert got.status_code == 422 and "this shop's own machines" in str(got.json())
    unchanged(laser, bend)
    Operation.objects.filter(pk=laser.pk).update(started=True)
    got = move(clients["dora"], laser, at(5, 9))
    assert got.status_code == 409 and "has started" in got.json()["detail"]


def test_only_the_shop_or_the_coordinator_moves_its_operations(world, clients, planned):  # type: ignore[no-untyped-def]  # noqa: F811
    laser, bend = planned
    assert move(clients["alice"], bend, at(5, 9)).status_code == 403  # the buyer sees, no more
    for name in ("carol", "charlie"):  # another shop; another group
        assert move(clients[name], bend, at(5, 9)).status_code == 404
    unchanged(laser, bend)
