"""Reads of production: the shop its own work and machines, the buyer its orders' work,
the coordinator the group's."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

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


# The API row of an operation (`GET /api/schedule`), read as plain values: 1,600 rows as
# models, five related objects each, cost the coordinator's view 265 of its 340 ms
# (bench/schedule_load.py's steps); as tuples the SQL is most of it. `api.operation_out`
# makes the same row from a model, for the single operation a write answers with
# (tests/production/test_schedule_rows.py holds the two equal).
ROW_VALUES = (
    "id", "work__line__order__number", "work__line__number", "work__line__drawing__part_number",
    "process", "work__shop__name", "work__shop_id", "machine__name", "machine_id", "start",
    "end", "work__due_date", "started", "done", "pinned", "seq",
)  # fmt: skip


def is_late(end: datetime, due: date) -> bool:
    """An operation is late when it ends after the day its line is due (local days)."""
    return timezone.localtime(end).date() > due


def _json_moment(moment: datetime) -> str:
    """As ninja's encoder writes a datetime (Django's): milliseconds, UTC as "Z". Done
    here, in the loop that reads the rows, the encoder's fallback is not called 3,200
    times per view."""
    out = moment.isoformat()
    if moment.microsecond:
        out = out[:23] + out[26:]
    return out[:-6] + "Z" if out.endswith("+00:00") else out


def operation_rows(membership: Membership | None, limit: int = 5000) -> list[dict]:
    """The caller's schedule as API rows (dicts in `OperationOut`'s field order, moments
    and days already as their JSON text)."""
    rows = operations(membership).values_list(*ROW_VALUES)[:limit]
    return [
        {
            "id": pk,
            "order": order,
            "line": f"{order}-{line_no}",
            "part_number": part_number,
            "process": process,
            "shop": shop,
            "shop_id": shop_id,
            "machine": machine,
            "machine_id": machine_id,
            "start": _json_moment(start),
            "end": _json_moment(end),
            "due_date": due.isoformat(),
            "late": is_late(end, due),
            "started": started,
            "done": done,
            "pinned": pinned,
            "seq": seq,
        }
        for (
            pk, order, line_no, part_number, process, shop, shop_id, machine, machine_id,
            start, end, due, started, done, pinned, seq,
        ) in rows
    ]  # fmt: skip


def shipments(membership: Membership | None) -> QuerySet[Shipment]:
    return Shipment.objects.visible_to(membership).select_related(  # type: ignore[attr-defined]
        "work__line__order", "work__line__drawing", "work__shop", "work__buyer"
    )


def reallocations(membership: Membership | None) -> QuerySet[Reallocation]:
    """The coordinator's proposals (nobody else has any)."""
    return Reallocation.objects.visible_to(membership).select_related(  # type: ignore[attr-defined]
        "work__line__order", "work__shop"
    )
