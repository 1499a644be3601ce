"""Writes on shop profiles: atomic, audited, versioned (a version is never changed); and on
a shop's capability, machines and closures: atomic, audited, checked first (nothing is
saved when a check fails), and `capability_changed` sent on commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from quoting.profile import CostProfile
from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from . import validation
from .calibration import Proposal
from .models import Closure, CostProfileVersion, Machine, ProfileSource, ShopCapability
from .selectors import SHOP_KINDS, calibration_proposal, default_materials
from .signals import capability_changed, profile_changed


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
    Organization.objects.select_for_update(no_key=True).get(pk=shop.pk)  # one writer per shop


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


# --- Capability, machines, closures ------------------------------------------------------


class CapabilityMissing(Exception):
    """The shop has not set up its capability yet: there is nothing to set shares on."""


@dataclass(frozen=True)
class CapabilityFields:
    """The shop's own part of its capability (the shares are the coordinator's)."""

    processes: list[str]
    materials: list[str]
    thickness_min_mm: float
    thickness_max_mm: float
    max_part_long_mm: float
    max_part_short_mm: float
    hours_per_shift: float
    shifts_per_day: int
    weekly_days_off: list[int]
    observes_public_holidays: bool


def default_capability(shop: Organization) -> CapabilityFields:
    """What a shop's capability form starts from: a laser, the cost profile's materials,
    a 4×8 sheet (1250×2500 mm), one 8-hour shift, weekends and public holidays off."""
    return CapabilityFields(
        processes=["laser"],
        materials=default_materials(shop),
        thickness_min_mm=0.5,
        thickness_max_mm=6.0,
        max_part_long_mm=2500.0,
        max_part_short_mm=1250.0,
        hours_per_shift=8.0,
        shifts_per_day=1,
        weekly_days_off=[6, 7],
        observes_public_holidays=True,
    )


def capability_fields(row: ShopCapability) -> CapabilityFields:
    return CapabilityFields(
        **{f: getattr(row, f) for f in CapabilityFields.__dataclass_fields__}  # type: ignore[arg-type]
    )


def require_coordinator(shop: Organization, acting: Actor) -> None:
    """The group's coordinator sets the fairness shares, its own shop's included."""
    require(acting.membership, Capability.WRITE)
    m = acting.membership
    if (
        m is None
        or m.organization.kind != OrgKind.COORDINATOR
        or m.organization.group_id != shop.group_id
    ):
        raise PermissionDenied("only the group's coordinator sets a shop's shares")


def do_save_capability(
    shop: Organization, fields: CapabilityFields, *, acting: Actor
) -> ShopCapability:
    """Create or change the shop's capability (its shares stay as they are)."""
    require_own_writer(shop, acting)
    if shop.kind not in SHOP_KINDS:
        raise ValidationError("only a shop has a capability")
    values = {
        "processes": _unique(fields.processes),
        "materials": _unique(m.strip() if isinstance(m, str) else m for m in fields.materials),
        "thickness_min_mm": float(fields.thickness_min_mm),
        "thickness_max_mm": float(fields.thickness_max_mm),
        "max_part_long_mm": float(fields.max_part_long_mm),
        "max_part_short_mm": float(fields.max_part_short_mm),
        "hours_per_shift": float(fields.hours_per_shift),
        "shifts_per_day": int(fields.shifts_per_day),
        "weekly_days_off": sorted(set(fields.weekly_days_off)),
        "observes_public_holidays": bool(fields.observes_public_holidays),
    }
    errors = validation.check_capability(values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(shop)
        row = ShopCapability.objects.filter(shop=shop).first()
        before = {f: getattr(row, f) for f in values} if row else {}
        if row is None:
            row = ShopCapability(shop=shop)
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
        changed = {
            f: {"from": before.get(f), "to": v} for f, v in values.items() if before.get(f) != v
        }
        audit.record(acting, "shop_capability.saved", row, organization=shop, changes=changed)
        _changed(shop)
        return row


def do_set_shares(
    shop: Organization, *, target_share: float, min_share: float, acting: Actor
) -> ShopCapability:
    """The coordinator's fairness target and floor for the shop (0–1 of the group's hours)."""
    require_coordinator(shop, acting)
    errors = validation.check_shares(target_share, min_share)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(shop)
        row = ShopCapability.objects.filter(shop=shop).first()
        if row is None:
            raise CapabilityMissing("the shop has not set up its capability yet")
        changes = {
            "target_share": {"from": row.target_share, "to": target_share},
            "min_share": {"from": row.min_share, "to": min_share},
        }
        row.target_share, row.min_share = target_share, min_share
        row.save(update_fields=["target_share", "min_share", "updated_at"])
        audit.record(acting, "shop_capability.shares", row, organization=shop, changes=changes)
        _changed(shop)
        return row


def do_add_machine(
    shop: Organization,
    *,
    name: str,
    process: str,
    speed_factor: float,
    active: bool = True,
    acting: Actor,
) -> Machine:
    require_own_writer(shop, acting)
    values = {"name": name.strip(), "process": process, "speed_factor": float(speed_factor)}
    _check_machine(values)
    with transaction.atomic():
        _lock(shop)
        _check_machine_name(shop, values["name"], exclude=None)
        row = Machine.objects.create(shop=shop, active=active, **values)
        audit.record(
            acting, "machine.added", row, organization=shop, changes=values | {"active": active}
        )
        _changed(shop)
        return row


def do_change_machine(
    machine: Machine,
    *,
    name: str,
    process: str,
    speed_factor: float,
    active: bool,
    acting: Actor,
) -> Machine:
    shop = machine.shop
    require_own_writer(shop, acting)
    values = {
        "name": name.strip(),
        "process": process,
        "speed_factor": float(speed_factor),
        "active": bool(active),
    }
    _check_machine(values)
    with transaction.atomic():
        _lock(shop)
        _check_machine_name(shop, values["name"], exclude=machine.pk)
        changes = {
            f: {"from": getattr(machine, f), "to": v}
            for f, v in values.items()
            if getattr(machine, f) != v
        }
        for f, v in values.items():
            setattr(machine, f, v)
        machine.save(update_fields=list(values))
        audit.record(acting, "machine.changed", machine, organization=shop, changes=changes)
        _changed(shop)
        return machine


def do_set_machine_active(machine: Machine, active: bool, *, acting: Actor) -> Machine:
    return do_change_machine(
        machine,
        name=machine.name,
        process=machine.process,
        speed_factor=machine.speed_factor,
        active=active,
        acting=acting,
    )


def do_delete_machine(machine: Machine, *, acting: Actor) -> None:
    shop = machine.shop
    require_own_writer(shop, acting)
    with transaction.atomic():
        _lock(shop)
        audit.record(
            acting,
            "machine.deleted",
            machine,
            organization=shop,
            changes={"name": machine.name, "process": machine.process},
        )
        machine.delete()
        _changed(shop)


def do_add_closure(
    shop: Organization, *, start_date: date, end_date: date, reason: str = "", acting: Actor
) -> Closure:
    require_own_writer(shop, acting)
    values = {"start_date": start_date, "end_date": end_date, "reason": reason.strip()[:200]}
    errors = validation.check_closure(values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Closure.objects.create(shop=shop, **values)
        audit.record(
            acting,
            "closure.added",
            row,
            organization=shop,
            changes={
                "start_date": start_date.isoformat(),
                "end_date": end_date.isoformat(),
                "reason": values["reason"],
            },
        )
        _changed(shop)
        return row


def do_delete_closure(closure: Closure, *, acting: Actor) -> None:
    shop = closure.shop
    require_own_writer(shop, acting)
    with transaction.atomic():
        audit.record(
            acting,
            "closure.deleted",
            closure,
            organization=shop,
            changes={
                "start_date": closure.start_date.isoformat(),
                "end_date": closure.end_date.isoformat(),
            },
        )
        closure.delete()
        _changed(shop)


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))


def _check_machine(values: dict[str, Any]) -> None:
    errors = validation.check_machine(values)
    if errors:
        raise ValidationError(errors)


def _check_machine_name(shop: Organization, name: str, *, exclude: int | None) -> None:
    """Under the shop's lock: two machines of one shop never share a name."""
    taken = Machine.objects.filter(shop=shop, name=name).exclude(pk=exclude).exists()
    if taken:
        raise ValidationError(
            {"name": [_("The shop already has a machine named %(name)s.") % {"name": name}]}
        )


def _changed(shop: Organization) -> None:
    shop_id, group_id = shop.pk, shop.group_id
    transaction.on_commit(
        lambda: capability_changed.send(sender=ShopCapability, shop_id=shop_id, group_id=group_id)
    )
