"""The coordinator's allocation pages: weights and runs, and a run's page (live progress,
then the proposal with reasons, each shop's load and share, pins and publishing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.selectors import open_lines
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.middleware import membership_or_403
from tenancy.models import OrgKind

from . import actions, selectors
from .models import RunStatus
from .tasks import enqueue


def _coordinator(request: HttpRequest):  # type: ignore[no-untyped-def]
    m = membership_or_403(request)
    if m.organization.kind != OrgKind.COORDINATOR:
        raise PermissionDenied(_("Only the group's coordinator allocates."))
    return m


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@login_required
@require_GET
def allocation_home(request: HttpRequest) -> HttpResponse:
    m = _coordinator(request)
    return render(
        request,
        "allocation/home.html",
        {
            "weights": actions.weights_for(m.organization),
            "runs": list(selectors.runs(m)[:20]),
            "open_count": open_lines(m.organization.group).count(),
        },
    )


@login_required
@require_POST
def allocation_weights(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    try:
        values = {
            k: float(request.POST[k])
            for k in (
                "cost_per_jpy",
                "tardiness_per_day_jpy",
                "fairness_per_hour_jpy",
                "move_per_line_jpy",
                "time_limit_s",
            )
            if request.POST.get(k, "") != ""
        }
        actions.do_set_weights(values, acting=Actor.from_request(request))
    except ValueError:
        messages.error(request, _("Give the weights as numbers."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Weights saved."))
    return redirect("allocation_home")


@login_required
@require_POST
def allocation_start(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    try:
        run = actions.do_start_run(acting=Actor.from_request(request), enqueue=enqueue)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("allocation_home")
    return redirect("allocation_run", run_id=run.pk)


@dataclass(frozen=True)
class ShopBar:
    name: str
    load_h: float
    capacity_h: float
    share: float
    target: float
    lines: int

    @property
    def load_pct(self) -> float:
        return 100 * self.load_h / self.capacity_h if self.capacity_h else 0.0


def shop_bars(run, rows) -> list[ShopBar]:  # type: ignore[no-untyped-def]
    """Each shop's hours in the proposal against its capacity over the horizon, and its
    share of the group's hours against its target share."""
    from shops.selectors import allocation_shops

    shops = allocation_shops(run.organization.group, run.start_date, max(run.periods, 1))
    names = dict(run.organization.group.organizations.values_list("pk", "name"))
    load: dict[str, float] = {}
    count: dict[str, int] = {}
    for p in rows:
        quote = next((q for q in p.line.quote if q.get("shop_id") == p.shop_id), None)
        hours = sum((quote or {}).get("hours", {}).values())
        load[str(p.shop_id)] = load.get(str(p.shop_id), 0.0) + hours
        count[str(p.shop_id)] = count.get(str(p.shop_id), 0) + 1
    total = sum(load.values()) or 1.0
    return [
        ShopBar(
            names.get(int(s.id), s.id),
            load.get(s.id, 0.0),
            sum(sum(v) for v in s.capacity_h.values()),
            load.get(s.id, 0.0) / total,
            s.target_share,
            count.get(s.id, 0),
        )
        for s in shops
    ]


def _phase_labels() -> dict[str, str]:
    """What the live page says in each phase (json_script: safe whatever the words)."""
    return {
        "reading": _("Reading lines and shops"),
        "checking": _("Checking what can be said without solving"),
        "first plan": _("First plan (the planner's pass)"),
        "solving": _("Solving: looking for a better plan"),
        "explaining": _("No plan: finding out why"),
        "saving": _("Saving the proposal"),
        "queued": _("Queued"),
        "best": _("Best plan so far:"),
        "lines": _("lines"),
        "late": _("late"),
    }


@login_required
@require_GET
def allocation_run(request: HttpRequest, run_id: int) -> HttpResponse:
    # Someone else's run is a 404 before anything else (runs are the coordinator's).
    m = membership_or_403(request)
    run = selectors.run(m, run_id)
    _coordinator(request)
    rows = list(selectors.placements(m, run)) if run.status == RunStatus.DONE else []
    shops = list(
        m.organization.group.organizations.filter(kind__in=["member_shop", "coordinator"]).order_by(
            "name"
        )
    )
    return render(
        request,
        "allocation/run.html",
        {
            "run": run,
            "rows": rows,
            "bars": shop_bars(run, rows) if rows else [],
            "shops": shops,
            "total_cost": sum(p.cost_jpy for p in rows),
            "late": sum(1 for p in rows if p.late_days),
            "can_publish": run.status == RunStatus.DONE and run.published_at is None and bool(rows),
            "labels": _phase_labels(),
        },
    )


@login_required
@require_POST
def allocation_pin(request: HttpRequest, run_id: int) -> HttpResponse:
    # Someone else's run is a 404 before anything else (runs are the coordinator's).
    m = membership_or_403(request)
    run = selectors.run(m, run_id)
    _coordinator(request)
    try:
        new = actions.do_pin(
            run,
            int(request.POST.get("line", "0")),
            int(request.POST.get("shop", "0")),
            acting=Actor.from_request(request),
            enqueue=enqueue,
        )
    except (ValueError, ValidationError, Conflict) as exc:
        messages.error(
            request, _errors(exc) if not isinstance(exc, ValueError) else _("Choose a shop.")
        )
        return redirect("allocation_run", run_id=run.pk)
    return redirect("allocation_run", run_id=new.pk)


@login_required
@require_POST
def allocation_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    # Someone else's run is a 404 before anything else (runs are the coordinator's).
    m = membership_or_403(request)
    run = selectors.run(m, run_id)
    _coordinator(request)
    try:
        actions.do_publish(run, acting=Actor.from_request(request))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Published: the shops find their offers in their inbox."))
    return redirect("allocation_run", run_id=run.pk)
