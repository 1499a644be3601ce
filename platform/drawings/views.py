"""Pages of the drawing library: the list with its upload zone, and a drawing's page.
Reads through selectors, writes through actions, another tenant's drawing is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kumiai import objectstore
from tenancy import selectors as tenancy_selectors
from tenancy.context import Actor
from tenancy.middleware import membership_or_403
from tenancy.models import OrgKind
from tenancy.permissions import Capability, can

from . import actions, selectors, shape_codec
from .models import RevisionStatus


def _lang() -> str:
    return "ja" if (get_language() or "").startswith("ja") else "en"


@login_required
@require_GET
def drawing_list(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    q = request.GET.get("q", "").strip()
    if q:
        rows = selectors.text_search(m, q, limit=100)
        page = None
    else:
        page = Paginator(selectors.drawings(m), 50).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    return render(
        request,
        "drawings/list.html",
        {
            "rows": rows,
            "page": page,
            "q": q,
            "can_upload": can(m, Capability.WRITE),
            "max_upload_mb": int(_max_upload() / 2**20),
        },
    )


def _max_upload() -> int:
    from django.conf import settings

    return int(settings.MAX_UPLOAD_BYTES)


COMPONENT_LABELS = {
    "material": _lazy("Material"),
    "laser_cutting": _lazy("Laser cutting"),
    "laser_setup": _lazy("Laser set-up and programming"),
    "punching": _lazy("Punching"),
    "punch_setup": _lazy("Punch set-up"),
    "bending": _lazy("Bending"),
    "brake_setup": _lazy("Brake set-up"),
    "welding": _lazy("Welding"),
    "tapping": _lazy("Tapping"),
    "hardware": _lazy("Hardware"),
    "deburr_handling": _lazy("Deburring and handling"),
    "markup": _lazy("Margin"),
    "line_minimum": _lazy("Minimum order amount"),
}


def _labelled(breaks: list[dict]) -> list[dict]:
    return [
        {
            **b,
            "components": [
                {**c, "label": COMPONENT_LABELS.get(c["name"], c["name"])}
                for c in b.get("components", [])
            ],
        }
        for b in breaks
    ]


def _quote_rows(m, d):  # type: ignore[no-untyped-def]
    """Per part: (the instant quote, the group's offers ranked by the price of the first
    break). The instant quote is the coordinating shop's: its profile is the group's
    reference price, so every viewer may read its breakdown (components and formulas).
    Another shop's breakdown would show its rates: only that shop and the coordinator
    read it; everyone who sees the drawing sees each shop's prices."""
    by_part: dict[int, list[dict]] = {}
    own = m.organization
    for q in selectors.quotes(m, d):
        doc = q.document
        refused = doc.get("refused")
        reference = q.shop.kind == OrgKind.COORDINATOR
        by_part.setdefault(q.part.index, []).append(
            {
                "shop": q.shop,
                "version": q.profile.version,
                "refused": refused,
                "breaks": _labelled(doc.get("breaks", [])),
                "sheet_mm": doc.get("sheet_mm"),
                "parts_per_sheet": doc.get("parts_per_sheet"),
                "reference": reference,
                "open_book": reference or q.shop_id == own.pk or own.kind == OrgKind.COORDINATOR,
                "first_total": doc["breaks"][0]["total_price_jpy"] if not refused else None,
            }
        )
    rows = []
    for index, offers in sorted(by_part.items()):
        offers.sort(key=lambda o: (o["refused"] is not None, o["first_total"] or 0))
        usable = [o for o in offers if not o["refused"]]
        instant = next((o for o in usable if o["reference"]), usable[0] if usable else None)
        rows.append((index, instant, offers))
    return rows


@login_required
@require_GET
def drawing_detail(request: HttpRequest, drawing_id: int) -> HttpResponse:
    m = membership_or_403(request)
    d = selectors.drawing(m, drawing_id)
    actions.record_view(d, "view", acting=Actor.from_request(request))
    rev = d.current_revision
    analysed = rev is not None and rev.status == RevisionStatus.ANALYSED
    doc = rev.analysis if analysed else {}
    findings = [{"n": n, **f} for n, f in enumerate(doc.get("findings", []), start=1)]
    similar = []
    part_rows = list(selectors.current_parts(m, d)) if analysed else []
    if part_rows:
        hits = selectors.similar(
            m,
            selectors.prepared_part(part_rows[0]),
            k=8,
            exclude_drawing=d.pk,
        )
        similar = [{"hit": h, "explanation": h.as_dict(_lang())["explanation"]} for h in hits]
    past = list(selectors.past_jobs(m).filter(drawing=d)[:50])
    coordinator = m.organization.kind == OrgKind.COORDINATOR
    return render(
        request,
        "drawings/detail.html",
        {
            "d": d,
            "rev": rev,
            "revisions": list(selectors.revisions(m, d)),
            "analysed": analysed,
            "doc": doc,
            "parts": doc.get("parts", []),
            "findings": findings,
            "lang": _lang(),
            "quotes": _quote_rows(m, d) if analysed else [],
            "similar": similar,
            "past_jobs": past,
            "is_owner": m.organization_id == d.owner_id and can(m, Capability.WRITE),
            "is_coordinator": coordinator,
            "grants": list(selectors.grants(m, d)) if coordinator else [],
            "seen_by": selectors.seen_by(m, d),
            "shops": list(tenancy_selectors.organizations(m).filter(kind=OrgKind.MEMBER_SHOP))
            if coordinator
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def similar_search(request: HttpRequest) -> HttpResponse:
    """Search the library with a drawing that is not saved: it is analysed in the
    sandbox, compared, and forgotten."""
    import tempfile
    from pathlib import Path

    from . import sandbox

    m = membership_or_403(request)
    context: dict = {"hits": None, "error": "", "any_size": False, "same_material": ""}
    upload = request.FILES.get("file")
    if request.method == "POST" and upload is not None:
        context["any_size"] = bool(request.POST.get("any_size"))
        material = request.POST.get("material", "").strip().upper()
        context["same_material"] = material
        with tempfile.TemporaryDirectory(prefix="kumiai-similar-") as tmp:
            path = Path(tmp) / "query.dxf"
            with open(path, "wb") as f:
                for chunk in upload.chunks():
                    f.write(chunk)
            (Path(tmp) / "out").mkdir()
            result = sandbox.run(path, Path(tmp) / "out", {"material": material})
        if not result.ok:
            context["error"] = result.error_ja if _lang() == "ja" else result.error_en
        elif not result.parts:
            context["error"] = _("No part was found in this drawing.")
        else:
            part = result.parts[0]
            hits = selectors.similar(
                m,
                shape_codec.decode(part.shape_data, part.geometry_hash),
                k=12,
                any_size=context["any_size"],
                same_material=material or None,
            )
            context["hits"] = [
                {"hit": h, "explanation": h.as_dict(_lang())["explanation"]} for h in hits
            ]
            context["file_name"] = upload.name
    return render(request, "drawings/similar.html", context)


@login_required
@require_GET
def drawing_picture(request: HttpRequest, drawing_id: int, number: int, name: str) -> HttpResponse:
    """The SVG view or the PNG thumbnail of a revision, after the same access check as
    its page (our own SVG, served as an image: no script in it runs)."""
    m = membership_or_403(request)
    rev = selectors.revision(m, drawing_id, number)
    key = {"view.svg": rev.svg_key, "thumb.png": rev.thumbnail_key}.get(name)
    if not key:
        raise Http404
    data = objectstore.get_bytes(key)
    response = HttpResponse(
        data, content_type="image/svg+xml" if name.endswith("svg") else "image/png"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def drawing_download(request: HttpRequest, drawing_id: int, number: int) -> HttpResponse:
    m = membership_or_403(request)
    rev = selectors.revision(m, drawing_id, number)
    actions.record_view(rev.drawing, "download", acting=Actor.from_request(request))
    from .api import DOWNLOAD_URL_S

    return redirect(
        objectstore.presigned_get(rev.object_key, expires_s=DOWNLOAD_URL_S, file_name=rev.file_name)
    )


@login_required
@require_POST
def drawing_edit(request: HttpRequest, drawing_id: int) -> HttpResponse:
    m = membership_or_403(request)
    d = selectors.drawing(m, drawing_id)
    try:
        raw = request.POST.get("thickness_mm", "").strip()
        thickness = float(raw) if raw else None
        if thickness is not None and not 0 < thickness <= 50:
            raise ValueError
    except ValueError:
        messages.error(
            request, _("The thickness must be a number of millimetres between 0 and 50.")
        )
        return redirect("drawing_detail", d.pk)
    fields = actions.DrawingFields(
        title=request.POST.get("title", d.title),
        customer=request.POST.get("customer", d.customer),
        material=request.POST.get("material", "").strip().upper(),
        thickness_mm=thickness,
        tags=tuple(t.strip() for t in request.POST.get("tags", "").split(",") if t.strip()),
    )
    try:
        actions.do_update_drawing(d, fields, acting=Actor.from_request(request))
    except PermissionDenied:
        raise
    messages.success(request, _("Saved. The quotes were made again."))
    return redirect("drawing_detail", d.pk)


@login_required
@require_http_methods(["POST"])
def grant_create(request: HttpRequest, drawing_id: int) -> HttpResponse:
    m = membership_or_403(request)
    d = selectors.drawing(m, drawing_id)
    shop = tenancy_selectors.organization(m, request.POST.get("shop"))
    expires = request.POST.get("expires_at", "").strip()
    expires_at = None
    if expires:
        from django.utils import timezone

        parsed = parse_datetime(expires) or parse_datetime(expires + "T23:59")
        expires_at = timezone.make_aware(parsed) if parsed and timezone.is_naive(parsed) else parsed
    try:
        actions.do_grant(
            d,
            shop,
            expires_at=expires_at,
            reason=request.POST.get("reason", ""),
            acting=Actor.from_request(request),
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("%(shop)s may now see this drawing.") % {"shop": shop.name})
    return redirect("drawing_detail", d.pk)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    m = membership_or_403(request)
    g = selectors.grant(m, grant_id)
    actions.do_revoke_grant(g, acting=Actor.from_request(request))
    messages.success(request, _("Access of %(shop)s ended.") % {"shop": g.shop.name})
    return redirect("drawing_detail", g.drawing_id)
