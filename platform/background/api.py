"""Background jobs in the API (mounted by api/api.py): a job's state, the same fields its
websocket events carry. Another organisation's job answers 404.

The operation id predates this router (it was made from api/api.py's module name);
generated clients are keyed on it, so it is given explicitly."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from tenancy.schemas import ErrorOut

from . import selectors
from .schemas import JobOut

router = Router(tags=["jobs"])


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut}, operation_id="api_api_get_job")
def get_job(request: HttpRequest, job_id: str):  # type: ignore[no-untyped-def]
    return selectors.job(request.membership, job_id).as_event()  # type: ignore[attr-defined]
