"""The offers router (mounted by api/api.py). Paths are a contract: `GET /api/offers`,
`POST /api/offers/{id}/accept`, `…/decline` (`reason`), `…/counter` (`price_jpy` and/or
`due_date`). A refused or conflicting step answers 409 with a message."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from tenancy.context import Actor

from . import actions, selectors
from .models import Offer
from .schemas import CounterAnswerIn, CounterIn, DeclineIn, OfferOut

router = Router(tags=["offers"])


def offer_out(o: Offer) -> dict:
    line = o.line
    return {
        "id": o.pk,
        "line": line.pk,
        "line_label": f"{line.order.number}-{line.number}",
        "drawing": line.drawing_id,
        "part_number": line.drawing.part_number,
        "quantity": line.quantity,
        "material": line.material,
        "thickness_mm": line.thickness_mm,
        "processes": line.processes,
        "shop": o.shop_id,
        "shop_name": o.shop.name,
        "status": o.status,
        "price_jpy": o.price_jpy,
        "due_date": o.due_date,
        "promised_date": o.promised_date,
        "deadline": o.deadline,
        "reason": o.reason,
        "counter_price_jpy": o.counter_price_jpy,
        "counter_due_date": o.counter_due_date,
    }


@router.get("/offers", response=list[OfferOut], summary="Your inbox (the coordinator: every offer)")
def inbox(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    rows = (
        selectors.offers(request.membership)  # type: ignore[attr-defined]
        # What offer_out reads: the line's quotes (every shop's, as JSON) and the
        # drawing's analysis stay in the database (a third of a shop's inbox, measured
        # by bench/schedule_load.py).
        .select_related(None)
        .select_related("line__order", "line__drawing", "shop")
        .defer("line__quote", "line__declined_by")
    )
    if status:
        rows = rows.filter(status=status)
    return [offer_out(o) for o in rows[:500]]


@router.get("/offers/{offer_id}", response=OfferOut, summary="One offer")
def get_offer(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    return offer_out(selectors.offer(request.membership, offer_id))  # type: ignore[attr-defined]


@router.post("/offers/{offer_id}/accept", response=OfferOut, summary="Accept an offer")
def accept(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    o = selectors.offer(request.membership, offer_id)  # type: ignore[attr-defined]
    return offer_out(actions.do_accept(o, acting=Actor.from_request(request)))


@router.post(
    "/offers/{offer_id}/decline", response=OfferOut, summary="Decline an offer, with a reason"
)
def decline(request: HttpRequest, offer_id: int, body: DeclineIn):  # type: ignore[no-untyped-def]
    o = selectors.offer(request.membership, offer_id)  # type: ignore[attr-defined]
    return offer_out(actions.do_decline(o, body.reason, acting=Actor.from_request(request)))


@router.post(
    "/offers/{offer_id}/counter", response=OfferOut, summary="Counter-offer price and/or date"
)
def counter(request: HttpRequest, offer_id: int, body: CounterIn):  # type: ignore[no-untyped-def]
    o = selectors.offer(request.membership, offer_id)  # type: ignore[attr-defined]
    return offer_out(
        actions.do_counter(
            o, price_jpy=body.price_jpy, due_date=body.due_date, acting=Actor.from_request(request)
        )
    )


@router.post(
    "/offers/{offer_id}/counter/answer",
    response=OfferOut,
    summary="The coordinator accepts or rejects a counter-offer",
)
def answer_counter(request: HttpRequest, offer_id: int, body: CounterAnswerIn):  # type: ignore[no-untyped-def]
    o = selectors.offer(request.membership, offer_id)  # type: ignore[attr-defined]
    return offer_out(
        actions.do_answer_counter(
            o, body.accept, acting=Actor.from_request(request), reason=body.reason
        )
    )
