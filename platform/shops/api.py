"""Shop cost profiles in the API (mounted by api/api.py). Another tenant's shop, a lead
firm's and another shop's answer 404; the coordinator reads; the shop's admin or
estimator writes (else 403)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from tenancy.context import Actor
from tenancy.models import Organization

from . import actions, selectors
from .calibration import HOLDOUT_PCT, MIN_JOBS, SEED, Proposal
from .models import CostProfileVersion
from .schemas import (
    AdoptIn,
    CalibrationOut,
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
