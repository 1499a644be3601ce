"""Facts written on the drawing: part number, material, thickness. Full-width characters
(ＳＰＣＣ　ｔ１．６) are normalised first."""

from __future__ import annotations

import re
import unicodedata

from .model import DrawingText

MATERIAL = re.compile(
    r"(?<![A-Z0-9])(SPCC|SPHC|SPHD|SPCD|SECC|SGCC|SS400|SS41|S45C|SUS\s?30[34]L?|SUS\s?316L?"
    r"|SUS\s?430|A\s?5052|A\s?1050|A\s?1100|A\s?6061|A\s?5083|C\s?1100|C\s?2801)(?![0-9])"
)
THICKNESS = re.compile(
    r"(?:(?<![A-Z])T\s*=?\s*|板厚\s*[:=]?\s*)(\d{1,2}(?:\.\d{1,2})?)\s*(?:MM)?(?![0-9.])"
)
PART_NUMBER = re.compile(
    r"(?:図番|品番|部品番号|PART\s*(?:NO|NUMBER|#)|P/N|DWG\s*NO|DRAWING\s*NO)\.?\s*[:=]?\s*"
    r"([A-Z0-9][A-Z0-9\-_./]{2,30})"
)
# A labelled title; the value runs to the next text item (texts are joined with " | ").
TITLE = re.compile(r"(?:品名|部品名|名称|TITLE)\s*[:=]?\s*([^|]{2,40}?)\s*(?:\||$)")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\\[A-Za-z][^;]*;|[{}]", "", text)  # leftover MTEXT codes
    return re.sub(r"\s+", " ", text).strip()


def read_text(raw: list[str]) -> DrawingText:
    texts = tuple(t for t in (normalise(r) for r in raw) if t)
    joined = " | ".join(texts).upper()
    material = MATERIAL.search(joined)
    thickness = THICKNESS.search(joined)
    part_no = PART_NUMBER.search(joined)
    title = TITLE.search(joined)
    value = float(thickness.group(1)) if thickness else None
    return DrawingText(
        part_number=part_no.group(1) if part_no else None,
        material=material.group(1).replace(" ", "") if material else None,
        thickness_mm=value if value and 0.1 <= value <= 50 else None,
        texts=texts,
        title=title.group(1).strip() if title else None,
    )
