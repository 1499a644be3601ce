"""Charlie (another supplier group) must get nothing: 404 on every object, empty lists.

The URL lists below are checked against the URL conf, so a new route without an
isolation case fails here instead of slipping through.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.urls import get_resolver

from tenancy.scoping import TenantQuerySet
from tests.drawings.rows import make_drawing

pytestmark = pytest.mark.django_db


def object_urls(world):  # type: ignore[no-untyped-def]
    """Every page and API path that names one tenant-owned object, as Alice's group sees it."""
    from accounts.actions import do_create_api_token
    from background.actions import do_start_job
    from tenancy.context import Actor

    alice_actor = Actor(user=world.alice.user, membership=world.alice)
    job = do_start_job("audit_export", {}, acting=alice_actor, enqueue=lambda job_id: None)
    token = do_create_api_token("ci", acting=alice_actor).token
    lead, bob = world.lead_firm.pk, world.bob.pk
    d = make_drawing(world.lead_firm, "ISO-1")
    from drawings.models import Grant

    # The grant goes to another shop: Carol's shop holds none on this drawing.
    from tenancy.actions import create_organization
    from tenancy.context import Actor as _Actor
    from tenancy.models import OrgKind

    other_shop = create_organization(
        world.group, "白山ベンディング", OrgKind.MEMBER_SHOP, acting=_Actor.system("test")
    )
    grant = Grant.objects.create(drawing=d, shop=other_shop, owner=world.lead_firm)
    from tests.orders.rows import make_offer_chain

    order, line, run, offer = make_offer_chain(world)
    o, r, f = order.pk, run.pk, offer.pk
    from tests.orders.rows import make_operation

    machine, op = make_operation(world, offer)
    window = {"start": "2030-01-01T08:00:00+09:00", "end": "2030-01-01T09:00:00+09:00"}
    from production.models import Reallocation, Shipment

    shipment = Shipment.objects.create(work=op.work, quantity=1)
    proposal = Reallocation.objects.create(
        organization=world.coordinator,
        work=op.work,
        expected_date=date(2030, 1, 9),
        promised_date=date(2030, 1, 5),
        options=[{"kind": "stay", "shop_id": world.shop.pk, "shop": "x", "cost_jpy": 1,
                  "finish_date": "2030-01-09", "makes_due": False}],
    )  # fmt: skip
    w, s_, rp = op.work_id, shipment.pk, proposal.pk
    pin = {"line": line.pk, "shop": world.shop.pk}
    from notifications import events as notification_events
    from notifications.models import Notification

    notification_events.offer_event(offer, "offered")  # Carol's notification
    n = Notification.objects.get(recipient=world.carol.user).pk
    return {
        "order_detail": ("get", f"/orders/{o}/"),
        "order_place": ("post", f"/orders/{o}/place/"),
        "order_export": ("get", f"/orders/{o}/export/pdf/"),
        "api:get_order": ("get", f"/api/orders/{o}"),
        "api:place_order": ("post", f"/api/orders/{o}/place"),
        "api:lines_csv": ("get", f"/api/orders/{o}/lines.csv"),
        "api:lines_xlsx": ("get", f"/api/orders/{o}/lines.xlsx"),
        "api:quote_pdf": ("get", f"/api/orders/{o}/quote.pdf"),
        "allocation_run": ("get", f"/allocation/runs/{r}/"),
        "allocation_pin": ("post", f"/allocation/runs/{r}/pin/", pin),
        "allocation_publish": ("post", f"/allocation/runs/{r}/publish/"),
        "api:get_run": ("get", f"/api/allocation-runs/{r}"),
        "api:pin": ("post", f"/api/allocation-runs/{r}/pin", pin),
        "api:publish": ("post", f"/api/allocation-runs/{r}/publish"),
        "offer_accept": ("post", f"/offers/{f}/accept/"),
        "offer_decline": ("post", f"/offers/{f}/decline/", {"reason": "x"}),
        "offer_counter": ("post", f"/offers/{f}/counter/", {"price_jpy": 1}),
        "offer_counter_answer": ("post", f"/offers/{f}/counter/answer/", {"accept": "1"}),
        "api:get_offer": ("get", f"/api/offers/{f}"),
        "api:accept": ("post", f"/api/offers/{f}/accept"),
        "api:decline": ("post", f"/api/offers/{f}/decline", {"reason": "x"}),
        "api:counter": ("post", f"/api/offers/{f}/counter", {"price_jpy": 1}),
        "api:answer_counter": ("post", f"/api/offers/{f}/counter/answer", {"accept": True}),
        "notification_read": ("post", f"/notifications/{n}/read/"),
        "api:progress": ("post", f"/api/operations/{op.pk}/progress", {"status": "started"}),
        "api:breakdown": ("post", f"/api/machines/{machine.pk}/breakdowns", window),
        "api:read_notification": ("post", f"/api/notifications/{n}/read"),
        "api:move": ("post", f"/api/operations/{op.pk}/move", {"start": window["start"]}),
        "api:ship": ("post", f"/api/works/{w}/shipments", {"quantity": 1}),
        "api:receive": ("post", f"/api/shipments/{s_}/receive"),
        "api:approve": ("post", f"/api/reallocations/{rp}/approve", {"option": 0}),
        "api:dismiss": ("post", f"/api/reallocations/{rp}/dismiss"),
        "floor_progress": ("post", f"/floor/operations/{op.pk}/", {"status": "started"}),
        "floor_breakdown": ("post", f"/floor/machines/{machine.pk}/breakdown/", window),
        "floor_ship": ("post", f"/floor/works/{w}/ship/", {"quantity": 1}),
        "receive": ("post", f"/deliveries/{s_}/receive/"),
        "reallocation_decide": ("post", f"/schedule/reallocations/{rp}/", {"option": 0}),
        "drawing_detail": ("get", f"/drawings/{d.pk}/"),
        "drawing_edit": ("post", f"/drawings/{d.pk}/edit/"),
        "drawing_picture": ("get", f"/drawings/{d.pk}/rev/1/view.svg"),
        "drawing_download": ("get", f"/drawings/{d.pk}/rev/1/download/"),
        "grant_create": ("post", f"/drawings/{d.pk}/grants/"),
        "grant_revoke": ("post", f"/grants/{grant.pk}/revoke/"),
        "api:get_drawing": ("get", f"/api/drawings/{d.pk}"),
        "api:drawing_similar": ("get", f"/api/drawings/{d.pk}/similar"),
        "api:drawing_past_jobs": ("get", f"/api/drawings/{d.pk}/past-jobs"),
        "api:download": ("get", f"/api/drawings/{d.pk}/download"),
        "organization_detail": ("get", f"/orgs/{lead}/"),
        "member_set_active": ("post", f"/org/members/{bob}/active/0/"),
        "job_download": ("get", f"/jobs/{job.id}/download/"),
        "api_token_revoke": ("post", f"/account/tokens/{token.pk}/revoke/"),
        "api:get_organization": ("get", f"/api/organizations/{lead}"),
        "api:get_member": ("get", f"/api/members/{bob}"),
        "api:disable_member": ("post", f"/api/members/{bob}/disable"),
        "api:enable_member": ("post", f"/api/members/{bob}/enable"),
        "api:revoke_token": ("delete", f"/api/tokens/{token.pk}"),
        "api:get_job": ("get", f"/api/jobs/{job.id}"),
    }


def routes_with_object_ids() -> set[str]:
    # The invitation link and the calendar feed carry their own secret and name no tenant
    # object (the feed's tests: tests/production/test_exports_feeds.py).
    # The monthly insight report names a month, not an object: each reader gets their own
    # group's (tests/insight/test_pages_and_exports.py).
    public = {"accept_invitation", "calendar_ics", "insight_report"}
    names = set()

    def walk(patterns, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, f"{pattern.namespace}:" if pattern.namespace else prefix)
            elif "<" in str(pattern.pattern) and pattern.name not in public:
                names.add(f"{prefix}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def all_object_urls(world) -> dict[str, tuple[str, str, dict]]:  # type: ignore[no-untyped-def]
    """This file's cases and the shops app's (which need request bodies), as
    (method, url, body)."""
    from tests.shops.test_access import shop_urls

    return {
        **{
            name: (*case[:2], case[2] if len(case) > 2 else {})
            for name, case in object_urls(world).items()
        },
        **shop_urls(world.shop.pk),
    }


def purchasing_routes_with_object_ids() -> set[str]:
    """Joint purchasing's own cases (its objects need a group's demand and price lists):
    tests/purchasing/test_bad_input_and_isolation.py checks every one of them, for
    Charlie and for a member shop that is not party to the order."""
    from purchasing.api import router
    from purchasing.urls import urlpatterns

    pages = {p.name for p in urlpatterns if "<" in str(p.pattern)}
    api = {f"api:{op.view_func.__name__}" for path, view in router.path_operations.items()
           for op in view.operations if "{" in path}  # fmt: skip
    return {str(n) for n in pages} | api


def test_every_route_with_an_object_id_has_an_isolation_case(world):  # type: ignore[no-untyped-def]
    assert routes_with_object_ids() - purchasing_routes_with_object_ids() <= set(
        all_object_urls(world)
    )


def test_a_shop_without_a_grant_gets_404_on_every_drawing_url(world, clients):  # type: ignore[no-untyped-def]
    from tests.shops.test_access import call

    drawing_routes = {
        n: v
        for n, v in all_object_urls(world).items()
        if "drawing" in n or "grant" in n or n in {"api:download"}
    }
    assert len(drawing_routes) >= 10
    for name, (method, url, body) in drawing_routes.items():
        response = call(clients["carol"], method, url, body)
        assert response.status_code == 404, f"{name} {url} answered {response.status_code}"


JOB_FLOW = ("order", "api:get_order", "api:place_order", "api:lines", "api:quote_pdf",
            "allocation", "api:get_run", "api:pin", "api:publish", "offer", "api:get_offer",
            "api:accept", "api:decline", "api:counter", "api:answer_counter", "api:progress",
            "api:breakdown", "notification", "api:read_notification", "api:move", "api:ship",
            "api:receive", "api:approve", "api:dismiss", "floor_", "receive",
            "reallocation_")  # fmt: skip


def test_a_shop_not_party_to_the_job_flow_gets_404_on_every_url_of_it(world, clients):  # type: ignore[no-untyped-def]
    """Inside the group: a member shop that holds no offer, no work and no grant (the
    offer in object_urls is Carol's) finds none of the order, run, offer, operation,
    machine or notification behind these URLs."""
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role
    from tests.conftest import client_for
    from tests.shops.test_access import call

    system = Actor.system("test")
    other = create_organization(world.group, "福井精工", OrgKind.MEMBER_SHOP, acting=system)
    hana = client_for(
        add_member(other, "hana@f.example", "Hana", Role.ADMIN, "x" * 16, acting=system)
    )
    urls = {k: v for k, v in all_object_urls(world).items() if k.startswith(JOB_FLOW)}
    assert len(urls) >= 25
    for name, (method, url, body) in urls.items():
        response = call(hana, method, url, body)
        assert response.status_code == 404, f"{name} {url} answered {response.status_code}"


def test_charlie_gets_404_on_every_object_url(world, clients):  # type: ignore[no-untyped-def]
    from tests.shops.test_access import call

    for name, (method, url, body) in all_object_urls(world).items():
        response = call(clients["charlie"], method, url, body)
        assert response.status_code == 404, f"{name} {url} answered {response.status_code}"
    world.bob.refresh_from_db()
    assert world.bob.is_active, "Charlie's disable request must not have touched Bob"


def test_charlie_sees_nothing_of_the_group_in_lists(world, clients):  # type: ignore[no-untyped-def]
    charlie = clients["charlie"]
    org_names = {o["name"] for o in charlie.get("/api/organizations").json()}
    assert org_names == {world.other_org.name}
    members = {m["email"] for m in charlie.get("/api/members").json()}
    assert members == {"charlie@other.example"}
    audit = charlie.get("/api/audit").json()
    assert all(row["object_repr"] != world.lead_firm.name for row in audit)
    assert {row["actor_email"] for row in audit} <= {"", "charlie@other.example"}
    page = charlie.get("/dashboard/").content.decode()
    assert world.lead_firm.name not in page and world.shop.name not in page


def test_a_member_shop_sees_the_group_but_not_the_lead_firms_people(world, clients):  # type: ignore[no-untyped-def]
    carol = clients["carol"]
    assert world.lead_firm.name in {o["name"] for o in carol.get("/api/organizations").json()}
    assert {m["email"] for m in carol.get("/api/members").json()} == {"carol@shop.example"}
    assert carol.get(f"/api/members/{world.bob.pk}").status_code == 404


def test_every_tenant_owned_model_is_scoped_in_one_place():  # type: ignore[no-untyped-def]
    owned = []
    for model in apps.get_models():
        apps_owned = {
            "tenancy",
            "background",
            "drawings",
            "shops",
            "orders",
            "allocation",
            "offers",
            "production",
        }  # notifications: a Notification names its organisation (checked by the FK rule);
        # a NotificationPreference is a user's own, not a tenant's
        if model._meta.app_label in apps_owned or any(
            f.related_model
            and f.related_model._meta.label in {"tenancy.Organization", "tenancy.SupplierGroup"}
            for f in model._meta.fields
        ):
            owned.append(model)
    assert owned, "found no tenant-owned models"
    for model in owned:
        if model._meta.label in {"tenancy.SupplierGroup"}:
            continue  # the tenant itself; nobody lists groups
        assert isinstance(model._default_manager.all(), TenantQuerySet), model._meta.label
        rule = model.TENANT_VISIBILITY
        assert rule in {"organization", "group", "grant", "parties", "via"}, model._meta.label
        if rule == "via":  # scoped like the row it belongs to, which must itself be scoped
            parent = model._meta.get_field(model.TENANT_VIA).related_model
            assert isinstance(parent._default_manager.all(), TenantQuerySet), model._meta.label
        if rule == "parties":
            assert all(model._meta.get_field(f) for f in model.TENANT_PARTIES)


def test_a_disabled_membership_sees_nothing(world, clients, password):  # type: ignore[no-untyped-def]
    """Alice disables Bob for real (the action, saved): what Bob then meets is what a
    disabled person meets — his open session, his API key and his password all stop."""
    from django.test import Client

    from accounts.actions import do_create_api_token
    from tenancy.actions import do_set_membership_active
    from tenancy.context import Actor
    from tenancy.models import Membership, Organization

    bob_key = do_create_api_token(
        "bob's script", acting=Actor(user=world.bob.user, membership=world.bob)
    ).secret
    assert clients["bob"].get("/dashboard/").status_code == 200
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {bob_key}").status_code == 200

    do_set_membership_active(
        world.bob, False, acting=Actor(user=world.alice.user, membership=world.alice)
    )

    stored = Membership.objects.select_related("user").get(pk=world.bob.pk)
    assert not stored.is_active and not stored.user.is_active
    assert Organization.objects.visible_to(stored).count() == 0
    page = clients["bob"].get("/dashboard/")
    assert page.status_code == 302 and "/login/" in page["Location"]
    assert clients["bob"].get(f"/orgs/{world.lead_firm.pk}/").status_code in {302, 404}
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {bob_key}").status_code == 401
    login = Client().post("/login/", {"email": "bob@a.example", "password": password})
    assert login.status_code == 401
