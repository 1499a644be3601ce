"""Opening a DXF safely: sniff what it is, refuse what is too big, read it, recover it.

ezdxf's fast loader is tried first; damaged files go through its recover mode, and the
number of fixes is reported. Anything that is not a DXF gets a clear error code before
ezdxf sees it (its recover mode would otherwise "load" random bytes as an empty drawing).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ezdxf
from ezdxf import recover
from ezdxf.document import Drawing

from .errors import CadError
from .fastread import PlainDrawing, read_plain

BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024
HEADER_SCAN_BYTES = 256 * 1024  # the HEADER section comes first and is small


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_entities: int = 250_000  # model-space entities after blocks are expanded
    max_block_depth: int = 16
    max_seconds: float = 60.0


DEFAULT_LIMITS = Limits()


@dataclass
class Loaded:
    # ezdxf's document, or what the analysis reads of a plain file (cad/fastread.py)
    doc: Drawing | PlainDrawing
    recovered_fixes: int  # 0 when the fast loader read it
    # What the file itself says. ezdxf fills a missing header with defaults ($INSUNITS = 6,
    # metres), which must not be mistaken for the author's word.
    declared_insunits: int | None = None
    declared_measurement: int | None = None


def declared_header(head: bytes, doc: Drawing | PlainDrawing) -> tuple[int | None, int | None]:
    if head.startswith(BINARY_DXF_SENTINEL):
        assert isinstance(doc, Drawing)  # a binary file is never plain
        return doc.header.get("$INSUNITS"), doc.header.get("$MEASUREMENT")

    def value(name: bytes) -> int | None:
        m = re.search(rb"\$" + name + rb"\s*\r?\n\s*70\s*\r?\n\s*(-?\d+)", head)
        return int(m.group(1)) if m else None

    return value(b"INSUNITS"), value(b"MEASUREMENT")


def sniff(head: bytes) -> None:
    """Raise for anything that is not a DXF, judging by its first bytes."""
    if not head.strip():
        raise CadError("EMPTY_FILE")
    if head.startswith(BINARY_DXF_SENTINEL):
        return
    if re.match(rb"AC10\d\d", head[:6]):
        raise CadError("DWG_NOT_SUPPORTED")
    text = head.lstrip(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    first = text.lstrip().split(b"\n", 1)[0].strip()
    # A DXF is pairs of lines, the first a group code: an integer (0 or 999 at the start).
    if not re.fullmatch(rb"-?\d{1,4}", first):
        raise CadError("NOT_DXF", "(the first line is not a DXF group code)")
    if b"SECTION" not in text[:65536] and b"EOF" not in text[-64:]:
        raise CadError("NOT_DXF", "(no SECTION found)")


def load_file(path: str | Path, limits: Limits = DEFAULT_LIMITS, plain: bool = True) -> Loaded:
    """`plain`: a plain file read by cad/fastread.py (False: always by ezdxf)."""
    p = Path(path)
    size = p.stat().st_size
    if size > limits.max_file_bytes:
        # Refused before a single byte is read: an oversize upload costs nothing.
        raise CadError(
            "FILE_TOO_LARGE", f"({size / 1e6:.1f} MB > {limits.max_file_bytes / 1e6:.1f} MB)"
        )
    with open(p, "rb") as f:
        head = f.read(HEADER_SCAN_BYTES)
    sniff(head[:65536])
    if plain:
        quick = read_plain(head if len(head) < HEADER_SCAN_BYTES else p.read_bytes())
        if quick is not None:
            return Loaded(quick, 0, *declared_header(head, quick))
    try:
        # readfile detects ASCII/binary and the code page ($DWGCODEPAGE, cp932 for
        # older Japanese files; UTF-8 from R2007).
        doc, fixes = ezdxf.readfile(p), 0
    except Exception:  # noqa: BLE001 - whatever the fast loader trips on, recover mode gets a go
        try:
            doc, auditor = recover.readfile(p)
        except Exception as exc:  # noqa: BLE001 - any failure here means "cannot be read"
            raise CadError("UNREADABLE_DXF", f"({type(exc).__name__}: {str(exc)[:120]})") from exc
        fixes = max(1, len(auditor.fixes))
    insunits, measurement = declared_header(head, doc)
    return Loaded(doc, fixes, insunits, measurement)


def load_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Loaded:
    if len(data) > limits.max_file_bytes:
        raise CadError(
            "FILE_TOO_LARGE", f"({len(data) / 1e6:.1f} MB > {limits.max_file_bytes / 1e6:.1f} MB)"
        )
    with tempfile.NamedTemporaryFile(suffix=".dxf") as f:
        f.write(data)
        f.flush()
        return load_file(f.name, limits)
