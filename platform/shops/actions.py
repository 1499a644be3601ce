"""Writes on shop profiles: atomic, audited, versioned (a version is never changed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from quoting.profile import CostProfile, ProfileError
from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Organization
from tenancy.permissions import Capability, require

from .models import CostProfileVersion, ProfileSource
from .selectors import SHOP_KINDS


def default_document() -> dict[str, Any]:
    return CostProfile.default().model_dump(mode="json")


def ensure_profile(shop: Organization, *, acting: Actor) -> CostProfileVersion:
    """A shop without a profile starts from the default one (version 1)."""
    if shop.kind not in SHOP_KINDS:
        raise ValidationError("only a shop has a cost profile")
    with transaction.atomic():
        current = CostProfileVersion.objects.filter(shop=shop, is_current=True).first()
        if current is not None:
            return current
        return _new_version(shop, default_document(), ProfileSource.DEFAULT, "", {}, acting=acting)


def do_save_profile(
    shop: Organization,
    document: dict[str, Any],
    *,
    source: str = ProfileSource.EDITED,
    note: str = "",
    fit: dict[str, Any] | None = None,
    acting: Actor,
) -> CostProfileVersion:
    """A new current version, after the cost model's own validation."""
    require(acting.membership, Capability.WRITE)
    if acting.membership is None or acting.membership.organization_id != shop.pk:
        raise PermissionDenied("a shop edits its own profile only")
    try:
        parsed = CostProfile.parse(document)
    except ProfileError as exc:
        raise ValidationError({"document": list(exc.errors)}) from exc
    with transaction.atomic():
        return _new_version(
            shop, parsed.model_dump(mode="json"), source, note, fit or {}, acting=acting
        )


def _new_version(
    shop: Organization,
    document: dict[str, Any],
    source: str,
    note: str,
    fit: dict[str, Any],
    *,
    acting: Actor,
) -> CostProfileVersion:
    Organization.objects.select_for_update().get(pk=shop.pk)  # one writer per shop
    last = CostProfileVersion.objects.filter(shop=shop).aggregate(n=Max("version"))["n"] or 0
    CostProfileVersion.objects.filter(shop=shop, is_current=True).update(is_current=False)
    row = CostProfileVersion.objects.create(
        shop=shop,
        version=last + 1,
        document=document,
        source=source,
        note=note[:300],
        fit=fit,
        is_current=True,
        created_by=acting.user,
    )
    audit.record(
        acting,
        f"cost_profile.{source}",
        row,
        organization=shop,
        changes={"version": row.version},
    )
    return row
