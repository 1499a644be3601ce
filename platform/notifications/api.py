"""The notifications router (mounted by api/api.py): the caller's own notifications and
preferences. Another person's notification answers 404, like a missing one."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from tenancy.context import Actor
from tenancy.schemas import ErrorOut

from . import actions, selectors
from .models import Notification
from .schemas import MarkedOut, NotificationOut, PreferencesIn, PreferencesOut

router = Router(tags=["notifications"])

LIST_LIMIT = 200


def notification_out(n: Notification) -> dict:
    title, body = n.rendered()  # in the request's language
    return {
        "id": n.pk,
        "kind": n.kind,
        "message": n.message,
        "params": n.params,
        "title": title,
        "body": body,
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get(
    "/notifications",
    response=list[NotificationOut],
    summary="Your notifications, newest first (`unread=true`: only the unread)",
)
def list_notifications(request: HttpRequest, unread: bool = False):  # type: ignore[no-untyped-def]
    rows = selectors.notifications(request.membership, unread=unread)  # type: ignore[attr-defined]
    return [notification_out(n) for n in rows[:LIST_LIMIT]]


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all yours read")
def read_all(request: HttpRequest):  # type: ignore[no-untyped-def]
    marked = actions.do_mark_all_read(acting=Actor.from_request(request))
    return {"marked": marked, "unread": 0}


@router.get(
    "/notifications/preferences",
    response=PreferencesOut,
    summary="Which kinds you hear, in the portal and by e-mail",
)
def get_preferences(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.preferences(request.membership.user_id)  # type: ignore[attr-defined]


@router.put(
    "/notifications/preferences",
    response={200: PreferencesOut, 422: ErrorOut},
    summary="Change some of your choices: {kind: {in_app, email}}; the rest stay",
)
def put_preferences(request: HttpRequest, body: PreferencesIn):  # type: ignore[no-untyped-def]
    changes = {
        kind: {ch: on for ch, on in channels.items() if on is not None}
        for kind, channels in body.dict(exclude_none=True).items()
    }
    return actions.do_set_preferences(changes, acting=Actor.from_request(request))


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut},
    summary="Mark one of yours read",
)
def read_notification(request: HttpRequest, notification_id: int):  # type: ignore[no-untyped-def]
    n = selectors.notification(request.membership, notification_id)  # type: ignore[attr-defined]
    return notification_out(actions.do_mark_read(n, acting=Actor.from_request(request)))
