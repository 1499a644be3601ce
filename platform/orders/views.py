"""Pages of orders: the list, a new request from the buyer's drawings, and an order's
page with each line's group quote and the prices of similar past jobs the buyer may see.
Reads through selectors, writes through actions, another tenant's order is a 404."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from drawings import selectors as drawing_selectors
from drawings.models import RevisionStatus
from shops.models import PROCESS_LABELS
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.middleware import membership_or_403
from tenancy.models import OrgKind
from tenancy.permissions import Capability, can

from . import actions, exports, selectors
from .models import OrderStatus
from .quotes import PROCESSES

DEFAULT_LEAD_DAYS = 21


def _lang() -> str:
    return "ja" if (get_language() or "").startswith("ja") else "en"


def process_labels() -> dict[str, str]:
    """Each process's name in the reader's language (shops keeps the one list)."""
    return {p: str(PROCESS_LABELS[p]) for p in PROCESSES}


def _can_order(m) -> bool:  # type: ignore[no-untyped-def]
    return m.organization.kind == OrgKind.LEAD_FIRM and can(m, Capability.WRITE)


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    rows = list(selectors.orders(m)[:200])
    return render(request, "orders/list.html", {"rows": rows, "can_order": _can_order(m)})


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    if not _can_order(m):
        raise PermissionDenied(_("Orders are made by lead firms."))
    drawings = list(
        drawing_selectors.drawings(m)
        .filter(owner=m.organization, current_revision__status=RevisionStatus.ANALYSED)
        .order_by("part_number")[:300]
    )
    default_due = timezone.localdate() + timedelta(days=DEFAULT_LEAD_DAYS)
    picked = {int(x) for x in request.GET.getlist("drawing") if x.isdigit()}
    errors: list[str] = []
    rows = []
    for d in drawings:
        key = f"d{d.pk}"
        rows.append(
            {
                "d": d,
                "key": key,
                "on": request.POST.get(f"{key}-on") == "1"
                if request.method == "POST"
                else d.pk in picked,
                "material": request.POST.get(f"{key}-material", d.material),
                "thickness": request.POST.get(f"{key}-thickness", d.thickness_mm or ""),
                "quantity": request.POST.get(f"{key}-quantity", "10"),
                "due": request.POST.get(f"{key}-due", default_due.isoformat()),
                "processes": request.POST.getlist(f"{key}-processes")
                if request.method == "POST"
                else ["laser", *(["bend"] if _bends(d) else [])],
                "splittable": request.POST.get(f"{key}-split") == "1",
            }
        )
    if request.method == "POST":
        lines = []
        for row in rows:
            if not row["on"]:
                continue
            try:
                lines.append(
                    actions.LineInput(
                        drawing=row["d"].pk,
                        material=row["material"],
                        thickness_mm=float(row["thickness"] or 0),
                        processes=tuple(row["processes"]),
                        quantity=int(row["quantity"]),
                        due_date=date.fromisoformat(row["due"]),
                        splittable=row["splittable"],
                    )
                )
            except ValueError:
                errors.append(
                    _("%(pn)s: give a number for quantity and thickness, and a date.")
                    % {"pn": row["d"].part_number}
                )
        if not errors:
            try:
                order = actions.do_create_order(
                    lines, acting=Actor.from_request(request), title=request.POST.get("title", "")
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Request %(n)s made.") % {"n": order.number})
                return redirect("order_detail", order_id=order.pk)
    return render(
        request,
        "orders/new.html",
        {
            "rows": rows,
            "errors": errors,
            "processes": process_labels(),
            "title": request.POST.get("title", ""),
            "today": timezone.localdate().isoformat(),
        },
        status=422 if errors else 200,
    )


def _bends(d) -> bool:  # type: ignore[no-untyped-def]
    parts = (d.current_revision.analysis or {}).get("parts", []) if d.current_revision else []
    return any(p.get("bend_count") for p in parts)


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    m = membership_or_403(request)
    order = selectors.order(m, order_id)
    lines = list(selectors.lines(m, order))
    labels = process_labels()
    rows = []
    for line in lines:
        rows.append(
            {
                "line": line,
                "processes": [labels.get(p, p) for p in line.processes],
                "offers": line.offers_from(),
                "refusals": [q for q in line.quote if q.get("refused")],
                "similar": _similar_jobs(m, line),
                "late": any(
                    date.fromisoformat(q["earliest_date"]) > line.due_date
                    for q in line.offers_from()[:1]
                ),
            }
        )
    total = sum(r["offers"][0]["total_price_jpy"] for r in rows if r["offers"])
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "rows": rows,
            "total": total,
            "can_place": order.status == OrderStatus.REQUEST
            and m.organization_id == order.buyer_id
            and can(m, Capability.WRITE),
        },
    )


def _similar_jobs(m, line) -> list[dict]:  # type: ignore[no-untyped-def]
    """Similar parts with past jobs the viewer may see (prices included), best first."""
    hits = drawing_selectors.similar(
        m, drawing_selectors.prepared_part(line.part), k=8, exclude_drawing=line.drawing_id
    )
    own = list(drawing_selectors.past_jobs(m).filter(drawing_id=line.drawing_id)[:5])
    out = (
        [{"part_number": line.drawing.part_number, "score": 1.0, "jobs": own, "same": True}]
        if own
        else []
    )
    for h in hits:
        if h.past_jobs:
            out.append(
                {
                    "part_number": h.part.drawing.part_number,
                    "drawing": h.part.drawing_id,
                    "score": h.match.score,
                    "jobs": list(h.past_jobs),
                    "explanation": h.as_dict(_lang())["explanation"],
                }
            )
    return out[:4]


@login_required
@require_POST
def order_place(request: HttpRequest, order_id: int) -> HttpResponse:
    m = membership_or_403(request)
    order = selectors.order(m, order_id)
    try:
        actions.do_place_order(order, acting=Actor.from_request(request))
    except (ValidationError, Conflict) as exc:
        text = str(exc) if isinstance(exc, Conflict) else " ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("Order %(n)s placed.") % {"n": order.number})
    return redirect("order_detail", order_id=order.pk)


@login_required
@require_GET
def order_export(request: HttpRequest, order_id: int, fmt: str) -> HttpResponse:
    m = membership_or_403(request)
    order = selectors.order(m, order_id)
    lines = list(selectors.lines(m, order))
    if fmt == "csv":
        return exports.lines_csv(order, lines)
    if fmt == "xlsx":
        return exports.lines_xlsx(order, lines)
    return exports.quote_pdf(order, lines)
