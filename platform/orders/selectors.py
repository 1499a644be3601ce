"""Reads of orders, inside what the acting membership may see (the buyer, the group's
coordinator). `open_lines` is the allocation's read for the whole group and is not
scoped to a person: the coordinator's allocation run calls it."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from tenancy.models import Membership, SupplierGroup
from tenancy.scoping import get_visible_or_404

from .models import LineStatus, Order, OrderLine, OrderStatus


def orders(membership: Membership | None) -> QuerySet[Order]:
    return (
        Order.objects.visible_to(membership)  # type: ignore[attr-defined]
        .select_related("buyer", "created_by")
        .annotate(line_count=Count("lines"))
    )


def order(membership: Membership | None, order_id: object) -> Order:
    return get_visible_or_404(Order.objects.select_related("buyer"), membership, pk=order_id)


def lines(membership: Membership | None, o: Order) -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(order=o)
        .select_related("drawing", "revision", "part", "order")
    )


def open_lines(group: SupplierGroup) -> QuerySet[OrderLine]:
    """Lines of placed orders that no shop holds yet, in the group."""
    return (
        OrderLine.objects.filter(
            order__buyer__group=group, order__status=OrderStatus.PLACED, status=LineStatus.OPEN
        )
        .select_related("order__buyer", "drawing", "part")
        .order_by("due_date", "order_id", "number")
    )
