"""Writes on the drawing library. Each is one transaction with one audit row; the
analysis task and the websocket push are sent on commit.

Bytes go to the object store before the rows are written (a store that is down fails the
upload before anything is recorded), and bytes this call stored are removed again if the
rows cannot be written, so nothing half-written stays behind. Identical bytes are kept
once (the key is their sha256), so removal only touches objects this call created.
"""

from __future__ import annotations

import os
import socket
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cad.similar.shape import normalise_code
from cad.text import normalise
from kumiai import objectstore
from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from . import files, sandbox
from .models import (
    Drawing,
    FileKind,
    Grant,
    Part,
    PartQuote,
    PartVector,
    Revision,
    RevisionStatus,
)

SYSTEM = Actor.system("drawing analysis")
JOB_FLOW = Actor.system("job flow")  # grants that follow offers and jobs


@dataclass(frozen=True)
class Blob:
    """Bytes in the object store, and whether this call put them there."""

    sha256: str
    size_bytes: int
    key: str
    kind: str
    content_type: str
    created: bool


@dataclass(frozen=True)
class DrawingFields:
    part_number: str = ""
    title: str = ""
    customer: str = ""
    material: str = ""
    thickness_mm: float | None = None
    tags: tuple[str, ...] = ()


def part_number_key(part_number: str) -> str:
    """What makes two part numbers one: width, case, dash style and spaces do not count
    (the same rule the similar search uses for the part number on a drawing)."""
    return normalise_code(part_number)[:120]


def search_text(d: Drawing) -> str:
    words = [d.part_number, d.title, d.material, d.customer, *(d.tags or [])]
    return normalise(" ".join(w for w in words if w))


# -- bytes --------------------------------------------------------------------------------
class _Prefixed:
    """The head already read for sniffing, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n < 0:
                out, self.head = self.head + self.rest.read(), b""
                return out
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.rest.read(n)


def store_blob(group_id: int, raw: IO[bytes], file_name: str, limit_bytes: int) -> Blob:
    """Stream `raw` into the store under its sha256; refuse unknown kinds before any byte
    is stored. Raises UnsupportedFile, TooLarge or ObjectStoreUnavailable."""
    head = raw.read(files.SNIFF_BYTES)
    sniffed = files.sniff(head, file_name)
    incoming = f"groups/{group_id}/incoming/{uuid.uuid4().hex}"
    try:
        reader = objectstore.put_stream(
            incoming, _Prefixed(head, raw), sniffed.content_type, limit_bytes=limit_bytes
        )
        sha = reader.sha256.hexdigest()
        key = files.object_key(group_id, sha)
        created = not objectstore.exists(key)
        if created:
            objectstore.copy(incoming, key)
    finally:
        try:
            objectstore.remove(incoming)
        except objectstore.ObjectStoreUnavailable:
            pass  # the sweep of incoming/ keys is the store's lifecycle rule's job
    return Blob(sha, reader.size, key, sniffed.kind, sniffed.content_type, created)


def _forget(blobs: list[Blob]) -> None:
    for blob in blobs:
        if blob.created and not Revision.objects.filter(object_key=blob.key).exists():
            try:
                objectstore.remove(blob.key)
            except objectstore.ObjectStoreUnavailable:
                pass


# -- uploads ------------------------------------------------------------------------------
def _require_uploader(acting: Actor) -> Organization:
    require(acting.membership, Capability.WRITE)
    assert acting.membership is not None
    return acting.membership.organization


def do_upload_drawings(
    uploads: list[tuple[Blob, str, DrawingFields]],
    *,
    acting: Actor,
    enqueue: Callable[[int], object] | None = None,
) -> list[Revision]:
    """Record stored files as drawings (or new revisions of them), all or none.

    A file whose part number the owner already has becomes that drawing's next revision;
    the older revisions stay. With no part number given, the file name stands in until the
    analysis reads one from the drawing's text.
    """
    owner = _require_uploader(acting)
    enqueue = enqueue or _enqueue_analysis
    try:
        with transaction.atomic():
            revisions = [
                _record_upload(owner, blob, file_name, fields, acting=acting)
                for blob, file_name, fields in uploads
            ]
            for rev in revisions:
                if rev.kind == FileKind.DXF:
                    transaction.on_commit(lambda rid=rev.pk: enqueue(rid))
    except BaseException:
        _forget([blob for blob, _name, _fields in uploads])
        raise
    return revisions


def _record_upload(
    owner: Organization, blob: Blob, file_name: str, fields: DrawingFields, *, acting: Actor
) -> Revision:
    given = fields.part_number.strip()
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    part_number = (given or stem or "drawing")[:120]
    key = part_number_key(part_number)
    if not key:
        raise ValidationError({"part_number": [_("A part number is needed.")]})
    drawing, made = Drawing.objects.select_for_update().get_or_create(
        owner=owner,
        part_number_key=key,
        defaults={"part_number": part_number, "created_by": acting.user},
    )
    for name in ("title", "customer", "material"):
        value = getattr(fields, name).strip()
        if value:
            setattr(drawing, name, value[:200])
    if fields.thickness_mm is not None:
        drawing.thickness_mm = fields.thickness_mm
    if fields.tags:
        drawing.tags = sorted(set(drawing.tags or []) | set(fields.tags))
    number = (drawing.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    rev = Revision.objects.create(
        drawing=drawing,
        number=number,
        file_name=file_name[:255],
        content_type=blob.content_type,
        size_bytes=blob.size_bytes,
        sha256=blob.sha256,
        object_key=blob.key,
        kind=blob.kind,
        status=RevisionStatus.QUEUED if blob.kind == FileKind.DXF else RevisionStatus.STORED,
        progress_pct=0 if blob.kind == FileKind.DXF else 100,
        part_number_source="form" if given else "file",
        uploaded_by=acting.user,
    )
    Part.objects.filter(drawing=drawing).update(is_current=False)
    PartVector.objects.filter(drawing=drawing).delete()  # search finds current parts only
    drawing.current_revision = rev
    drawing.search_text = search_text(drawing)
    drawing.save()
    audit.record(
        acting,
        "drawing.upload" if made else "drawing.revise",
        drawing,
        changes={"revision": number, "file": file_name[:255], "sha256": blob.sha256},
    )
    return rev


def _enqueue_analysis(revision_id: int) -> None:
    from .tasks import analyse_revision

    analyse_revision.delay(revision_id)


def do_update_drawing(drawing: Drawing, fields: DrawingFields, *, acting: Actor) -> Drawing:
    """Material, thickness and the rest, given by the person who knows them; quotes are
    made again with them."""
    require(acting.membership, Capability.WRITE)
    if acting.membership is None or acting.membership.organization_id != drawing.owner_id:
        raise PermissionDenied("only the owner edits a drawing")
    with transaction.atomic():
        drawing = Drawing.objects.select_for_update().get(pk=drawing.pk)
        before = {"material": drawing.material, "thickness_mm": drawing.thickness_mm}
        for name in ("title", "customer", "material"):
            setattr(drawing, name, getattr(fields, name).strip()[:200])
        drawing.thickness_mm = fields.thickness_mm
        drawing.tags = list(fields.tags)
        drawing.search_text = search_text(drawing)
        drawing.save()
        audit.record(
            acting,
            "drawing.update",
            drawing,
            changes={
                "before": before,
                "after": {"material": drawing.material, "thickness_mm": drawing.thickness_mm},
            },
        )
        refresh_quotes(drawing)
    return drawing


# -- analysis -----------------------------------------------------------------------------
# A run that has not said it is alive for this long has lost its worker; another may take
# the revision over (see tasks.sweep_analyses).
HEARTBEAT_STALE_S = 30
# Runs of one revision before it is failed for good (each lost its worker).
MAX_ATTEMPTS = 5


def holder_alive(rev: Revision) -> bool:
    """Whether the run holding the revision may still be working: always assumed for
    another machine (its heartbeat tells), checked by process id on this one."""
    if not rev.claim_pid or rev.claim_host != socket.gethostname()[:100]:
        return True
    try:
        os.kill(rev.claim_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_revision(revision_id: int) -> uuid.UUID | None:
    """Take the revision for one run, or None when it is finished or another live run
    holds it. Safe to call twice for the same message."""
    token = uuid.uuid4()
    now = timezone.now()
    stale = now - timedelta(seconds=HEARTBEAT_STALE_S)
    with transaction.atomic():
        rev = Revision.objects.select_for_update().filter(pk=revision_id).first()
        if rev is None or rev.is_finished:
            return None
        if (
            rev.status == RevisionStatus.ANALYSING
            and rev.heartbeat_at
            and rev.heartbeat_at > stale
            and holder_alive(rev)
        ):
            return None
        if rev.attempts >= MAX_ATTEMPTS:
            # Every run so far lost its worker on this file: stop trying, and say so.
            en, ja = sandbox.ERRORS["ANALYSIS_CRASHED"]
            rev.status, rev.error_code = RevisionStatus.FAILED, "ANALYSIS_CRASHED"
            rev.error_en, rev.error_ja, rev.progress_pct = en, ja, 100
            rev.save()
            transaction.on_commit(lambda: push(rev))
            return None
        rev.status = RevisionStatus.ANALYSING
        rev.claim = token
        rev.claim_host, rev.claim_pid = socket.gethostname()[:100], os.getpid()
        rev.heartbeat_at = now
        rev.attempts += 1
        rev.progress_pct = 10
        rev.analysis_started_at = now
        rev.save(
            update_fields=[
                "status",
                "claim",
                "claim_host",
                "claim_pid",
                "heartbeat_at",
                "attempts",
                "progress_pct",
                "analysis_started_at",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: push(rev))
    return token


def heartbeat(revision_id: int, token: uuid.UUID, progress_pct: int) -> bool:
    with transaction.atomic():
        rev = Revision.objects.select_for_update().filter(pk=revision_id, claim=token).first()
        if rev is None or rev.is_finished:
            return False
        rev.heartbeat_at = timezone.now()
        rev.progress_pct = max(rev.progress_pct, min(progress_pct, 95))
        rev.save(update_fields=["heartbeat_at", "progress_pct", "updated_at"])
        transaction.on_commit(lambda: push(rev))
    return True


def do_record_analysis(
    revision_id: int,
    token: uuid.UUID,
    result: Any,
    store_picture: Callable[[str, bytes, str], str],
) -> Revision | None:
    """Store what the sandbox found (or why it failed). Only the run holding the claim
    writes; parts of an earlier, interrupted run are replaced, never duplicated."""
    with transaction.atomic():
        rev = Revision.objects.select_for_update().filter(pk=revision_id, claim=token).first()
        if rev is None or rev.is_finished:
            return rev
        # The drawing locked too (after the revision, as an upload locks only the drawing):
        # a new revision uploaded meanwhile is either seen here as current, or waits, so
        # no part of an outdated revision is left current or in the search.
        drawing = (
            Drawing.objects.select_for_update(of=("self",))
            .select_related("owner")
            .get(pk=rev.drawing_id)
        )
        rev.drawing = drawing
        old_parts = {p.index: p for p in rev.parts.all()}
        PartVector.objects.filter(part__revision=rev).delete()
        if not result.ok:
            _drop_parts(old_parts.values())
            rev.status = RevisionStatus.FAILED
            rev.error_code = result.error_code
            rev.error_en = result.error_en[:500]
            rev.error_ja = result.error_ja[:500]
            rev.progress_pct = 100
        else:
            group_id = drawing.owner.group_id
            rev.svg_key = store_picture(
                files.derived_key(group_id, rev.sha256, "view.svg"),
                result.svg.encode(),
                "image/svg+xml",
            )
            rev.thumbnail_key = store_picture(
                files.derived_key(group_id, rev.sha256, "thumb.png"), result.png, "image/png"
            )
            rev.analysis = result.analysis
            rev.status = RevisionStatus.ANALYSED
            rev.progress_pct = 100
            current = drawing.current_revision_id == rev.pk
            parts = _write_parts(rev, drawing, result.parts, old_parts, current)
            if current:
                PartVector.objects.bulk_create(PartVector.of(p, drawing) for p in parts)
            _fill_from_drawing_text(drawing, rev)
        rev.analysed_at = timezone.now()
        rev.claim = None
        rev.save()
        audit.record(
            SYSTEM,
            "revision.analysed" if result.ok else "revision.failed",
            rev,
            organization=drawing.owner,
            changes={"code": rev.error_code} if not result.ok else {"parts": len(result.parts)},
        )
        if result.ok:
            refresh_quotes(drawing)
        transaction.on_commit(lambda: push(rev))
    return rev


def _fill_from_drawing_text(drawing: Drawing, rev: Revision) -> None:
    """What the form left empty, the drawing's own text may say (part number, title,
    material, thickness)."""
    text = rev.analysis.get("text", {})
    changed = False
    if not drawing.material and text.get("material"):
        drawing.material, changed = str(text["material"])[:20], True
    if drawing.thickness_mm is None and text.get("thickness_mm"):
        drawing.thickness_mm, changed = float(text["thickness_mm"]), True
    if not drawing.title and text.get("title"):
        drawing.title, changed = str(text["title"])[:200], True
    number = text.get("part_number")
    if rev.part_number_source == "file" and number and drawing.revisions.count() == 1:
        key = part_number_key(number)
        taken = Drawing.objects.filter(owner=drawing.owner, part_number_key=key).exists()
        if key and not taken:
            drawing.part_number, drawing.part_number_key = str(number)[:120], key
            rev.part_number_source = "drawing"
            changed = True
    if changed:
        drawing.search_text = search_text(drawing)
        drawing.save()


def _write_parts(
    rev: Revision,
    drawing: Drawing,
    found: Any,
    old: dict[int, Part],
    current: bool,
) -> list[Part]:
    """The analysis's parts, written over the revision's earlier ones index by index: a
    re-analysis (an interrupted run, or a re-index after the analysis changed) keeps each
    part's row, so order lines that fixed a part keep pointing at it."""
    from cad.similar.shape import SHAPE_VERSION

    out = []
    for p in found:
        row = old.pop(p.index, None) or Part(drawing=drawing, revision=rev, index=p.index)
        row.is_current = current
        row.summary = p.summary
        row.features = p.features
        row.width_mm, row.height_mm = p.summary["size_mm"][0], p.summary["size_mm"][1]
        row.net_area_mm2 = p.summary["net_area_mm2"]
        row.descriptor_version = SHAPE_VERSION
        row.shape_vec, row.size_vec, row.text_vec = p.shape_vec, p.size_vec, p.text_vec
        row.geometry_hash = p.geometry_hash
        row.shape_data = p.shape_data
        row.save()
        out.append(row)
    _drop_parts(old.values())
    return out


def _drop_parts(parts: Any) -> None:
    """Parts the new analysis no longer finds: deleted, unless an order line fixed one
    (then it stays, no longer current, so the order keeps what was ordered)."""
    from django.db.models import ProtectedError

    for part in parts:
        try:
            with transaction.atomic():
                part.delete()
        except ProtectedError:
            Part.objects.filter(pk=part.pk).update(is_current=False)


def stale_revisions() -> Any:
    """Analysed DXF revisions whose parts were stored by an older analysis or shape
    version (cad/model.py ANALYSIS_VERSION, cad/similar/shape.py SHAPE_VERSION)."""
    from django.db.models import Q

    from cad.model import ANALYSIS_VERSION
    from cad.similar.shape import SHAPE_VERSION

    older_parts = Part.objects.filter(descriptor_version__lt=SHAPE_VERSION).values("revision_id")
    return Revision.objects.filter(kind=FileKind.DXF, status=RevisionStatus.ANALYSED).filter(
        Q(pk__in=older_parts)
        | ~Q(analysis__has_key="analysis_version")
        | Q(analysis__analysis_version__lt=ANALYSIS_VERSION)
    )


def do_reanalyse(revision_id: int, *, enqueue: Callable[[int], object] | None = None) -> bool:
    """Queue an analysed revision to be analysed again (the re-index). Its parts stay
    searchable until the new analysis replaces them, row by row."""
    enqueue = enqueue or _enqueue_analysis
    with transaction.atomic():
        rev = Revision.objects.select_for_update().filter(pk=revision_id).first()
        if rev is None or rev.status != RevisionStatus.ANALYSED:
            return False
        rev.status = RevisionStatus.QUEUED
        rev.progress_pct = 0
        rev.attempts = 0
        rev.claim = None
        rev.save()
        audit.record(SYSTEM, "revision.reanalyse", rev, organization=rev.drawing.owner)
        transaction.on_commit(lambda: enqueue(revision_id))
    return True


def refresh_quotes(drawing: Drawing) -> None:
    """Quote every current part with every shop's current profile, when the drawing says
    its material and thickness. Called inside the caller's transaction."""
    from quoting.group import group_quote
    from quoting.model import QuoteRequest
    from shops.selectors import profiles_for_quotes

    from .quotes import DEFAULT_QUANTITIES, features_from_json

    PartQuote.objects.filter(drawing=drawing).delete()
    if not drawing.material or not drawing.thickness_mm:
        return
    profiles = profiles_for_quotes(drawing.owner.group)
    if not profiles:
        return
    request = QuoteRequest(
        material=drawing.material,
        thickness_mm=drawing.thickness_mm,
        quantities=DEFAULT_QUANTITIES,
    )
    by_name = {row.shop.name: row for row, _profile in profiles}
    rows = []
    for part in Part.objects.filter(drawing=drawing, is_current=True):
        features = features_from_json(part.features)
        offers = group_quote(features, request, {row.shop.name: p for row, p in profiles})
        for offer in offers:
            row = by_name[offer.shop]
            rows.append(
                PartQuote(
                    part=part,
                    drawing=drawing,
                    owner=drawing.owner,
                    shop=row.shop,
                    profile=row,
                    material=drawing.material,
                    thickness_mm=drawing.thickness_mm,
                    quantities=list(DEFAULT_QUANTITIES),
                    document=offer.quote.as_dict()
                    if offer.quote is not None
                    else {"refused": offer.refused},
                )
            )
    PartQuote.objects.bulk_create(rows)


def push(rev: Revision) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(
            channel_group(rev.drawing_id), {"type": "revision.update", "revision": rev.as_event()}
        )


def channel_group(drawing_id: object) -> str:
    return f"drawing.{drawing_id}"


# -- grants -------------------------------------------------------------------------------
def do_grant(
    drawing: Drawing,
    shop: Organization,
    *,
    expires_at: datetime | None,
    reason: str = "",
    acting: Actor,
) -> Grant:
    """Until the job flow grants on offer, the coordinator grants by hand."""
    m = acting.membership
    if m is None or m.organization.kind != OrgKind.COORDINATOR:
        raise PermissionDenied("only the coordinator grants access to drawings")
    require(m, Capability.WRITE)
    if shop.group_id != drawing.owner.group_id or shop.kind != OrgKind.MEMBER_SHOP:
        raise ValidationError({"shop": [_("Choose a member shop of this group.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    with transaction.atomic():
        grant = Grant.objects.create(
            drawing=drawing,
            shop=shop,
            owner=drawing.owner,
            granted_by=acting.user,
            reason=reason[:200],
            expires_at=expires_at,
        )
        audit.record(
            acting,
            "drawing.grant",
            drawing,
            organization=drawing.owner,
            changes={
                "shop": shop.name,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return grant


def do_revoke_grant(grant: Grant, *, acting: Actor) -> Grant:
    m = acting.membership
    if m is None or m.organization.kind != OrgKind.COORDINATOR:
        raise PermissionDenied("only the coordinator revokes access to drawings")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().select_related("drawing").get(pk=grant.pk)
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            audit.record(
                acting,
                "drawing.revoke",
                grant.drawing,
                organization=grant.owner,
                changes={"shop_id": grant.shop_id},
            )
    return grant


def grant_for_job(drawing: Drawing, shop: Organization, *, reason: str) -> Grant | None:
    """The job flow's grant: a member shop offered work on the drawing sees it until the
    offer is declined or the job closes (end_grant). The coordinator sees every drawing
    of its group already, so it gets none. Called inside the caller's transaction."""
    if shop.kind != OrgKind.MEMBER_SHOP or shop.group_id != drawing.owner.group_id:
        return None
    grant = Grant.objects.create(
        drawing=drawing, shop=shop, owner=drawing.owner, reason=reason[:200]
    )
    audit.record(
        JOB_FLOW,
        "drawing.grant",
        drawing,
        organization=drawing.owner,
        changes={"shop_id": shop.pk, "reason": reason[:200]},
    )
    return grant


def end_grant(grant: Grant, *, reason: str) -> None:
    """Ends a job flow's grant (declined, expired, closed). Called inside a transaction."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit.record(
            JOB_FLOW,
            "drawing.revoke",
            grant.drawing,
            organization=grant.owner,
            changes={"shop_id": grant.shop_id, "reason": reason[:200]},
        )


def record_view(drawing: Drawing, what: str, *, acting: Actor) -> None:
    """Every view and download is in the owner's audit log: the owner sees who saw it."""
    with transaction.atomic():
        audit.record(acting, f"drawing.{what}", drawing, organization=drawing.owner)


# -- whole uploads (bytes, then rows) -----------------------------------------------------
def _limit_bytes() -> int:
    from django.conf import settings

    return int(settings.MAX_UPLOAD_BYTES)


def upload_files(
    items: list[tuple[IO[bytes], str, DrawingFields]], *, acting: Actor
) -> list[Revision]:
    """Store each file's bytes, then record them all in one transaction. Raises
    UnsupportedFile / TooLarge / ObjectStoreUnavailable with nothing recorded."""
    owner = _require_uploader(acting)
    stored: list[tuple[Blob, str, DrawingFields]] = []
    try:
        for raw, name, fields in items:
            stored.append((store_blob(owner.group_id, raw, name, _limit_bytes()), name, fields))
    except BaseException:
        _forget([b for b, _n, _f in stored])
        raise
    return do_upload_drawings(stored, acting=acting)


def upload_zip(
    raw: IO[bytes], *, acting: Actor, fields: DrawingFields | None = None
) -> tuple[list[Revision], list[dict[str, str]]]:
    """A zip of drawings: checked whole first (zipcheck), then each entry streamed into
    the store; files of a kind the library does not keep are skipped with the reason."""
    from .zipcheck import Bounded, ZipRefused, check

    owner = _require_uploader(acting)
    zf, entries, skipped = check(raw)
    shared = fields or DrawingFields()
    stored: list[tuple[Blob, str, DrawingFields]] = []
    try:
        for entry in entries:
            base = entry.name.replace("\\", "/").rsplit("/", 1)[-1]
            try:
                with zf.open(entry.info) as f:
                    blob = store_blob(
                        owner.group_id,
                        Bounded(f, entry.info.file_size),  # type: ignore[arg-type]
                        base,
                        _limit_bytes(),
                    )
            except files.UnsupportedFile as exc:
                skipped.append({"name": entry.name, "reason": exc.message})
                continue
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise ZipRefused(
                    "ZIP_DAMAGED",
                    _("%(name)s is damaged inside the zip (%(why)s).")
                    % {"name": entry.name, "why": exc},
                ) from exc
            stored.append((blob, base, DrawingFields(**{**shared.__dict__, "part_number": ""})))
    except BaseException:
        _forget([b for b, _n, _f in stored])
        raise
    if not stored:
        return [], skipped
    return do_upload_drawings(stored, acting=acting), skipped
