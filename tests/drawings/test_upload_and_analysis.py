"""The drawing library end to end on real services: upload through the API, the Celery
analysis in its sandbox, the stored parts, quotes and pictures."""

from __future__ import annotations

import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from drawings.models import Drawing, Part, PartQuote, Revision, RevisionStatus
from kumiai import objectstore
from tests.drawings.dxf_files import block_bomb, plate
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def profiles(world):  # type: ignore[no-untyped-def]
    from shops.actions import ensure_profile
    from tenancy.context import Actor

    system = Actor.system("test")
    return [ensure_profile(org, acting=system) for org in (world.shop, world.coordinator)]


def upload(client, data: bytes, name: str = "plate.dxf", **form):  # type: ignore[no-untyped-def]
    return client.post("/api/drawings", {"file": SimpleUploadedFile(name, data), **form})


def wait_finished(revision_id: int) -> Revision:
    """The revision once the worker is done with it; the tests assert on what it stored."""
    return wait_until(
        lambda: (rev := Revision.objects.get(pk=revision_id)).is_finished and rev, poll_s=0.3
    )


def test_a_dxf_upload_is_analysed_quoted_and_pictured(world, clients, profiles, celery_worker):  # type: ignore[no-untyped-def]
    response = upload(
        clients["alice"], plate(), part_number="BR-100", material="SPCC", thickness_mm="1.6"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    drawing = Drawing.objects.get(pk=body["id"])
    assert drawing.owner == world.lead_firm and drawing.part_number == "BR-100"
    rev = wait_finished(drawing.current_revision_id)
    assert rev.status == RevisionStatus.ANALYSED, (rev.error_code, rev.error_en)
    assert rev.attempts == 1 and rev.claim is None

    (part,) = Part.objects.filter(drawing=drawing, is_current=True)
    # By hand: the outline 2·(100+50) and four circles π·10; area 100·50 − 4·π·5².
    assert part.summary["cut_length_mm"] == pytest.approx(300 + 4 * math.pi * 10, abs=1e-3)
    assert part.net_area_mm2 == pytest.approx(5000 - 4 * math.pi * 25, abs=1e-3)
    assert (part.width_mm, part.height_mm) == pytest.approx((100, 50))
    assert len(part.shape_vec) > 0 and int(part.geometry_hash, 16) >= 0

    svg = objectstore.get_bytes(rev.svg_key)
    assert svg.startswith(b"<svg") or b"<svg" in svg[:200]
    assert objectstore.get_bytes(rev.thumbnail_key).startswith(b"\x89PNG")

    # Every shop of the group priced it with its own current profile version.
    quotes = PartQuote.objects.filter(drawing=drawing)
    assert {q.shop_id for q in quotes} == {world.shop.pk, world.coordinator.pk}
    assert {q.profile_id for q in quotes} == {p.pk for p in profiles}

    got = clients["alice"].get(f"/api/drawings/{drawing.pk}").json()
    assert got["status"] == "analysed"
    assert got["analysis"]["parts"][0]["pierce_count"] == 5  # the outline and four holes
    assert {q["shop"] for q in got["quote"]} == {world.shop.name, world.coordinator.name}
    first = got["quote"][0]
    assert [b["quantity"] for b in first["breaks"]] == [1, 10, 100]
    # A unit price falls as the set-up is shared by more parts.
    units = [b["unit_price_jpy"] for b in first["breaks"]]
    assert units[0] > units[1] > units[2] > 0


def test_identical_bytes_are_stored_once_and_a_second_file_is_a_new_revision(
    world, clients, celery_worker
):  # type: ignore[no-untyped-def]
    data = plate()  # ezdxf stamps each new file (GUID, dates): one file, sent twice
    first = upload(clients["alice"], data, part_number="BR-7").json()
    again = upload(
        clients["alice"], data, part_number="ｂｒ－７"
    ).json()  # the same number, typed wide
    other = upload(clients["alice"], plate(w=120), part_number="BR-7").json()
    assert first["id"] == again["id"] == other["id"]
    assert [first["revision"], again["revision"], other["revision"]] == [1, 2, 3]
    revs = Revision.objects.filter(drawing_id=first["id"]).order_by("number")
    assert revs[0].object_key == revs[1].object_key != revs[2].object_key
    assert revs[0].object_key.endswith(revs[0].sha256)
    assert Drawing.objects.get(pk=first["id"]).current_revision == revs[2]


def test_pdf_and_images_are_stored_not_analysed(world, clients):  # type: ignore[no-untyped-def]
    pdf = upload(clients["alice"], b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", name="spec.pdf").json()
    png = upload(clients["alice"], b"\x89PNG\r\n\x1a\n" + b"\0" * 64, name="photo.png").json()
    assert pdf["status"] == png["status"] == "stored"
    assert Revision.objects.get(drawing_id=pdf["id"]).kind == "pdf"


def test_an_unknown_file_type_is_refused_and_nothing_is_kept(world, clients):  # type: ignore[no-untyped-def]
    response = upload(clients["alice"], b"MZ\x90\x00 not a drawing", name="setup.exe")
    assert response.status_code == 415
    assert "UNSUPPORTED_TYPE" in response.json()["detail"]
    assert not Drawing.objects.exists()


def test_a_block_bomb_fails_with_its_reason_and_the_worker_keeps_serving(
    world, clients, celery_worker
):  # type: ignore[no-untyped-def]
    bomb = upload(clients["alice"], block_bomb(), name="bomb.dxf").json()
    good = upload(clients["alice"], plate(), name="good.dxf").json()
    bad = wait_finished(Drawing.objects.get(pk=bomb["id"]).current_revision_id)
    assert bad.status == RevisionStatus.FAILED
    assert bad.error_code == "BLOCK_EXPANSION_TOO_LARGE"
    assert bad.error_en and bad.error_ja
    ok = wait_finished(Drawing.objects.get(pk=good["id"]).current_revision_id)
    assert ok.status == RevisionStatus.ANALYSED


@pytest.mark.parametrize(
    ("lines", "code"),
    # A million lines is a 40 MB file: refused by its size before it is parsed (25 MB).
    # 300,000 fit in 12 MB and pass that check, then meet the entity limit (250,000).
    [(1_000_000, "FILE_TOO_LARGE"), (300_000, "TOO_MANY_ENTITIES")],
)
def test_too_many_entities_fail_with_a_reason(world, clients, celery_worker, lines, code):  # type: ignore[no-untyped-def]
    from tests.drawings.dxf_files import many_lines

    got = upload(clients["alice"], many_lines(lines), name="many.dxf").json()
    rev = wait_finished(Drawing.objects.get(pk=got["id"]).current_revision_id)
    assert rev.status == RevisionStatus.FAILED
    assert rev.error_code == code
    assert rev.error_en and rev.error_ja
    ok = upload(clients["alice"], plate(), name="after.dxf").json()
    after = wait_finished(Drawing.objects.get(pk=ok["id"]).current_revision_id)
    assert after.status == RevisionStatus.ANALYSED, "the worker keeps serving"


def test_nan_coordinates_fail_with_a_reason(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    data = plate()
    data = data.replace(b" 10\n100.0\n 20\n0.0", b" 10\nnan\n 20\n0.0", 1)  # an outline corner
    assert b"nan" in data
    got = upload(clients["alice"], data, name="nan.dxf").json()
    rev = wait_finished(Drawing.objects.get(pk=got["id"]).current_revision_id)
    assert rev.status == RevisionStatus.FAILED
    assert rev.error_code == "BAD_COORDINATES" and rev.error_en and rev.error_ja
    assert not Part.objects.filter(revision=rev).exists()


def test_the_object_store_down_gives_a_clear_error_and_leaves_no_row(world, clients, settings):  # type: ignore[no-untyped-def]
    from kumiai.env import S3Settings
    from kumiai.stack.services import free_port

    settings.S3 = S3Settings(f"127.0.0.1:{free_port()}", False, "k", "s", "kumiai", "us-east-1")
    response = upload(clients["alice"], plate(), part_number="DOWN-1")
    assert response.status_code == 503
    assert "nothing was saved" in response.json()["detail"]
    assert not Drawing.objects.exists() and not Revision.objects.exists()


def test_a_viewer_cannot_upload(world, clients):  # type: ignore[no-untyped-def]
    assert upload(clients["vera"], plate()).status_code == 403
    assert not Drawing.objects.exists()
