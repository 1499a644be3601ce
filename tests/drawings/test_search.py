"""Search in the library: text (normalised Japanese, partial numbers) and shape (same
size or any size, same material), each only within what the searcher may see."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from drawings.models import Drawing
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import wait_finished

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def library(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    """Alice's drawings: a 100×50 plate in SPCC and its 2× copy in SUS304, and a long
    plate with other holes; the names are typed the way people type them."""
    specs = [
        ("ＢＲ－１００", "ブラケット", "SPCC", plate()),
        (
            "BR-200",
            "ﾌﾞﾗｹｯﾄ 大",
            "SUS304",
            plate(200, 100, ((30, 25, 20), (170, 25, 20), (30, 75, 20), (170, 75, 20))),
        ),
        ("PL-900", "長板", "SPCC", plate(300, 40, ((20, 20, 6), (280, 20, 6)))),
    ]
    ids = {}
    for number, title, material, data in specs:
        got = (
            clients["alice"]
            .post(
                "/api/drawings",
                {
                    "file": SimpleUploadedFile(f"{number}.dxf", data),
                    "part_number": number,
                    "title": title,
                    "material": material,
                    "thickness_mm": "2",
                },
            )
            .json()
        )
        d = Drawing.objects.get(pk=got["id"])
        assert wait_finished(d.current_revision_id).status == "analysed"
        ids[number] = d.pk
    return ids


def text(client, q: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [r["id"] for r in client.get("/api/drawings", {"q": q}).json()]


def test_text_search_folds_width_and_finds_partial_numbers(world, clients, library):  # type: ignore[no-untyped-def]
    alice = clients["alice"]
    assert text(alice, "BR-100")[0] == library["ＢＲ－１００"]  # typed full-width, stored so
    assert set(text(alice, "ブラケット")) >= {
        library["ＢＲ－１００"],
        library["BR-200"],
    }  # half-width kana folded
    assert library["PL-900"] in text(alice, "PL-9")
    assert library["PL-900"] not in text(alice, "ブラケット")
    assert text(clients["charlie"], "ブラケット") == []


def similar(client, drawing_id: int, **params) -> list[int]:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/drawings/{drawing_id}/similar", params).json()
    return [r["drawing"] for r in body["results"]]


def test_any_size_finds_the_scaled_copy_first_and_same_material_filters(world, clients, library):  # type: ignore[no-untyped-def]
    alice = clients["alice"]
    small, big, long_ = library["ＢＲ－１００"], library["BR-200"], library["PL-900"]
    # The 2× copy is the same shape at another size: any-size ranks it first.
    assert similar(alice, small, any_size=1)[0] == big
    # Same material only: the SUS304 copy is left out, the SPCC plate stays.
    assert similar(alice, small, any_size=1, same_material=1) == [long_]
    body = alice.get(f"/api/drawings/{small}/similar", {"any_size": 1}).json()
    first = body["results"][0]
    assert 0 <= first["score"] <= 1 and first["explanation"]
    assert set(first) >= {"drawing", "part", "score", "explanation", "past_jobs"}


def test_a_lead_firm_reads_prices_but_not_other_shops_rates(world, clients, library):  # type: ignore[no-untyped-def]
    from drawings import actions
    from shops.actions import ensure_profile
    from tenancy.context import Actor

    for org in (world.shop, world.coordinator):
        ensure_profile(org, acting=Actor.system("test"))
    actions.refresh_quotes(Drawing.objects.get(pk=library["PL-900"]))
    quotes = clients["alice"].get(f"/api/drawings/{library['PL-900']}").json()["quote"]
    by_shop = {q["shop"]: q for q in quotes}
    member, reference = by_shop[world.shop.name], by_shop[world.coordinator.name]
    assert member["breaks"][0]["unit_price_jpy"] > 0
    assert "components" not in member["breaks"][0] and member["breakdown"] is False
    assert reference["breaks"][0]["components"] and reference["breakdown"] is True
    dora = {
        q["shop"]: q
        for q in clients["dora"].get(f"/api/drawings/{library['PL-900']}").json()["quote"]
    }
    assert dora[world.shop.name]["breaks"][0]["components"]


def test_a_revision_saved_a_moment_ago_is_found_even_with_the_cache_warm(world, clients, library):  # type: ignore[no-untyped-def]
    """The search keeps prepared candidates per process (drawings/prepared.py) and a
    narrow first-stage table (PartVector); neither may hide a new revision or keep
    showing the old one."""
    from drawings.models import Part, PartVector
    from drawings.prepared import PREPARED

    alice = clients["alice"]
    small, long_ = library["ＢＲ－１００"], library["PL-900"]
    before = similar(alice, small)  # warms the cache with every part in alice's library
    assert long_ in before and len(PREPARED) >= 3
    old_parts = set(Part.objects.filter(drawing_id=long_).values_list("pk", flat=True))
    # PL-900's next revision is BR-100's very plate: the same shape at the same size.
    got = alice.post(
        "/api/drawings",
        {"file": SimpleUploadedFile("PL-900.dxf", plate()), "part_number": "PL-900"},
    ).json()
    assert got["id"] == long_
    rev = Drawing.objects.get(pk=long_).current_revision_id
    assert wait_finished(rev).status == "analysed"
    in_search = set(PartVector.objects.filter(drawing_id=long_).values_list("part_id", flat=True))
    assert in_search == set(Part.objects.filter(revision_id=rev).values_list("pk", flat=True))
    assert not in_search & old_parts
    body = alice.get(f"/api/drawings/{small}/similar").json()["results"]
    assert body[0]["drawing"] == long_ and body[0]["score"] >= 0.99  # the identical plate


def test_the_first_stage_table_holds_exactly_the_current_parts(world, clients, library):  # type: ignore[no-untyped-def]
    from drawings.models import Part, PartVector

    current = Part.objects.filter(is_current=True)
    rows = PartVector.objects.all()
    assert set(rows.values_list("part_id", flat=True)) == set(current.values_list("pk", flat=True))
    for v in rows.select_related("drawing__owner"):
        assert v.owner_id == v.drawing.owner_id and v.group_id == v.drawing.owner.group_id


def test_the_search_table_is_scoped_exactly_as_the_drawings(world, clients, library):  # type: ignore[no-untyped-def]
    """PartVector carries its own scope columns (group, owner) for speed: whoever looks,
    it must show exactly the drawings that person may see."""
    from datetime import timedelta

    from django.utils import timezone

    from drawings.models import Grant, PartVector
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role

    system = Actor.system("test")
    other_firm = create_organization(world.group, "越前工機", OrgKind.LEAD_FIRM, acting=system)
    eve = add_member(other_firm, "eve@e.example", "Eve", Role.ADMIN, "x" * 16, acting=system)
    small, big, long_ = library["ＢＲ－１００"], library["BR-200"], library["PL-900"]
    now = timezone.now()
    for drawing_id, fields in (
        (big, {}),  # live
        (long_, {"expires_at": now - timedelta(seconds=1)}),  # expired
        (small, {"revoked_at": now}),  # revoked
    ):
        Grant.objects.create(
            drawing_id=drawing_id, shop=world.shop, owner=world.lead_firm, **fields
        )
    expected = {
        "alice": {small, big, long_},
        "dora": {small, big, long_},
        "carol": {big},
        "charlie": set(),
        "eve": set(),
    }
    for name, want in expected.items():
        m = eve if name == "eve" else getattr(world, name)
        drawings = set(Drawing.objects.visible_to(m).values_list("pk", flat=True))
        vectors = set(PartVector.objects.visible_to(m).values_list("drawing_id", flat=True))
        assert drawings == vectors == want, name
