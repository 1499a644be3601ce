"""Attach the user's membership to the request once, so every view scopes the same way."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class MembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = membership_of(request.user)  # type: ignore[attr-defined]
        return self.get_response(request)


def membership_of(user):  # type: ignore[no-untyped-def]
    from .models import Membership

    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.select_related("organization__group", "user")
        .filter(user=user, is_active=True)
        .first()
    )
