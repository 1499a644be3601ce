"""The drawing library's pages: what a person sees, in both languages, within scope."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from drawings.models import Drawing
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import wait_finished
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bracket(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    from shops.actions import ensure_profile
    from tenancy.context import Actor

    for org in (world.shop, world.coordinator):
        ensure_profile(org, acting=Actor.system("test"))
    got = (
        clients["alice"]
        .post(
            "/api/drawings",
            {
                "file": SimpleUploadedFile("br100.dxf", plate()),
                "part_number": "BR-100",
                "material": "SPCC",
                "thickness_mm": "1.6",
            },
        )
        .json()
    )
    d = Drawing.objects.get(pk=got["id"])
    assert wait_finished(d.current_revision_id).status == "analysed"
    return d


def test_the_drawing_page_shows_view_findings_quote_and_revisions(world, clients, bracket):  # type: ignore[no-untyped-def]
    page = clients["alice"].get(f"/drawings/{bracket.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for testid in ("svg-view", "findings", "quote", "group-quote", "similar", "revisions"):
        assert f'data-testid="{testid}"' in html, testid
    assert world.shop.name in html and world.coordinator.name in html
    svg = clients["alice"].get(f"/drawings/{bracket.pk}/rev/1/view.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    thumb = clients["alice"].get(f"/drawings/{bracket.pk}/rev/1/thumb.png")
    assert thumb.content.startswith(b"\x89PNG")


def test_the_page_speaks_japanese(world, clients, bracket):  # type: ignore[no-untyped-def]
    clients["alice"].cookies["django_language"] = "ja"
    html = clients["alice"].get(f"/drawings/{bracket.pk}/").content.decode()
    assert "即時見積" in html and "類似の過去案件" in html


def test_another_tenant_gets_404_on_the_page_its_pictures_and_its_file(world, clients, bracket):  # type: ignore[no-untyped-def]
    for who in ("charlie", "carol"):
        c = clients[who]
        for url in (
            f"/drawings/{bracket.pk}/",
            f"/drawings/{bracket.pk}/rev/1/view.svg",
            f"/drawings/{bracket.pk}/rev/1/thumb.png",
            f"/drawings/{bracket.pk}/rev/1/download/",
        ):
            assert c.get(url).status_code == 404, (who, url)
        assert f"/drawings/{bracket.pk}/" not in c.get("/drawings/").content.decode()
        assert f"/drawings/{bracket.pk}/" not in c.get("/drawings/?q=BR-100").content.decode()


def test_the_list_page_does_not_query_per_row(
    world, clients, bracket, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    from tests.drawings.rows import make_drawing

    for i in range(30):
        make_drawing(world.lead_firm, f"LIST-{i}")
    with django_assert_max_num_queries(12):
        page = clients["alice"].get("/drawings/")
    assert page.status_code == 200 and "LIST-29" in page.content.decode()


def test_a_shop_that_changes_its_rates_changes_the_stored_quotes(world, clients, bracket):  # type: ignore[no-untyped-def]
    import copy

    from drawings.models import PartQuote
    from shops.actions import do_save_profile
    from shops.models import CostProfileVersion
    from tenancy.context import Actor

    before = PartQuote.objects.get(drawing=bracket, shop=world.shop)
    first = before.document["breaks"][0]["unit_price_jpy"]
    doc = copy.deepcopy(CostProfileVersion.objects.get(shop=world.shop, is_current=True).document)
    doc["laser"]["rate_jpy_h"] *= 2  # a dearer laser: every price of this shop goes up
    do_save_profile(world.shop, doc, acting=Actor(user=world.carol.user, membership=world.carol))
    after = wait_until(
        lambda: (
            PartQuote.objects.filter(drawing=bracket, shop=world.shop)
            .exclude(profile_id=before.profile_id)
            .first()
        )
    )
    assert after.profile.version == before.profile.version + 1
    assert after.document["breaks"][0]["unit_price_jpy"] > first
    other = PartQuote.objects.get(drawing=bracket, shop=world.coordinator)
    assert other.document["breaks"][0]["unit_price_jpy"] > 0


def test_a_file_that_is_not_saved_finds_its_like_in_scope(world, clients, bracket):  # type: ignore[no-untyped-def]
    from drawings.models import Revision

    before = Revision.objects.count()
    query = SimpleUploadedFile("query.dxf", plate(holes=((15, 12.5, 10), (85, 12.5, 10))))
    page = clients["alice"].post("/drawings/similar/", {"file": query})
    html = page.content.decode()
    assert page.status_code == 200 and f"/drawings/{bracket.pk}/" in html
    assert Revision.objects.count() == before, "the query file is not saved"
    query.seek(0)
    charlie = clients["charlie"].post("/drawings/similar/", {"file": query}).content.decode()
    assert f"/drawings/{bracket.pk}/" not in charlie
