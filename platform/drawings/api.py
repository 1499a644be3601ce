"""The drawing library's API router (mounted by api/api.py). The paths are a contract:
outside tools are written against them."""

from __future__ import annotations

import tempfile

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from kumiai import objectstore
from tenancy.context import Actor
from tenancy.models import Organization, OrgKind

from . import actions, files, selectors, shape_codec
from .models import Drawing, PartQuote, RevisionStatus
from .schemas import (
    DownloadOut,
    DrawingOut,
    DrawingSummaryOut,
    PastJobOut,
    SimilarOut,
    UploadOut,
    ZipOut,
)
from .zipcheck import ZipRefused

router = Router(tags=["drawings"])

# Presigned download URLs live this long: enough to start a download, too short to share.
DOWNLOAD_URL_S = 300


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _lang(request: HttpRequest) -> str:
    from django.utils.translation import get_language

    return "ja" if (get_language() or "").startswith("ja") else "en"


def _upload_error(exc: Exception) -> HttpError:
    if isinstance(exc, files.UnsupportedFile):
        return HttpError(415, f"{exc.code}: {exc.message}")
    if isinstance(exc, objectstore.TooLarge):
        return HttpError(413, f"FILE_TOO_LARGE: the file is larger than {exc.limit_bytes} bytes")
    if isinstance(exc, ZipRefused):
        return HttpError(422, f"{exc.code}: {exc.message}")
    if isinstance(exc, objectstore.ObjectStoreUnavailable):
        return HttpError(
            503,
            "OBJECT_STORE_UNAVAILABLE: the file store is not answering; nothing was saved, try again later",
        )
    raise exc


def summary(d: Drawing) -> dict:
    rev = d.current_revision
    return {
        "id": d.pk,
        "part_number": d.part_number,
        "title": d.title,
        "customer": d.customer,
        "material": d.material,
        "thickness_mm": d.thickness_mm,
        "owner": d.owner.name,
        "status": rev.status if rev else None,
        "revision": rev.number if rev else None,
        "updated_at": d.updated_at,
    }


def quote_dict(q: PartQuote, viewer: Organization) -> dict:
    """A quote as the viewer may read it: every shop's prices; the breakdown (components
    with the rates behind them) only of the coordinating shop's reference quote, of the
    viewer's own shop, or for the coordinator — as on the drawing's page."""
    doc = dict(q.document)
    open_book = (
        q.shop.kind == OrgKind.COORDINATOR
        or q.shop_id == viewer.pk
        or viewer.kind == OrgKind.COORDINATOR
    )
    if not open_book:
        doc.pop("per_part", None)
        doc["breaks"] = [
            {k: v for k, v in b.items() if k not in {"components", "machine_minutes"}}
            for b in doc.get("breaks", [])
        ]
    return {
        "part": q.part.index,
        "shop": q.shop.name,
        "profile_version": q.profile.version,
        "material": q.material,
        "thickness_mm": q.thickness_mm,
        "breakdown": open_book,
        **doc,
    }


@router.post("/drawings", response={201: UploadOut}, summary="Upload a drawing")
def upload_drawing(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's way of declaring a file
    part_number: str = Form(""),  # noqa: B008
    title: str = Form(""),  # noqa: B008
    customer: str = Form(""),  # noqa: B008
    material: str = Form(""),  # noqa: B008
    thickness_mm: float | None = Form(None),  # noqa: B008
):  # type: ignore[no-untyped-def]
    if thickness_mm is not None and not 0 < thickness_mm <= 50:
        raise HttpError(422, "thickness_mm must be between 0 and 50")
    fields = actions.DrawingFields(
        part_number=part_number,
        title=title,
        customer=customer,
        material=material.strip().upper(),
        thickness_mm=thickness_mm,
    )
    try:
        (rev,) = actions.upload_files(
            [(file.file, file.name or "drawing", fields)], acting=_actor(request)
        )
    except (files.UnsupportedFile, objectstore.TooLarge, objectstore.ObjectStoreUnavailable) as exc:
        raise _upload_error(exc) from exc
    return Status(201, {"id": rev.drawing_id, "revision": rev.number, "status": rev.status})


@router.post("/drawings/zip", response={201: ZipOut}, summary="Upload a zip of drawings")
def upload_zip(request: HttpRequest, file: UploadedFile = File(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    try:
        revisions, skipped = actions.upload_zip(file.file, acting=_actor(request))
    except (ZipRefused, objectstore.TooLarge, objectstore.ObjectStoreUnavailable) as exc:
        raise _upload_error(exc) from exc
    return Status(201, {"drawings": [r.drawing_id for r in revisions], "skipped": skipped})


@router.get("/drawings", response=list[DrawingSummaryOut])
def list_drawings(request: HttpRequest, q: str = "", limit: int = 50, offset: int = 0):  # type: ignore[no-untyped-def]
    limit = max(1, min(limit, 200))
    if q:
        return [summary(d) for d in selectors.text_search(request.membership, q, limit)]  # type: ignore[attr-defined]
    rows = selectors.drawings(request.membership)[offset : offset + limit]  # type: ignore[attr-defined]
    return [summary(d) for d in rows]


@router.get("/drawings/{drawing_id}", response=DrawingOut)
def get_drawing(request: HttpRequest, drawing_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    d = selectors.drawing(m, drawing_id)
    actions.record_view(d, "view", acting=_actor(request))
    rev = d.current_revision
    analysed = rev is not None and rev.status == RevisionStatus.ANALYSED
    return {
        **summary(d),
        "tags": d.tags or [],
        "revisions": list(selectors.revisions(m, d)),
        "analysis": rev.analysis if analysed else None,
        "quote": [quote_dict(q, m.organization) for q in selectors.quotes(m, d)]
        if analysed
        else [],
    }


@router.get("/drawings/{drawing_id}/similar", response=SimilarOut)
def drawing_similar(
    request: HttpRequest,
    drawing_id: int,
    k: int = 10,
    any_size: bool = False,
    same_material: bool = False,
    part: int = 0,
):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    d = selectors.drawing(m, drawing_id)
    row = selectors.current_parts(m, d).filter(index=part).first()
    if row is None:
        raise HttpError(409, "the drawing has no analysed part with that index yet")
    hits = selectors.similar(
        m,
        selectors.prepared_part(row),
        k=max(1, min(k, 50)),
        any_size=any_size,
        same_material=d.material if same_material and d.material else None,
        exclude_drawing=d.pk,
    )
    return {"results": [h.as_dict(_lang(request)) for h in hits]}


@router.post("/similar", response=SimilarOut, summary="Search with a file, without saving it")
def similar_by_file(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    k: int = Form(10),  # noqa: B008
    any_size: bool = Form(False),  # noqa: B008
    material: str = Form(""),  # noqa: B008
):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from . import sandbox

    m = request.membership  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="kumiai-similar-") as tmp:
        path = Path(tmp) / "query.dxf"
        with open(path, "wb") as f:
            for chunk in file.chunks():
                f.write(chunk)
        out = Path(tmp) / "out"
        out.mkdir()
        result = sandbox.run(path, out, {"material": material})
    if not result.ok:
        raise HttpError(422, f"{result.error_code}: {result.error_en} / {result.error_ja}")
    if not result.parts:
        return {"results": []}
    shape = shape_codec.decode(result.parts[0].shape_data, result.parts[0].geometry_hash)
    hits = selectors.similar(
        m, shape, k=max(1, min(k, 50)), any_size=any_size, same_material=material or None
    )
    return {"results": [h.as_dict(_lang(request)) for h in hits]}


@router.get("/drawings/{drawing_id}/past-jobs", response=list[PastJobOut])
def drawing_past_jobs(request: HttpRequest, drawing_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    d = selectors.drawing(m, drawing_id)
    return [
        {**selectors.past_job_dict(j), "order_date": j.order_date}
        for j in selectors.past_jobs(m).filter(drawing=d)
    ]


@router.get("/drawings/{drawing_id}/download", response=DownloadOut)
def download(request: HttpRequest, drawing_id: int, revision: int | None = None):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    d = selectors.drawing(m, drawing_id)
    rev = selectors.revision(m, d.pk, revision) if revision is not None else d.current_revision
    if rev is None:
        raise HttpError(404, "not found")
    actions.record_view(d, "download", acting=_actor(request))
    url = objectstore.presigned_get(
        rev.object_key, expires_s=DOWNLOAD_URL_S, file_name=rev.file_name
    )
    return {"url": url, "expires_s": DOWNLOAD_URL_S}
