"""Offcuts with a photo in the object store, claimed from the page; every purchasing page
renders in Japanese and English for the people who use it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from purchasing.models import Offcut
from tests.purchasing.conftest import draft, supplier_with_prices

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_an_offcut_with_a_photo_is_offered_claimed_once_and_its_photo_served(
    trio, clients, hana_client
):  # type: ignore[no-untyped-def]
    got = clients["carol"].post(
        "/purchasing/offcuts/add/",
        {"material": "spcc", "thickness_mm": "1.6", "width_mm": "900", "length_mm": "300",
         "location": "第2倉庫", "photo": SimpleUploadedFile("cut.png", PNG)},
    )  # fmt: skip
    assert got.status_code == 302
    cut = Offcut.objects.get()
    assert (cut.material, cut.width_mm, cut.length_mm, cut.photo_type) == (
        "SPCC",
        300,
        900,
        "image/png",
    )
    photo = hana_client.get(f"/purchasing/offcuts/{cut.pk}/photo/")
    assert photo.status_code == 200 and photo.content == PNG
    assert clients["charlie"].get(f"/purchasing/offcuts/{cut.pk}/photo/").status_code == 404
    assert clients["alice"].get(f"/purchasing/offcuts/{cut.pk}/photo/").status_code == 404

    own = clients["carol"].post(f"/api/purchasing/offcuts/{cut.pk}/claim")
    assert own.status_code == 422
    assert hana_client.post(f"/purchasing/offcuts/{cut.pk}/claim/").status_code == 302
    again = clients["dora"].post(f"/api/purchasing/offcuts/{cut.pk}/claim")
    assert again.status_code == 409 and "already claimed" in again.json()["detail"]
    cut.refresh_from_db()
    assert cut.status == "claimed" and cut.claimed_by_id == trio.hakusan.pk


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_saved(trio, clients):  # type: ignore[no-untyped-def]
    got = clients["carol"].post(
        "/api/purchasing/offcuts",
        {"material": "SPCC", "thickness_mm": "1.6", "width_mm": "900", "length_mm": "300",
         "photo": SimpleUploadedFile("cut.png", b"<svg onload=alert(1)>")},
    )  # fmt: skip
    assert got.status_code == 422 and "JPEG or PNG" in str(got.json())
    assert not Offcut.objects.exists()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_renders_for_the_coordinator_and_a_member(trio, clients, hana_client, lang):  # type: ignore[no-untyped-def]
    sid = supplier_with_prices(clients)
    oid = draft(clients)["id"]
    pages = ["/purchasing/?start=2030-03-04&end=2030-03-17", "/purchasing/offcuts/",
             "/purchasing/orders/", f"/purchasing/orders/{oid}/"]  # fmt: skip
    for client in (clients["dora"], clients["carol"]):
        for url in pages:
            got = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
            assert got.status_code == 200, (url, got.status_code)
            heading = {"ja": "共同購買", "en": "Joint orders"}[lang]  # in the section's links
            assert heading in got.content.decode(), (url, lang)
    for url in ("/purchasing/suppliers/", f"/purchasing/suppliers/{sid}/"):
        assert clients["dora"].get(url).status_code == 200
    page = clients["dora"].get(f"/purchasing/orders/{oid}/").content.decode()
    assert "¥76,450" in page and "¥12,650" in page
    assert page.count('data-testid="split-row"') == 3
