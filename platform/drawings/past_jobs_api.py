"""Past jobs over the API (mounted by api/api.py). `POST /api/past-jobs/import` is a
contract: outside tools send their order history there, as CSV or .xlsx."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from tenancy.context import Actor

from .past_jobs import FileRefused
from .past_jobs_actions import (
    Linked,
    Preview,
    RowsRejected,
    Scan,
    do_import_past_jobs,
    local_file,
    preview_past_jobs,
)
from .selectors import job_rows, visible_past_jobs

router = Router(tags=["past jobs"])

MAX_PAGE = 500


class PastJobListOut(Schema):
    id: int
    part_number: str
    drawing: int | None  # only a drawing the caller may see
    drawing_ref: str
    order_date: date
    quantity: int
    unit_price: str
    currency: str
    shop: str
    maker: str | None
    buyer: str | None
    recorded_by: str
    lead_time_days: int | None
    notes: str
    batch: int | None


class DetailOut(Schema):
    detail: str  # "CODE: message", e.g. "TOO_MANY_ROWS: The file has more than …"


class ProblemOut(Schema):
    field: str
    code: str
    value: str
    message: str


class RowErrorOut(Schema):
    row: int
    message: str
    problems: list[ProblemOut]


class ImportOut(Schema):
    id: int
    file_name: str
    rows: int
    linked_drawings: int
    linked_makers: int


class RejectedOut(Schema):
    detail: str
    code: str
    rows: int
    error_count: int
    errors: list[RowErrorOut]


class PreviewOut(Schema):
    file_name: str
    sha256: str
    kind: str
    encoding: str
    sheet: str
    header_row: int
    headers: list[str]
    mapping: dict[str, int | None]
    default_currency: str
    missing: list[str]
    rows: int
    error_count: int
    errors: list[RowErrorOut]
    linked_drawings: int
    linked_makers: int
    sample: list[dict[str, Any]]
    imported_before: list[datetime]


_STATUS = {
    "FILE_TOO_LARGE": 413,
    "TOO_MANY_ROWS": 413,
    "XLSX_TOO_LARGE": 413,
    "OLD_EXCEL": 415,
    "UNSUPPORTED": 415,
}


def refused(exc: FileRefused) -> HttpError:
    return HttpError(_STATUS.get(exc.code, 422), str(exc))


def _mapping_spec(mapping: str) -> dict[str, object] | None:
    if not mapping.strip():
        return None
    try:
        spec = json.loads(mapping)
    except ValueError as exc:
        raise HttpError(422, f"mapping is not JSON: {exc}") from exc
    if not isinstance(spec, dict):
        raise HttpError(422, 'mapping must be a JSON object such as {"part_number": "品番"}')
    return spec


def linked_dict(x: Linked) -> dict[str, Any]:
    r = x.row
    return {
        "row": r.row,
        "part_number": r.part_number,
        "drawing": x.drawing_id,
        "drawing_ref": r.drawing_ref,
        "order_date": r.order_date.isoformat(),
        "quantity": r.quantity,
        "unit_price": str(r.unit_price),
        "currency": r.currency,
        "shop": x.maker_name or r.shop_name,
        "maker": x.maker_id,
        "lead_time_days": r.lead_time_days,
        "notes": r.notes,
    }


def scan_dict(scan: Scan) -> dict[str, Any]:
    return {
        "kind": scan.kind,
        "encoding": scan.encoding,
        "sheet": scan.sheet,
        "header_row": scan.header_row,
        "headers": list(scan.headers),
        "mapping": scan.mapping.as_dict(),
        "default_currency": scan.mapping.default_currency,
        "missing": list(scan.mapping.missing()),
        "rows": scan.rows,
        "error_count": scan.error_count,
        "errors": [e.as_dict() for e in scan.errors],
        "linked_drawings": scan.linked_drawings,
        "linked_makers": scan.linked_makers,
        "sample": [linked_dict(x) for x in scan.sample],
    }


def preview_dict(p: Preview) -> dict[str, Any]:
    return {
        "file_name": p.file_name,
        "sha256": p.sha256,
        **scan_dict(p.scan),
        "imported_before": [a.created_at for a in p.imported_before],
    }


@router.get("/past-jobs", response=list[PastJobListOut], summary="Past jobs you may see")
def list_past_jobs(
    request: HttpRequest,
    limit: int = 100,
    offset: int = 0,
    part_number: str = "",
    drawing: int | None = None,
):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
    jobs = list(
        visible_past_jobs(m, part_number=part_number, drawing=drawing)[offset : offset + limit]
    )
    return job_rows(m, jobs)


@router.post(
    "/past-jobs/preview",
    response={200: PreviewOut, 403: DetailOut, 413: DetailOut, 415: DetailOut, 422: DetailOut},
    summary="Check an order history (CSV or .xlsx) without importing it",
)
def preview_past_job_import(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's way of declaring a file
    mapping: str = Form(""),  # noqa: B008
):  # type: ignore[no-untyped-def]
    spec = _mapping_spec(mapping)
    try:
        with local_file(file) as path:
            p = preview_past_jobs(
                path, file.name or "history", spec, acting=Actor.from_request(request)
            )
    except FileRefused as exc:
        raise refused(exc) from exc
    return preview_dict(p)


@router.post(
    "/past-jobs/import",
    response={201: ImportOut, 403: DetailOut, 413: DetailOut, 415: DetailOut, 422: RejectedOut},
    summary="Import an order history (CSV or .xlsx): every row, or none",
    description=(
        "Multipart `file`; optional `mapping`, a JSON object from field to column "
        "(header text, letter or 0-based index): part_number, drawing_ref, order_date, "
        "quantity, unit_price, currency, shop, lead_time_days, notes, default_currency. "
        "A file with any bad row imports nothing and answers 422 naming every bad row."
    ),
)
def import_past_jobs(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    mapping: str = Form(""),  # noqa: B008
):  # type: ignore[no-untyped-def]
    spec = _mapping_spec(mapping)
    try:
        with local_file(file) as path:
            result = do_import_past_jobs(
                path, file.name or "history", spec, acting=Actor.from_request(request)
            )
    except FileRefused as exc:
        raise refused(exc) from exc
    except RowsRejected as exc:
        s = exc.scan
        return Status(
            422,
            {
                "detail": f"{s.error_count} of {s.rows} rows have errors; nothing was imported",
                "code": "ROWS_REJECTED",
                "rows": s.rows,
                "error_count": s.error_count,
                "errors": [e.as_dict() for e in s.errors],
            },
        )
    b = result.batch
    return Status(
        201,
        {
            "id": b.pk,
            "file_name": b.file_name,
            "rows": b.rows,
            "linked_drawings": result.scan.linked_drawings,
            "linked_makers": result.scan.linked_makers,
        },
    )
