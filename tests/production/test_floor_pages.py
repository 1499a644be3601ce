"""The phone pages (issue 13 item 1): the shop floor, deliveries and the coordinator's
re-allocation proposals, used through their plain forms as a person would, each write
landing through the same audited actions as the API, and each page showing only its
reader's part."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import Breakdown, Operation, Reallocation, Shipment, Work
from tenancy.models import AuditLog

pytestmark = pytest.mark.django_db(transaction=True)


def local(t):  # type: ignore[no-untyped-def]
    return timezone.localtime(t).strftime("%Y-%m-%dT%H:%M")


def test_the_shop_reports_and_ships_from_the_floor_page(world, clients, at_member_shop):  # type: ignore[no-untyped-def]
    work = at_member_shop
    op = Operation.objects.get(work=work)
    carol = clients["carol"]
    page = carol.get("/floor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-op="{op.pk}"' in html and work.line.label in html
    assert 'name="viewport"' in html  # laid out for a phone

    got = carol.post(f"/floor/operations/{op.pk}/", {"status": "started"}, follow=True)
    assert "Started" in got.content.decode()
    assert Operation.objects.get(pk=op.pk).started is True
    assert AuditLog.objects.filter(action="operation.started").exists()

    # A breakdown whose end is before its start: a clear message, nothing recorded.
    now = timezone.now()
    bad = {"start": local(now + timedelta(hours=2)), "end": local(now + timedelta(hours=1))}
    got = carol.post(f"/floor/machines/{op.machine_id}/breakdown/", bad, follow=True)
    assert "The end must be after the start." in got.content.decode()
    assert not Breakdown.objects.exists()

    too_many = carol.post(f"/floor/works/{work.pk}/ship/", {"quantity": "11"}, follow=True)
    assert "still to ship" in too_many.content.decode()
    carol.post(f"/floor/works/{work.pk}/ship/", {"quantity": "4", "note": "佐川 99"})
    assert list(Shipment.objects.values_list("quantity", "note")) == [(4, "佐川 99")]

    # The buyer sees it on the way, confirms it, and sees the line's state.
    alice = clients["alice"]
    deliveries = alice.get("/deliveries/").content.decode()
    assert 'data-testid="awaiting-row"' in deliveries and "佐川 99" in deliveries
    s = Shipment.objects.get()
    alice.post(f"/deliveries/{s.pk}/receive/")
    assert Shipment.objects.get().received_at is not None
    assert 'data-testid="awaiting-row"' not in alice.get("/deliveries/").content.decode()


def test_each_reader_sees_only_their_part_of_the_floor_and_deliveries(
    world, clients, at_member_shop
):  # type: ignore[no-untyped-def]
    work = at_member_shop
    op = Operation.objects.get(work=work)
    # The buyer and another group see no operation on the floor page (it is the shop's).
    for name in ("alice", "charlie"):
        assert f'data-op="{op.pk}"' not in clients[name].get("/floor/").content.decode()
    # Deliveries: the buyer and the shop see the line; another group does not.
    for name in ("alice", "carol", "dora"):
        assert f'data-work="{work.pk}"' in clients[name].get("/deliveries/").content.decode()
    assert work.line.label not in clients["charlie"].get("/deliveries/").content.decode()
    # Nobody but the shop (or the coordinator) reports on its floor through the page.
    got = clients["alice"].post(f"/floor/operations/{op.pk}/", {"status": "started"})
    assert got.status_code == 403
    got = clients["charlie"].post(f"/floor/operations/{op.pk}/", {"status": "started"})
    assert got.status_code == 404
    assert Operation.objects.get(pk=op.pk).started is False


def test_the_coordinator_approves_a_proposal_from_its_page(world, clients, at_member_shop):  # type: ignore[no-untyped-def]
    work = at_member_shop
    later = work.due_date + timedelta(days=4)
    proposal = Reallocation.objects.create(
        organization=world.coordinator,
        work=work,
        reason="Breakdown of laser-1",
        expected_date=later,
        promised_date=work.due_date,
        options=[
            {
                "kind": "stay",
                "shop_id": world.shop.pk,
                "shop": world.shop.name,
                "cost_jpy": 10000,
                "finish_date": later.isoformat(),
                "makes_due": False,
            }
        ],
    )
    page = clients["dora"].get("/schedule/reallocations/").content.decode()
    assert f'data-proposal="{proposal.pk}"' in page and "4 days late" in page
    for name in ("alice", "carol", "charlie"):
        assert (
            f'data-proposal="{proposal.pk}"'
            not in clients[name].get("/schedule/reallocations/").content.decode()
        )
    bogus = clients["dora"].post(f"/schedule/reallocations/{proposal.pk}/", {"option": "x"})
    assert bogus.status_code == 302 and Reallocation.objects.get().status == "open"
    clients["dora"].post(f"/schedule/reallocations/{proposal.pk}/", {"option": "0"})
    assert Reallocation.objects.get().status == "approved"
    assert Work.objects.get(pk=work.pk).due_date == later
    # The buyer's page shows the new promise, marked as moved.
    row = clients["alice"].get("/deliveries/").content.decode()
    assert later.isoformat() in row and ">moved<" in row
