"""A zip of drawings: checked whole before anything is unpacked; a bomb, a path out of
the folder or too many entries is refused with its reason and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from drawings.models import Drawing, Revision
from kumiai import objectstore
from tests.drawings.dxf_files import plate

pytestmark = pytest.mark.django_db(transaction=True)


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def send(client, data: bytes, name: str = "drawings.zip"):  # type: ignore[no-untyped-def]
    return client.post("/api/drawings/zip", {"file": SimpleUploadedFile(name, data)})


def stored_files(group_id: int) -> list[str]:
    c = objectstore.client()
    return [
        o.object_name
        for o in c.list_objects(objectstore.bucket(), prefix=f"groups/{group_id}/", recursive=True)
    ]


def test_a_zip_of_drawings_becomes_drawings_and_skips_what_it_cannot_keep(world, clients):  # type: ignore[no-untyped-def]
    data = make_zip(
        {
            "parts/BR-1.dxf": plate(),
            "parts/BR-2.dxf": plate(w=120),
            "parts/spec.pdf": b"%PDF-1.4\n",
            "parts/readme.txt": b"not a drawing",
            "__MACOSX/parts/._BR-1.dxf": b"\0\0",
            "parts/": b"",
        }
    )
    response = send(clients["alice"], data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["drawings"]) == 3
    names = {d.part_number for d in Drawing.objects.all()}
    assert names == {"BR-1", "BR-2", "spec"}
    skipped = {s["name"] for s in body["skipped"]}
    assert skipped == {"parts/readme.txt", "__MACOSX/parts/._BR-1.dxf"}


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        # 20 MB of zeros packs to about 20 kB: a ratio of ~1000.
        ({"bomb.dxf": b"\0" * (20 * 1024 * 1024)}, "ZIP_BOMB"),
        ({"../../etc/cron.d/x.dxf": plate()}, "ZIP_UNSAFE_PATH"),
        ({"/abs/x.dxf": plate()}, "ZIP_UNSAFE_PATH"),
        ({f"f{i}.dxf": b"0" for i in range(1001)}, "ZIP_TOO_MANY_ENTRIES"),
    ],
    ids=["bomb", "dot-dot", "absolute", "too-many"],
)
def test_a_hostile_zip_is_refused_and_nothing_is_stored(world, clients, entries, code):  # type: ignore[no-untyped-def]
    good_first = {"a-good-one.dxf": plate(), **entries}  # a good entry must not slip through
    response = send(clients["alice"], make_zip(good_first))
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(code)
    assert not Drawing.objects.exists() and not Revision.objects.exists()
    assert stored_files(world.group.pk) == []


def test_a_zip_entry_that_lies_about_its_size_is_refused(world, clients):  # type: ignore[no-untyped-def]
    data = bytearray(make_zip({"x.dxf": plate()}, compression=zipfile.ZIP_STORED))
    # Shrink the declared size in the central directory: the real data is longer.
    real = len(plate())
    cd = data.rfind(b"PK\x01\x02")
    size_at = cd + 24  # uncompressed size field of the central directory entry
    declared = int.from_bytes(data[size_at : size_at + 4], "little")
    assert declared > 1000 and abs(declared - real) < 200
    data[size_at : size_at + 4] = (100).to_bytes(4, "little")
    response = send(clients["alice"], bytes(data))
    assert response.status_code == 422
    assert not Drawing.objects.exists()
    assert stored_files(world.group.pk) == []


def test_not_a_zip_is_refused_clearly(world, clients):  # type: ignore[no-untyped-def]
    response = send(clients["alice"], b"PK\x03\x04 broken")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("NOT_A_ZIP")
