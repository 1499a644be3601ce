"""Accepted work at the group's shops, made straight in the database (the allocation and
offer flow has its own tests): what purchasing reads as demand."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.utils import timezone

_numbers = itertools.count(1)


def make_work(  # type: ignore[no-untyped-def]
    world,
    shop,
    size_mm: tuple[float, float],
    quantity: int,
    due: date,
    *,
    material: str = "SPCC",
    thickness_mm: float = 1.6,
    buyer=None,
    status: str = "planned",
):
    """Work for `quantity` pieces of a `size_mm` part at `shop`, due on `due`, for the
    lead firm (or `buyer`)."""
    from allocation.models import AllocationRun, ProposedPlacement
    from drawings.models import Part
    from offers.models import Offer
    from orders.models import Order, OrderLine
    from production.models import Work
    from tests.drawings.rows import make_drawing

    n = next(_numbers)
    buyer = buyer or world.lead_firm
    d = make_drawing(buyer, f"JP-PART-{n}", kind="dxf", status="analysed")
    part = Part.objects.create(
        drawing=d, revision=d.current_revision, index=0, is_current=True, summary={},
        features={}, width_mm=size_mm[0], height_mm=size_mm[1],
        net_area_mm2=size_mm[0] * size_mm[1], shape_vec=[0.0] * 39, size_vec=[0.0] * 17,
        text_vec=[0.0] * 32, geometry_hash=f"{n:064d}", shape_data=b"",
    )  # fmt: skip
    order = Order.objects.create(buyer=buyer, number=f"R-7{n:04d}", status="placed")
    line = OrderLine.objects.create(
        order=order, number=1, drawing=d, revision=d.current_revision, part=part,
        material=material, thickness_mm=thickness_mm, processes=["laser"], quantity=quantity,
        due_date=due, status="accepted", quote=[],
    )  # fmt: skip
    run = AllocationRun.objects.create(
        organization=world.coordinator, status="done", solver_status="optimal",
        published_at=timezone.now(),
    )  # fmt: skip
    placement = ProposedPlacement.objects.create(
        run=run, line=line, shop=shop, finish_date=due, cost_jpy=1000, why="test"
    )
    offer = Offer.objects.create(
        run=run, placement=placement, line=line, shop=shop, price_jpy=99_000 + n,
        due_date=due, promised_date=due, deadline=timezone.now() + timedelta(hours=48),
        status="accepted",
    )  # fmt: skip
    return Work.objects.create(
        offer=offer, line=line, shop=shop, buyer=buyer, due_date=due, status=status
    )
