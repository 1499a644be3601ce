"""Writes of notifications: make them for a list of people (each person's choice of
channels respected), mark them read, change one's preferences.

Rows are written in one transaction; the websocket push and the e-mail go out on commit,
each in its reader's language. Neither may break the caller: a notification is never
worth failing an offer's answer, so a down Redis or mail server is logged and passed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Membership

from . import selectors
from .models import Channel, Kind, Notification, NotificationPreference
from .texts import MESSAGES, render

log = logging.getLogger(__name__)


def user_group(user_id: object) -> str:
    """The websocket group of one person: every tab they have open."""
    return f"notifications.user.{user_id}"


def language_of(user: object) -> str:
    """What a person reads when no browser says it: their chosen language, else the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def base_url() -> str:
    return str(getattr(settings, "KUMIAI_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


@dataclass(frozen=True)
class Delivery:
    """What was sent for one event: the rows made and who was mailed."""

    notifications: list[Notification]
    emailed: list[str]


def notify(
    recipients: Iterable[Membership],
    kind: str,
    message: str,
    params: dict,
    *,
    link: str = "",
) -> Delivery:
    """One event told to these people, each by the channels they chose for its kind."""
    if kind not in Kind.values or message not in MESSAGES:
        raise ValueError(f"unknown notification {kind!r}/{message!r}")
    people = {
        m.user_id: m
        for m in recipients
        if m.is_active and m.user.is_active  # a disabled person hears nothing
    }
    channels = selectors.channels_for(people, kind)
    in_app = [m for uid, m in people.items() if channels[uid][Channel.IN_APP]]
    by_mail = [m for uid, m in people.items() if channels[uid][Channel.EMAIL] and m.user.email]
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=m.user_id,
                    organization_id=m.organization_id,
                    kind=kind,
                    message=message,
                    params=params,
                    link=link,
                )
                for m in in_app
            ]
        )
        users = {m.user_id: m.user for m in in_app}
        if rows:
            transaction.on_commit(lambda: _push_new(rows, users))
        if by_mail:
            mailed = [m.user for m in by_mail]
            transaction.on_commit(lambda: _send_mail(mailed, message, params, link))
    return Delivery(notifications=rows, emailed=[m.user.email for m in by_mail])


def _unread_of(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at=None).count()


def _group_send(user_id: int, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), payload)
    except Exception:  # noqa: BLE001 - Redis down: the list is right on the next page load
        log.warning("could not push a notification to user %s", user_id, exc_info=True)


def _push_new(rows: list[Notification], users: dict[int, object]) -> None:
    for row in rows:
        with translation.override(language_of(users.get(row.recipient_id))):
            event = row.as_event()
        _group_send(
            row.recipient_id,
            {
                "type": "notification.new",
                "notification": event,
                "unread": _unread_of(row.recipient_id),
            },
        )


def _push_unread(user_id: int) -> None:
    _group_send(user_id, {"type": "notification.unread", "unread": _unread_of(user_id)})


def _send_mail(users: list, message: str, params: dict, link: str) -> None:
    """One e-mail per person, in their language. A mail server that refuses is logged;
    the notification in the portal stands."""
    messages = []
    for user in users:
        with translation.override(language_of(user)):
            title, body = render(message, params)
            lines = [body]
            if link:
                lines += ["", f"{base_url()}{link}"]
            lines += [
                "",
                "-- ",
                _("Kumiai. Choose what you hear and how: %(url)s")
                % {"url": f"{base_url()}/notifications/preferences/"},
            ]
            messages.append(
                mail.EmailMessage(
                    subject=f"[Kumiai] {title}",
                    body="\n".join(lines),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[user.email],
                )
            )
    try:
        mail.get_connection().send_messages(messages)
    except Exception:  # noqa: BLE001 - any backend's failure; the caller goes on
        log.exception("could not send %d notification e-mail(s) (%s)", len(messages), message)


# -- the reader's writes -------------------------------------------------------------------
def _require_member(acting: Actor) -> Membership:
    m = acting.membership
    if m is None or not m.is_active:
        raise PermissionDenied(_("Your account is not active in any organisation."))
    return m


def do_mark_read(notification: Notification, *, acting: Actor) -> Notification:
    """Mark one's own notification read (the caller found it through the selector)."""
    m = _require_member(acting)
    if notification.recipient_id != m.user_id:
        raise PermissionDenied
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at=None).update(
                read_at=notification.read_at
            )
            transaction.on_commit(lambda: _push_unread(m.user_id))
    return notification


def do_mark_all_read(*, acting: Actor) -> int:
    m = _require_member(acting)
    with transaction.atomic():
        marked = selectors.notifications(m, unread=True).update(read_at=timezone.now())
        if marked:
            transaction.on_commit(lambda: _push_unread(m.user_id))
    return marked


def do_set_preferences(changes: dict[str, dict[str, bool]], *, acting: Actor) -> dict:
    """Change some of one's own choices ({kind: {channel: on}}); the rest stay."""
    m = _require_member(acting)
    errors: dict[str, list[str]] = {}
    for kind, channels in changes.items():
        if kind not in Kind.values:
            errors[kind] = [_("No such kind of notification.")]
        elif not isinstance(channels, dict) or not set(channels) <= set(Channel.values):
            errors[kind] = [_("Choose among the channels in_app and email.")]
        elif not all(isinstance(v, bool) for v in channels.values()):
            errors[kind] = [_("Each channel is on (true) or off (false).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = selectors.preferences(m.user_id)
        for kind, channels in changes.items():
            if not channels:
                continue
            wanted = {**before[kind], **channels}
            NotificationPreference.objects.update_or_create(
                user_id=m.user_id,
                kind=kind,
                defaults={"in_app": wanted[Channel.IN_APP], "email": wanted[Channel.EMAIL]},
            )
        after = selectors.preferences(m.user_id)
        if after != before:
            changed = {k: after[k] for k in after if after[k] != before[k]}
            audit.record(acting, "notifications.preferences", m.user, changes=changed)
    return after
