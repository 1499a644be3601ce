"""A finished job's file, streamed from the object store after the tenant check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from kumiai import objectstore
from tenancy.middleware import membership_or_403

from . import selectors


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: str) -> HttpResponse:
    m = membership_or_403(request)
    job = selectors.job(m, job_id)
    key = job.result.get("object_key") if job.is_finished else None
    if not key:
        raise Http404
    response = StreamingHttpResponse(
        objectstore.aiter_object(key), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{job.result.get("filename", "export.csv")}"'
    )
    return response
