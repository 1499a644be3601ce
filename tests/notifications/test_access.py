"""A person's notifications are theirs alone: the API, the pages and the socket. Charlie
(another group), Dora (the coordinator) and even Sam (Carol's colleague) get a 404 for
Carol's notification."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from notifications import events
from notifications.models import Notification
from tenancy.models import AuditLog
from tests.conftest import client_for
from tests.portal.test_jobs import session_headers


def carols(world):  # type: ignore[no-untyped-def]
    return Notification.objects.get(recipient=world.carol.user)


@pytest.mark.django_db
def test_another_persons_notification_is_404_on_every_route(world, clients, sam, chain):  # type: ignore[no-untyped-def]
    events.offer_event(chain[3], "offered")
    n = carols(world)
    routes = [
        ("post", f"/api/notifications/{n.pk}/read"),
        ("post", f"/notifications/{n.pk}/read/"),
    ]
    others = {"charlie": clients["charlie"], "dora": clients["dora"], "sam": client_for(sam)}
    for name, client in others.items():
        for method, url in routes:
            got = getattr(client, method)(url)
            assert got.status_code == 404, f"{name} {url} answered {got.status_code}"
        listed = client.get("/api/notifications").json()
        assert n.pk not in {row["id"] for row in listed}, name
        assert (
            f'data-testid="notification-{n.pk}"'
            not in client.get("/notifications/").content.decode()
        )
        assert client.post("/api/notifications/read-all").status_code == 200
    n.refresh_from_db()
    assert n.read_at is None  # nobody else's "read all" touched it
    assert clients["carol"].post(f"/api/notifications/{n.pk}/read").status_code == 200
    assert clients["carol"].get("/api/notifications/999999999").status_code in {404, 405}


@pytest.mark.django_db
def test_the_api_lists_newest_first_filters_unread_and_marks_read(world, clients, sam, chain):  # type: ignore[no-untyped-def]
    offer = chain[3]
    events.offer_event(offer, "offered")
    events.deadline_soon(offer)
    carol = clients["carol"]
    rows = carol.get("/api/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [r["message"] for r in rows] == ["deadline_soon", "offered"]
    assert rows[1]["title"] == "New offer: line R-90001-1" and rows[1]["read_at"] is None
    assert rows[1]["link"] == "/offers/" and rows[1]["kind"] == "offer_made"
    ja = carol.get("/api/notifications", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert ja[1]["title"] == "新しい打診：明細 R-90001-1"

    read = carol.post(f"/api/notifications/{rows[1]['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = carol.get("/api/notifications?unread=true").json()
    assert [r["message"] for r in unread] == ["deadline_soon"]
    assert carol.post("/api/notifications/read-all").json() == {"marked": 1, "unread": 0}
    assert carol.get("/api/notifications?unread=true").json() == []
    assert Notification.objects.filter(recipient=sam.user, read_at=None).count() == 2


@pytest.mark.django_db
def test_preferences_default_change_and_refuse_nonsense(world, clients):  # type: ignore[no-untyped-def]
    vera = clients["vera"]  # a viewer may not write the firm's data, but chooses her own
    prefs = vera.get("/api/notifications/preferences").json()
    assert prefs == {
        "offer_made": {"in_app": True, "email": True},
        "offer_answered": {"in_app": True, "email": False},
        "counter_decided": {"in_app": True, "email": False},
        "replanned": {"in_app": True, "email": False},
        "deadline": {"in_app": True, "email": True},
        "run_finished": {"in_app": True, "email": False},
    }
    put = vera.put(
        "/api/notifications/preferences",
        {"run_finished": {"email": True}, "deadline": {"in_app": False}},
        content_type="application/json",
    )
    assert put.status_code == 200
    assert put.json()["run_finished"] == {"in_app": True, "email": True}
    assert put.json()["deadline"] == {"in_app": False, "email": True}
    assert vera.get("/api/notifications/preferences").json() == put.json()
    assert clients["alice"].get("/api/notifications/preferences").json() == prefs  # hers only
    row = AuditLog.objects.get(action="notifications.preferences")
    assert row.actor_id == world.vera.user_id and set(row.changes) == {"run_finished", "deadline"}

    bad = vera.put(
        "/api/notifications/preferences",
        {"gossip": {"email": True}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "gossip" in bad.json()["errors"]
    assert vera.get("/api/notifications/preferences").json() == put.json()


@pytest.mark.django_db
def test_the_pages_list_mark_read_and_save_choices(world, clients, sam, chain):  # type: ignore[no-untyped-def]
    events.offer_event(chain[3], "offered")
    n = carols(world)
    carol = client_for(world.carol)
    carol.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    page = carol.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200 and f'data-testid="notification-{n.pk}"' in html
    assert "新しい打診：明細 R-90001-1" in html and "通知" in html
    opened = carol.post(f"/notifications/{n.pk}/read/", {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == "/offers/"
    n.refresh_from_db()
    assert n.read_at is not None

    events.deadline_soon(chain[3])
    assert carol.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=world.carol.user, read_at=None).exists()

    prefs = carol.get("/notifications/preferences/")
    assert prefs.status_code == 200 and 'name="offer_made.email" id="pref-offer_made.email"' in (
        prefs.content.decode()
    )
    # Only these boxes ticked: everything else off.
    saved = carol.post(
        "/notifications/preferences/", {"offer_made.in_app": "on", "deadline.email": "on"}
    )
    assert saved.status_code == 302
    got = carol.get("/api/notifications/preferences").json()
    assert got["offer_made"] == {"in_app": True, "email": False}
    assert got["deadline"] == {"in_app": False, "email": True}
    assert got["run_finished"] == {"in_app": False, "email": False}


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count(world, sam, chain, rf):  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string
    from django.utils.functional import SimpleLazyObject

    from notifications.context_processors import unread

    events.offer_event(chain[3], "offered")
    events.deadline_soon(chain[3])
    request = rf.get("/")
    request.user, request.membership = world.carol.user, world.carol
    html = render_to_string(
        "notifications/_bell.html", {**unread(request), "membership": world.carol}
    )
    assert 'data-testid="notifications-bell"' in html and ">2</span>" in html
    request.membership = world.charlie
    html = render_to_string(
        "notifications/_bell.html", {**unread(request), "membership": world.charlie}
    )
    assert "hidden>0</span>" in html

    def no_count():  # type: ignore[no-untyped-def]
        raise AssertionError("the live-only bell counted")

    live = render_to_string(
        "notifications/_bell.html",
        {
            "membership": world.carol,
            "live_only": True,
            "notifications_unread": SimpleLazyObject(no_count),
        },
    )
    assert "data-notifications-count hidden></span>" in live  # the count never read


# -- the socket ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_carol_hears_her_notification_and_nobody_else_does(world, clients, sam, chain):  # type: ignore[no-untyped-def]
    listeners = ("carol", "charlie", "dora")

    async def scenario():  # type: ignore[no-untyped-def]
        from channels.db import database_sync_to_async

        from kumiai.asgi import application

        sockets = {}
        first = {}
        for who in listeners:
            c = WebsocketCommunicator(
                application, "/ws/notifications/", headers=session_headers(clients[who])
            )
            assert (await c.connect())[0], who
            first[who] = await c.receive_json_from(timeout=5)
            sockets[who] = c
        await database_sync_to_async(events.offer_event)(chain[3], "offered")
        heard = await sockets["carol"].receive_json_from(timeout=5)
        silent = {who: await sockets[who].receive_nothing(timeout=0.5) for who in listeners[1:]}
        n_id = heard["notification"]["id"]
        await database_sync_to_async(
            lambda: clients["carol"].post(f"/api/notifications/{n_id}/read")
        )()
        count = await sockets["carol"].receive_json_from(timeout=5)
        for c in sockets.values():
            await c.disconnect()
        anonymous = WebsocketCommunicator(
            application, "/ws/notifications/", headers=[(b"origin", b"http://testserver")]
        )
        refused = await anonymous.connect()
        return first, heard, silent, count, refused

    first, heard, silent, count, refused = async_to_sync(scenario)()
    assert first == {w: {"type": "notification.unread", "unread": 0} for w in listeners}
    assert heard["type"] == "notification.new" and heard["unread"] == 1
    assert heard["notification"]["title"] == "New offer: line R-90001-1"
    assert heard["notification"]["kind"] == "offer_made"
    assert silent == {"charlie": True, "dora": True}
    assert count == {"type": "notification.unread", "unread": 0}
    assert refused == (False, 4404)
