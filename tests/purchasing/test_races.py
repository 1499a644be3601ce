"""Two people at once, on two real database connections: one offcut claimed by two
members, one joint order placed twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from purchasing import actions
from purchasing.models import Offcut, PurchaseOrder
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import AuditLog

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls):  # type: ignore[no-untyped-def]
    """Run each call in its own thread (its own connection), released together; return
    what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, fn):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_members_claiming_one_offcut_exactly_one_gets_it(trio):  # type: ignore[no-untyped-def]

    kaga_member = trio.kaga.memberships.get()
    noto_member = trio.noto.memberships.get()
    cut = actions.do_add_offcut(
        material="SPCC", thickness_mm=1.6, width_mm=400, length_mm=900, location="棚A",
        acting=Actor(kaga_member.user, kaga_member),
    )  # fmt: skip
    hana, carol = Actor(trio.hana.user, trio.hana), Actor(noto_member.user, noto_member)
    for _ in range(5):  # a race that only sometimes overlaps must be run more than once
        Offcut.objects.filter(pk=cut.pk).update(status="available", claimed_by=None)
        results = at_once(
            lambda: actions.do_claim_offcut(cut, acting=hana),
            lambda: actions.do_claim_offcut(cut, acting=carol),
        )
        won = [r for r in results if isinstance(r, Offcut)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(lost) == 1, results
        stored = Offcut.objects.get(pk=cut.pk)
        assert stored.status == "claimed" and stored.claimed_by_id == won[0].claimed_by_id
    assert AuditLog.objects.filter(action="purchasing.offcut.claim").count() == 5


def test_a_joint_order_placed_twice_at_once_is_placed_once(trio, clients, hana_client):  # type: ignore[no-untyped-def]
    from tests.purchasing.conftest import draft, supplier_with_prices

    supplier_with_prices(clients)
    oid = draft(clients)["id"]
    for client in (clients["dora"], clients["carol"], hana_client):
        assert client.post(f"/api/purchasing/orders/{oid}/confirm").status_code == 200
    dora = trio.kaga.memberships.get()
    po = PurchaseOrder.objects.get(pk=oid)
    acting = Actor(dora.user, dora)
    results = at_once(*(lambda: actions.do_place_order(po, acting=acting) for _ in range(4)))
    assert sum(isinstance(r, PurchaseOrder) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 3, results
    assert PurchaseOrder.objects.get(pk=oid).status == "placed"
    assert AuditLog.objects.filter(action="purchasing.order.place").count() == 1
