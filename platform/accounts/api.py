"""The caller's own account in the API (mounted by api/api.py): who am I, and my API keys.

The operation ids predate this router (they were made from api/api.py's module name);
generated clients are keyed on them, so they are given explicitly."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Status

from tenancy.context import Actor
from tenancy.schemas import ErrorOut

from . import actions, selectors
from .schemas import MeOut, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["account"])


@router.get("/me", response=MeOut, operation_id="api_api_me")
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return {
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "organization": m.organization,
    }


@router.get("/tokens", response=list[TokenOut], operation_id="api_api_list_tokens")
def list_tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.api_tokens(request.user))


@router.post(
    "/tokens", response={201: TokenCreatedOut, 403: ErrorOut}, operation_id="api_api_create_token"
)
def create_token(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    issued = actions.do_create_api_token(payload.name, acting=Actor.from_request(request))
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


@router.delete(
    "/tokens/{token_id}",
    response={204: None, 404: ErrorOut},
    operation_id="api_api_revoke_token",
)
def revoke_token(request: HttpRequest, token_id: int):  # type: ignore[no-untyped-def]
    token = selectors.api_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    actions.do_revoke_api_token(token, acting=Actor.from_request(request))
    return Status(204, None)
