"""The orders router (mounted by api/api.py). `POST /api/orders` is a contract."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tenancy.context import Actor

from . import actions, exports, selectors
from .models import Order
from .schemas import CreatedOut, OrderIn, OrderOut, OrderSummaryOut

router = Router(tags=["orders"])


def line_out(line) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": line.pk,
        "number": line.number,
        "drawing": line.drawing_id,
        "part_number": line.drawing.part_number,
        "revision": line.revision.number,
        "part": line.part.index,
        "material": line.material,
        "thickness_mm": line.thickness_mm,
        "processes": line.processes,
        "quantity": line.quantity,
        "due_date": line.due_date,
        "splittable": line.splittable,
        "status": line.status,
        "quote": line.quote,
    }


def order_out(request: HttpRequest, o: Order) -> dict:
    m = request.membership  # type: ignore[attr-defined]
    return {
        "id": o.pk,
        "number": o.number,
        "title": o.title,
        "status": o.status,
        "buyer": o.buyer.name,
        "created_at": o.created_at,
        "placed_at": o.placed_at,
        "lines": [line_out(line) for line in selectors.lines(m, o)],
    }


@router.post(
    "/orders", response={201: CreatedOut}, summary="Make an order (placed unless place=false)"
)
def create_order(request: HttpRequest, body: OrderIn):  # type: ignore[no-untyped-def]
    lines = [
        actions.LineInput(
            drawing=line.drawing,
            material=line.material,
            thickness_mm=line.thickness_mm or 0.0,
            processes=tuple(line.processes),
            quantity=line.quantity,
            due_date=line.due_date,
            splittable=line.splittable,
            part=line.part,
        )
        for line in body.lines
    ]
    o = actions.do_create_order(
        lines, acting=Actor.from_request(request), title=body.title, place=body.place
    )
    return Status(201, {"id": o.pk, "number": o.number, "status": o.status})


@router.get("/orders", response=list[OrderSummaryOut], summary="Your orders and requests")
def list_orders(request: HttpRequest):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return [
        {
            "id": o.pk,
            "number": o.number,
            "title": o.title,
            "status": o.status,
            "buyer": o.buyer.name,
            "lines": o.line_count,
            "created_at": o.created_at,
        }
        for o in selectors.orders(m)[:500]
    ]


@router.get("/orders/{order_id}", response=OrderOut, summary="An order with its lines and quotes")
def get_order(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return order_out(request, selectors.order(request.membership, order_id))  # type: ignore[attr-defined]


@router.post("/orders/{order_id}/place", response=OrderOut, summary="Place a request")
def place_order(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    o = selectors.order(request.membership, order_id)  # type: ignore[attr-defined]
    o = actions.do_place_order(o, acting=Actor.from_request(request))
    return order_out(request, o)


@router.get("/orders/{order_id}/lines.csv", summary="The order's lines as CSV")
def lines_csv(request: HttpRequest, order_id: int) -> HttpResponse:
    o = selectors.order(request.membership, order_id)  # type: ignore[attr-defined]
    return exports.lines_csv(o, list(selectors.lines(request.membership, o)))  # type: ignore[attr-defined]


@router.get("/orders/{order_id}/lines.xlsx", summary="The order's lines as Excel")
def lines_xlsx(request: HttpRequest, order_id: int) -> HttpResponse:
    o = selectors.order(request.membership, order_id)  # type: ignore[attr-defined]
    return exports.lines_xlsx(o, list(selectors.lines(request.membership, o)))  # type: ignore[attr-defined]


@router.get("/orders/{order_id}/quote.pdf", summary="The order's quote as a PDF (Japanese)")
def quote_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
    o = selectors.order(request.membership, order_id)  # type: ignore[attr-defined]
    return exports.quote_pdf(o, list(selectors.lines(request.membership, o)))  # type: ignore[attr-defined]
