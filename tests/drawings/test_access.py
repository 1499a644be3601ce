"""Who sees a drawing: its owner, the group's coordinator, a member shop while it holds
a live grant — and nobody else, in every read: the drawing, its search (text and shape),
its past jobs, its file. Charlie is in another group; Erin is another lead firm of the
same group; Carol's shop has no grant until Dora (the coordinator) gives one."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from drawings import actions
from drawings.models import Drawing, Grant, Revision
from tenancy.context import Actor
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import wait_finished

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def erin(world, password):  # type: ignore[no-untyped-def]
    from tenancy.actions import add_member, create_organization
    from tenancy.models import OrgKind, Role

    system = Actor.system("test")
    firm = create_organization(world.group, "金沢電機", OrgKind.LEAD_FIRM, acting=system)
    member = add_member(firm, "erin@k.example", "Erin", Role.ADMIN, password, acting=system)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    return client


@pytest.fixture
def drawing(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    """Alice's analysed bracket, BR-100 (SPCC 1.6), 100×50 with four Ø10 holes."""
    got = (
        clients["alice"]
        .post(
            "/api/drawings",
            {
                "file": SimpleUploadedFile("br100.dxf", plate(text="BRACKET")),
                "part_number": "BR-100",
                "title": "取付ブラケット",
                "material": "SPCC",
                "thickness_mm": "1.6",
            },
        )
        .json()
    )
    d = Drawing.objects.get(pk=got["id"])
    assert wait_finished(d.current_revision_id).status == "analysed"
    return d


def reads(d: Drawing) -> dict[str, str]:
    return {
        "drawing": f"/api/drawings/{d.pk}",
        "similar": f"/api/drawings/{d.pk}/similar",
        "past jobs": f"/api/drawings/{d.pk}/past-jobs",
        "download": f"/api/drawings/{d.pk}/download",
    }


def grant(world, d: Drawing, **kwargs) -> Grant:  # type: ignore[no-untyped-def]
    return actions.do_grant(
        d,
        world.shop,
        expires_at=kwargs.get("expires_at"),
        acting=Actor(user=world.dora.user, membership=world.dora),
    )


def search_finds(client: Client, d: Drawing) -> dict[str, bool]:
    by_text = {r["id"] for r in client.get("/api/drawings", {"q": "BR-100"}).json()}
    listed = {r["id"] for r in client.get("/api/drawings").json()}
    by_shape = client.post(
        "/api/similar", {"file": SimpleUploadedFile("q.dxf", plate(holes=((15, 12.5, 10),)))}
    ).json()["results"]
    return {
        "text": d.pk in by_text,
        "list": d.pk in listed,
        "shape": d.pk in {r["drawing"] for r in by_shape},
    }


def test_owner_and_coordinator_see_the_drawing_everywhere(world, clients, drawing):  # type: ignore[no-untyped-def]
    for who in ("alice", "bob", "dora"):
        for name, url in reads(drawing).items():
            assert clients[who].get(url).status_code == 200, (who, name)
        assert search_finds(clients[who], drawing) == {"text": True, "list": True, "shape": True}


def test_another_group_another_firm_and_a_shop_without_grant_find_nothing(
    world, clients, erin, drawing
):  # type: ignore[no-untyped-def]
    for who, client in (
        ("charlie", clients["charlie"]),
        ("erin", erin),
        ("carol", clients["carol"]),
    ):
        for name, url in reads(drawing).items():
            assert client.get(url).status_code == 404, (who, name)
        assert search_finds(client, drawing) == {"text": False, "list": False, "shape": False}, who


def test_a_grant_opens_the_drawing_to_the_shop_until_it_is_revoked(world, clients, drawing):  # type: ignore[no-untyped-def]
    carol = clients["carol"]
    g = grant(world, drawing)
    assert carol.get(f"/api/drawings/{drawing.pk}").status_code == 200
    assert search_finds(carol, drawing) == {"text": True, "list": True, "shape": True}
    actions.do_revoke_grant(g, acting=Actor(user=world.dora.user, membership=world.dora))
    assert carol.get(f"/api/drawings/{drawing.pk}").status_code == 404
    assert search_finds(carol, drawing)["shape"] is False


def test_a_grant_past_its_expiry_ends_access(world, clients, drawing):  # type: ignore[no-untyped-def]
    g = grant(world, drawing, expires_at=timezone.now() + timedelta(hours=1))
    assert clients["carol"].get(f"/api/drawings/{drawing.pk}").status_code == 200
    Grant.objects.filter(pk=g.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert clients["carol"].get(f"/api/drawings/{drawing.pk}").status_code == 404


def test_a_shop_sees_its_own_price_but_never_another_shops(world, clients, drawing):  # type: ignore[no-untyped-def]
    from shops.actions import ensure_profile

    system = Actor.system("test")
    for org in (world.shop, world.coordinator):
        ensure_profile(org, acting=system)
    actions.refresh_quotes(drawing)
    grant(world, drawing)
    alice_shops = {
        q["shop"] for q in clients["alice"].get(f"/api/drawings/{drawing.pk}").json()["quote"]
    }
    carol_shops = {
        q["shop"] for q in clients["carol"].get(f"/api/drawings/{drawing.pk}").json()["quote"]
    }
    assert alice_shops == {world.shop.name, world.coordinator.name}
    assert carol_shops == {world.shop.name}


def test_only_the_coordinator_grants(world, drawing):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    for who in (world.alice, world.carol):
        with pytest.raises(PermissionDenied):
            actions.do_grant(
                drawing, world.shop, expires_at=None, acting=Actor(user=who.user, membership=who)
            )


def test_views_and_downloads_are_in_the_owners_audit_log(world, clients, drawing):  # type: ignore[no-untyped-def]
    from tenancy.models import AuditLog

    clients["dora"].get(f"/api/drawings/{drawing.pk}")
    clients["dora"].get(f"/api/drawings/{drawing.pk}/download")
    rows = AuditLog.objects.filter(organization=world.lead_firm, object_id=str(drawing.pk))
    seen = {(r.action, r.actor_email) for r in rows}
    assert ("drawing.view", "dora@kaga.example") in seen
    assert ("drawing.download", "dora@kaga.example") in seen


def test_a_download_link_works_briefly_and_then_not(world, clients, drawing, monkeypatch):  # type: ignore[no-untyped-def]
    from drawings import api as drawings_api

    body = clients["alice"].get(f"/api/drawings/{drawing.pk}/download").json()
    rev = Revision.objects.get(pk=drawing.current_revision_id)
    with urllib.request.urlopen(body["url"], timeout=10) as response:  # noqa: S310 - our own store
        assert hashlib.sha256(response.read()).hexdigest() == rev.sha256
        assert "br100.dxf" in response.headers["Content-Disposition"]
    monkeypatch.setattr(drawings_api, "DOWNLOAD_URL_S", 1)
    short = clients["alice"].get(f"/api/drawings/{drawing.pk}/download").json()
    time.sleep(2.5)  # waiting for the expiry itself, not timing any work
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(short["url"], timeout=10)  # noqa: S310
    assert refused.value.code == 403


def test_the_owner_sees_who_outside_saw_the_drawing(world, clients, drawing):  # type: ignore[no-untyped-def]
    grant(world, drawing)
    clients["carol"].get(f"/drawings/{drawing.pk}/")
    clients["dora"].get(f"/api/drawings/{drawing.pk}/download")
    clients["bob"].get(f"/drawings/{drawing.pk}/")  # a colleague: not "outside"
    page = clients["alice"].get(f"/drawings/{drawing.pk}/").content.decode()
    section = page.split('data-testid="seen-by"', 1)[1].split("</section>", 1)[0]
    assert "carol@shop.example" in section and "dora@kaga.example" in section
    assert "bob@a.example" not in section
    assert (
        'data-testid="seen-by"'
        not in clients["carol"].get(f"/drawings/{drawing.pk}/").content.decode()
    )
