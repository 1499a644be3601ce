"""The production router (mounted by api/api.py). `GET /api/schedule` is a contract
(issue 13): the caller's view of the group's schedule — the coordinator everything, a
lead firm its own orders' operations (shops and dates, never prices), a shop its own."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shops.models import Machine
from tenancy.context import Actor
from tenancy.scoping import get_visible_or_404

from . import actions, selectors
from .models import Operation

router = Router(tags=["production"])


class ProgressIn(Schema):
    status: str  # started, done or delayed
    done_qty: int | None = None
    scrap_qty: int | None = None
    expected_end: datetime | None = None


class MoveIn(Schema):
    start: datetime
    machine_id: int | None = None  # another machine of the same shop and process


class BreakdownIn(Schema):
    start: datetime
    end: datetime
    reason: str = ""


class BreakdownOut(Schema):
    id: int
    machine: int
    start: datetime
    end: datetime


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
    done: bool
    pinned: bool
    seq: int


class ScheduleOut(Schema):
    operations: list[OperationOut]


@router.get("/schedule", response=ScheduleOut, summary="The shared schedule, as you may see it")
def schedule(request: HttpRequest):  # type: ignore[no-untyped-def]
    ops = selectors.operations(request.membership)[:5000]  # type: ignore[attr-defined]
    return {"operations": [operation_out(op) for op in ops]}


def operation_out(op: Operation) -> dict:
    return {
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
        "done": op.done,
        "pinned": op.pinned,
        "seq": op.seq,
    }


@router.post(
    "/operations/{operation_id}/progress", response=OperationOut, summary="Report progress"
)
def progress(request: HttpRequest, operation_id: int, body: ProgressIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    op = get_visible_or_404(
        Operation.objects.select_related(
            "work__line__order", "work__line__drawing", "work__shop", "machine"
        ),
        m,
        pk=operation_id,
    )
    actions.do_report_progress(
        op,
        status=body.status,
        done_qty=body.done_qty,
        scrap_qty=body.scrap_qty,
        expected_end=body.expected_end,
        acting=Actor.from_request(request),
    )
    op = selectors.operations(m).get(pk=operation_id)
    return operation_out(op)


@router.post(
    "/machines/{machine_id}/breakdowns",
    response={201: BreakdownOut},
    summary="Report a machine breakdown (the shop's plan is made around it)",
)
def breakdown(request: HttpRequest, machine_id: int, body: BreakdownIn):  # type: ignore[no-untyped-def]
    machine = get_visible_or_404(
        Machine.objects.select_related("shop"), request.membership, pk=machine_id
    )  # type: ignore[attr-defined]
    b = actions.do_report_breakdown(
        machine,
        start=body.start,
        end=body.end,
        reason=body.reason,
        acting=Actor.from_request(request),
    )
    return Status(201, {"id": b.pk, "machine": machine.pk, "start": b.start, "end": b.end})


@router.post(
    "/operations/{operation_id}/move",
    response=OperationOut,
    summary="Move an operation by hand (checked against machine, calendar and order)",
)
def move(request: HttpRequest, operation_id: int, body: MoveIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    op = get_visible_or_404(
        Operation.objects.select_related("work__line", "work__shop", "machine"), m, pk=operation_id
    )
    actions.do_move_operation(
        op, start=body.start, machine_id=body.machine_id, acting=Actor.from_request(request)
    )
    return operation_out(selectors.operations(m).get(pk=operation_id))
