"""A shop's cost profile pages: the current version and its history, the two editors,
and calibration from the shop's own past jobs; and its capability page (processes,
machines, calendar, closures, shares) with its forms. Load through selectors, act through
actions, render. The shop itself edits; the coordinator reads; nobody else finds it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quoting.processes import PROCESSES
from tenancy.context import Actor
from tenancy.middleware import membership_or_403
from tenancy.models import Membership, Organization, OrgKind
from tenancy.permissions import Capability, can

from . import actions, selectors
from .calibration import HOLDOUT_PCT, MIN_JOBS, SEED, Proposal
from .forms import (
    MATERIAL_PRICE,
    RATE_FIELDS,
    AdoptForm,
    CapabilityForm,
    ClosureForm,
    MachineForm,
    RatesForm,
    SharesForm,
    YamlForm,
    dump_yaml,
    plain,
    readable,
)
from .forms import get_path as _get
from .models import PROCESS_LABELS, CostProfileVersion

# Why a past job was left out of a calibration, as a person reads it.
SKIP_REASONS = {
    "currency": gettext_lazy("priced in another currency than yen"),
    "no_drawing": gettext_lazy("no drawing linked"),
    "not_analysed": gettext_lazy("the drawing is not analysed"),
    "several_parts": gettext_lazy("the drawing holds several parts"),
    "no_material": gettext_lazy("the drawing names no material or thickness"),
    "line_minimum": gettext_lazy("priced at the line minimum"),
    "unknown_material": gettext_lazy("a material the profile does not have"),
    "thickness_out_of_table": gettext_lazy("a thickness outside the laser table"),
    "part_larger_than_sheet": gettext_lazy("larger than every sheet"),
    "no_closed_outline": gettext_lazy("no closed outline"),
}
FACTOR_LABELS = {
    "material": gettext_lazy("Material cost"),
    "laser": gettext_lazy("Laser cutting"),
    "setup": gettext_lazy("Set-ups and programming"),
    "brake": gettext_lazy("Bending"),
    "labor": gettext_lazy("Manual work"),
}
FIELD_LABELS = {path: label for _name, path, label in RATE_FIELDS} | {
    "laser.setup_min_per_job": gettext_lazy("Laser set-up (min per job)"),
    "laser.program_min_per_part_no": gettext_lazy("Laser programming (min per part number)"),
    "brake.setup_min": gettext_lazy("Press brake set-up (min)"),
    "brake.setup_min_per_tool_change": gettext_lazy("Press brake tool change (min)"),
}


def _may_edit(m: Membership, shop: Organization) -> bool:
    return shop.pk == m.organization_id and can(m, Capability.WRITE)


def _require_edit(m: Membership, shop: Organization) -> None:
    if not _may_edit(m, shop):
        raise PermissionDenied(_("Only the shop's admin or estimator changes its cost profile."))


def _current(request: HttpRequest, m: Membership, shop: Organization) -> CostProfileVersion:
    """The shop's current version; a shop's first look starts it from the default."""
    if shop.pk == m.organization_id:
        return actions.ensure_profile(shop, acting=Actor.from_request(request))
    return selectors.current_profile(m, shop.pk)


def field_label(path: str) -> str:
    if path in FIELD_LABELS:
        return str(FIELD_LABELS[path])
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "materials":
        if parts[2] == "price_jpy_kg":
            return _("%(material)s: price (JPY/kg)") % {"material": parts[1]}
        if parts[2] == "scrap_jpy_kg":
            return _("%(material)s: scrap credit (JPY/kg)") % {"material": parts[1]}
    return path


def rates(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The common rates of a version, as the rates form names them."""
    document = readable(document)
    rows = [
        {"path": path, "label": label, "value": plain(_get(document, path))}
        for _name, path, label in RATE_FIELDS
    ]
    for material in document.get("materials", {}):
        path = MATERIAL_PRICE.format(material)
        rows.append(
            {"path": path, "label": field_label(path), "value": plain(_get(document, path))}
        )
    return rows


def changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict]:
    """Every leaf that differs between two documents, by dotted path."""
    found: list[dict] = []
    for key in list(before) + [k for k in after if k not in before]:
        path = f"{prefix}{key}"
        if path == "version":  # always one more: the history says it
            continue
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += changes(a, b, f"{path}.")
        elif a != b:
            found.append(
                {"path": path, "label": field_label(path), "before": plain(a), "after": plain(b)}
            )
    return found


def skipped_rows(skipped: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {"reason": str(SKIP_REASONS.get(code, code)), "code": code, "jobs": n}
        for code, n in sorted(skipped.items())
    ]


def fit_view(fit: dict[str, Any]) -> dict[str, Any]:
    """A stored or proposed fit, with labels for the page."""
    if not fit:
        return {}
    return fit | {
        "factor_rows": [
            {"group": str(label), "factor": fit["factors"][k]}
            for k, label in FACTOR_LABELS.items()
            if k in fit.get("factors", {})
        ],
        "rate_rows": [r | {"label": field_label(r["field"])} for r in fit.get("rates", [])],
        "skipped_rows": skipped_rows(fit.get("skipped", {})),
        "skipped_total": sum(fit.get("skipped", {}).values()),
    }


@login_required
@require_GET
def shop_list(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    rows = []
    for s in selectors.shops(m):
        # Loaded with the shop; a shop without one raises a subclass of AttributeError.
        cap = getattr(s, "capability", None)
        labels = [PROCESS_LABELS[p] for p in PROCESSES if cap and p in cap.processes]
        rows.append({"s": s, "capability": cap, "processes": labels})
    return render(request, "shops/list.html", {"shops": rows})


@login_required
@require_GET
def shop_profile(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    versions = list(selectors.history(m, shop))
    current = next((v for v in versions if v.is_current), None)
    if current is None and shop.pk == m.organization_id:
        current = _current(request, m, shop)
        versions = [current]
    return render(
        request,
        "shops/profile.html",
        {
            "shop": shop,
            "current": current,
            "versions": versions,
            "rates": rates(current.document) if current else [],
            "fit": fit_view(current.fit) if current else {},
            "may_edit": _may_edit(m, shop),
            "is_own": shop.pk == m.organization_id,
        },
    )


@login_required
@require_GET
def shop_profile_version(request: HttpRequest, org_id: int, number: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    row = selectors.version(m, shop, number)
    previous = (
        selectors.history(m, shop).filter(version__lt=row.version).order_by("-version").first()
    )
    return render(
        request,
        "shops/version.html",
        {
            "shop": shop,
            "row": row,
            "previous": previous,
            "changes": changes(readable(previous.document), readable(row.document))
            if previous
            else [],
            "rates": rates(row.document),
            "fit": fit_view(row.fit),
            "yaml": dump_yaml(row.document),
            "may_edit": _may_edit(m, shop),
        },
    )


def _save(
    request: HttpRequest,
    shop: Organization,
    form: RatesForm | YamlForm,
    document: dict[str, Any],
) -> HttpResponse | None:
    """Save through the action; on refusal, the errors go onto the form."""
    try:
        row = actions.do_save_profile(
            shop,
            document,
            note=form.cleaned_data["note"],
            base_version=form.cleaned_data["base_version"],
            acting=Actor.from_request(request),
        )
    except ValidationError as exc:
        form.add_profile_errors(exc.message_dict)
    except actions.ProfileConflict:
        form.add_error(
            None,
            _(
                "Someone saved a newer version while you were editing. "
                "Open the editor again and make your change on the current version."
            ),
        )
    else:
        messages.success(request, _("Saved as version %(v)s.") % {"v": row.version})
        return redirect("shop_profile", org_id=shop.pk)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def shop_profile_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_edit(m, shop)
    current = _current(request, m, shop)
    form = RatesForm(
        current.document, request.POST or None, initial={"base_version": current.version}
    )
    if request.method == "POST" and form.is_valid():
        done = _save(request, shop, form, form.updated_document())
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "shops/edit.html",
        {"shop": shop, "current": current, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def shop_profile_yaml(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_edit(m, shop)
    current = _current(request, m, shop)
    form = YamlForm(
        request.POST or None,
        initial={"base_version": current.version, "text": dump_yaml(current.document)},
    )
    if request.method == "POST" and form.is_valid():
        done = _save(request, shop, form, form.cleaned_data["text"])
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "shops/yaml.html",
        {"shop": shop, "current": current, "form": form},
        status=status,
    )


@login_required
@require_GET
def shop_profile_calibrate(request: HttpRequest, org_id: int) -> HttpResponse:
    """The proposal: computed on every visit (it is cheap), adopted only by a POST."""
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_edit(m, shop)
    current = _current(request, m, shop)
    proposal, fingerprint = selectors.calibration_proposal(shop, current)
    return render(
        request,
        "shops/calibrate.html",
        {
            "shop": shop,
            "current": current,
            "proposal": proposal,
            "fit": fit_view(proposal.as_dict()) if isinstance(proposal, Proposal) else {},
            "refused": proposal.as_dict() if not isinstance(proposal, Proposal) else None,
            "refused_skipped": skipped_rows(proposal.skipped)
            if not isinstance(proposal, Proposal)
            else [],
            "form": AdoptForm(initial={"fingerprint": fingerprint}),
            "holdout_pct": HOLDOUT_PCT,
            "seed": SEED,
            "min_jobs": MIN_JOBS,
        },
    )


@login_required
@require_POST
def shop_profile_adopt(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_edit(m, shop)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The proposal to adopt is missing."))
    try:
        row = actions.do_adopt_calibration(
            shop,
            fingerprint=form.cleaned_data["fingerprint"],
            note=form.cleaned_data["note"],
            acting=Actor.from_request(request),
        )
    except actions.ProfileConflict:
        messages.error(
            request,
            _(
                "The profile or the past jobs changed since this proposal was made. "
                "Here is the proposal for what is there now."
            ),
        )
        return redirect("shop_profile_calibrate", org_id=shop.pk)
    except ValidationError:
        messages.error(request, _("There is nothing to adopt: the calibration made no proposal."))
        return redirect("shop_profile_calibrate", org_id=shop.pk)
    messages.success(
        request, _("Adopted: version %(v)s is now the current profile.") % {"v": row.version}
    )
    return redirect(reverse("shop_profile", args=[shop.pk]))


# --- Capability, machines, calendar ------------------------------------------------------
# One page shows it all (what the shop makes, the 4-week calendar, machines, closures,
# shares); the shop's writers edit through the small forms it links to, the coordinator
# reads it and sets the shares.

CALENDAR_WEEKS = 4


def _may_set_shares(m: Membership, shop: Organization) -> bool:
    return (
        m.organization.kind == OrgKind.COORDINATOR
        and m.organization.group_id == shop.group_id
        and can(m, Capability.WRITE)
    )


def _require_capability_edit(m: Membership, shop: Organization) -> None:
    if not _may_edit(m, shop):
        raise PermissionDenied(
            _("Only the shop's admin or estimator changes its capability, machines and calendar.")
        )


def _start(request: HttpRequest) -> date:
    """The Monday of the week the page starts in: today's, or the one asked for."""
    try:
        day = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.isoweekday() - 1)


def calendar_weeks(view: selectors.CapacityView, today: date, english: bool) -> list[list[dict]]:
    """The days as weeks of seven cells, each with what the page draws in it."""
    cells = []
    # Bars are drawn against the busiest process-day of these weeks.
    top_h = max((h for row in view.capacity_h.values() for h in row), default=0.0) or 1.0
    for k, d in enumerate(view.days):
        hours = [
            {
                "process": p,
                "label": PROCESS_LABELS[p],
                "h": row[k],
                "pct": round(100 * row[k] / top_h),
            }
            for p, row in view.capacity_h.items()
        ]
        if d.closure is not None:
            state = "closure"
        elif d.holiday is not None and not d.working:
            state = "holiday"
        elif d.weekly_off:
            state = "off"
        else:
            state = "working"
        cells.append(
            {
                "day": d,
                "state": state,
                "past": d.date < today,
                "today": d.date == today,
                "hours": hours,
                "total_h": sum(h["h"] for h in hours),
                "holiday_en": view.holidays_en.get(d.date, "") if english else "",
            }
        )
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _capability_page(
    request: HttpRequest,
    m: Membership,
    shop: Organization,
    *,
    closure_form: ClosureForm | None = None,
    shares_form: SharesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    row = selectors.capability(m, shop)
    machine_rows = list(selectors.machines(m, shop))
    closure_rows = list(selectors.closures(m, shop))
    start = _start(request)
    today = timezone.localdate()
    weeks: list[list[dict]] = []
    idle: list[str] = []
    if row is not None:
        view = selectors.capacity_view_of(
            row, machine_rows, closure_rows, start, CALENDAR_WEEKS * 7
        )
        weeks = calendar_weeks(view, today, get_language() != "ja")
        idle = [
            str(PROCESS_LABELS[p])
            for p in view.capacity_h
            if not any(x.active and x.process == p for x in machine_rows)
        ]
    hours_per_day = row.hours_per_shift * row.shifts_per_day if row else 0.0
    may_shares = _may_set_shares(m, shop)
    if shares_form is None and may_shares and row is not None:
        shares_form = SharesForm(
            initial={"target_share": plain(row.target_share), "min_share": plain(row.min_share)}
        )
    return render(
        request,
        "shops/capability.html",
        {
            "shop": shop,
            "row": row,
            "process_labels": [PROCESS_LABELS[p] for p in PROCESSES if row and p in row.processes],
            "days_off": [WEEKDAYS[d - 1] for d in (row.weekly_days_off if row else [])],
            "hours_per_day": hours_per_day,
            # Sizes as a person writes them: 0.5, not 0.50; 12, not 12.0.
            "thickness": f"{row.thickness_min_mm:g} – {row.thickness_max_mm:g}" if row else "",
            "largest": f"{row.max_part_long_mm:g} × {row.max_part_short_mm:g}" if row else "",
            "machines": [
                {
                    "m": x,
                    "label": PROCESS_LABELS[x.process],
                    "speed": f"{x.speed_factor:g}",
                    "h": hours_per_day * x.speed_factor,
                }
                for x in machine_rows
            ],
            "closures": closure_rows,
            "weeks": weeks,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "start": start,
            "end": start + timedelta(days=CALENDAR_WEEKS * 7 - 1),
            "earlier": start - timedelta(days=CALENDAR_WEEKS * 7),
            "later": start + timedelta(days=CALENDAR_WEEKS * 7),
            "idle": idle,
            "may_edit": _may_edit(m, shop),
            "may_set_shares": may_shares,
            "is_own": shop.pk == m.organization_id,
            "closure_form": closure_form or ClosureForm(),
            "shares_form": shares_form,
        },
        status=status,
    )


@login_required
@require_GET
def shop_capability(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    return _capability_page(request, m, selectors.shop(m, org_id))


@login_required
@require_http_methods(["GET", "POST"])
def shop_capability_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_capability_edit(m, shop)
    row = selectors.capability(m, shop)
    current = actions.capability_fields(row) if row else actions.default_capability(shop)
    form = CapabilityForm(request.POST or None, initial=CapabilityForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_capability(
                shop,
                actions.CapabilityFields(**form.cleaned_data),
                acting=Actor.from_request(request),
            )
        except ValidationError as exc:
            form.add_action_errors(exc.message_dict)
        else:
            messages.success(request, _("Saved the shop's capability and calendar."))
            return redirect("shop_capability", org_id=shop.pk)
    return render(
        request,
        "shops/capability_edit.html",
        {"shop": shop, "row": row, "form": form, "may_edit": True},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def shop_capability_shares(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    if not _may_set_shares(m, shop):
        raise PermissionDenied(_("Only the group's coordinator sets a shop's shares."))
    form = SharesForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_shares(shop, **form.cleaned_data, acting=Actor.from_request(request))
        except ValidationError as exc:
            form.add_action_errors(exc.message_dict)
        except actions.CapabilityMissing:
            form.add_error(
                None, _("The shop has not set up its capability yet: there is nothing to share.")
            )
        else:
            messages.success(request, _("Saved the shop's shares."))
            return redirect("shop_capability", org_id=shop.pk)
    return _capability_page(request, m, shop, shares_form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def shop_machine_add(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_capability_edit(m, shop)
    return _machine_form(request, shop, None)


@login_required
@require_http_methods(["GET", "POST"])
def shop_machine_edit(request: HttpRequest, org_id: int, machine_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    machine = selectors.machine(m, shop, machine_id)
    _require_capability_edit(m, shop)
    return _machine_form(request, shop, machine)


def _machine_form(request: HttpRequest, shop: Organization, machine: Any) -> HttpResponse:
    initial = (
        {
            "name": machine.name,
            "process": machine.process,
            "speed_factor": plain(machine.speed_factor),
            "active": machine.active,
        }
        if machine
        else None
    )
    form = MachineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        acting = Actor.from_request(request)
        try:
            if machine is None:
                actions.do_add_machine(shop, **form.cleaned_data, acting=acting)
            else:
                actions.do_change_machine(machine, **form.cleaned_data, acting=acting)
        except ValidationError as exc:
            form.add_action_errors(exc.message_dict)
        else:
            messages.success(request, _("Saved the machine."))
            return redirect("shop_capability", org_id=shop.pk)
    return render(
        request,
        "shops/machine_form.html",
        {"shop": shop, "machine": machine, "form": form, "may_edit": True},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def shop_machine_active(request: HttpRequest, org_id: int, machine_id: int) -> HttpResponse:
    """Take a machine out of use (it keeps its history) or back in."""
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    machine = selectors.machine(m, shop, machine_id)
    _require_capability_edit(m, shop)
    active = request.POST.get("active") == "1"
    actions.do_set_machine_active(machine, active, acting=Actor.from_request(request))
    messages.success(
        request,
        (_("%(name)s is in use again.") if active else _("%(name)s is out of use."))
        % {"name": machine.name},
    )
    return redirect("shop_capability", org_id=shop.pk)


@login_required
@require_POST
def shop_closure_add(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    _require_capability_edit(m, shop)
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_closure(shop, **form.cleaned_data, acting=Actor.from_request(request))
        except ValidationError as exc:
            form.add_action_errors(exc.message_dict)
        else:
            messages.success(request, _("Added the closure."))
            return redirect("shop_capability", org_id=shop.pk)
    return _capability_page(request, m, shop, closure_form=form, status=422)


@login_required
@require_POST
def shop_closure_delete(request: HttpRequest, org_id: int, closure_id: int) -> HttpResponse:
    m = membership_or_403(request)
    shop = selectors.shop(m, org_id)
    closure = selectors.closure(m, shop, closure_id)
    _require_capability_edit(m, shop)
    actions.do_delete_closure(closure, acting=Actor.from_request(request))
    messages.success(request, _("Removed the closure."))
    return redirect("shop_capability", org_id=shop.pk)
