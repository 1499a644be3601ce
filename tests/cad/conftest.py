"""DXF builders for hand-computable parts. Every expected number in these tests comes
from the drawing's own dimensions, worked out by hand in the test, never from a run."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import ezdxf
import pytest

PLATE_W, PLATE_H, HOLE_D = 100.0, 50.0, 10.0
HOLES = [(15.0, 15.0), (85.0, 15.0), (15.0, 35.0), (85.0, 35.0)]
# By hand: perimeter 2·(100+50) plus four circles π·10.
PLATE_CUT_MM = 300 + 4 * math.pi * HOLE_D
PLATE_AREA_MM2 = PLATE_W * PLATE_H - 4 * math.pi * (HOLE_D / 2) ** 2


def new_doc(units: int | None = 4):  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    if units is None:
        doc.header.hdrvars.pop("$INSUNITS", None)  # written without a units header
    else:
        doc.units = units  # ezdxf.new() defaults to metres; fixtures must say mm
    return doc


def add_plate(
    msp,
    *,
    k: float = 1.0,
    exploded: bool = False,
    layer: str = "0",  # type: ignore[no-untyped-def]
    transform: Callable[[tuple[float, float]], tuple[float, float]] | None = None,
) -> None:
    t = transform or (lambda p: p)
    corners = [
        t((x * k, y * k)) for x, y in [(0, 0), (PLATE_W, 0), (PLATE_W, PLATE_H), (0, PLATE_H)]
    ]
    if exploded:
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            msp.add_line(a, b, dxfattribs={"layer": layer})
    else:
        msp.add_lwpolyline(corners, close=True, dxfattribs={"layer": layer})
    for c in HOLES:
        msp.add_circle(t((c[0] * k, c[1] * k)), HOLE_D / 2 * k, dxfattribs={"layer": layer})


def rotation(
    deg: float, mirror: bool = False
) -> Callable[[tuple[float, float]], tuple[float, float]]:
    a = math.radians(deg)

    def f(p: tuple[float, float]) -> tuple[float, float]:
        x, y = (-p[0], p[1]) if mirror else p
        return (
            x * math.cos(a) - y * math.sin(a) + 500.0,
            x * math.sin(a) + y * math.cos(a) - 300.0,
        )

    return f


@pytest.fixture
def save(tmp_path: Path):  # type: ignore[no-untyped-def]
    counter = iter(range(10_000))

    def _save(doc) -> Path:  # type: ignore[no-untyped-def]
        path = tmp_path / f"part{next(counter)}.dxf"
        doc.saveas(path)
        return path

    return _save


@pytest.fixture
def build():  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    return SimpleNamespace(new_doc=new_doc, add_plate=add_plate, rotation=rotation, holes=HOLES)
