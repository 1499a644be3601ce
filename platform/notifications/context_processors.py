"""The unread count for the top bar's bell (notifications/_bell.html). Counted only when
a template reads it, so a page without the bell costs no query."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def unread(request: HttpRequest) -> dict[str, object]:
    m = getattr(request, "membership", None)
    if m is None:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: selectors.unread_count(m))}
