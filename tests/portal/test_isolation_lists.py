"""Charlie (another group) gets nothing from any list either, and no live channel: every
route without an object id and every websocket route is listed here, so a new one
without an isolation case fails this test instead of slipping through."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.urls import get_resolver

from tests.drawings.rows import make_drawing
from tests.portal.test_jobs import session_headers

pytestmark = pytest.mark.django_db(transaction=True)

# Lists: Charlie reads them and must find none of the group's data in the answer.
LISTS = {
    "api:list_drawings": "/api/drawings",
    "api:list_past_jobs": "/api/past-jobs",
    "api:list_shops": "/api/shops",
    "api:list_organizations": "/api/organizations",
    "api:list_members": "/api/members",
    "api:list_audit": "/api/audit",
    "api:list_tokens": "/api/tokens",
    "api:me": "/api/me",
    "dashboard": "/dashboard/",
    "members": "/org/members/",
    "audit_log": "/org/audit/",
    "api_tokens": "/account/tokens/",
    "drawing_list": "/drawings/",
    "past_jobs": "/past-jobs/",
    "shop_list": "/shops/",
    "similar_search": "/drawings/similar/",
    "past_jobs_import": "/past-jobs/import/",
    "api:list_orders": "/api/orders",
    "order_list": "/orders/",
    "order_new": "/orders/new/",
    "allocation_home": "/allocation/",
    "api:list_runs": "/api/allocation-runs",
    "api:inbox": "/api/offers",
    "offer_inbox": "/offers/",
    "offer_inbox_fragment": "/offers/list/",
    "machine_plan": "/production/",
    "api:get_weights": "/api/allocation-weights",
    "notification_list": "/notifications/",
    "notification_list_fragment": "/notifications/list/",
    "notification_preferences": "/notifications/preferences/",
    "api:list_notifications": "/api/notifications",
    "api:get_preferences": "/api/notifications/preferences",
    "api:schedule": "/api/schedule",
    "schedule": "/schedule/",
    "api:works": "/api/works",
    "api:reallocations": "/api/reallocations",
    "floor": "/floor/",
    "deliveries": "/deliveries/",
    "reallocations": "/schedule/reallocations/",
    "schedule_csv": "/schedule/export.csv",
    "api:schedule_load": "/api/schedule/load",
    "calendar_feed": "/schedule/calendar/",
    "insight": "/insight/",
    "insight_csv": "/insight/export.csv",
    "api:insight": "/api/insight",
    "purchasing_demand": "/purchasing/",
    "purchasing_offcuts": "/purchasing/offcuts/",
    "purchasing_orders": "/purchasing/orders/",
    "purchasing_suppliers": "/purchasing/suppliers/",
    "api:get_demand": "/api/purchasing/demand",
    "api:list_stock": "/api/purchasing/stock",
    "api:list_offcuts": "/api/purchasing/offcuts",
    "api:list_suppliers": "/api/purchasing/suppliers",
    "api:list_purchase_orders": "/api/purchasing/orders",
}
# Routes that list nothing of a tenant: sign-in, language, health, the API's own docs,
# and writes that create the caller's own rows (their scoping is tested with the app).
NOT_LISTS = {
    "api:openapi-json", "api:openapi-view", "api:api-root", "healthz", "home", "login",
    "logout", "set_language", "accept_invitation_base", "audit_export",
    "api:upload_drawing", "api:upload_zip", "api:similar_by_file", "api:invite",
    "api:create_token", "api:preview_past_job_import", "api:import_past_jobs",
    "past_jobs_import_confirm", "api:create_order", "api:start_run", "allocation_weights",
    "allocation_start", "api:put_weights", "notification_read_all", "api:read_all",
    "api:put_preferences",
    # The Excel twin of schedule_csv (a zip: Charlie's empty one is read back in
    # tests/production/test_exports_feeds.py); a person's own calendar address.
    "schedule_xlsx", "calendar_feed_new", "calendar_feed_revoke", "insight_xlsx",
    "purchasing_stock_set", "purchasing_offcut_add", "purchasing_supplier_create",
    "purchasing_orders_create", "api:set_stock", "api:add_offcut", "api:create_supplier",
    "api:create_purchase_orders",
}  # fmt: skip
WEBSOCKETS = {
    "ws/jobs/<uuid:job_id>/",
    "ws/drawings/<int:drawing_id>/",
    "ws/allocation-runs/<int:run_id>/",
    "ws/offers/",  # the caller's own organisation's offers: tested below to stay so
    "ws/notifications/",  # the caller's own: tests/notifications/test_access.py
    "ws/schedule/",  # the caller's own view: tests/production/test_floor.py
}


def routes_without_ids() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, f"{p.namespace}:" if p.namespace else prefix)
            elif "<" not in str(p.pattern):
                names.add(f"{prefix}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_route_without_an_id_and_every_socket_has_a_case():  # type: ignore[no-untyped-def]
    from kumiai.routing import websocket_urlpatterns

    assert routes_without_ids() <= set(LISTS) | NOT_LISTS
    assert {str(p.pattern) for p in websocket_urlpatterns} == WEBSOCKETS


def test_charlie_finds_nothing_of_the_group_in_any_list(world, clients):  # type: ignore[no-untyped-def]
    from drawings.models import PastJob
    from shops.actions import ensure_profile
    from tenancy.context import Actor

    make_drawing(world.lead_firm, "ISO-LIST-7")
    PastJob.objects.create(
        recorded_by=world.lead_firm,
        buyer=world.lead_firm,
        maker=world.shop,
        part_number="PJ-ISO-7",
        part_number_key="PJ-ISO-7",
        order_date=date(2026, 9, 1),
        quantity=10,
        unit_price=Decimal("1234"),
    )
    ensure_profile(world.shop, acting=Actor.system("test"))
    needles = [
        "ISO-LIST-7",
        "PJ-ISO-7",
        world.lead_firm.name,
        world.shop.name,
        world.coordinator.name,
        "alice@a.example",
    ]
    for name, url in LISTS.items():
        response = clients["charlie"].get(url)
        assert response.status_code in {200, 403}, (name, response.status_code)
        body = response.content.decode()
        leaked = [n for n in needles if n in body]
        assert leaked == [], f"{name} {url} shows {leaked}"


def test_charlie_cannot_listen_to_any_channel_of_the_group(world, clients):  # type: ignore[no-untyped-def]
    from background.actions import do_start_job
    from tenancy.context import Actor

    job = do_start_job(
        "audit_export",
        {},
        acting=Actor(user=world.alice.user, membership=world.alice),
        enqueue=lambda job_id: None,
    )
    d = make_drawing(world.lead_firm, "ISO-WS-1")
    from tests.orders.rows import make_offer_chain

    _order, _line, run, offer = make_offer_chain(world)
    urls = [f"/ws/jobs/{job.id}/", f"/ws/drawings/{d.pk}/", f"/ws/allocation-runs/{run.pk}/"]
    assert (
        len(urls) == len(WEBSOCKETS) - 3
    )  # /ws/offers/ below; notifications, schedule: their apps

    async def connect_all():  # type: ignore[no-untyped-def]
        from kumiai.asgi import application

        results = []
        for url in urls:
            c = WebsocketCommunicator(application, url, headers=session_headers(clients["charlie"]))
            results.append(await c.connect())
        return results

    assert async_to_sync(connect_all)() == [(False, 4404)] * len(urls)

    # The inbox socket has no id: Charlie joins his own group's, and hears nothing of ours.
    from offers.actions import _push

    async def inbox(who):  # type: ignore[no-untyped-def]
        from channels.db import database_sync_to_async

        from kumiai.asgi import application

        c = WebsocketCommunicator(application, "/ws/offers/", headers=session_headers(clients[who]))
        assert (await c.connect())[0]
        await database_sync_to_async(_push)(offer, "offered")
        heard = await c.receive_nothing(timeout=1) is False
        await c.disconnect()
        return heard

    assert async_to_sync(inbox)("carol") is True  # the shop the offer is made to hears it
    assert async_to_sync(inbox)("charlie") is False
