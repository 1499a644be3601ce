"""The insight dashboard, its CSV and Excel exports, and the monthly PDF report.

Every page computes the caller's figures through metrics.py (which decides who sees
which rows) and shows them as `tables.as_json` gives them, the same answer as
`GET /api/insight`: the page's tables are rendered here, its charts drawn by
static/js/insight.js from the API. Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shops.models import PROCESS_LABELS
from tenancy.middleware import membership_or_403

from . import exports, metrics, tables
from .metrics import OFFER_TO_ANSWER, REQUEST_TO_ORDER, Period


def _period(request: HttpRequest) -> tuple[Period, str]:
    """The months asked for (?from=YYYY-MM&to=YYYY-MM), or the last six; and why a
    period asked for was not taken ("" when it was)."""
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    if first:
        try:
            return Period.parse(first, last or None), ""
        except ValueError:
            return Period.last_months(timezone.localdate()), _(
                "Choose a period of 1 to %(n)d whole months, the first month before the last."
            ) % {"n": metrics.MAX_MONTHS}
    return Period.last_months(timezone.localdate()), ""


def _data(request: HttpRequest, period: Period) -> dict[str, Any]:
    return tables.as_json(metrics.insight(membership_or_403(request), period))


def _attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _labels() -> dict[str, Any]:
    return {
        "group_total": _("Group total"),
        "share": _("Share of the group's hours"),
        "target": _("Target share"),
        "hours": _("Hours"),
        "yen": _("Yen"),
        "on_time_rate": _("On-time rate"),
        "win_rate": _("Win rate"),
        "median_hours": _("Median hours"),
        "request_to_order": _("Request to order"),
        "offer_to_answer": _("Offer to answer"),
        "saved": _("Saved (yen)"),
        "accepted_hours": _("Accepted work (hours)"),
        "processes": {p: str(label) for p, label in PROCESS_LABELS.items()},
        "failed": _("Could not load the charts."),
    }


def _kpis(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures over the whole period: the group's, and the reader's own
    where it has one."""

    def own_and_total(rows: list[dict[str, Any]]) -> tuple[dict | None, dict | None]:
        own = next((r for r in rows if not r["total"] and len(rows) == 2), None)
        total = next((r for r in rows if r["total"]), None)
        return own, total

    out = []
    for key, name in (("on_time", _("On-time rate")), ("win_rate", _("Quote win rate"))):
        own, total = own_and_total(data[key])
        out.append(
            {
                "key": key,
                "name": name,
                "value": exports.pct(total["rate"] if total else None),
                "own": exports.pct(own["rate"]) if own else "",
            }
        )
    for kind, name in (
        (REQUEST_TO_ORDER, _("Median request to order")),
        (OFFER_TO_ANSWER, _("Median offer to answer")),
    ):
        own, total = own_and_total([r for r in data["turnaround"] if r["kind"] == kind])
        out.append(
            {
                "key": kind,
                "name": name,
                "value": _("%(h)s h") % {"h": exports.hours(total["median_h"] if total else None)},
                "own": _("%(h)s h") % {"h": exports.hours(own["median_h"])} if own else "",
            }
        )
    group_rows = [r for r in data["work_shared"] if r["total"]]
    out.append(
        {
            "key": "work_shared",
            "name": _("Work accepted"),
            "value": _("%(h)s h") % {"h": exports.hours(sum(r["hours"] for r in group_rows))},
            "own": _("%(yen)s yen") % {"yen": exports.yen(sum(r["yen"] for r in group_rows))},
        }
    )
    saved = data["material_saved"]
    out.append(
        {
            "key": "material_saved",
            "name": _("Material saved"),
            "value": _("%(yen)s yen")
            % {"yen": exports.yen(sum(r["saved_jpy"] for r in saved if r["total"]))}
            if saved is not None
            else _("No joint orders yet."),
            "own": "",
            "note": saved is None,
        }
    )
    return out


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    period, problem = _period(request)
    data = _data(request, period)
    query = f"from={data['period']['from']}&to={data['period']['to']}"
    today = timezone.localdate()
    last_month = metrics.add_months(today.replace(day=1), -1)
    defs = {key: text for key, _name, text in exports.definitions()}
    config = {
        "api": f"/api/insight?{query}",
        "lang": (get_language() or "en")[:2],
        "labels": _labels(),
    }
    return render(
        request,
        "insight/dashboard.html",
        {
            "data": data,
            "problem": problem,
            "query": query,
            "kpis": _kpis(data),
            "sections": [
                (sec, defs.get(sec.key, ""), zip(sec.rows or [], sec.totals, strict=True))
                for sec in exports.sections(data)
            ],
            "insight_config": config,
            "report_month": f"{last_month:%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "presets": [
                (n, f"{metrics.add_months(today.replace(day=1), 1 - n):%Y-%m}")
                for n in (1, 3, 6, 12)
            ],
        },
    )


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    period, _problem = _period(request)
    data = _data(request, period)
    return _attachment(
        exports.as_csv(data), "text/csv; charset=utf-8", f"{exports.file_stem(data)}.csv"
    )


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    period, _problem = _period(request)
    data = _data(request, period)
    return _attachment(exports.as_xlsx(data), exports.XLSX, f"{exports.file_stem(data)}.xlsx")


@login_required
@require_GET
def report_pdf(request: HttpRequest, month: str) -> HttpResponse:
    """The monthly report of `month` ("YYYY-MM"), in the reader's language."""
    try:
        period = Period.parse(month)
    except ValueError as exc:
        raise Http404 from exc
    data = _data(request, period)
    return _attachment(exports.report_pdf(data), "application/pdf", f"kumiai-report-{month}.pdf")
