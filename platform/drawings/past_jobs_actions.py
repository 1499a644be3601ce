"""Importing an order history as past jobs: all rows or none, in one transaction with one
audit row. The preview runs the very same pass without writing, so what it shows is what
the import does.

Who is who: a lead firm importing its order history is the buyer, and the maker is the
group's shop its "shop" column names (else only the name is kept); a member shop importing
its own job history is the maker. The coordinator makes parts too but also keeps the
group's allocation history: the shop its row names is the maker, itself when none is
named. The importing organisation is `recorded_by`. Past jobs link
to a drawing the importing member may see, by part number, else by drawing reference
(a part number or a revision's file name); the importer's own drawing wins, and a number
that several other owners' drawings share stays unlinked rather than guessed.

A file on its way from the preview to the confirmation waits in the object store under
the group's prefix, named by a signed token that only its uploader can redeem.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.core import signing
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from minio.error import S3Error

from kumiai import objectstore
from tenancy import audit
from tenancy import selectors as tenancy_selectors
from tenancy.context import Actor
from tenancy.models import AuditLog, Membership, Organization, OrgKind
from tenancy.permissions import Capability, require

from . import past_jobs, selectors
from .actions import part_number_key
from .models import PastJob, PastJobImport
from .past_jobs import (
    MAX_LISTED_ERRORS,
    Cells,
    FileRefused,
    Mapping,
    PastJobRow,
    RowError,
    Table,
    guess_mapping,
    mapping_from_spec,
    open_table,
    read_rows,
    shop_key,
)

# Rows per INSERT and per drawing look-up: a few queries per thousand rows.
BATCH_ROWS = 1000
SAMPLE_ROWS = 20
AUDIT_ACTION = "past_jobs.import"
STAGED_PREFIX = "past-job-imports"
STAGED_MAX_AGE_S = 3600
_SIGNING_SALT = "drawings.past_jobs.staged"


@dataclass(frozen=True)
class Linked:
    """A checked row and what it links to."""

    row: PastJobRow
    drawing_id: int | None
    drawing_part_number: str
    maker_id: int | None
    maker_name: str
    buyer_id: int | None


@dataclass(frozen=True)
class Scan:
    """What one pass over a file found."""

    kind: str
    encoding: str
    sheet: str
    header_row: int
    headers: tuple[str, ...]
    mapping: Mapping
    rows: int  # non-empty data rows, good and bad
    errors: tuple[RowError, ...]  # the first MAX_LISTED_ERRORS
    error_count: int
    linked_drawings: int
    linked_makers: int
    sample: tuple[Linked, ...]
    raw_sample: tuple[tuple[int, tuple[str, ...]], ...]  # for choosing columns

    @property
    def ok(self) -> bool:
        return not self.mapping.missing() and self.error_count == 0 and self.rows > 0


@dataclass(frozen=True)
class Preview:
    file_name: str
    sha256: str
    scan: Scan
    imported_before: tuple[AuditLog, ...]  # the same bytes, imported earlier


@dataclass(frozen=True)
class ImportResult:
    batch: PastJobImport
    scan: Scan


class RowsRejected(ValueError):
    """Some rows are bad: nothing was imported. `scan` names every bad row."""

    def __init__(self, scan: Scan) -> None:
        super().__init__(f"{scan.error_count} rows have errors; nothing was imported")
        self.scan = scan


# -- linking --------------------------------------------------------------------------------
class _Linker:
    """Drawings and makers for a batch of rows, inside what the importing member may see."""

    def __init__(self, membership: Membership) -> None:
        self.membership = membership
        self.org: Organization = membership.organization
        shops = tenancy_selectors.organizations(membership).filter(
            kind__in=[OrgKind.MEMBER_SHOP, OrgKind.COORDINATOR]
        )
        self.shops = {shop_key(o.name): o for o in shops}

    def parties(self, row: PastJobRow) -> tuple[int | None, str, int | None]:
        """(maker id, maker name, buyer id) for a row."""
        if self.org.kind == OrgKind.LEAD_FIRM:
            shop = self.shops.get(shop_key(row.shop_name)) if row.shop_name else None
            return (shop.pk, shop.name, self.org.pk) if shop else (None, "", self.org.pk)
        if self.org.kind == OrgKind.COORDINATOR and row.shop_name:
            # The coordinator makes parts too, and keeps the group's allocation history.
            shop = self.shops.get(shop_key(row.shop_name))
            return (shop.pk, shop.name, None) if shop else (None, "", None)
        return self.org.pk, self.org.name, None

    def drawings(self, rows: list[PastJobRow]) -> dict[int, tuple[int, str]]:
        """Row number → (drawing id, its part number) for the rows that link."""
        keys = {r.part_number_key for r in rows}
        ref_keys = {part_number_key(r.drawing_ref) for r in rows if r.drawing_ref}
        refs = {r.drawing_ref for r in rows if r.drawing_ref}
        visible = selectors.drawings(self.membership)
        by_key: dict[str, list[tuple[int, int, str]]] = {}
        for pk, owner_id, key, pn in visible.filter(
            part_number_key__in=keys | ref_keys
        ).values_list("id", "owner_id", "part_number_key", "part_number"):
            by_key.setdefault(key, []).append((pk, owner_id, pn))
        by_file: dict[str, list[tuple[int, int, str]]] = {}
        if refs:
            for pk, owner_id, name, pn in (
                visible.filter(revisions__file_name__in=refs)
                .values_list("id", "owner_id", "revisions__file_name", "part_number")
                .distinct()
            ):
                by_file.setdefault(name, []).append((pk, owner_id, pn))
        out: dict[int, tuple[int, str]] = {}
        for r in rows:
            for found in (
                by_key.get(r.part_number_key),
                by_key.get(part_number_key(r.drawing_ref)) if r.drawing_ref else None,
                by_file.get(r.drawing_ref) if r.drawing_ref else None,
            ):
                pick = self._pick(found or [])
                if pick:
                    out[r.row] = pick
                    break
        return out

    def _pick(self, found: list[tuple[int, int, str]]) -> tuple[int, str] | None:
        """The importer's own drawing first, else the only one it may see; two that fit
        equally well are a guess, and a wrong link is worse than none."""
        mine = {(pk, pn) for pk, owner_id, pn in found if owner_id == self.org.pk}
        candidates = mine or {(pk, pn) for pk, _owner, pn in found}
        return candidates.pop() if len(candidates) == 1 else None


# -- the pass -------------------------------------------------------------------------------
def _batched(items: Iterator[Any], n: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, n)):
        yield chunk


def _scan(
    table: Table,
    mapping: Mapping,
    membership: Membership,
    *,
    today: date,
    write: Callable[[list[Linked]], None] | None,
    max_rows: int | None,
) -> Scan:
    """One pass: check every row, link good ones, hand them to `write` in batches until
    the first bad row (after which nothing more is written: the caller rolls back)."""
    raw: list[tuple[int, tuple[str, ...]]] = []
    width = len(table.headers)

    def keep_raw(rows: Iterator[tuple[int, Cells]]) -> Iterator[tuple[int, Cells]]:
        for n, cells in rows:
            if len(raw) < SAMPLE_ROWS and any(c not in (None, "") for c in cells):
                texts = tuple("" if c is None else str(c) for c in cells[:width])
                raw.append((n, texts + ("",) * (width - len(texts))))
            yield n, cells

    table = replace(table, rows=keep_raw(table.rows))
    errors: list[RowError] = []
    error_count = rows = linked_drawings = linked_makers = 0
    sample: list[Linked] = []
    if not mapping.missing():
        linker = _Linker(membership)
        for batch in _batched(
            read_rows(table, mapping, today=today, max_rows=max_rows), BATCH_ROWS
        ):
            rows += len(batch)
            good = [r for r in batch if isinstance(r, PastJobRow)]
            for bad in batch:
                if isinstance(bad, RowError):
                    error_count += 1
                    if len(errors) < MAX_LISTED_ERRORS:
                        errors.append(bad)
            if error_count and write is not None:
                continue  # the import is lost already; only name the remaining bad rows
            found = linker.drawings(good)
            linked = []
            for r in good:
                maker_id, maker_name, buyer_id = linker.parties(r)
                drawing_id, drawing_pn = found.get(r.row, (None, ""))
                linked.append(Linked(r, drawing_id, drawing_pn, maker_id, maker_name, buyer_id))
            linked_drawings += sum(1 for x in linked if x.drawing_id)
            linked_makers += sum(1 for x in linked if x.maker_id)
            sample.extend(linked[: SAMPLE_ROWS - len(sample)])
            if write is not None:
                write(linked)
    else:
        for _row in islice(table.rows, SAMPLE_ROWS):
            pass  # fills the raw sample, so columns can be chosen
    return Scan(
        kind=table.kind,
        encoding=table.encoding,
        sheet=table.sheet,
        header_row=table.header_row,
        headers=table.headers,
        mapping=mapping,
        rows=rows,
        errors=tuple(errors),
        error_count=error_count,
        linked_drawings=linked_drawings,
        linked_makers=linked_makers,
        sample=tuple(sample),
        raw_sample=tuple(raw),
    )


def _mapping(table: Table, spec: Mapping | dict[str, object] | None) -> Mapping:
    if isinstance(spec, Mapping):
        return spec
    return mapping_from_spec(spec, table.headers) if spec else guess_mapping(table.headers)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _importer(acting: Actor) -> Membership:
    require(acting.membership, Capability.WRITE)
    assert acting.membership is not None
    return acting.membership


# -- preview and import ---------------------------------------------------------------------
def preview_past_jobs(
    path: Path,
    file_name: str,
    mapping: Mapping | dict[str, object] | None = None,
    *,
    acting: Actor,
    max_rows: int | None = None,
) -> Preview:
    """What importing the file would do, writing nothing. Raises FileRefused."""
    membership = _importer(acting)
    sha = _sha256(path)
    with open_table(path, file_name) as table:
        scan = _scan(
            table,
            _mapping(table, mapping),
            membership,
            today=timezone.localdate(),
            write=None,
            max_rows=max_rows,
        )
    before = AuditLog.objects.visible_to(membership).filter(  # type: ignore[attr-defined]
        action=AUDIT_ACTION, changes__sha256=sha
    )
    return Preview(file_name, sha, scan, tuple(before[:3]))


def do_import_past_jobs(
    path: Path,
    file_name: str,
    mapping: Mapping | dict[str, object] | None = None,
    *,
    acting: Actor,
    max_rows: int | None = None,
) -> ImportResult:
    """Import every row of the file as a past job of the acting organisation, or none.

    Raises FileRefused (the file as a whole), RowsRejected (naming every bad row) or
    PermissionDenied (a role that may not write); in each case nothing is stored.
    """
    membership = _importer(acting)
    org = membership.organization
    sha = _sha256(path)
    with open_table(path, file_name) as table:
        mapping = _mapping(table, mapping)
        mapping.require_complete()
        with transaction.atomic():
            batch = PastJobImport.objects.create(
                organization=org, file_name=file_name[:255], rows=0, created_by=acting.user
            )

            def write(linked: list[Linked]) -> None:
                PastJob.objects.bulk_create(
                    [
                        PastJob(
                            recorded_by=org,
                            maker_id=x.maker_id,
                            buyer_id=x.buyer_id,
                            drawing_id=x.drawing_id,
                            batch=batch,
                            part_number=x.row.part_number,
                            part_number_key=x.row.part_number_key,
                            drawing_ref=x.row.drawing_ref,
                            order_date=x.row.order_date,
                            quantity=x.row.quantity,
                            unit_price=x.row.unit_price,
                            currency=x.row.currency,
                            shop_name=x.row.shop_name,
                            lead_time_days=x.row.lead_time_days,
                            notes=x.row.notes,
                        )
                        for x in linked
                    ],
                    batch_size=BATCH_ROWS,
                )

            scan = _scan(
                table,
                mapping,
                membership,
                today=timezone.localdate(),
                write=write,
                max_rows=max_rows,
            )
            if scan.error_count:
                raise RowsRejected(scan)
            if scan.rows == 0:
                raise FileRefused("EMPTY")
            batch.rows = scan.rows
            batch.save(update_fields=["rows"])
            audit.record(
                acting,
                AUDIT_ACTION,
                batch,
                changes={
                    "file": file_name[:255],
                    "sha256": sha,
                    "kind": scan.kind,
                    "encoding": scan.encoding,
                    "rows": scan.rows,
                    "linked_drawings": scan.linked_drawings,
                    "linked_makers": scan.linked_makers,
                    "mapping": {k: v for k, v in scan.mapping.as_dict().items() if v is not None},
                    "default_currency": scan.mapping.default_currency,
                },
            )
    return ImportResult(batch, scan)


# -- files --------------------------------------------------------------------------------
@contextmanager
def local_file(upload: UploadedFile) -> Iterator[Path]:
    """An uploaded history as a file on disk (Django spooled a large one there already).
    Raises FileRefused past the size limit before a byte is copied."""
    if upload.size is not None and upload.size > past_jobs.MAX_FILE_BYTES:
        raise FileRefused("FILE_TOO_LARGE", limit_mb=past_jobs.MAX_FILE_BYTES // (1024 * 1024))
    if isinstance(upload, TemporaryUploadedFile):
        yield Path(upload.temporary_file_path())
        return
    suffix = Path(upload.name or "").suffix.lower()[:8]
    with tempfile.NamedTemporaryFile(prefix="kumiai-history-", suffix=suffix) as f:
        for chunk in upload.chunks():
            f.write(chunk)
        f.flush()
        yield Path(f.name)


# -- a file between preview and confirmation --------------------------------------------------
@dataclass(frozen=True)
class Staged:
    token: str
    file_name: str
    size_bytes: int


def stage_file(raw: IO[bytes], file_name: str, *, acting: Actor) -> Staged:
    """Keep an uploaded history in the object store until it is confirmed. Raises
    FileRefused past the size limit, ObjectStoreUnavailable."""
    membership = _importer(acting)
    key = f"groups/{membership.organization.group_id}/{STAGED_PREFIX}/{uuid.uuid4().hex}"
    limit = past_jobs.MAX_FILE_BYTES
    try:
        reader = objectstore.put_stream(key, raw, limit_bytes=limit)  # type: ignore[arg-type]
    except objectstore.TooLarge as exc:
        raise FileRefused("FILE_TOO_LARGE", limit_mb=limit // (1024 * 1024)) from exc
    token = signing.dumps(
        {"k": key, "n": file_name[:255], "o": membership.organization_id, "u": membership.user_id},
        salt=_SIGNING_SALT,
    )
    return Staged(token, file_name[:255], reader.size)


def _staged_key(token: str, membership: Membership | None) -> tuple[str, str]:
    try:
        data = signing.loads(token, salt=_SIGNING_SALT, max_age=STAGED_MAX_AGE_S)
    except signing.BadSignature as exc:  # an expired token is a BadSignature too
        raise FileRefused("STAGED_GONE") from exc
    if (
        membership is None
        or data.get("o") != membership.organization_id
        or data.get("u") != membership.user_id
    ):
        raise Http404  # another person's upload is not there, as far as this one knows
    return data["k"], data["n"]


@contextmanager
def staged_file(token: str, *, acting: Actor) -> Iterator[tuple[Path, str]]:
    """The staged file on local disk, as (path, original file name), for one pass."""
    key, file_name = _staged_key(token, acting.membership)
    suffix = Path(file_name).suffix.lower()[:8]
    with tempfile.NamedTemporaryFile(prefix="kumiai-history-", suffix=suffix) as f:
        try:
            for chunk in objectstore.iter_object(key):
                f.write(chunk)
        except S3Error as exc:  # removed after its import, or by the store's lifecycle rule
            raise FileRefused("STAGED_GONE") from exc
        f.flush()
        yield Path(f.name), file_name


def discard_staged(token: str, *, acting: Actor) -> None:
    key, _name = _staged_key(token, acting.membership)
    try:
        objectstore.remove(key)
    except objectstore.ObjectStoreUnavailable:
        pass  # an abandoned staged file is the store's lifecycle rule's to remove
