"""The demo's supplier and offcut (seed_demo_purchasing): made once through the real
actions, so a newcomer can make a joint order from the seeded work at once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from purchasing.models import Offcut, PriceBreak, Supplier

pytestmark = pytest.mark.django_db(transaction=True)


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_the_demo_supplier_and_offcut_are_made_once():  # type: ignore[no-untyped-def]
    from purchasing.management.commands.seed_demo_purchasing import PRICES

    assert "no demo group" in run("seed_demo_purchasing")
    run("seed_demo", "--password", "demo-password-for-tests")
    assert "made supplier" in run("seed_demo_purchasing")
    supplier = Supplier.objects.get()
    assert supplier.organization.kind == "coordinator"
    # Every break of the file, in force: 5 sheets × 3 breaks.
    breaks = PriceBreak.objects.filter(price_list__supplier=supplier, price_list__is_current=True)
    assert breaks.count() == sum(len(b) for _m, _t, b in PRICES) == 15
    spcc = breaks.get(material="SPCC", thickness_mm=1.6, min_qty=10)
    assert (spcc.max_qty, spcc.unit_price_jpy) == (29, 4550)
    assert Offcut.objects.get().status == "available"
    assert "kept" in run("seed_demo_purchasing")
    assert (Supplier.objects.count(), Offcut.objects.count()) == (1, 1)
