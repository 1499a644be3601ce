"""Reads of notifications: a person sees only their own. The organisation rule of
tenancy/scoping.py narrows to the person's organisation; the recipient filter here to
the person (tenancy has no per-user rule, and one selector is the one place it lives)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from tenancy.models import Membership
from tenancy.scoping import get_visible_or_404

from .models import Channel, Kind, Notification, NotificationPreference, default_for


def _own(queryset: QuerySet[Notification], membership: Membership | None) -> QuerySet:
    scoped = queryset.visible_to(membership)  # type: ignore[attr-defined]
    if membership is None:
        return scoped
    return scoped.filter(recipient_id=membership.user_id)


def notifications(membership: Membership | None, *, unread: bool = False) -> QuerySet:
    rows = _own(Notification.objects.all(), membership).order_by("-created_at", "-id")
    return rows.filter(read_at=None) if unread else rows


def notification(membership: Membership | None, notification_id: object) -> Notification:
    """Another person's notification, even a colleague's, is a 404 like a missing one."""
    return get_visible_or_404(
        _own(Notification.objects.all(), membership), membership, pk=notification_id
    )


def unread_count(membership: Membership | None) -> int:
    return notifications(membership, unread=True).count()


Preferences = dict[str, dict[str, bool]]


def preferences(user_id: int) -> Preferences:
    """Every kind with both channels, the stored choice or the default."""
    chosen = {
        p.kind: {Channel.IN_APP.value: p.in_app, Channel.EMAIL.value: p.email}
        for p in NotificationPreference.objects.filter(user_id=user_id)
    }
    return {
        kind.value: chosen.get(kind.value)
        or {ch.value: default_for(kind.value, ch.value) for ch in Channel}
        for kind in Kind
    }


def channels_for(user_ids: Iterable[int], kind: str) -> dict[int, dict[str, bool]]:
    """For one kind, each person's two channels (one query for everyone)."""
    ids = list(user_ids)
    chosen = {
        p.user_id: {Channel.IN_APP.value: p.in_app, Channel.EMAIL.value: p.email}
        for p in NotificationPreference.objects.filter(user_id__in=ids, kind=kind)
    }
    default = {ch.value: default_for(kind, ch.value) for ch in Channel}
    return {uid: chosen.get(uid, default) for uid in ids}
