"""Who sees a shop's profile, capability, machines and calendar: the shop (its admin and
estimator edit, a viewer reads) and the group's coordinator (reads, and sets the shares).
A lead firm, another shop and another group get 404 on every page and endpoint; the list
pages cost the same queries for 2 versions or 12."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from shops import actions
from shops.models import CostProfileVersion
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def shop_urls(
    org_id: int, machine_id: int = 1, closure_id: int = 1
) -> dict[str, tuple[str, str, dict]]:
    """Every page and endpoint that names a shop, as (method, url, body)."""
    api = f"/api/shops/{org_id}/profile"
    page = f"/shops/{org_id}/profile"
    shop_api, shop_page = f"/api/shops/{org_id}", f"/shops/{org_id}"
    machine = {"name": "X", "process": "laser", "speed_factor": 1.0}
    closure = {"start_date": "2026-12-29", "end_date": "2027-01-04"}
    return {
        "shop_profile": ("get", f"{page}/", {}),
        "shop_profile_edit": ("get", f"{page}/edit/", {}),
        "shop_profile_yaml": ("get", f"{page}/yaml/", {}),
        "shop_profile_version": ("get", f"{page}/versions/1/", {}),
        "shop_profile_calibrate": ("get", f"{page}/calibrate/", {}),
        "shop_profile_adopt": ("post", f"{page}/adopt/", {"fingerprint": "0" * 64}),
        "api:shop_profile": ("get", api, {}),
        "api:save_shop_profile": ("put", api, {"document": {"markup": 0.1}}),
        "api:shop_profile_versions": ("get", f"{api}/versions", {}),
        "api:shop_profile_version": ("get", f"{api}/versions/1", {}),
        "api:calibrate_shop_profile": ("post", f"{api}/calibrate", {}),
        "api:adopt_shop_calibration": ("post", f"{api}/adopt", {"fingerprint": "0" * 64}),
        "shop_capability": ("get", f"{shop_page}/capability/", {}),
        "shop_capability_edit": ("get", f"{shop_page}/capability/edit/", {}),
        "shop_capability_shares": (
            "post",
            f"{shop_page}/capability/shares/",
            {"target_share": "0.2", "min_share": "0.1"},
        ),
        "shop_machine_add": ("post", f"{shop_page}/machines/add/", machine),
        "shop_machine_edit": ("post", f"{shop_page}/machines/{machine_id}/edit/", machine),
        "shop_machine_active": (
            "post",
            f"{shop_page}/machines/{machine_id}/active/",
            {"active": "0"},
        ),
        "shop_closure_add": ("post", f"{shop_page}/closures/add/", closure),
        "shop_closure_delete": ("post", f"{shop_page}/closures/{closure_id}/delete/", {}),
        "api:shop_capability": ("get", f"{shop_api}/capability", {}),
        "api:save_shop_capability": ("put", f"{shop_api}/capability", {"processes": ["laser"]}),
        "api:shop_machines": ("get", f"{shop_api}/machines", {}),
        "api:add_shop_machine": ("post", f"{shop_api}/machines", machine),
        "api:change_shop_machine": ("put", f"{shop_api}/machines/{machine_id}", machine),
        "api:delete_shop_machine": ("delete", f"{shop_api}/machines/{machine_id}", {}),
        "api:shop_closures": ("get", f"{shop_api}/closures", {}),
        "api:add_shop_closure": ("post", f"{shop_api}/closures", closure),
        "api:delete_shop_closure": ("delete", f"{shop_api}/closures/{closure_id}", {}),
        "api:shop_capacity": ("get", f"{shop_api}/capacity?start=2026-11-16&days=28", {}),
    }


READS = {"shop_profile", "shop_profile_version", "api:shop_profile"}
READS |= {"api:shop_profile_versions", "api:shop_profile_version"}
READS |= {"shop_capability", "api:shop_capability", "api:shop_machines", "api:shop_closures"}
READS |= {"api:shop_capacity"}
# The coordinator's own write on a shop: it sets the shop's shares (a redirect when saved).
COORDINATOR_WRITES = {"shop_capability_shares": 302}


def carol_urls(world, setup) -> dict[str, tuple[str, str, dict]]:  # type: ignore[no-untyped-def]
    """shop_urls naming Carol's real machine and closure."""
    return shop_urls(world.shop.pk, setup["machines"][0].pk, setup["closure"].pk)


def call(client, method: str, url: str, body: dict):  # type: ignore[no-untyped-def]
    if url.startswith("/api/") and method != "get":
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, body)


def shop_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, f"{p.namespace}:" if p.namespace else prefix)
            elif "shops/" in str(p.pattern) and "<" in str(p.pattern):
                names.add(f"{prefix}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_shop_route_has_an_isolation_case(world, clients):  # type: ignore[no-untyped-def]
    assert shop_routes() <= set(shop_urls(world.shop.pk))
    schema = clients["carol"].get("/api/openapi.json").json()
    assert {p for p in schema["paths"] if p.startswith("/api/shops")} == {
        "/api/shops",
        "/api/shops/{org_id}/profile",
        "/api/shops/{org_id}/profile/versions",
        "/api/shops/{org_id}/profile/versions/{number}",
        "/api/shops/{org_id}/profile/calibrate",
        "/api/shops/{org_id}/profile/adopt",
        "/api/shops/{org_id}/capability",
        "/api/shops/{org_id}/machines",
        "/api/shops/{org_id}/machines/{machine_id}",
        "/api/shops/{org_id}/closures",
        "/api/shops/{org_id}/closures/{closure_id}",
        "/api/shops/{org_id}/capacity",
    }


@pytest.mark.parametrize("who", ["alice", "vera", "charlie", "erin"])
def test_a_lead_firm_another_shop_and_another_group_get_404_everywhere(  # type: ignore[no-untyped-def]
    world, clients, erin, carol_profile, carol_capability, who
):
    from shops.models import Closure, Machine, ShopCapability

    client = erin if who == "erin" else clients[who]
    for name, (method, url, body) in carol_urls(world, carol_capability).items():
        response = call(client, method, url, body)
        assert response.status_code == 404, f"{who}: {name} {url} → {response.status_code}"
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1
    row = ShopCapability.objects.get(shop=world.shop)
    assert (row.processes, row.target_share) == (["laser", "bend"], 0.3)
    assert Machine.objects.filter(shop=world.shop, active=True).count() == 3
    assert Closure.objects.filter(shop=world.shop).count() == 1
    listed = client.get("/api/shops").json()
    assert world.shop.pk not in {s["id"] for s in listed}
    assert world.shop.name not in client.get("/shops/").content.decode()


def test_the_coordinator_reads_every_shop_of_the_group_and_changes_none(  # type: ignore[no-untyped-def]
    world, clients, carol_profile, carol_capability
):
    from shops.models import Closure, Machine, ShopCapability
    from tenancy.actions import create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind

    dora = clients["dora"]
    for name, (method, url, body) in carol_urls(world, carol_capability).items():
        expected = 200 if name in READS else COORDINATOR_WRITES.get(name, 403)
        assert call(dora, method, url, body).status_code == expected, name
    row = ShopCapability.objects.get(shop=world.shop)
    assert (row.processes, row.target_share, row.min_share) == (["laser", "bend"], 0.2, 0.1)
    assert Machine.objects.filter(shop=world.shop, active=True).count() == 3
    assert Closure.objects.filter(shop=world.shop).count() == 1
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1
    page = dora.get(f"/shops/{world.shop.pk}/profile/").content.decode()
    assert 'data-testid="read-only"' in page and "/edit/" not in page
    listed = {s["name"]: s["current_version"] for s in dora.get("/api/shops").json()}
    assert listed == {world.shop.name: 1, world.coordinator.name: None}
    # A shop that has not opened its profile: Dora's look does not open it for the shop.
    quiet = create_organization(world.group, "七尾板金", OrgKind.MEMBER_SHOP, acting=Actor.system())
    page = dora.get(f"/shops/{quiet.pk}/profile/")
    assert page.status_code == 200 and 'data-testid="no-profile"' in page.content.decode()
    assert dora.get(f"/api/shops/{quiet.pk}/profile").status_code == 404
    assert not CostProfileVersion.objects.filter(shop=quiet).exists()
    # The coordinator's own organisation is a shop too: Dora edits that one.
    own = dora.get(f"/api/shops/{world.coordinator.pk}/profile").json()
    own["document"]["markup"] = 0.15
    saved = dora.put(
        f"/api/shops/{world.coordinator.pk}/profile",
        {"document": own["document"]},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2


def test_carol_edits_her_shop_and_dora_sees_the_new_version(world, clients, carol_profile):  # type: ignore[no-untyped-def]
    document = clients["carol"].get(f"/api/shops/{world.shop.pk}/profile").json()["document"]
    document["brake"]["rate_jpy_h"] = 6600
    saved = clients["carol"].put(
        f"/api/shops/{world.shop.pk}/profile",
        {"document": document},
        content_type="application/json",
    )
    assert saved.status_code == 200
    seen = clients["dora"].get(f"/api/shops/{world.shop.pk}/profile").json()
    assert (seen["version"], seen["document"]["brake"]["rate_jpy_h"]) == (2, 6600)


def test_a_viewer_of_the_shop_reads_but_cannot_edit(world, sam, carol_profile, carol_capability):  # type: ignore[no-untyped-def]
    for name, (method, url, body) in carol_urls(world, carol_capability).items():
        expected = 200 if name in READS else 403
        assert call(sam, method, url, body).status_code == expected, name
    posted = sam.post(f"/shops/{world.shop.pk}/profile/edit/", {"laser_rate": "1"})
    assert posted.status_code == 403
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1
    page = sam.get(f"/shops/{world.shop.pk}/profile/").content.decode()
    assert "Your role may read this profile but not change it." in page


def test_the_action_refuses_another_shops_profile(world, actors, carol_profile):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_save_profile(world.shop, carol_profile.document, acting=actors["dora"])


def test_the_history_page_costs_the_same_queries_for_2_versions_or_12(  # type: ignore[no-untyped-def]
    world, clients, actors, carol_profile, django_assert_num_queries
):
    url = f"/shops/{world.shop.pk}/profile/"
    dora, carol = clients["dora"], clients["carol"]
    actions.do_save_profile(world.shop, carol_profile.document, acting=actors["carol"])
    # Session, user, membership; the shop; its versions with their authors.
    with django_assert_num_queries(5):
        assert carol.get(url).status_code == 200
    with django_assert_num_queries(5):
        assert dora.get(url).status_code == 200
    for markup in range(10):
        actions.do_save_profile(
            world.shop, carol_profile.document | {"markup": markup / 10}, acting=actors["carol"]
        )
    with django_assert_num_queries(5):
        page = carol.get(url)
    assert page.content.decode().count("<tr class=") == 12
    # The list: session, user, membership; the shops with their current versions.
    with django_assert_num_queries(4):
        assert clients["dora"].get("/shops/").status_code == 200


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("ja", ["能登レーザー工業 の原価プロファイル", "履歴", "レーザー加工費レート（円/時）"]),
        ("en", ["Cost profile of 能登レーザー工業", "History", "Laser rate (JPY/h)"]),
    ],
)
def test_the_profile_page_speaks_japanese_and_english(world, carol_profile, lang, texts):  # type: ignore[no-untyped-def]
    client = client_for(world.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    page = client.get(f"/shops/{world.shop.pk}/profile/").content.decode()
    for text in texts:
        assert text in page


def test_a_refused_rate_is_explained_in_japanese(world, carol_profile):  # type: ignore[no-untyped-def]
    from shops.forms import RatesForm

    client = client_for(world.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    form = RatesForm(carol_profile.document)
    data = {n: form[n].initial for n in form.paths} | {"base_version": 1, "brake_rate": "0"}
    response = client.post(f"/shops/{world.shop.pk}/profile/edit/", data)
    assert response.status_code == 422
    assert response.context["form"].errors["brake_rate"] == ["0 より大きい値にしてください。"]
