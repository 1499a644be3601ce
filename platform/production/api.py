"""The production router (mounted by api/api.py). `GET /api/schedule` is a contract
(issue 13): the caller's view of the group's schedule — the coordinator everything, a
lead firm its own orders' operations (shops and dates, never prices), a shop its own."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from . import selectors

router = Router(tags=["production"])


class OperationOut(Schema):
    id: int
    order: str
    line: str
    part_number: str
    process: str
    shop: str
    machine: str
    machine_id: int
    start: datetime
    end: datetime
    due_date: date
    late: bool
    started: bool


class ScheduleOut(Schema):
    operations: list[OperationOut]


@router.get("/schedule", response=ScheduleOut, summary="The shared schedule, as you may see it")
def schedule(request: HttpRequest):  # type: ignore[no-untyped-def]
    ops = selectors.operations(request.membership)[:5000]  # type: ignore[attr-defined]
    return {
        "operations": [
            {
                "id": op.pk,
                "order": op.work.line.order.number,
                "line": op.work.line.label,
                "part_number": op.work.line.drawing.part_number,
                "process": op.process,
                "shop": op.work.shop.name,
                "machine": op.machine.name,
                "machine_id": op.machine_id,
                "start": op.start,
                "end": op.end,
                "due_date": op.work.due_date,
                # Late: the operation ends after the day the line is due.
                "late": timezone.localtime(op.end).date() > op.work.due_date,
                "started": op.started,
            }
            for op in ops
        ]
    }
