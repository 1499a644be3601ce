"""API authentication: a personal key (`Authorization: Bearer kmi_…`) or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accounts.actions import user_for_key
from tenancy.middleware import membership_of


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        user = user_for_key(token)
        if user is None:
            return None
        request.user = user
        request.membership = membership_of(user)  # type: ignore[attr-defined]
        return user


class MemberSessionAuth(SessionAuth):
    """Session auth that also requires an active membership (CSRF checked by ninja)."""

    def authenticate(self, request: HttpRequest, key):  # type: ignore[no-untyped-def]
        user = super().authenticate(request, key)
        if user is None or getattr(request, "membership", None) is None:
            return None
        return user
