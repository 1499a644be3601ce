"""The HTTP API (OpenAPI 3 at /api/openapi.json, browsable at /api/docs).

Same rules as the pages: reads through selectors, writes through actions, another
tenant's object answers 404, a role that may not write answers 403.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from accounts import actions as account_actions
from accounts import selectors as account_selectors
from background import selectors as job_selectors
from drawings.api import router as drawings_router
from drawings.past_jobs_api import router as past_jobs_router
from shops.api import router as shops_router
from tenancy import actions as tenancy_actions
from tenancy import selectors
from tenancy.context import Actor

from .auth import MemberSessionAuth, TokenAuth
from .schemas import (
    AuditOut,
    ErrorOut,
    InvitationOut,
    InviteIn,
    JobOut,
    MemberOut,
    MeOut,
    OrganizationOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

api = NinjaAPI(
    title="Kumiai API",
    version="1",
    description="Supplier-group portal. Authenticate with `Authorization: Bearer <key>` "
    "(create keys under Account → API keys) or a browser session.",
    auth=[TokenAuth(), MemberSessionAuth()],
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "payload"))
        errors.setdefault(loc or "body", []).append(str(err.get("msg", "invalid")))
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):  # type: ignore[no-untyped-def]
    detail = str(exc.message)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        # ninja hides the parser's reason outside DEBUG; the client needs it to fix the body.
        try:
            json.loads(request.body)
        except ValueError as parse_error:
            detail = f"malformed JSON body: {parse_error}"
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ValidationError)
def on_domain_validation_error(request: HttpRequest, exc: ValidationError):  # type: ignore[no-untyped-def]
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


# Each domain app owns its router; the project only mounts them here.
api.add_router("/", drawings_router)
api.add_router("/", past_jobs_router)
api.add_router("/", shops_router)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "authentication required"}, status=401)


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


@api.get("/me", response=MeOut, tags=["account"])
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return {
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "organization": m.organization,
    }


@api.get("/organizations", response=list[OrganizationOut], tags=["tenancy"])
def list_organizations(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.organizations(request.membership))  # type: ignore[attr-defined]


@api.get(
    "/organizations/{org_id}", response={200: OrganizationOut, 404: ErrorOut}, tags=["tenancy"]
)
def get_organization(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    return selectors.organization(request.membership, org_id)  # type: ignore[attr-defined]


def _member_out(m):  # type: ignore[no-untyped-def]
    return {
        "id": m.pk,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "is_active": m.is_active,
    }


@api.get("/members", response=list[MemberOut], tags=["tenancy"])
def list_members(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [_member_out(m) for m in selectors.members(request.membership)]  # type: ignore[attr-defined]


@api.get("/members/{member_id}", response={200: MemberOut, 404: ErrorOut}, tags=["tenancy"])
def get_member(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    return _member_out(selectors.member(request.membership, member_id))  # type: ignore[attr-defined]


@api.post(
    "/members/{member_id}/disable",
    response={200: MemberOut, 403: ErrorOut, 404: ErrorOut},
    tags=["tenancy"],
)
def disable_member(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    target = selectors.member(request.membership, member_id)  # type: ignore[attr-defined]
    return _member_out(
        tenancy_actions.do_set_membership_active(target, False, acting=_actor(request))
    )


@api.post(
    "/members/{member_id}/enable",
    response={200: MemberOut, 403: ErrorOut, 404: ErrorOut},
    tags=["tenancy"],
)
def enable_member(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    target = selectors.member(request.membership, member_id)  # type: ignore[attr-defined]
    return _member_out(
        tenancy_actions.do_set_membership_active(target, True, acting=_actor(request))
    )


@api.post(
    "/invitations", response={201: InvitationOut, 403: ErrorOut, 422: ErrorOut}, tags=["tenancy"]
)
def invite(request: HttpRequest, payload: InviteIn):  # type: ignore[no-untyped-def]
    issued = tenancy_actions.do_invite_user(payload.email, payload.role, acting=_actor(request))
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


@api.get("/audit", response={200: list[AuditOut], 403: ErrorOut}, tags=["tenancy"])
def list_audit(request: HttpRequest, limit: int = 100):  # type: ignore[no-untyped-def]
    limit = max(1, min(limit, 1000))
    return list(selectors.audit_log(request.membership)[:limit])  # type: ignore[attr-defined]


@api.get("/tokens", response=list[TokenOut], tags=["account"])
def list_tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(account_selectors.api_tokens(request.user))


@api.post("/tokens", response={201: TokenCreatedOut, 403: ErrorOut}, tags=["account"])
def create_token(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    issued = account_actions.do_create_api_token(payload.name, acting=_actor(request))
    t = issued.token
    return Status(
        201,
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
            "secret": issued.secret,
        },
    )


@api.delete("/tokens/{token_id}", response={204: None, 404: ErrorOut}, tags=["account"])
def revoke_token(request: HttpRequest, token_id: int):  # type: ignore[no-untyped-def]
    token = account_selectors.api_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    account_actions.do_revoke_api_token(token, acting=_actor(request))
    return Status(204, None)


@api.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut}, tags=["jobs"])
def get_job(request: HttpRequest, job_id: str):  # type: ignore[no-untyped-def]
    return job_selectors.job(request.membership, job_id).as_event()  # type: ignore[attr-defined]
