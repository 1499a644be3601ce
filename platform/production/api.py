"""The production router (mounted by api/api.py). `GET /api/schedule` is a contract
(issue 13): the caller's view of the group's schedule — the coordinator everything, a
lead firm its own orders' operations (shops and dates, never prices), a shop its own."""

from __future__ import annotations

import json
from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from shops.models import Machine
from tenancy.context import Actor
from tenancy.scoping import get_visible_or_404

from . import actions, reallocation, selectors, shipping
from .models import Operation, Reallocation, Shipment, Work

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
    shop_id: int
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
    rows = selectors.operation_rows(request.membership)  # type: ignore[attr-defined]
    # Written as ninja would write ScheduleOut, without validating 1,600 rows we just
    # made in the schema's own shape: that check alone was an eighth of the coordinator's
    # view (bench/schedule_load.py's steps).
    return HttpResponse(json.dumps({"operations": rows}), content_type="application/json")


def operation_out(op: Operation) -> dict:
    return {
        "id": op.pk,
        "order": op.work.line.order.number,
        "line": op.work.line.label,
        "part_number": op.work.line.drawing.part_number,
        "process": op.process,
        "shop": op.work.shop.name,
        "shop_id": op.work.shop_id,
        "machine": op.machine.name,
        "machine_id": op.machine_id,
        "start": op.start,
        "end": op.end,
        "due_date": op.work.due_date,
        "late": selectors.is_late(op.end, op.work.due_date),
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


# -- shipments and receipt -----------------------------------------------------------------
class WorkOut(Schema):
    id: int
    order: str
    line: str
    part_number: str
    shop: str
    status: str
    quantity: int
    shipped_qty: int
    received_qty: int
    promised_date: date  # the date promised to the buyer (moves if a later one is approved)
    line_due_date: date


class ShipIn(Schema):
    quantity: int
    note: str = ""


class ShipmentOut(Schema):
    id: int
    work: int
    quantity: int
    shipped_at: datetime
    received_at: datetime | None


def work_out(w: Work) -> dict:
    rows = list(w.shipments.all())
    return {
        "id": w.pk,
        "order": w.line.order.number,
        "line": w.line.label,
        "part_number": w.line.drawing.part_number,
        "shop": w.shop.name,
        "status": w.status,
        "quantity": w.line.quantity,
        "shipped_qty": sum(s.quantity for s in rows),
        "received_qty": sum(s.quantity for s in rows if s.received_at),
        "promised_date": w.due_date,
        "line_due_date": w.line.due_date,
    }


@router.get("/works", response=list[WorkOut], summary="Accepted work you may see")
def works(request: HttpRequest):  # type: ignore[no-untyped-def]
    rows = selectors.works(request.membership).prefetch_related("shipments")[:2000]  # type: ignore[attr-defined]
    return [work_out(w) for w in rows]


@router.post(
    "/works/{work_id}/shipments",
    response={201: ShipmentOut},
    summary="Ship pieces of a work (partial or the rest)",
)
def ship(request: HttpRequest, work_id: int, body: ShipIn):  # type: ignore[no-untyped-def]
    work = get_visible_or_404(Work.objects.all(), request.membership, pk=work_id)  # type: ignore[attr-defined]
    s = shipping.do_ship(
        work, quantity=body.quantity, note=body.note, acting=Actor.from_request(request)
    )
    return Status(201, shipment_out(s))


def shipment_out(s: Shipment) -> dict:
    return {
        "id": s.pk,
        "work": s.work_id,
        "quantity": s.quantity,
        "shipped_at": s.shipped_at,
        "received_at": s.received_at,
    }


@router.post(
    "/shipments/{shipment_id}/receive",
    response=ShipmentOut,
    summary="The buyer confirms a delivery (the last one closes the job)",
)
def receive(request: HttpRequest, shipment_id: int):  # type: ignore[no-untyped-def]
    s = get_visible_or_404(Shipment.objects.all(), request.membership, pk=shipment_id)  # type: ignore[attr-defined]
    return shipment_out(shipping.do_confirm_receipt(s, acting=Actor.from_request(request)))


# -- re-allocation proposals (the coordinator's) ------------------------------------------
class OptionOut(Schema):
    kind: str  # stay | move
    shop_id: int
    shop: str
    cost_jpy: int
    finish_date: date
    makes_due: bool


class ReallocationOut(Schema):
    id: int
    status: str
    line: str
    order: str
    shop: str
    reason: str
    promised_date: date
    expected_date: date
    options: list[OptionOut]
    recommended: int
    chosen: int | None


class ApproveIn(Schema):
    option: int


def reallocation_out(r: Reallocation) -> dict:
    return {
        "id": r.pk,
        "status": r.status,
        "line": r.work.line.label,
        "order": r.work.line.order.number,
        "shop": r.work.shop.name,
        "reason": r.reason,
        "promised_date": r.promised_date,
        "expected_date": r.expected_date,
        "options": r.options,
        "recommended": r.recommended,
        "chosen": r.chosen,
    }


@router.get("/reallocations", response=list[ReallocationOut], summary="Re-allocation proposals")
def reallocations(request: HttpRequest, status: str = "open"):  # type: ignore[no-untyped-def]
    rows = selectors.reallocations(request.membership)  # type: ignore[attr-defined]
    if status != "all":
        rows = rows.filter(status=status)
    return [reallocation_out(r) for r in rows[:500]]


@router.post(
    "/reallocations/{proposal_id}/approve",
    response=ReallocationOut,
    summary="Approve one option of a re-allocation proposal",
)
def approve(request: HttpRequest, proposal_id: int, body: ApproveIn):  # type: ignore[no-untyped-def]
    r = get_visible_or_404(Reallocation.objects.all(), request.membership, pk=proposal_id)  # type: ignore[attr-defined]
    reallocation.do_approve(r, body.option, acting=Actor.from_request(request))
    return reallocation_out(selectors.reallocations(request.membership).get(pk=proposal_id))  # type: ignore[attr-defined]


@router.post(
    "/reallocations/{proposal_id}/dismiss",
    response=ReallocationOut,
    summary="Leave the line where it is, late",
)
def dismiss(request: HttpRequest, proposal_id: int):  # type: ignore[no-untyped-def]
    r = get_visible_or_404(Reallocation.objects.all(), request.membership, pk=proposal_id)  # type: ignore[attr-defined]
    reallocation.do_dismiss(r, acting=Actor.from_request(request))
    return reallocation_out(selectors.reallocations(request.membership).get(pk=proposal_id))  # type: ignore[attr-defined]
