"""A zip of drawings is checked whole before one entry is unpacked: a zip bomb, a path
that leaves the folder or an absurd entry count is refused, and then nothing is stored.

The sizes in a zip's directory are the sender's word; the unpacking reads each entry
through a counter that stops at the declared size, so a lying header cannot overrun.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.utils.translation import gettext as _

MAX_ENTRIES = 1000
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
# Drawings compress well (DXF is text, often 5-20x); far beyond this is a bomb.
MAX_RATIO = 200
# Below this size a high ratio is harmless (a long run of one byte in a small file).
RATIO_FLOOR_BYTES = 1024 * 1024


class ZipRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Entry:
    info: zipfile.ZipInfo
    name: str  # the file's name inside the zip, folders included


def check(raw: IO[bytes]) -> tuple[zipfile.ZipFile, list[Entry], list[dict[str, str]]]:
    """The entries to unpack, and the ones skipped with why (folders, hidden files)."""
    try:
        zf = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ZipRefused("NOT_A_ZIP", _("This is not a readable zip file.")) from exc
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ZipRefused(
            "ZIP_TOO_MANY_ENTRIES",
            _("The zip holds %(n)d entries; at most %(max)d are accepted.")
            % {"n": len(infos), "max": MAX_ENTRIES},
        )
    entries, skipped, total = [], [], 0
    for info in infos:
        name = info.filename
        path = PurePosixPath(name.replace("\\", "/"))
        if name.startswith("/") or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise ZipRefused(
                "ZIP_UNSAFE_PATH",
                _("The zip entry %(name)s points outside its folder.") % {"name": name},
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ZipRefused(
                "ZIP_UNSAFE_PATH", _("The zip entry %(name)s is a link.") % {"name": name}
            )
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ZipRefused("ZIP_ENCRYPTED", _("Encrypted zip files cannot be read."))
        if info.file_size > MAX_ENTRY_BYTES:
            raise ZipRefused(
                "ZIP_ENTRY_TOO_LARGE",
                _("%(name)s unpacks to %(mb).0f MB; each file may be at most %(max).0f MB.")
                % {
                    "name": name,
                    "mb": info.file_size / 2**20,
                    "max": MAX_ENTRY_BYTES / 2**20,
                },
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ZipRefused(
                "ZIP_BOMB",
                _("%(name)s is compressed %(ratio).0f to 1: refused as a zip bomb.")
                % {"name": name, "ratio": info.file_size / max(info.compress_size, 1)},
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ZipRefused(
                "ZIP_TOO_LARGE",
                _("The zip unpacks to more than %(max).0f MB.") % {"max": MAX_TOTAL_BYTES / 2**20},
            )
        base = path.name
        if base.startswith(".") or "__MACOSX" in path.parts:
            skipped.append({"name": name, "reason": _("hidden or system file")})
            continue
        if base.lower().endswith(".zip"):
            skipped.append({"name": name, "reason": _("a zip inside a zip is not unpacked")})
            continue
        entries.append(Entry(info, name))
    return zf, entries, skipped


class Bounded:
    """An entry's stream that refuses to give more bytes than its header declared."""

    def __init__(self, raw: IO[bytes], declared: int) -> None:
        self.raw, self.left = raw, declared

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n if n >= 0 else self.left + 1)
        self.left -= len(chunk)
        if self.left < 0:
            raise ZipRefused("ZIP_BOMB", _("A zip entry unpacks to more than it declares."))
        return chunk
