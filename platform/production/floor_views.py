"""Pages of the shop floor and of delivery, made for a phone on the floor (one column,
big buttons, plain forms that work without JavaScript):

  /floor/                    the shop: its machines' operations of the coming days, with
                             start / done / delay, a breakdown per machine, and shipping;
  /deliveries/               the buyer: where each order line is, what is on its way, and
                             "received"; the shop: what it has shipped;
  /schedule/reallocations/   the coordinator: lines that will miss their promise, with
                             the options, to approve one.

Every write goes through the same actions as the API (audited, re-planned, pushed).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shops.models import Machine
from tenancy.context import Actor
from tenancy.middleware import membership_or_403
from tenancy.models import OrgKind
from tenancy.pages import act_and_redirect
from tenancy.permissions import Capability, can
from tenancy.scoping import get_visible_or_404

from . import actions, reallocation, selectors, shipping
from .models import (
    OPEN_WORK,
    Breakdown,
    Operation,
    ProposalStatus,
    Reallocation,
    Shipment,
    Work,
    WorkStatus,
)

FLOOR_DAYS = 3  # the floor page shows what is planned from now to 3 days ahead


def _done(request: HttpRequest, fn, ok: str, back: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    return act_and_redirect(request, fn, ok, back)


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_("Give a whole number of pieces.")) from None


def _when(value: str | None) -> datetime | None:
    """A datetime-local field (the shop's clock) as an aware datetime."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Give a date and time.")) from None
    return timezone.make_aware(t) if timezone.is_naive(t) else t


# -- the shop floor ------------------------------------------------------------------------
@login_required
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    shop = m.organization
    now = timezone.now()
    horizon = now + timedelta(days=FLOOR_DAYS)
    ops = list(
        Operation.objects.filter(work__shop=shop, done=False, start__lt=horizon)
        .select_related("work__line__order", "work__line__drawing", "machine")
        .order_by("machine__name", "start")
    )
    machines = list(Machine.objects.filter(shop=shop, active=True).order_by("process", "name"))
    by_machine = {k: list(v) for k, v in groupby(ops, key=lambda op: op.machine_id)}
    works = list(
        Work.objects.filter(shop=shop, status__in=(*OPEN_WORK, WorkStatus.DONE))
        .select_related("line__order", "line__drawing")
        .prefetch_related("shipments")
        .order_by("due_date", "pk")[:100]
    )
    for w in works:
        w.shipped = sum(s.quantity for s in w.shipments.all())  # type: ignore[attr-defined]
        w.left = w.line.quantity - w.shipped  # type: ignore[attr-defined]
    down = list(Breakdown.objects.filter(shop=shop, end__gt=now).select_related("machine")[:20])
    return render(
        request,
        "production/floor.html",
        {
            "machines": [(mc, by_machine.get(mc.pk, [])) for mc in machines],
            "works": works,
            "breakdowns": down,
            "can_write": can(m, Capability.WRITE),
            "now_local": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
            "days": FLOOR_DAYS,
        },
    )


@login_required
@require_POST
def floor_progress(request: HttpRequest, operation_id: int) -> HttpResponse:
    m = membership_or_403(request)
    op = get_visible_or_404(
        Operation.objects.select_related("work__line", "work__shop"), m, pk=operation_id
    )
    status = request.POST.get("status", "")
    labels = {"started": _("Started"), "done": _("Done"), "delayed": _("Delay recorded")}

    def go() -> None:
        actions.do_report_progress(
            op,
            status=status,
            done_qty=_int(request.POST.get("done_qty")),
            scrap_qty=_int(request.POST.get("scrap_qty")),
            expected_end=_when(request.POST.get("expected_end")),
            acting=Actor.from_request(request),
        )

    ok = f"{labels.get(status, status)}: {op.work.line.label} {op.process_label}"
    return _done(request, go, ok, "floor")


@login_required
@require_POST
def floor_breakdown(request: HttpRequest, machine_id: int) -> HttpResponse:
    m = membership_or_403(request)
    machine = get_visible_or_404(Machine.objects.select_related("shop"), m, pk=machine_id)

    def go() -> None:
        start, end = _when(request.POST.get("start")), _when(request.POST.get("end"))
        if start is None or end is None:
            raise ValidationError(_("Give the breakdown's start and its expected end."))
        actions.do_report_breakdown(
            machine,
            start=start,
            end=end,
            reason=request.POST.get("reason", ""),
            acting=Actor.from_request(request),
        )

    ok = _("Breakdown of %(machine)s recorded: the plan is being made again.") % {
        "machine": machine.name
    }
    return _done(request, go, ok, "floor")


@login_required
@require_POST
def floor_ship(request: HttpRequest, work_id: int) -> HttpResponse:
    m = membership_or_403(request)
    work = get_visible_or_404(Work.objects.select_related("line"), m, pk=work_id)

    def go() -> None:
        shipping.do_ship(
            work,
            quantity=_int(request.POST.get("quantity")) or 0,
            note=request.POST.get("note", ""),
            acting=Actor.from_request(request),
        )

    return _done(
        request, go, _("Shipment of %(line)s recorded.") % {"line": work.line.label}, "floor"
    )


# -- deliveries ----------------------------------------------------------------------------
@login_required
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    works = list(
        selectors.works(m)
        .select_related("buyer")
        .prefetch_related("shipments", "operations")
        .order_by("due_date", "pk")[:300]
    )
    for w in works:
        ends = [op.end for op in w.operations.all()]
        # Expected finish: the end of its last planned operation (None before planning).
        w.expected = timezone.localtime(max(ends)).date() if ends else None  # type: ignore[attr-defined]
        w.at_risk = w.expected is not None and w.expected > w.due_date  # type: ignore[attr-defined]
        rows = list(w.shipments.all())
        w.shipped = sum(s.quantity for s in rows)  # type: ignore[attr-defined]
        w.received = sum(s.quantity for s in rows if s.received_at)  # type: ignore[attr-defined]
        w.promise_moved = w.due_date > w.line.due_date  # type: ignore[attr-defined]
    awaiting = [
        s
        for s in selectors.shipments(m).filter(received_at__isnull=True).order_by("shipped_at")
        if s.work.buyer_id == m.organization_id
    ]
    return render(
        request,
        "production/deliveries.html",
        {
            "works": [w for w in works if w.status != WorkStatus.CLOSED],
            "closed": [w for w in works if w.status == WorkStatus.CLOSED][:50],
            "awaiting": awaiting,
            "can_write": can(m, Capability.WRITE),
            "is_buyer": m.organization.kind == OrgKind.LEAD_FIRM,
        },
    )


@login_required
@require_POST
def receive(request: HttpRequest, shipment_id: int) -> HttpResponse:
    m = membership_or_403(request)
    s = get_visible_or_404(Shipment.objects.select_related("work__line"), m, pk=shipment_id)
    return _done(
        request,
        lambda: shipping.do_confirm_receipt(s, acting=Actor.from_request(request)),
        _("Receipt of %(n)d piece(s) of %(line)s confirmed.")
        % {"n": s.quantity, "line": s.work.line.label},
        "deliveries",
    )


# -- the coordinator's re-allocation proposals --------------------------------------------
@login_required
@require_GET
def reallocations(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    rows = list(selectors.reallocations(m)[:200])
    for r in rows:
        r.chosen_option = r.options[r.chosen] if r.chosen is not None else None  # type: ignore[attr-defined]
        stay = r.options[0] if r.options else None
        for o in r.options:
            o["delta_jpy"] = o["cost_jpy"] - (stay["cost_jpy"] if stay else 0)
            o["late_days"] = max(
                (datetime.fromisoformat(o["finish_date"]).date() - r.promised_date).days, 0
            )
    return render(
        request,
        "production/reallocations.html",
        {
            "open": [r for r in rows if r.status == ProposalStatus.OPEN],
            "decided": [r for r in rows if r.status != ProposalStatus.OPEN][:50],
            "can_write": can(m, Capability.WRITE),
            "is_coordinator": m.organization.kind == OrgKind.COORDINATOR,
        },
    )


@login_required
@require_POST
def reallocation_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    m = membership_or_403(request)
    r = get_visible_or_404(Reallocation.objects.select_related("work__line"), m, pk=proposal_id)
    acting = Actor.from_request(request)
    if request.POST.get("dismiss"):
        return _done(
            request,
            lambda: reallocation.do_dismiss(r, acting=acting),
            _("Proposal for %(line)s dismissed: the line stays late.")
            % {"line": r.work.line.label},
            "reallocations",
        )

    def go() -> None:
        option = _int(request.POST.get("option"))
        reallocation.do_approve(r, -1 if option is None else option, acting=acting)

    return _done(
        request, go, _("Approved for %(line)s.") % {"line": r.work.line.label}, "reallocations"
    )
