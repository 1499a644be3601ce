"""Drawing units to millimetres: honour $INSUNITS, infer when the file does not say."""

from __future__ import annotations

from dataclasses import dataclass

# $INSUNITS codes (DXF reference) → millimetres per drawing unit.
MM_PER_UNIT: dict[int, tuple[str, float]] = {
    1: ("in", 25.4),
    2: ("ft", 304.8),
    4: ("mm", 1.0),
    5: ("cm", 10.0),
    6: ("m", 1000.0),
    8: ("microinch", 25.4e-6),
    9: ("mil", 0.0254),
    10: ("yd", 914.4),
    12: ("nm", 1e-6),
    13: ("um", 1e-3),
    14: ("dm", 100.0),
}

# A flat sheet-metal part in mm is rarely under this; in inches, rarely over it.
INCH_IF_EXTENT_BELOW = 20.0
# Largest standard sheet (ゴトー 1524 × 3048): a part beyond it in mm is implausible.
LARGEST_SHEET_MM = 3048.0


@dataclass(frozen=True)
class Units:
    name: str  # "mm", "in", …
    mm_per_unit: float
    source: str  # "header" | "inferred" | "corrected"
    insunits: int | None
    reason: str = ""


def decide_units(insunits: int | None, measurement: int | None, extent: float) -> Units:
    """`extent` is the larger side of the cut geometry's bounding box, in drawing units."""
    if insunits in MM_PER_UNIT:
        name, factor = MM_PER_UNIT[insunits]  # type: ignore[index]
        if name == "m" and extent * factor > 20 * LARGEST_SHEET_MM:
            # ezdxf.new() and some exporters write metres for mm-sized numbers.
            return Units(
                "mm",
                1.0,
                "corrected",
                insunits,
                f"declared metres give a {extent:.0f} m part; read as mm",
            )
        return Units(name, factor, "header", insunits)
    if measurement == 0 and extent * 25.4 <= LARGEST_SHEET_MM:
        return Units("in", 25.4, "inferred", insunits, "$MEASUREMENT says imperial")
    if 0 < extent < INCH_IF_EXTENT_BELOW:
        return Units(
            "in",
            25.4,
            "inferred",
            insunits,
            f"{extent:g} units across is small for mm; read as inches",
        )
    return Units("mm", 1.0, "inferred", insunits, f"{extent:g} units across is plausible in mm")
