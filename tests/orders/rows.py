"""An order through to an offer, made straight in the database for tests that are about
something else (isolation, lists)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def make_offer_chain(world, part_number: str = "ISO-ORD-1"):  # type: ignore[no-untyped-def]
    """Alice's placed order of one line, a finished and published run of Dora's placing it
    at Carol's shop, and the offer to Carol's shop: (order, line, run, offer)."""
    from allocation.models import AllocationRun, ProposedPlacement
    from drawings.models import Part
    from offers.models import Offer
    from orders.models import Order, OrderLine
    from tests.drawings.rows import make_drawing

    d = make_drawing(world.lead_firm, part_number, kind="dxf", status="analysed")
    part = Part.objects.create(
        drawing=d,
        revision=d.current_revision,
        index=0,
        is_current=True,
        summary={},
        features={},
        width_mm=100,
        height_mm=50,
        net_area_mm2=5000,
        shape_vec=[0.0] * 39,
        size_vec=[0.0] * 17,
        text_vec=[0.0] * 32,
        geometry_hash="0" * 64,
        shape_data=b"",
    )
    today = timezone.localdate()
    order = Order.objects.create(buyer=world.lead_firm, number="R-90001", status="placed")
    quote = [{"shop_id": world.shop.pk, "shop": world.shop.name, "unit_price_jpy": 123,
              "total_price_jpy": 1230, "lead_time_days": 5, "earliest_date": today.isoformat(),
              "hours": {"laser": 1.0}, "profile_version": 1}]  # fmt: skip
    line = OrderLine.objects.create(
        order=order,
        number=1,
        drawing=d,
        revision=d.current_revision,
        part=part,
        material="SPCC",
        thickness_mm=1.6,
        processes=["laser"],
        quantity=10,
        due_date=today + timedelta(days=10),
        status="offered",
        quote=quote,
    )
    run = AllocationRun.objects.create(
        organization=world.coordinator,
        status="done",
        solver_status="optimal",
        published_at=timezone.now(),
    )
    placement = ProposedPlacement.objects.create(
        run=run, line=line, shop=world.shop, finish_date=today, cost_jpy=1230, why="cheapest"
    )
    offer = Offer.objects.create(
        run=run,
        placement=placement,
        line=line,
        shop=world.shop,
        price_jpy=1230,
        due_date=line.due_date,
        promised_date=today,
        deadline=timezone.now() + timedelta(hours=48),
    )
    return order, line, run, offer


def make_operation(world, offer):  # type: ignore[no-untyped-def]
    """The offer accepted and its one laser operation planned on a machine of Carol's
    shop, made straight in the database: (machine, operation)."""
    from production.models import Operation, Work
    from shops.models import Machine

    machine = Machine.objects.create(shop=world.shop, name="ISO-LASER", process="laser")
    work = Work.objects.create(
        offer=offer,
        line=offer.line,
        shop=world.shop,
        buyer=world.lead_firm,
        due_date=offer.due_date,
    )
    start = timezone.now() + timedelta(days=1)
    op = Operation.objects.create(
        work=work,
        seq=0,
        process="laser",
        machine=machine,
        start=start,
        end=start + timedelta(hours=1),
    )
    return machine, op
