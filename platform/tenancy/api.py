"""Organisations, members, invitations and the audit log in the API (mounted by
api/api.py). Another tenant's object answers 404; a role that may not act answers 403.

The operation ids predate this router (they were made from api/api.py's module name);
generated clients are keyed on them, so they are given explicitly."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from . import actions, selectors
from .context import Actor
from .models import Membership
from .schemas import AuditOut, ErrorOut, InvitationOut, InviteIn, MemberOut, OrganizationOut

router = Router(tags=["tenancy"])


def _member_out(m: Membership) -> dict[str, object]:
    return {
        "id": m.pk,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "is_active": m.is_active,
    }


@router.get(
    "/organizations", response=list[OrganizationOut], operation_id="api_api_list_organizations"
)
def list_organizations(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.organizations(request.membership))  # type: ignore[attr-defined]


@router.get(
    "/organizations/{org_id}",
    response={200: OrganizationOut, 404: ErrorOut},
    operation_id="api_api_get_organization",
)
def get_organization(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    return selectors.organization(request.membership, org_id)  # type: ignore[attr-defined]


@router.get("/members", response=list[MemberOut], operation_id="api_api_list_members")
def list_members(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [_member_out(m) for m in selectors.members(request.membership)]  # type: ignore[attr-defined]


@router.get(
    "/members/{member_id}",
    response={200: MemberOut, 404: ErrorOut},
    operation_id="api_api_get_member",
)
def get_member(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    return _member_out(selectors.member(request.membership, member_id))  # type: ignore[attr-defined]


@router.post(
    "/members/{member_id}/disable",
    response={200: MemberOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="api_api_disable_member",
)
def disable_member(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    target = selectors.member(request.membership, member_id)  # type: ignore[attr-defined]
    return _member_out(
        actions.do_set_membership_active(target, False, acting=Actor.from_request(request))
    )


@router.post(
    "/members/{member_id}/enable",
    response={200: MemberOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="api_api_enable_member",
)
def enable_member(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    target = selectors.member(request.membership, member_id)  # type: ignore[attr-defined]
    return _member_out(
        actions.do_set_membership_active(target, True, acting=Actor.from_request(request))
    )


@router.post(
    "/invitations",
    response={201: InvitationOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="api_api_invite",
)
def invite(request: HttpRequest, payload: InviteIn):  # type: ignore[no-untyped-def]
    issued = actions.do_invite_user(payload.email, payload.role, acting=Actor.from_request(request))
    inv = issued.invitation
    return Status(
        201,
        {
            "id": inv.pk,
            "email": inv.email,
            "role": inv.role,
            "expires_at": inv.expires_at,
            "accept_url": request.build_absolute_uri(
                reverse("accept_invitation", args=[issued.token])
            ),
        },
    )


@router.get(
    "/audit", response={200: list[AuditOut], 403: ErrorOut}, operation_id="api_api_list_audit"
)
def list_audit(request: HttpRequest, limit: int = 100):  # type: ignore[no-untyped-def]
    limit = max(1, min(limit, 1000))
    return list(selectors.audit_log(request.membership)[:limit])  # type: ignore[attr-defined]
