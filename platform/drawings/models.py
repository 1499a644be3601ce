"""The drawing library: drawings, their revisions (one file each), the parts a DXF
revision holds, grants that let a member shop see a drawing, and past jobs with prices.

Scoping (tenancy/scoping.py): a drawing is seen by its owner organisation, the group's
coordinator and a shop holding a live grant; revisions and parts follow their drawing;
a past job is seen by the coordinator and the organisations that recorded, made or
bought it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from pgvector.django import VectorField

from cad.similar.descriptor import SHAPE_DIM, SIZE_DIM, TEXT_DIM
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class FileKind(models.TextChoices):
    DXF = "dxf", "DXF"
    PDF = "pdf", "PDF"
    IMAGE = "image", _("Image")
    STEP = "step", "STEP"


class RevisionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    ANALYSING = "analysing", _("Analysing")
    ANALYSED = "analysed", _("Analysed")
    STORED = "stored", _("Stored, not analysed")
    FAILED = "failed", _("Failed")


class Drawing(models.Model):
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="drawings")
    part_number = models.CharField(max_length=120)
    # Normalised (NFKC, case, spaces, dashes): what makes two part numbers the same one.
    part_number_key = models.CharField(max_length=120)
    title = models.CharField(max_length=200, blank=True)
    customer = models.CharField(max_length=200, blank=True)
    tags = models.JSONField(default=list, blank=True)
    material = models.CharField(max_length=20, blank=True)
    thickness_mm = models.FloatField(null=True, blank=True)
    current_revision = models.ForeignKey(
        "Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Normalised text of part number, title, material, customer and tags, searched by
    # trigram similarity (pg_trgm), which also works for Japanese without a tokenizer.
    search_text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TENANT_ORG_FIELD = "owner"
    TENANT_VISIBILITY = "grant"
    TENANT_GRANTS = "grants"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "part_number_key"], name="part_number_unique_in_owner"
            )
        ]
        indexes = [
            GinIndex(fields=["search_text"], name="drawing_search_trgm", opclasses=["gin_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.part_number


class Revision(models.Model):
    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    object_key = models.CharField(max_length=200)  # content-addressed, under the group
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    status = models.CharField(
        max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.QUEUED
    )
    progress_pct = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error_en = models.CharField(max_length=500, blank=True)
    error_ja = models.CharField(max_length=500, blank=True)
    analysis = models.JSONField(default=dict, blank=True)  # kumiai.cad.analysis/1 document
    svg_key = models.CharField(max_length=200, blank=True)
    thumbnail_key = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The run that holds the analysis, and when it last said it is alive: a second run
    # (a redelivered message, the sweeper) takes over only from a silent one.
    claim = models.UUIDField(null=True, blank=True)
    # Where that run lives: a run on this machine whose process is gone is taken over at
    # once, without waiting for its heartbeat to go stale.
    claim_host = models.CharField(max_length=100, blank=True)
    claim_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    part_number_source = models.CharField(max_length=12, blank=True)  # form | file | drawing
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "drawing"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["drawing_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["drawing", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.drawing} rev {self.number}"

    @property
    def is_finished(self) -> bool:
        return self.status in {
            RevisionStatus.ANALYSED,
            RevisionStatus.STORED,
            RevisionStatus.FAILED,
        }

    def as_event(self) -> dict[str, object]:
        return {
            "revision": self.pk,
            "drawing": self.drawing_id,
            "file_name": self.file_name,
            "status": self.status,
            "progress_pct": self.progress_pct,
            "error_en": self.error_en,
            "error_ja": self.error_ja,
        }


class Part(models.Model):
    """One part of a DXF revision: what quoting and search need, without the file."""

    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="parts")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    # True for the parts of the drawing's current revision: what search and quotes use.
    is_current = models.BooleanField(default=False)
    summary = models.JSONField()  # cad Part.as_dict()
    features = models.JSONField()  # quoting.PartFeatures, as plain data
    width_mm = models.FloatField()
    height_mm = models.FloatField()
    net_area_mm2 = models.FloatField()
    descriptor_version = models.PositiveSmallIntegerField(default=1)
    shape_vec = VectorField(dimensions=SHAPE_DIM)
    size_vec = VectorField(dimensions=SIZE_DIM)
    text_vec = VectorField(dimensions=TEXT_DIM)
    geometry_hash = models.CharField(max_length=64, db_index=True)
    # cad.similar Shape (drawings.shape_codec): the re-rank compares parts without the
    # object store.
    shape_data = models.BinaryField()

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "drawing"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["revision_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "index"], name="part_index_unique")
        ]
        indexes = [models.Index(fields=["is_current", "drawing"], name="part_current")]

    def __str__(self) -> str:
        return f"{self.revision} part {self.index}"


class PartVector(models.Model):
    """The similar-part search's first stage: one narrow row per current part.

    The first stage is an exact scan (no approximate index may drop an in-scope part), so
    its cost is the rows it reads. A part row also carries its analysis summary, features
    and stored shape; this table holds only the descriptors and what the scope needs, the
    group and owner copied in so that the coordinator's scope is one column and a shop's
    is two small index lookups (its own drawings, its live grants). Written and removed by
    the actions that make a revision current (drawings/actions.py); a drawing's owner,
    and an organisation's group, never change.
    """

    part = models.OneToOneField(Part, on_delete=models.CASCADE, primary_key=True, related_name="+")
    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("tenancy.SupplierGroup", on_delete=models.CASCADE, related_name="+")
    shape_vec = VectorField(dimensions=SHAPE_DIM)
    size_vec = VectorField(dimensions=SIZE_DIM)
    text_vec = VectorField(dimensions=TEXT_DIM)

    # Seen exactly as its drawing: the owner, the coordinator, a shop with a live grant.
    TENANT_ORG_FIELD = "owner"
    TENANT_GROUP_FIELD = "group"
    TENANT_VISIBILITY = "grant"
    TENANT_GRANTS_OF = "drawing"
    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"vectors of part {self.part_id}"

    @classmethod
    def of(cls, part: Part, drawing: Drawing) -> PartVector:
        return cls(
            part=part,
            drawing=drawing,
            owner_id=drawing.owner_id,
            group_id=drawing.owner.group_id,
            shape_vec=part.shape_vec,
            size_vec=part.size_vec,
            text_vec=part.text_vec,
        )


class Grant(models.Model):
    """A member shop may see a drawing until the grant expires or is revoked."""

    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="grants")
    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop", "owner")
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["shop", "drawing"], name="grant_shop_drawing")]

    def __str__(self) -> str:
        return f"{self.drawing} → {self.shop}"


class PastJobImport(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.file_name


class PastJob(models.Model):
    """A job done before (imported history, later closed jobs) with its real price."""

    recorded_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    maker = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    buyer = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drawing = models.ForeignKey(
        Drawing, on_delete=models.SET_NULL, null=True, blank=True, related_name="past_jobs"
    )
    batch = models.ForeignKey(
        PastJobImport, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    part_number = models.CharField(max_length=120)
    part_number_key = models.CharField(max_length=120, db_index=True)
    drawing_ref = models.CharField(max_length=200, blank=True)
    order_date = models.DateField()
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="JPY")
    shop_name = models.CharField(max_length=200, blank=True)  # as written in the history
    lead_time_days = models.PositiveIntegerField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "recorded_by"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("recorded_by", "maker", "buyer")
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date", "-id"]

    def __str__(self) -> str:
        return f"{self.part_number} × {self.quantity} @ {self.unit_price} {self.currency}"


class PartQuote(models.Model):
    """An instant quote of a part by one shop's profile version, as computed then."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="quotes")
    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(
        "shops.CostProfileVersion", on_delete=models.PROTECT, related_name="+"
    )
    material = models.CharField(max_length=20)
    thickness_mm = models.FloatField()
    quantities = models.JSONField()
    processes = models.JSONField(default=list)
    document = models.JSONField()  # quoting Quote.as_dict(), or {"refused": …}
    created_at = models.DateTimeField(auto_now_add=True)

    # The drawing's owner (the buyer) and the coordinator see every shop's price; a shop
    # sees its own price only, never another shop's.
    TENANT_ORG_FIELD = "owner"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("owner", "shop")
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["part_id", "shop_id"]

    def __str__(self) -> str:
        return f"{self.part} by {self.shop}"
