"""Pages of joint purchasing: demand and stock, offcuts, suppliers and price lists, joint
orders. Reads through selectors, writes through actions; a refused step comes back as a
message on the page it was made from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kumiai import objectstore
from quoting.purchasing import STANDARD_SHEETS, sheet_name
from tenancy.context import Actor
from tenancy.middleware import membership_or_403
from tenancy.pages import act_and_redirect
from tenancy.permissions import Capability, can

from . import actions, selectors
from .models import POStatus


def _int(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.POST.get(name, "").strip())
    except ValueError:
        return None


def _float(request: HttpRequest, name: str) -> float | None:
    try:
        return float(request.POST.get(name, "").strip())
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _sheet(request: HttpRequest) -> tuple[int, int]:
    w, _sep, length = request.POST.get("sheet", "").partition("x")
    try:
        return int(w), int(length)
    except ValueError:
        return 0, 0


def _do(
    request: HttpRequest, fn: Callable[[], Any], ok: str, back: str, *args: Any
) -> HttpResponse:
    return act_and_redirect(request, fn, ok, back, *args, refusal_as_message=True)


def _base(request: HttpRequest) -> dict:
    m = membership_or_403(request)
    return {
        "m": m,
        "is_coordinator": selectors.is_coordinator(m),
        "is_shop": selectors.is_shop(m),
        "can_write": can(m, Capability.WRITE),
        "sheets": [(f"{w}x{h}", sheet_name((w, h))) for w, h in STANDARD_SHEETS],
    }


# --- demand and stock ----------------------------------------------------------------------------
@login_required
@require_GET
def demand(request: HttpRequest) -> HttpResponse:
    ctx = _base(request)
    m = ctx["m"]
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or today - timedelta(days=today.weekday())
    end = _date(request.GET.get("end")) or start + timedelta(weeks=8, days=-1)
    d = selectors.demand(m, start, end)
    names = {o.pk: o.name for o in selectors.group_shops(m)}
    table: dict[tuple[str, str], dict[str, int]] = {}
    for r in d.rows:
        table.setdefault((names.get(r.shop_id, ""), r.item.label), {})[r.week] = r.sheets
    items = sorted(
        {item for item, _w in d.totals}, key=lambda i: (i.material, i.thickness_mm, i.sheet_mm)
    )
    ctx.update(
        start=start,
        end=end,
        weeks=d.weeks,
        rows=[
            {"shop": shop, "item": item, "cells": [cells.get(w, 0) for w in d.weeks],
             "total": sum(cells.values())}
            for (shop, item), cells in sorted(table.items())
        ],
        totals=[
            {"item": i.label, "cells": [d.totals.get((i, w), 0) for w in d.weeks],
             "total": sum(d.totals.get((i, w), 0) for w in d.weeks)}
            for i in items
        ],
        problems=d.problems,
        stock=selectors.stock(m),
    )  # fmt: skip
    return render(request, "purchasing/demand.html", ctx)


@login_required
@require_POST
def stock_set(request: HttpRequest) -> HttpResponse:
    membership_or_403(request)
    w, length = _sheet(request)
    return _do(
        request,
        lambda: actions.do_set_stock(
            material=request.POST.get("material", ""),
            thickness_mm=_float(request, "thickness_mm") or 0,
            sheet_w_mm=w,
            sheet_l_mm=length,
            quantity=_int(request, "quantity") if _int(request, "quantity") is not None else -1,  # type: ignore[arg-type]
            acting=Actor.from_request(request),
        ),
        _("Stock saved."),
        "purchasing_demand",
    )


# --- offcuts ------------------------------------------------------------------------------------
@login_required
@require_GET
def offcuts(request: HttpRequest) -> HttpResponse:
    ctx = _base(request)
    rows = list(selectors.offcuts(ctx["m"])[:300])
    ctx.update(
        available=[o for o in rows if o.status == "available"],
        others=[o for o in rows if o.status != "available"],
    )
    return render(request, "purchasing/offcuts.html", ctx)


@login_required
@require_POST
def offcut_add(request: HttpRequest) -> HttpResponse:
    membership_or_403(request)
    return _do(
        request,
        lambda: actions.do_add_offcut(
            material=request.POST.get("material", ""),
            thickness_mm=_float(request, "thickness_mm") or 0,
            width_mm=_int(request, "width_mm") or 0,
            length_mm=_int(request, "length_mm") or 0,
            location=request.POST.get("location", ""),
            note=request.POST.get("note", ""),
            photo=request.FILES.get("photo"),
            acting=Actor.from_request(request),
        ),
        _("Offcut offered to the group."),
        "purchasing_offcuts",
    )


@login_required
@require_POST
def offcut_claim(request: HttpRequest, offcut_id: int) -> HttpResponse:
    cut = selectors.offcut(membership_or_403(request), offcut_id)
    return _do(
        request,
        lambda: actions.do_claim_offcut(cut, acting=Actor.from_request(request)),
        _("The offcut is yours: arrange the pick-up with its shop."),
        "purchasing_offcuts",
    )


@login_required
@require_POST
def offcut_withdraw(request: HttpRequest, offcut_id: int) -> HttpResponse:
    cut = selectors.offcut(membership_or_403(request), offcut_id)
    return _do(
        request,
        lambda: actions.do_withdraw_offcut(cut, acting=Actor.from_request(request)),
        _("Offcut withdrawn."),
        "purchasing_offcuts",
    )


@login_required
@require_GET
def offcut_photo(request: HttpRequest, offcut_id: int) -> HttpResponse:
    cut = selectors.offcut(membership_or_403(request), offcut_id)
    if not cut.photo_key:
        raise Http404
    response = HttpResponse(objectstore.get_bytes(cut.photo_key), content_type=cut.photo_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- suppliers and price lists --------------------------------------------------------------------
def _coordinator_page(request: HttpRequest) -> dict:
    ctx = _base(request)
    if not ctx["is_coordinator"]:
        raise PermissionDenied(_("Only the group's coordinator does this."))
    return ctx


@login_required
@require_GET
def suppliers(request: HttpRequest) -> HttpResponse:
    ctx = _coordinator_page(request)
    ctx["suppliers"] = selectors.suppliers(ctx["m"])
    return render(request, "purchasing/suppliers.html", ctx)


@login_required
@require_POST
def supplier_create(request: HttpRequest) -> HttpResponse:
    membership_or_403(request)
    fee, lead = _int(request, "delivery_fee_jpy"), _int(request, "lead_days")
    return _do(
        request,
        lambda: actions.do_create_supplier(
            name=request.POST.get("name", ""),
            delivery_fee_jpy=fee if fee is not None else 0,
            lead_days=lead if lead is not None else 3,
            contact=request.POST.get("contact", ""),
            acting=Actor.from_request(request),
        ),
        _("Supplier added."),
        "purchasing_suppliers",
    )


@login_required
@require_GET
def supplier_detail(request: HttpRequest, supplier_id: int) -> HttpResponse:
    m = membership_or_403(request)
    s = selectors.supplier(m, supplier_id)
    ctx = _base(request)
    ctx.update(supplier=s, breaks=selectors.current_breaks(m, s))
    return render(request, "purchasing/supplier.html", ctx)


@login_required
@require_POST
def price_import(request: HttpRequest, supplier_id: int) -> HttpResponse:
    s = selectors.supplier(membership_or_403(request), supplier_id)
    upload = request.FILES.get("file")

    def run() -> None:
        if upload is None:
            raise ValidationError({"file": [_("Choose a CSV or Excel file.")]})
        actions.do_import_price_list(
            s, upload.name or "prices.csv", upload.read(), acting=Actor.from_request(request)
        )

    return _do(request, run, _("Price list imported."), "purchasing_supplier", s.pk)


# --- joint orders --------------------------------------------------------------------------------
@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    ctx = _base(request)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    ctx.update(
        orders=selectors.orders(ctx["m"])[:200],
        start=monday,
        end=monday + timedelta(days=13),
    )
    return render(request, "purchasing/orders.html", ctx)


@login_required
@require_POST
def orders_create(request: HttpRequest) -> HttpResponse:
    membership_or_403(request)
    start, end = _date(request.POST.get("start")), _date(request.POST.get("end"))
    made: list[actions.Made] = []

    def run() -> None:
        if start is None or end is None:
            raise ValidationError({"start": [_("Give the period's first and last day.")]})
        made.append(actions.do_create_orders(start, end, acting=Actor.from_request(request)))

    response = _do(request, run, _("Draft orders made from the demand."), "purchasing_orders")
    if made:
        for text in made[0].unpriced:
            messages.warning(request, _("No supplier prices %(item)s sheets.") % {"item": text})
        if not made[0].orders:
            messages.info(request, _("Nothing left to order for this period."))
        elif len(made[0].orders) == 1:
            return redirect("purchasing_order", made[0].orders[0].pk)
    return response


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    ctx = _base(request)
    m = ctx["m"]
    po = selectors.order(m, order_id)
    splits = list(selectors.splits(m, po))
    ctx.update(
        po=po,
        lines=po.lines.all(),
        splits=splits,
        shares=selectors.shares(m, po),
        receipts=selectors.receipts(m, po),
        my_split=next((s for s in splits if s.shop_id == m.organization_id), None),
        is_draft=po.status == POStatus.DRAFT,
        is_placed=po.status == POStatus.PLACED,
        waiting=[s for s in splits if s.sheets and s.confirmed_at is None],
    )
    return render(request, "purchasing/order.html", ctx)


@login_required
@require_POST
def order_confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    po = selectors.order(membership_or_403(request), order_id)
    return _do(
        request,
        lambda: actions.do_confirm_split(po, acting=Actor.from_request(request)),
        _("Your share is confirmed."),
        "purchasing_order",
        po.pk,
    )


@login_required
@require_POST
def order_place(request: HttpRequest, order_id: int) -> HttpResponse:
    po = selectors.order(membership_or_403(request), order_id)
    return _do(
        request,
        lambda: actions.do_place_order(po, acting=Actor.from_request(request)),
        _("The order is placed with the supplier."),
        "purchasing_order",
        po.pk,
    )


@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    po = selectors.order(membership_or_403(request), order_id)
    return _do(
        request,
        lambda: actions.do_cancel_order(po, acting=Actor.from_request(request)),
        _("The draft is cancelled; its demand can be ordered again."),
        "purchasing_order",
        po.pk,
    )


@login_required
@require_POST
def share_adjust(request: HttpRequest, share_id: int) -> HttpResponse:
    s = selectors.share(membership_or_403(request), share_id)
    sheets = _int(request, "sheets")

    def run() -> None:
        if sheets is None:
            raise ValidationError({"sheets": [_("Give the sheets as a whole number.")]})
        actions.do_adjust_share(s, sheets, acting=Actor.from_request(request))

    return _do(request, run, _("Share changed; the order is re-priced."), "purchasing_order",
               s.order_id)  # fmt: skip


@login_required
@require_POST
def share_receive(request: HttpRequest, share_id: int) -> HttpResponse:
    s = selectors.share(membership_or_403(request), share_id)
    quantity = _int(request, "quantity")

    def run() -> None:
        if quantity is None:
            raise ValidationError({"quantity": [_("Give the sheets as a whole number.")]})
        actions.do_receive(s, quantity, note=request.POST.get("note", ""),
                           acting=Actor.from_request(request))  # fmt: skip

    return _do(request, run, _("Delivery recorded."), "purchasing_order", s.order_id)
