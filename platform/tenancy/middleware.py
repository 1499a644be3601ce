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


def membership_or_403(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The signed-in user's active membership; every page that shows tenant data needs one."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    m = getattr(request, "membership", None)
    if m is None:
        # Signed in but without an active organisation: nothing to show.
        raise PermissionDenied(_("Your account is not active in any organisation."))
    return m
