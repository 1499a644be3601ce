"""Reads of the drawing library, always inside what the acting membership may see.

Similar-part search runs its first stage in PostgreSQL: the caller's scope and the
distance are one query, and no approximate index is used on the vector columns, so the
candidates are the exact nearest descriptors in scope (an HNSW/IVF index with a scope
filter can silently drop in-scope results). The geometric re-rank then runs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import QuerySet
from django.db.models.functions import Power
from pgvector.django import L2Distance

from cad.similar.align import Candidate, Match
from cad.similar.descriptor import Descriptor, describe
from cad.similar.graded import graded_rerank
from cad.similar.rerank import rerank
from cad.similar.shape import Shape, normalise_code
from cad.text import normalise
from tenancy.models import Membership
from tenancy.scoping import get_visible_or_404

from . import shape_codec
from .models import Drawing, Grant, Part, PartQuote, PartVector, PastJob, PastJobImport, Revision
from .prepared import PREPARED

# First-stage candidates handed to the re-rank (as the command-line index does).
CANDIDATES = 200
TEXT_MIN_SIMILARITY = 0.3


def drawings(membership: Membership | None) -> QuerySet[Drawing]:
    return Drawing.objects.visible_to(membership).select_related("owner", "current_revision")  # type: ignore[attr-defined]


def drawing(membership: Membership | None, drawing_id: object) -> Drawing:
    return get_visible_or_404(
        Drawing.objects.select_related("owner__group", "current_revision"),
        membership,
        pk=drawing_id,
    )


def revision(membership: Membership | None, drawing_id: object, number: object) -> Revision:
    return get_visible_or_404(
        Revision.objects.select_related("drawing"),
        membership,
        drawing_id=drawing_id,
        number=number,
    )


def revisions(membership: Membership | None, d: Drawing) -> QuerySet[Revision]:
    return Revision.objects.visible_to(membership).filter(drawing=d).order_by("-number")  # type: ignore[attr-defined]


def current_parts(membership: Membership | None, d: Drawing) -> QuerySet[Part]:
    return Part.objects.visible_to(membership).filter(drawing=d, is_current=True)  # type: ignore[attr-defined]


def quotes(membership: Membership | None, d: Drawing) -> QuerySet[PartQuote]:
    return (
        PartQuote.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(drawing=d, part__is_current=True)
        .select_related("shop", "profile", "part")
        .order_by("part__index", "shop__name")
    )


def past_jobs(membership: Membership | None) -> QuerySet[PastJob]:
    return PastJob.objects.visible_to(membership).select_related("maker", "buyer", "drawing")  # type: ignore[attr-defined]


def grants(membership: Membership | None, d: Drawing) -> QuerySet[Grant]:
    return Grant.objects.visible_to(membership).filter(drawing=d).select_related("shop")  # type: ignore[attr-defined]


def grant(membership: Membership | None, grant_id: object) -> Grant:
    return get_visible_or_404(
        Grant.objects.select_related("drawing__owner", "shop"), membership, pk=grant_id
    )


def text_search(membership: Membership | None, query: str, limit: int = 50) -> list[Drawing]:
    """Part number, title, material, customer and tags; normalised like the stored text
    (NFKC folds full-width letters and half-width kana), matched by trigram similarity
    to any word run, so a partial number or a typo still finds the drawing."""
    q = normalise(query)
    if not q:
        return []
    return list(
        drawings(membership)
        .annotate(similarity=TrigramWordSimilarity(q, "search_text"))
        .filter(similarity__gte=TEXT_MIN_SIMILARITY)
        .order_by("-similarity", "-updated_at")[:limit]
    )


@dataclass(frozen=True)
class SimilarHit:
    part: Part
    match: Match
    distance: float
    past_jobs: tuple[PastJob, ...]

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        m = self.match
        return {
            "drawing": self.part.drawing_id,
            "part": self.part.index,
            "part_number": self.part.drawing.part_number,
            "score": round(m.score, 4),
            "explanation": m.explanation_ja if lang == "ja" else m.explanation,
            "past_jobs": [past_job_dict(j) for j in self.past_jobs],
        }


def past_job_dict(j: PastJob) -> dict[str, Any]:
    return {
        "id": j.pk,
        "part_number": j.part_number,
        "order_date": j.order_date.isoformat(),
        "quantity": j.quantity,
        "unit_price": str(j.unit_price),
        "currency": j.currency,
        "shop": j.maker.name if j.maker else j.shop_name,
        "lead_time_days": j.lead_time_days,
    }


def first_stage(
    membership: Membership | None,
    descriptor: Descriptor,
    *,
    candidates: int = CANDIDATES,
    any_size: bool = False,
    same_material: str | None = None,
    exclude_drawing: int | None = None,
) -> list[tuple[int, float]]:
    """(part id, distance) of the nearest current parts in scope, exact, best first."""
    distance = Power(L2Distance("shape_vec", _vec(descriptor.shape)), 2)
    if not any_size:
        distance = distance + Power(L2Distance("size_vec", _vec(descriptor.size)), 2)
    if float(descriptor.text @ descriptor.text) > 0:
        # The query's own text pulls; a candidate's text never pushes (as cad.similar).
        distance = distance + Power(L2Distance("text_vec", _vec(descriptor.text)), 2)
    # PartVector holds exactly the current parts, narrow, with the scope's columns.
    vectors = PartVector.objects.visible_to(membership)  # type: ignore[attr-defined]
    if same_material:
        vectors = vectors.filter(drawing__material__iexact=same_material)
    if exclude_drawing is not None:
        vectors = vectors.exclude(drawing_id=exclude_drawing)
    rows = (
        vectors.annotate(d=distance)
        .order_by("d", "part_id")
        .values_list("part_id", "d")[:candidates]
    )
    return [(pk, float(np.sqrt(max(d, 0.0)))) for pk, d in rows]


def similar(
    membership: Membership | None,
    shape: Shape | Candidate,
    *,
    k: int = 10,
    any_size: bool = False,
    same_material: str | None = None,
    exclude_drawing: int | None = None,
) -> list[SimilarHit]:
    """The k parts most like `shape` that the member may see, with the past jobs of their
    drawings that the member may see. A stored part is passed prepared (prepared_part)."""
    q = Candidate(shape) if isinstance(shape, Shape) else shape
    stage = first_stage(
        membership,
        describe(q.shape),
        any_size=any_size,
        same_material=same_material,
        exclude_drawing=exclude_drawing,
    )
    if not stage:
        return []
    rows = {
        p.pk: p
        for p in Part.objects.filter(pk__in=[pk for pk, _d in stage])
        .select_related("drawing", "revision")
        .only(
            "id",
            "index",
            "drawing_id",
            "drawing__part_number",
            "revision_id",
            "revision__number",
            "geometry_hash",
        )
    }
    prepared = PREPARED.get_many([(pk, rows[pk].geometry_hash) for pk, _d in stage])
    missing = [pk for pk, _d in stage if (pk, rows[pk].geometry_hash) not in prepared]
    if missing:  # only the shapes this process has not prepared yet are read
        fresh = {}
        for pk, data in Part.objects.filter(pk__in=missing).values_list("pk", "shape_data"):
            key = (pk, rows[pk].geometry_hash)
            fresh[key] = Candidate(shape_codec.decode(data, key[1]))
        PREPARED.put_many(fresh)
        prepared.update(fresh)
    # The k best by score, then distance: candidates whose bound on the score cannot
    # reach the k-th are never placed (cad.similar.rerank; a median query places ~16).
    # "Any size" asks for parts of this shape: what does not fit nearly exactly is then
    # ordered by graded similarity of the outlines (cad.similar.graded), as Index.query.
    cands = [prepared[(pk, rows[pk].geometry_hash)] for pk, _d in stage]
    distances = [d for _pk, d in stage]
    if any_size:
        found = [(i, m) for i, m, _g in graded_rerank(q, cands, k, True, distances)]
    else:
        found = rerank(q, cands, k, False, distances)
    best = [(rows[stage[i][0]], m, stage[i][1]) for i, m in found]
    jobs: dict[int, list[PastJob]] = {}
    for job in past_jobs(membership).filter(drawing_id__in=[p.drawing_id for p, _m, _d in best]):
        jobs.setdefault(job.drawing_id, []).append(job)
    return [SimilarHit(p, m, d, tuple(jobs.get(p.drawing_id, ())[:5])) for p, m, d in best]


def prepared_part(part: Part) -> Candidate:
    """A stored part ready to compare, from this process's cache when it holds it."""
    key = (part.pk, part.geometry_hash)
    found = PREPARED.get_many([key]).get(key)
    if found is None:
        found = Candidate(shape_codec.decode(part.shape_data, part.geometry_hash))
        PREPARED.put_many({key: found})
    return found


def _vec(a: np.ndarray) -> list[float]:
    return [float(v) for v in a]


# -- past jobs --------------------------------------------------------------------------
def recent_imports(membership: Membership | None) -> QuerySet[PastJobImport]:
    return PastJobImport.objects.visible_to(membership).select_related("created_by")  # type: ignore[attr-defined]


def job_rows(membership: Membership | None, jobs: list[PastJob]) -> list[dict[str, Any]]:
    """Past jobs as the caller may see them: a linked drawing the caller may not see is
    not named (one query for the page, not one per row)."""
    ids = {j.drawing_id for j in jobs if j.drawing_id}
    seen = (
        set(drawings(membership).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    )
    return [
        {
            "id": j.pk,
            "part_number": j.part_number,
            "drawing": j.drawing_id if j.drawing_id in seen else None,
            "drawing_part_number": j.drawing.part_number if j.drawing_id in seen else "",
            "drawing_ref": j.drawing_ref,
            "order_date": j.order_date,
            "quantity": j.quantity,
            "unit_price": str(j.unit_price),
            "currency": j.currency,
            "shop": j.maker.name if j.maker else j.shop_name,
            "maker": j.maker.name if j.maker else None,
            "buyer": j.buyer.name if j.buyer else None,
            "recorded_by": j.recorded_by.name,
            "lead_time_days": j.lead_time_days,
            "notes": j.notes,
            "batch": j.batch_id,
        }
        for j in jobs
    ]


def visible_past_jobs(
    membership: Membership | None, *, part_number: str = "", drawing: int | None = None
) -> QuerySet[PastJob]:
    qs = past_jobs(membership).select_related("recorded_by")
    if part_number:
        qs = qs.filter(part_number_key__contains=normalise_code(part_number)[:120])
    if drawing is not None:
        qs = qs.filter(drawing_id=drawing)
    return qs


def seen_by(membership: Membership | None, d: Drawing, limit: int = 20) -> list[Any]:
    """Who viewed, downloaded or shared the drawing: for its owner only (the rows live in
    the owner's audit log; other people's visits are the owner's business)."""
    from tenancy.models import AuditLog

    if membership is None or membership.organization_id != d.owner_id:
        return []
    return list(
        AuditLog.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(
            object_type="drawings.Drawing",
            object_id=str(d.pk),
            action__in=["drawing.view", "drawing.download", "drawing.grant", "drawing.revoke"],
        )
        .exclude(actor__membership__organization_id=d.owner_id)
        .select_related("actor__membership__organization")[:limit]
    )
