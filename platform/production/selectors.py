"""Reads of production: the shop its own work and machines, the buyer its orders' work,
the coordinator the group's."""

from __future__ import annotations

from django.db.models import QuerySet

from tenancy.models import Membership

from .models import Operation, Reallocation, Shipment, Work


def works(membership: Membership | None) -> QuerySet[Work]:
    return Work.objects.visible_to(membership).select_related(
        "line__order", "line__drawing", "shop"
    )  # type: ignore[attr-defined]


def operations(membership: Membership | None) -> QuerySet[Operation]:
    return (
        Operation.objects.visible_to(membership)  # type: ignore[attr-defined]
        .select_related("work__line__order", "work__line__drawing", "work__shop", "machine")
        .order_by("machine__shop__name", "machine__name", "start")
    )


def shipments(membership: Membership | None) -> QuerySet[Shipment]:
    return Shipment.objects.visible_to(membership).select_related(  # type: ignore[attr-defined]
        "work__line__order", "work__line__drawing", "work__shop", "work__buyer"
    )


def reallocations(membership: Membership | None) -> QuerySet[Reallocation]:
    """The coordinator's proposals (nobody else has any)."""
    return Reallocation.objects.visible_to(membership).select_related(  # type: ignore[attr-defined]
        "work__line__order", "work__shop"
    )
