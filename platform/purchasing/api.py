"""The purchasing router (mounted by api/api.py), under /api/purchasing/.

A member shop reads its own demand, stock, shares and prices and the group's totals;
the coordinator reads every shop's. Another group's object answers 404; a step the
object's state refuses (placing twice, claiming a claimed offcut) answers 409; bad input
422 with the message per field (a price list: per row)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from quoting.purchasing import sheet_name
from tenancy.context import Actor

from . import actions, selectors
from .models import Offcut, PurchaseOrder, PurchaseShare, PurchaseSplit, Stock

router = Router(tags=["purchasing"])


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _m(request: HttpRequest):  # type: ignore[no-untyped-def]
    return request.membership  # type: ignore[attr-defined]


# --- shapes -------------------------------------------------------------------------------------
class StockIn(Schema):
    material: str
    thickness_mm: float
    sheet_w_mm: int
    sheet_l_mm: int
    quantity: int


class OffcutIn(Schema):
    material: str
    thickness_mm: float
    width_mm: int
    length_mm: int
    location: str = ""
    note: str = ""


class SupplierIn(Schema):
    name: str
    delivery_fee_jpy: int = 0
    lead_days: int = 3
    contact: str = ""


class PeriodIn(Schema):
    start: date
    end: date


class SharesIn(Schema):
    sheets: int


class ReceiptIn(Schema):
    quantity: int
    note: str = ""


def _item(obj) -> dict:  # type: ignore[no-untyped-def]
    return {
        "material": obj.material,
        "thickness_mm": obj.thickness_mm,
        "sheet_w_mm": obj.sheet_w_mm,
        "sheet_l_mm": obj.sheet_l_mm,
        "sheet": sheet_name((obj.sheet_w_mm, obj.sheet_l_mm)),
    }


def stock_out(s: Stock) -> dict:
    return {"id": s.pk, "shop_id": s.shop_id, "shop": s.shop.name, **_item(s),
            "quantity": s.quantity}  # fmt: skip


def offcut_out(o: Offcut) -> dict:
    return {
        "id": o.pk,
        "shop_id": o.shop_id,
        "shop": o.shop.name,
        "material": o.material,
        "thickness_mm": o.thickness_mm,
        "width_mm": o.width_mm,
        "length_mm": o.length_mm,
        "location": o.location,
        "note": o.note,
        "has_photo": bool(o.photo_key),
        "status": o.status,
        "claimed_by": o.claimed_by.name if o.claimed_by else None,
    }


def split_out(s: PurchaseSplit) -> dict:
    return {
        "shop_id": s.shop_id,
        "shop": s.shop.name,
        "sheets": s.sheets,
        "material_jpy": s.material_jpy,
        "delivery_jpy": s.delivery_jpy,
        "total_jpy": s.total_jpy,
        "alone_jpy": s.alone_jpy,
        "saved_jpy": s.saved_jpy,
        "confirmed": s.confirmed_at is not None,
    }


def share_out(s: PurchaseShare) -> dict:
    return {
        "id": s.pk,
        "line": s.line_id,
        "shop_id": s.shop_id,
        "shop": s.shop.name,
        **_item(s.line),
        "demand_sheets": s.demand_sheets,
        "weeks": s.weeks,
        "sheets": s.sheets,
        "unit_price_jpy": s.line.unit_price_jpy,
        "alone_unit_jpy": s.alone_unit_jpy,
        "cost_jpy": s.cost_jpy,
        "received": s.received,
        "outstanding": s.outstanding,
    }


def order_out(request: HttpRequest, po: PurchaseOrder) -> dict:
    """Group totals for everyone with a part in it; shops' splits and shares as the
    reader may see them (a member: its own)."""
    m = _m(request)
    return {
        "id": po.pk,
        "number": po.number,
        "supplier": po.supplier.name,
        "status": po.status,
        "period_start": po.period_start,
        "period_end": po.period_end,
        "sheets": po.sheets,
        "delivery_fee_jpy": po.delivery_fee_jpy,
        "total_jpy": po.total_jpy,
        "alone_jpy": po.alone_jpy,
        "saved_jpy": po.saved_jpy,
        "placed_at": po.placed_at,
        "lines": [
            {
                "id": ln.pk,
                **_item(ln),
                "sheets": ln.sheets,
                "break_min_qty": ln.break_min_qty,
                "unit_price_jpy": ln.unit_price_jpy,
                "total_jpy": ln.total_jpy,
            }
            for ln in po.lines.all()
        ],  # fmt: skip
        "splits": [split_out(s) for s in selectors.splits(m, po)],
        "shares": [share_out(s) for s in selectors.shares(m, po)],
    }


# --- demand and stock -----------------------------------------------------------------------------
@router.get("/purchasing/demand", summary="Sheet demand per shop, item and ISO week")
def get_demand(request: HttpRequest, start: date | None = None, end: date | None = None):  # type: ignore[no-untyped-def]
    d = selectors.demand(_m(request), start, end)
    names = {o.pk: o.name for o in selectors.group_shops(_m(request))}
    return {
        "weeks": d.weeks,
        "rows": [
            {"shop_id": r.shop_id, "shop": names.get(r.shop_id, ""), **_item(r.item),
             "week": r.week, "sheets": r.sheets, "pieces": r.pieces}
            for r in d.rows
        ],
        "totals": [
            {**_item(item), "week": week, "sheets": sheets}
            for (item, week), sheets in sorted(
                d.totals.items(), key=lambda kv: (kv[0][1], kv[0][0].material, kv[0][0].sheet_mm)
            )
        ],
        "problems": d.problems,
    }  # fmt: skip


@router.get("/purchasing/stock", summary="Declared stock (a shop: its own)")
def list_stock(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [stock_out(s) for s in selectors.stock(_m(request))]


@router.post("/purchasing/stock", summary="Set the shop's stock of one sheet")
def set_stock(request: HttpRequest, body: StockIn):  # type: ignore[no-untyped-def]
    return stock_out(actions.do_set_stock(**body.dict(), acting=_actor(request)))


# --- offcuts ------------------------------------------------------------------------------------
@router.get("/purchasing/offcuts", summary="The group's offcuts")
def list_offcuts(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    rows = selectors.offcuts(_m(request))
    if status:
        rows = rows.filter(status=status)
    return [offcut_out(o) for o in rows[:500]]


@router.post("/purchasing/offcuts", response={201: dict}, summary="Offer an offcut")
def add_offcut(
    request: HttpRequest,
    material: str = Form(...),  # noqa: B008
    thickness_mm: float = Form(...),  # noqa: B008
    width_mm: int = Form(...),  # noqa: B008
    length_mm: int = Form(...),  # noqa: B008
    location: str = Form(""),  # noqa: B008
    note: str = Form(""),  # noqa: B008
    photo: UploadedFile | None = File(None),  # noqa: B008
):  # type: ignore[no-untyped-def]
    cut = actions.do_add_offcut(
        material=material, thickness_mm=thickness_mm, width_mm=width_mm, length_mm=length_mm,
        location=location, note=note, photo=photo, acting=_actor(request),
    )  # fmt: skip
    return Status(201, offcut_out(cut))


@router.post("/purchasing/offcuts/{offcut_id}/claim", summary="Claim an offcut (first wins)")
def claim_offcut(request: HttpRequest, offcut_id: int):  # type: ignore[no-untyped-def]
    cut = selectors.offcut(_m(request), offcut_id)
    return offcut_out(actions.do_claim_offcut(cut, acting=_actor(request)))


# --- suppliers and prices -------------------------------------------------------------------------
@router.get("/purchasing/suppliers", summary="The coordinator's suppliers")
def list_suppliers(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [
        {"id": s.pk, "name": s.name, "delivery_fee_jpy": s.delivery_fee_jpy,
         "lead_days": s.lead_days}
        for s in selectors.suppliers(_m(request))
    ]  # fmt: skip


@router.post("/purchasing/suppliers", response={201: dict}, summary="Add a supplier")
def create_supplier(request: HttpRequest, body: SupplierIn):  # type: ignore[no-untyped-def]
    s = actions.do_create_supplier(**body.dict(), acting=_actor(request))
    return Status(201, {"id": s.pk, "name": s.name})


@router.get("/purchasing/suppliers/{supplier_id}/prices", summary="The current price list")
def supplier_prices(request: HttpRequest, supplier_id: int):  # type: ignore[no-untyped-def]
    s = selectors.supplier(_m(request), supplier_id)
    return [
        {**_item(b), "min_qty": b.min_qty, "max_qty": b.max_qty,
         "unit_price_jpy": b.unit_price_jpy}
        for b in selectors.current_breaks(_m(request), s)
    ]  # fmt: skip


@router.post(
    "/purchasing/suppliers/{supplier_id}/price-list",
    response={201: dict},
    summary="Import a price list (CSV or Excel): all rows or none",
)
def import_price_list(
    request: HttpRequest,
    supplier_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's way of declaring a file
):  # type: ignore[no-untyped-def]
    # The supplier first: another group's answers 404 whatever the body.
    s = selectors.supplier(_m(request), supplier_id)
    if file is None:
        raise ValidationError({"file": [_("Choose a CSV or Excel file.")]})
    pl = actions.do_import_price_list(
        s, file.name or "prices.csv", file.read(), acting=_actor(request)
    )
    return Status(201, {"id": pl.pk, "breaks": pl.breaks.count()})


# --- joint orders ---------------------------------------------------------------------------------
@router.get("/purchasing/orders", summary="Joint orders (a shop: those it has a part in)")
def list_purchase_orders(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [
        {"id": po.pk, "number": po.number, "supplier": po.supplier.name, "status": po.status,
         "sheets": po.sheets, "total_jpy": po.total_jpy, "saved_jpy": po.saved_jpy}
        for po in selectors.orders(_m(request))[:200]
    ]  # fmt: skip


@router.post("/purchasing/orders", response={201: dict}, summary="Draft orders from demand")
def create_purchase_orders(request: HttpRequest, body: PeriodIn):  # type: ignore[no-untyped-def]
    made = actions.do_create_orders(body.start, body.end, acting=_actor(request))
    return Status(
        201,
        {"orders": [order_out(request, po) for po in made.orders], "unpriced": made.unpriced},
    )


@router.get("/purchasing/orders/{order_id}", summary="One joint order with its split")
def get_purchase_order(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return order_out(request, selectors.order(_m(request), order_id))


@router.post("/purchasing/orders/{order_id}/confirm", summary="A shop confirms its part")
def confirm_purchase_order(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    po = selectors.order(_m(request), order_id)
    actions.do_confirm_split(po, acting=_actor(request))
    return order_out(request, selectors.order(_m(request), order_id))


@router.post("/purchasing/orders/{order_id}/place", summary="Place the order (once)")
def place_purchase_order(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    po = selectors.order(_m(request), order_id)
    return order_out(request, actions.do_place_order(po, acting=_actor(request)))


@router.post("/purchasing/orders/{order_id}/cancel", summary="Cancel a draft")
def cancel_purchase_order(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    po = selectors.order(_m(request), order_id)
    return order_out(request, actions.do_cancel_order(po, acting=_actor(request)))


@router.post("/purchasing/shares/{share_id}", summary="Adjust a shop's sheets of one line")
def adjust_share(request: HttpRequest, share_id: int, body: SharesIn):  # type: ignore[no-untyped-def]
    s = selectors.share(_m(request), share_id)
    actions.do_adjust_share(s, body.sheets, acting=_actor(request))
    return order_out(request, selectors.order(_m(request), s.order_id))


@router.post(
    "/purchasing/shares/{share_id}/receipts", response={201: dict}, summary="Record a delivery"
)
def receive_share(request: HttpRequest, share_id: int, body: ReceiptIn):  # type: ignore[no-untyped-def]
    s = selectors.share(_m(request), share_id)
    r = actions.do_receive(s, body.quantity, note=body.note, acting=_actor(request))
    return Status(201, {"id": r.pk, "share": s.pk, "quantity": r.quantity})
