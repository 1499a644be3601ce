"""A person's secret calendar address: made, replaced and revoked (atomic and audited),
and found again from the address alone.

The token is stored as given, not hashed: the page shows the address again whenever its
owner comes back (calendar apps are set up more than once: phone, laptop, a colleague's
Outlook), which a hash cannot do. A hash would guard against someone who can read the
database, but what the address opens (due dates, part numbers, shop names) is in that
same database already. The audit log never holds the token.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Membership

from .models import CalendarFeed


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits, 43 characters


def live_feed(membership: Membership | None) -> CalendarFeed | None:
    """The member's own live feed in their organisation, if they have made one."""
    if membership is None:
        return None
    return (
        CalendarFeed.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(user_id=membership.user_id, revoked_at=None)
        .first()
    )


def membership_for_token(token: str) -> Membership | None:
    """The active membership a live feed's address speaks for, or None: an unknown or
    revoked token, a disabled member or user, or a member now in another organisation."""
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at=None)
        .select_related("user__membership__organization__group")
        .first()
    )
    if feed is None:
        return None
    try:
        membership = feed.user.membership
    except Membership.DoesNotExist:
        return None
    if (
        membership.organization_id != feed.organization_id
        or not membership.is_active
        or not feed.user.is_active
    ):
        return None
    return membership


def _member(acting: Actor) -> Membership:
    m = acting.membership
    if acting.user is None or m is None or not m.is_active or m.user_id != acting.user.pk:
        raise PermissionDenied("a calendar address belongs to a signed-in member")
    return m


def do_create_feed(*, acting: Actor) -> CalendarFeed:
    """A new address for the acting member; the one they had stops working at once."""
    m = _member(acting)
    with transaction.atomic():
        # One member's requests wait for each other here, so two clicks cannot both
        # find no live feed and make two.
        Membership.objects.select_for_update().get(pk=m.pk)
        now = timezone.now()
        replaced = list(
            CalendarFeed.objects.filter(
                user_id=m.user_id, organization_id=m.organization_id, revoked_at=None
            ).values_list("pk", flat=True)
        )
        CalendarFeed.objects.filter(pk__in=replaced).update(revoked_at=now)
        feed = CalendarFeed.objects.create(
            user_id=m.user_id, organization_id=m.organization_id, token=new_token()
        )
        audit.record(
            acting,
            "calendar_feed.create",
            feed,
            organization=m.organization,
            changes={"replaces": replaced},
        )
    return feed


def do_revoke_feed(feed: CalendarFeed, *, acting: Actor) -> None:
    """The address stops working; only its owner revokes it."""
    m = _member(acting)
    if feed.user_id != m.user_id or feed.organization_id != m.organization_id:
        raise PermissionDenied("a calendar address is revoked by its owner")
    with transaction.atomic():
        updated = CalendarFeed.objects.filter(pk=feed.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record(acting, "calendar_feed.revoke", feed, organization=m.organization)
