"""The drawing's live status socket: its owner hears the analysis, nobody else connects."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from drawings import actions
from drawings.models import RevisionStatus
from kumiai.asgi import application
from tenancy.context import Actor
from tests.drawings.rows import make_drawing
from tests.portal.test_jobs import session_headers

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_hears_the_analysis_and_others_are_refused(world, clients):  # type: ignore[no-untyped-def]
    d = make_drawing(world.lead_firm, "WS-1")
    rev = d.current_revision
    rev.kind, rev.status = "dxf", RevisionStatus.QUEUED
    rev.save()

    async def scenario():  # type: ignore[no-untyped-def]
        from channels.db import database_sync_to_async

        alice = WebsocketCommunicator(
            application, f"/ws/drawings/{d.pk}/", headers=session_headers(clients["alice"])
        )
        assert (await alice.connect())[0]
        first = await alice.receive_json_from(timeout=5)
        await database_sync_to_async(actions.claim_revision)(rev.pk)
        second = await alice.receive_json_from(timeout=5)
        await alice.disconnect()
        refused = {}
        for who in ("charlie", "carol"):
            c = WebsocketCommunicator(
                application, f"/ws/drawings/{d.pk}/", headers=session_headers(clients[who])
            )
            refused[who] = await c.connect()
        return first, second, refused

    first, second, refused = async_to_sync(scenario)()
    assert first["revision"]["status"] == "queued"
    assert second["revision"]["status"] == "analysing"
    assert refused == {"charlie": (False, 4404), "carol": (False, 4404)}


def test_a_shop_with_a_grant_may_listen(world, clients):  # type: ignore[no-untyped-def]
    d = make_drawing(world.lead_firm, "WS-2")
    actions.do_grant(
        d, world.shop, expires_at=None, acting=Actor(user=world.dora.user, membership=world.dora)
    )

    async def scenario():  # type: ignore[no-untyped-def]
        c = WebsocketCommunicator(
            application, f"/ws/drawings/{d.pk}/", headers=session_headers(clients["carol"])
        )
        ok = await c.connect()
        await c.disconnect()
        return ok

    assert async_to_sync(scenario)()[0] is True
