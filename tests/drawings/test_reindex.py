"""The re-index: drawings stored by an older analysis or shape version are analysed
again, part rows kept (an order that fixed a part keeps it), the search table refilled."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cad.similar.shape import SHAPE_VERSION
from drawings.models import Drawing, Part, PartVector, Revision
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import wait_finished
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_older_version_is_analysed_again_keeping_the_part_rows(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    got = clients["alice"].post(
        "/api/drawings", {"file": SimpleUploadedFile("RX-1.dxf", plate()), "part_number": "RX-1"}
    )
    d = Drawing.objects.get(pk=got.json()["id"])
    rev = wait_finished(d.current_revision_id)
    part = Part.objects.get(revision=rev)
    assert part.descriptor_version == SHAPE_VERSION
    good_hash = part.geometry_hash
    # As an older analysis left it: an old version number and a hash of the old scheme.
    Part.objects.filter(pk=part.pk).update(
        descriptor_version=SHAPE_VERSION - 1, geometry_hash="old"
    )
    call_command("reindex_drawings", "--now")
    again = Revision.objects.get(pk=rev.pk)
    assert again.status == "analysed"
    kept = Part.objects.get(revision=rev)
    assert kept.pk == part.pk  # the same row
    assert kept.descriptor_version == SHAPE_VERSION and kept.geometry_hash == good_hash
    assert list(PartVector.objects.filter(drawing=d).values_list("part_id", flat=True)) == [part.pk]
    # Nothing stale is left: a second re-index does nothing.
    from drawings.actions import stale_revisions

    assert not stale_revisions().exists()


def test_the_queued_re_index_goes_through_the_worker(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    from drawings import actions

    got = clients["alice"].post(
        "/api/drawings", {"file": SimpleUploadedFile("RX-2.dxf", plate()), "part_number": "RX-2"}
    )
    rev = wait_finished(Drawing.objects.get(pk=got.json()["id"]).current_revision_id)
    Part.objects.filter(revision=rev).update(descriptor_version=0)
    assert [r.pk for r in actions.stale_revisions()] == [rev.pk]
    call_command("reindex_drawings")
    wait_until(
        lambda: Part.objects.get(revision=rev).descriptor_version == SHAPE_VERSION, poll_s=0.3
    )
    assert Revision.objects.get(pk=rev.pk).status == "analysed"
