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


# What the schedule's readers use (the API row, the pages, the files): loading only these
# keeps the order line's quote JSON and the drawing's other columns out of every view
# (the coordinator's 1,600 operations: 459 ms → 184 ms, measured by bench/schedule_load).
OPERATION_FIELDS = (
    "id", "work_id", "seq", "process", "machine_id", "start", "end", "started", "done",
    "done_qty", "scrap_qty", "pinned",
    "work__id", "work__due_date", "work__shop_id", "work__buyer_id", "work__line_id",
    "work__status",
    "work__shop__id", "work__shop__name",
    "work__line__id", "work__line__number", "work__line__order_id", "work__line__drawing_id",
    "work__line__quantity", "work__line__due_date",
    "work__line__order__id", "work__line__order__number",
    "work__line__drawing__id", "work__line__drawing__part_number",
    "machine__id", "machine__name", "machine__process", "machine__shop_id",
)  # fmt: skip


def operations(membership: Membership | None) -> QuerySet[Operation]:
    return (
        Operation.objects.visible_to(membership)  # type: ignore[attr-defined]
        .select_related("work__line__order", "work__line__drawing", "work__shop", "machine")
        .only(*OPERATION_FIELDS)
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
