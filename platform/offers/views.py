"""The offers inbox: a shop answers its offers; the coordinator follows every offer and
answers counter-offers. The list updates live (offers.js re-reads the fragment)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenancy.context import Actor
from tenancy.middleware import membership_or_403
from tenancy.models import OrgKind
from tenancy.pages import act_and_redirect
from tenancy.permissions import Capability, can

from . import actions, selectors
from .models import OPEN_STATUSES


def _context(request: HttpRequest) -> dict:
    m = membership_or_403(request)
    rows = list(selectors.offers(m)[:200])
    return {
        "open": [o for o in rows if o.status in OPEN_STATUSES],
        "closed": [o for o in rows if o.status not in OPEN_STATUSES],
        "is_coordinator": m.organization.kind == OrgKind.COORDINATOR,
        "can_answer": can(m, Capability.WRITE),
        "my_org": m.organization_id,
        "now": timezone.now(),
        "today": timezone.localdate().isoformat(),
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "offers/inbox.html", _context(request))


@login_required
@require_GET
def inbox_fragment(request: HttpRequest) -> HttpResponse:
    return render(request, "offers/_list.html", _context(request))


def _done(request: HttpRequest, fn, ok: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    return act_and_redirect(request, fn, ok, "offer_inbox")


@login_required
@require_POST
def offer_accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    o = selectors.offer(membership_or_403(request), offer_id)
    return _done(
        request, lambda: actions.do_accept(o, acting=Actor.from_request(request)), _("Accepted.")
    )


@login_required
@require_POST
def offer_decline(request: HttpRequest, offer_id: int) -> HttpResponse:
    o = selectors.offer(membership_or_403(request), offer_id)
    return _done(
        request,
        lambda: actions.do_decline(
            o, request.POST.get("reason", ""), acting=Actor.from_request(request)
        ),
        _("Declined. The coordinator's plan offers it to another shop."),
    )


@login_required
@require_POST
def offer_counter(request: HttpRequest, offer_id: int) -> HttpResponse:
    o = selectors.offer(membership_or_403(request), offer_id)
    try:
        price = int(request.POST["price_jpy"]) if request.POST.get("price_jpy") else None
        when = (
            date.fromisoformat(request.POST["due_date"]) if request.POST.get("due_date") else None
        )
    except ValueError:
        messages.error(request, _("Give the price in whole yen and the date as a date."))
        return redirect("offer_inbox")
    return _done(
        request,
        lambda: actions.do_counter(
            o, price_jpy=price, due_date=when, acting=Actor.from_request(request)
        ),
        _("Counter-offer sent to the coordinator."),
    )


@login_required
@require_POST
def offer_counter_answer(request: HttpRequest, offer_id: int) -> HttpResponse:
    o = selectors.offer(membership_or_403(request), offer_id)
    accept = request.POST.get("accept") == "1"
    return _done(
        request,
        lambda: actions.do_answer_counter(
            o, accept, acting=Actor.from_request(request), reason=request.POST.get("reason", "")
        ),
        _("Counter-offer accepted.")
        if accept
        else _("Counter-offer rejected; the line is re-planned."),
    )
