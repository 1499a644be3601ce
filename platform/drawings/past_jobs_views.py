"""Past-job pages: the list a member may see, and the import (upload → preview with the
column mapping and every bad row → confirm). Reads through selectors, the import through
its action; the uploaded file waits in the object store between the steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kumiai import objectstore
from tenancy.context import Actor
from tenancy.middleware import membership_or_403
from tenancy.permissions import Capability, require

from . import past_jobs
from .past_jobs import FIELD_LABELS, FIELDS, REQUIRED, FileRefused, column_letter
from .past_jobs_actions import (
    Preview,
    RowsRejected,
    discard_staged,
    do_import_past_jobs,
    local_file,
    preview_past_jobs,
    stage_file,
    staged_file,
)
from .selectors import job_rows, recent_imports, visible_past_jobs

PAGE_ROWS = 100
CURRENCIES = ("JPY", "USD", "EUR", "CNY")


@login_required
def past_job_list(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    q = request.GET.get("q", "").strip()
    jobs = visible_past_jobs(m, part_number=q)
    batch = request.GET.get("batch", "")
    if batch.isdigit():
        jobs = jobs.filter(batch_id=int(batch))
    page = Paginator(jobs, PAGE_ROWS).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": job_rows(m, list(page.object_list)),
        "q": q,
        "batch": batch if batch.isdigit() else "",
    }
    return render(request, "past_jobs/list.html", context)


def _preview_context(p: Preview, token: str) -> dict[str, object]:
    scan = p.scan
    columns = [
        (i, f"{column_letter(i)} · {h}" if h else column_letter(i))
        for i, h in enumerate(scan.headers)
    ]
    chosen = scan.mapping.as_dict()
    return {
        "preview": p,
        "scan": scan,
        "token": token,
        "columns": columns,
        "fields": [
            {
                "name": f,
                "label": FIELD_LABELS[f],
                "required": f in REQUIRED,
                "column": chosen[f],
                "missing": f in scan.mapping.missing(),
            }
            for f in FIELDS
        ],
        "currencies": sorted({*CURRENCIES, scan.mapping.default_currency}),
        "letters": [column_letter(i) for i in range(len(scan.headers))],
        "more_errors": scan.error_count - len(scan.errors),
    }


def _render_upload(request: HttpRequest, error: str, status: int) -> HttpResponse:
    context = {
        "error": error,
        "imports": recent_imports(membership_or_403(request))[:10],
        "max_rows": f"{past_jobs.MAX_ROWS:,}",
        "max_mb": past_jobs.MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "past_jobs/import.html", context, status=status)


_FILE_STATUS = {"FILE_TOO_LARGE": 413, "TOO_MANY_ROWS": 413, "XLSX_TOO_LARGE": 413}


def _store_down() -> str:
    return _("The file store is not answering; nothing was saved. Try again later.")


@login_required
@require_http_methods(["GET", "POST"])
def past_job_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: keep the file, and show what importing it would do."""
    m = membership_or_403(request)
    if request.method == "GET":
        return _render_upload(request, "", 200)
    require(m, Capability.WRITE)
    upload = request.FILES.get("file")
    if upload is None:
        return _render_upload(request, _("Choose a CSV or Excel (.xlsx) file."), 422)
    acting = Actor.from_request(request)
    try:
        with local_file(upload) as path:
            p = preview_past_jobs(path, upload.name or "history", acting=acting)
            # Kept for the confirmation only once it reads as a history at all.
            with open(path, "rb") as f:
                staged = stage_file(f, p.file_name, acting=acting)
    except objectstore.ObjectStoreUnavailable:
        return _render_upload(request, _store_down(), 503)
    except FileRefused as exc:
        return _render_upload(request, exc.message, _FILE_STATUS.get(exc.code, 422))
    return render(request, "past_jobs/preview.html", _preview_context(p, staged.token))


@login_required
@require_POST
def past_job_import_confirm(request: HttpRequest) -> HttpResponse:
    """Check again with the mapping chosen on the preview, or import: all rows or none."""
    m = membership_or_403(request)
    require(m, Capability.WRITE)
    token = request.POST.get("token", "")
    spec: dict[str, object] = {f: request.POST.get(f"map_{f}", "") for f in FIELDS}
    spec["default_currency"] = request.POST.get("default_currency", "") or "JPY"
    acting = Actor.from_request(request)
    try:
        with staged_file(token, acting=acting) as (path, name):
            if request.POST.get("action") != "import":
                p = preview_past_jobs(path, name, spec, acting=acting)
                return render(request, "past_jobs/preview.html", _preview_context(p, token))
            try:
                result = do_import_past_jobs(path, name, spec, acting=acting)
            except (RowsRejected, FileRefused) as exc:
                if isinstance(exc, FileRefused) and exc.code != "MAPPING_INCOMPLETE":
                    raise
                # Shown again, as the preview showed it: every bad row, the mapping.
                p = preview_past_jobs(path, name, spec, acting=acting)
                messages.error(request, _("Nothing was imported: fix what is shown below."))
                return render(
                    request, "past_jobs/preview.html", _preview_context(p, token), status=422
                )
    except objectstore.ObjectStoreUnavailable:
        return _render_upload(request, _store_down(), 503)
    except FileRefused as exc:
        return _render_upload(request, exc.message, _FILE_STATUS.get(exc.code, 422))
    discard_staged(token, acting=acting)
    messages.success(
        request,
        _("Imported %(rows)s past jobs from %(file)s.")
        % {"rows": result.batch.rows, "file": result.batch.file_name},
    )
    return redirect(f"{reverse('past_jobs')}?batch={result.batch.pk}")
