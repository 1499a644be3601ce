"""Shop cost profiles, capabilities, machines, closures and capacity in the API (mounted by
api/api.py). Another tenant's shop, a lead firm's and another shop's answer 404; the
coordinator reads (and sets the fairness shares); the shop's admin or estimator writes
(else 403); invalid input answers 422 with the errors by field, nothing saved."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from tenancy.context import Actor
from tenancy.models import Organization

from . import actions, selectors
from .calibration import HOLDOUT_PCT, MIN_JOBS, SEED, Proposal
from .models import CostProfileVersion, ShopCapability
from .schemas import (
    AdoptIn,
    CalibrationOut,
    CapabilityIn,
    CapabilityOut,
    CapacityOut,
    ClosureIn,
    ClosureOut,
    MachineIn,
    MachineOut,
    ProfileErrorOut,
    ProfileIn,
    ShopOut,
    VersionOut,
    VersionSummaryOut,
)

router = Router(tags=["shops"])

CONFLICT = (
    "the profile has a newer version (or other past jobs) than the one this change was "
    "made from; read it again and redo the change"
)


def _summary(v: CostProfileVersion) -> dict:
    return {
        "version": v.version,
        "source": v.source,
        "note": v.note,
        "is_current": v.is_current,
        "created_at": v.created_at,
        "created_by": v.created_by.email if v.created_by else "",
    }


def _full(v: CostProfileVersion) -> dict:
    return _summary(v) | {"shop": v.shop_id, "document": v.document, "fit": v.fit}


def _current(request: HttpRequest, shop: Organization) -> CostProfileVersion:
    m = request.membership  # type: ignore[attr-defined]
    if shop.pk == m.organization_id:  # a shop's first look starts it from the default
        return actions.ensure_profile(shop, acting=Actor.from_request(request))
    # The coordinator, on a shop that has not opened its profile yet: 404.
    return selectors.current_profile(m, shop.pk)


@router.get("/shops", response=list[ShopOut], summary="Shops whose cost profile you may read")
def list_shops(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [
        {
            "id": s.pk,
            "name": s.name,
            "kind": s.kind,
            "current_version": s.current_version,
            "current_source": s.current_source,
            "updated_at": s.current_at,
        }
        for s in selectors.shops(request.membership)  # type: ignore[attr-defined]
    ]


@router.get("/shops/{org_id}/profile", response={200: VersionOut, 404: ProfileErrorOut})
def shop_profile(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    shop = selectors.shop(request.membership, org_id)  # type: ignore[attr-defined]
    return _full(_current(request, shop))


@router.get(
    "/shops/{org_id}/profile/versions",
    response={200: list[VersionSummaryOut], 404: ProfileErrorOut},
)
def shop_profile_versions(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return [_summary(v) for v in selectors.history(m, selectors.shop(m, org_id))]


@router.get(
    "/shops/{org_id}/profile/versions/{number}", response={200: VersionOut, 404: ProfileErrorOut}
)
def shop_profile_version(request: HttpRequest, org_id: int, number: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return _full(selectors.version(m, selectors.shop(m, org_id), number))


@router.put(
    "/shops/{org_id}/profile",
    response={
        200: VersionOut,
        403: ProfileErrorOut,
        404: ProfileErrorOut,
        409: ProfileErrorOut,
        422: ProfileErrorOut,
    },
    summary="Save a new version of the profile (the whole document)",
)
def save_shop_profile(request: HttpRequest, org_id: int, payload: ProfileIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    try:
        row = actions.do_save_profile(
            shop,
            payload.document,
            note=payload.note,
            base_version=payload.base_version,
            acting=Actor.from_request(request),
        )
    except actions.ProfileConflict as exc:
        raise HttpError(409, CONFLICT) from exc
    return _full(row)


@router.post(
    "/shops/{org_id}/profile/calibrate",
    response={200: CalibrationOut, 403: ProfileErrorOut, 404: ProfileErrorOut},
    summary="Propose a calibrated profile from the shop's own past jobs (nothing is saved)",
)
def calibrate_shop_profile(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    actions.require_own_writer(shop, Actor.from_request(request))
    current = _current(request, shop)
    proposal, fingerprint = selectors.calibration_proposal(shop, current)
    if isinstance(proposal, Proposal):
        after = proposal.after.mape_pct
        return {
            "status": "proposed",
            "message": _(
                "Fitted on %(train)s jobs; %(held)s held out (%(pct)s %%, seed %(seed)s): "
                "error on them %(before)s %% now, %(after)s %% with the proposal."
            )
            % {
                "train": proposal.train_jobs,
                "held": proposal.holdout_jobs,
                "pct": HOLDOUT_PCT,
                "seed": SEED,
                "before": proposal.before.mape_pct,
                "after": after,
            },
            "base_version": current.version,
            "fingerprint": fingerprint,
            "proposal": proposal.as_dict(),
            "document": proposal.profile.model_dump(mode="json"),
            "refused": None,
        }
    return {
        "status": proposal.reason,
        "message": _("Not enough past jobs to calibrate: %(n)s usable, at least %(needed)s needed.")
        % {"n": proposal.usable, "needed": MIN_JOBS}
        if proposal.reason == "too_few_jobs"
        else _("The fit gave a rate that cannot be used: %(detail)s") % {"detail": proposal.detail},
        "base_version": current.version,
        "fingerprint": fingerprint,
        "proposal": None,
        "document": None,
        "refused": proposal.as_dict(),
    }


@router.post(
    "/shops/{org_id}/profile/adopt",
    response={
        201: VersionOut,
        403: ProfileErrorOut,
        404: ProfileErrorOut,
        409: ProfileErrorOut,
        422: ProfileErrorOut,
    },
    summary="Adopt a calibration proposal as a new version",
)
def adopt_shop_calibration(request: HttpRequest, org_id: int, payload: AdoptIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    try:
        row = actions.do_adopt_calibration(
            shop,
            fingerprint=payload.fingerprint,
            note=payload.note,
            acting=Actor.from_request(request),
        )
    except actions.ProfileConflict as exc:
        raise HttpError(409, CONFLICT) from exc
    return Status(201, _full(row))


# --- Capability, machines, closures, capacity --------------------------------------------

ERRORS = {403: ProfileErrorOut, 404: ProfileErrorOut, 409: ProfileErrorOut, 422: ProfileErrorOut}
MAX_CAPACITY_DAYS = 366
NO_CAPABILITY = "the shop has not set up its capability yet; it sets it up first"


def _capability_out(shop: Organization, row: ShopCapability | None) -> dict:
    fields = actions.capability_fields(row) if row else actions.default_capability(shop)
    return {
        "shop": shop.pk,
        "configured": row is not None,
        **fields.__dict__,
        "target_share": row.target_share if row else 0.0,
        "min_share": row.min_share if row else 0.0,
    }


@router.get("/shops/{org_id}/capability", response={200: CapabilityOut, 404: ProfileErrorOut})
def shop_capability(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    return _capability_out(shop, selectors.capability(m, shop))


@router.put(
    "/shops/{org_id}/capability",
    response={200: CapabilityOut, **ERRORS},
    summary="Change the capability (the shop) or the fairness shares (the coordinator)",
)
def save_shop_capability(request: HttpRequest, org_id: int, payload: CapabilityIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    acting = Actor.from_request(request)
    row = selectors.capability(m, shop)
    current = actions.capability_fields(row) if row else actions.default_capability(shop)
    sent = payload.dict(exclude_none=True)
    own_fields = current.__dataclass_fields__
    own = {
        k: v
        for k, v in sent.items()
        if k in own_fields and (row is None or getattr(current, k) != v)
    }
    now_shares = {
        "target_share": row.target_share if row else 0.0,
        "min_share": row.min_share if row else 0.0,
    }
    shares = {k: v for k, v in sent.items() if k in now_shares and now_shares[k] != v}
    # Both checked before either is written: a refused half leaves the other unsaved.
    if own:
        actions.require_own_writer(shop, acting)
    if shares:
        actions.require_coordinator(shop, acting)
    try:
        with transaction.atomic():
            if own:
                row = actions.do_save_capability(
                    shop, actions.CapabilityFields(**(current.__dict__ | own)), acting=acting
                )
            if shares:
                row = actions.do_set_shares(
                    shop,
                    target_share=shares.get("target_share", now_shares["target_share"]),
                    min_share=shares.get("min_share", now_shares["min_share"]),
                    acting=acting,
                )
    except actions.CapabilityMissing as exc:
        raise HttpError(409, NO_CAPABILITY) from exc
    return _capability_out(shop, row)


def _machine_out(machine) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": machine.pk,
        "name": machine.name,
        "process": machine.process,
        "speed_factor": machine.speed_factor,
        "active": machine.active,
    }


@router.get("/shops/{org_id}/machines", response={200: list[MachineOut], 404: ProfileErrorOut})
def shop_machines(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return [_machine_out(x) for x in selectors.machines(m, selectors.shop(m, org_id))]


@router.post("/shops/{org_id}/machines", response={201: MachineOut, **ERRORS})
def add_shop_machine(request: HttpRequest, org_id: int, payload: MachineIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    row = actions.do_add_machine(shop, **payload.dict(), acting=Actor.from_request(request))
    return Status(201, _machine_out(row))


@router.put("/shops/{org_id}/machines/{machine_id}", response={200: MachineOut, **ERRORS})
def change_shop_machine(request: HttpRequest, org_id: int, machine_id: int, payload: MachineIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    row = selectors.machine(m, selectors.shop(m, org_id), machine_id)
    row = actions.do_change_machine(row, **payload.dict(), acting=Actor.from_request(request))
    return _machine_out(row)


@router.delete("/shops/{org_id}/machines/{machine_id}", response={204: None, **ERRORS})
def delete_shop_machine(request: HttpRequest, org_id: int, machine_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    row = selectors.machine(m, selectors.shop(m, org_id), machine_id)
    actions.do_delete_machine(row, acting=Actor.from_request(request))
    return Status(204, None)


def _closure_out(closure) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": closure.pk,
        "start_date": closure.start_date,
        "end_date": closure.end_date,
        "reason": closure.reason,
    }


@router.get("/shops/{org_id}/closures", response={200: list[ClosureOut], 404: ProfileErrorOut})
def shop_closures(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return [_closure_out(c) for c in selectors.closures(m, selectors.shop(m, org_id))]


@router.post("/shops/{org_id}/closures", response={201: ClosureOut, **ERRORS})
def add_shop_closure(request: HttpRequest, org_id: int, payload: ClosureIn):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    row = actions.do_add_closure(shop, **payload.dict(), acting=Actor.from_request(request))
    return Status(201, _closure_out(row))


@router.delete("/shops/{org_id}/closures/{closure_id}", response={204: None, **ERRORS})
def delete_shop_closure(request: HttpRequest, org_id: int, closure_id: int):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    row = selectors.closure(m, selectors.shop(m, org_id), closure_id)
    actions.do_delete_closure(row, acting=Actor.from_request(request))
    return Status(204, None)


@router.get(
    "/shops/{org_id}/capacity",
    response={200: CapacityOut, 404: ProfileErrorOut, 422: ProfileErrorOut},
    summary="Working days, public holidays, closures and hours per process and day",
)
def shop_capacity(request: HttpRequest, org_id: int, start: date | None = None, days: int = 28):  # type: ignore[no-untyped-def]
    if not 1 <= days <= MAX_CAPACITY_DAYS:
        raise HttpError(422, f"days must be from 1 to {MAX_CAPACITY_DAYS}")
    m = request.membership  # type: ignore[attr-defined]
    shop = selectors.shop(m, org_id)
    start = start or timezone.localdate()
    view = selectors.capacity_view(m, shop, start, days)
    if view is None:
        return {"shop": shop.pk, "configured": False, "start": start, "days": [], "capacity_h": {}}
    return {
        "shop": shop.pk,
        "configured": True,
        "start": start,
        "days": [d.__dict__ for d in view.days],
        "capacity_h": {p: list(h) for p, h in view.capacity_h.items()},
    }
