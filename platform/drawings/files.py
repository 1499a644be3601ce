"""What kind of file an upload is, from its first bytes (the name only breaks ties), and
where its bytes live: content-addressed by sha256 under the group's prefix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext_lazy as _

from .models import FileKind

# Enough of the head to see a DXF's first group codes after a BOM and blank lines.
SNIFF_BYTES = 4096

CONTENT_TYPES = {
    FileKind.DXF: "application/dxf",
    FileKind.PDF: "application/pdf",
    FileKind.STEP: "model/step",
}


class UnsupportedFile(ValueError):
    """A file the library does not keep, with words for the person who sent it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str


def sniff(head: bytes, file_name: str) -> Sniffed:
    suffix = PurePosixPath(file_name.lower()).suffix
    if not head:
        raise UnsupportedFile("EMPTY_FILE", str(_("The file is empty.")))
    if head.startswith(b"%PDF-"):
        return Sniffed(FileKind.PDF, "application/pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(FileKind.IMAGE, "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(FileKind.IMAGE, "image/jpeg")
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"ISO-10303-21"):
        return Sniffed(FileKind.STEP, "model/step")
    if head.startswith(b"AC10") and suffix in {".dwg", ""}:
        raise UnsupportedFile(
            "DWG_NOT_SUPPORTED",
            str(_("This is a DWG file; export it as DXF from your CAD system.")),
        )
    if head.startswith(b"AutoCAD Binary DXF") or _looks_like_ascii_dxf(head):
        return Sniffed(FileKind.DXF, "application/dxf")
    if suffix == ".dxf":
        # Let the analysis say what is wrong with it (stored as failed, with the reason).
        return Sniffed(FileKind.DXF, "application/dxf")
    raise UnsupportedFile(
        "UNSUPPORTED_TYPE",
        str(_("Only DXF, PDF, PNG, JPEG and STEP files can be stored.")),
    )


def _looks_like_ascii_dxf(head: bytes) -> bool:
    lines = [ln.strip() for ln in head.lstrip(b"\xef\xbb\xbf").splitlines()[:8] if ln.strip()]
    # A DXF starts with group code 0 then SECTION (or 999 and a comment first).
    return (lines[:2] == [b"0", b"SECTION"]) or (lines[:1] == [b"999"] and b"SECTION" in head)


def object_key(group_id: int, sha256: str) -> str:
    return f"groups/{group_id}/files/{sha256[:2]}/{sha256}"


def derived_key(group_id: int, sha256: str, name: str) -> str:
    """Pictures made from a file (SVG view, thumbnail): one per content, like the file."""
    return f"groups/{group_id}/derived/{sha256[:2]}/{sha256}/{name}"
