"""Writes on shop profiles: atomic, audited, versioned (a version is never changed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from quoting.profile import CostProfile
from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Organization
from tenancy.permissions import Capability, require

from . import validation
from .calibration import Proposal
from .models import CostProfileVersion, ProfileSource
from .selectors import SHOP_KINDS, calibration_proposal
from .signals import profile_changed


def default_document() -> dict[str, Any]:
    return CostProfile.default().model_dump(mode="json")


class ProfileConflict(Exception):
    """The profile moved on (a newer version, other past jobs) since the change was begun
    from it: saving would silently undo or ignore what happened in between."""


def ensure_profile(shop: Organization, *, acting: Actor) -> CostProfileVersion:
    """A shop without a profile starts from the default one (version 1)."""
    if shop.kind not in SHOP_KINDS:
        raise ValidationError("only a shop has a cost profile")
    with transaction.atomic():
        current = CostProfileVersion.objects.filter(shop=shop, is_current=True).first()
        if current is not None:
            return current
        _lock(shop)  # two first visits at once: the second finds the first one's version
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
    base_version: int | None = None,
    acting: Actor,
) -> CostProfileVersion:
    """A new current version, after the cost model's own validation (errors are keyed by
    the dotted path of the field, `laser.rate_jpy_h`). With `base_version`, refused with
    ProfileConflict when the current version is no longer that one."""
    require_own_writer(shop, acting)
    parsed, errors = validation.check(document)
    if parsed is None:
        raise ValidationError(errors)
    with transaction.atomic():
        return _new_version(
            shop,
            parsed.model_dump(mode="json"),
            source,
            note,
            fit or {},
            base_version=base_version,
            acting=acting,
        )


def do_adopt_calibration(
    shop: Organization, *, fingerprint: str, note: str = "", acting: Actor
) -> CostProfileVersion:
    """Adopt the proposal the shop was shown: computed again under the shop's lock from
    the same inputs, which the fingerprint proves (else ProfileConflict)."""
    require_own_writer(shop, acting)
    with transaction.atomic():
        _lock(shop)
        base = CostProfileVersion.objects.filter(shop=shop, is_current=True).first()
        if base is None:
            raise ProfileConflict("the shop has no profile to calibrate")
        proposal, current_fingerprint = calibration_proposal(shop, base)
        if current_fingerprint != fingerprint:
            raise ProfileConflict("the profile or the past jobs changed since the proposal")
        if not isinstance(proposal, Proposal):
            raise ValidationError({"calibration": [proposal.reason]})
        fit = proposal.as_dict() | {"base_version": base.version, "fingerprint": fingerprint}
        return _new_version(
            shop,
            proposal.profile.model_dump(mode="json"),
            ProfileSource.CALIBRATED,
            note,
            fit,
            base_version=base.version,
            acting=acting,
        )


def require_own_writer(shop: Organization, acting: Actor) -> None:
    require(acting.membership, Capability.WRITE)
    if acting.membership is None or acting.membership.organization_id != shop.pk:
        raise PermissionDenied("a shop edits its own profile only")


def _lock(shop: Organization) -> None:
    Organization.objects.select_for_update().get(pk=shop.pk)  # one writer per shop


def _new_version(
    shop: Organization,
    document: dict[str, Any],
    source: str,
    note: str,
    fit: dict[str, Any],
    *,
    base_version: int | None = None,
    acting: Actor,
) -> CostProfileVersion:
    _lock(shop)
    last = CostProfileVersion.objects.filter(shop=shop).aggregate(n=Max("version"))["n"] or 0
    current = (
        CostProfileVersion.objects.filter(shop=shop, is_current=True)
        .values_list("version", flat=True)
        .first()
    )
    if base_version is not None and current != base_version:
        raise ProfileConflict(f"version {current} is current, not {base_version}")
    CostProfileVersion.objects.filter(shop=shop, is_current=True).update(is_current=False)
    row = CostProfileVersion.objects.create(
        shop=shop,
        version=last + 1,
        # The document names the version it is, so a quote's own record of the profile
        # version (Quote.profile_version) is this row's number.
        document=document | {"version": last + 1},
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
        changes={"version": row.version, "from_version": current},
    )
    transaction.on_commit(
        lambda: profile_changed.send(
            sender=CostProfileVersion, shop_id=shop.pk, group_id=shop.group_id, version=row.version
        )
    )
    return row
