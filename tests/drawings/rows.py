"""Drawing rows as an upload leaves them, made straight in the database for tests that
are about something else (scoping, lists, past jobs, calibration)."""

from __future__ import annotations

from typing import Any


def make_drawing(  # type: ignore[no-untyped-def]
    owner,
    part_number: str,
    *,
    file_name: str = "",
    kind: str = "pdf",
    status: str = "stored",
    **fields: Any,
):
    """A drawing with one revision (a stored PDF unless told otherwise)."""
    from drawings.actions import part_number_key
    from drawings.models import Drawing, Revision

    d = Drawing.objects.create(
        owner=owner, part_number=part_number, part_number_key=part_number_key(part_number), **fields
    )
    rev = Revision.objects.create(
        drawing=d,
        number=1,
        file_name=file_name or f"{part_number}.{kind}",
        size_bytes=4,
        sha256="0" * 64,
        object_key=f"groups/{owner.group_id}/files/00/{'0' * 64}",
        kind=kind,
        status=status,
    )
    d.current_revision = rev
    d.save()
    return d
