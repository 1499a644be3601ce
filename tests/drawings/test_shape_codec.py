"""Stored shapes (drawings/shape_codec.py) and the per-process cache of prepared ones
(drawings/prepared.py): pure, no services."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cad.similar.shape import Shape
from drawings import shape_codec
from drawings.prepared import PreparedCache


def a_shape() -> Shape:
    square = np.array([[-5.0, -5.0], [5.0, -5.0], [5.0, 5.0], [-5.0, 5.0]])
    return Shape(
        outline=np.linspace(-5.0, 5.0, 16).reshape(8, 2),
        polygon=square,
        cutouts=np.array([[1.0, 2.0, 3.0]]),
        round_cutouts=np.array([True]),
        outer_area_mm2=100.0,
        net_area_mm2=100.0 - np.pi * 1.5**2,
        perimeter_mm=40.0,
        cut_length_mm=40.0 + np.pi * 3.0,
        rect_mm=(10.0, 10.0),
        hull_area_mm2=100.0,
        runs_mm=np.array([10.0, 10.0, 10.0, 10.0]),
        part_number="SQ-10",
        material="SPCC",
        thickness_mm=1.6,
    )


def same(a: Shape, b: Shape) -> None:
    for name in ("outline", "polygon", "cutouts", "round_cutouts", "runs_mm"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y), name
    for name in ("outer_area_mm2", "net_area_mm2", "perimeter_mm", "rect_mm", "part_number"):
        assert getattr(a, name) == getattr(b, name), name
    assert b.thickness_mm == 1.6 and b.title is None


def test_a_shape_reads_back_exactly_and_keeps_the_stored_hash() -> None:
    shape = a_shape()
    back = shape_codec.decode(shape_codec.encode(shape), "h" * 64)
    same(shape, back)
    assert back.geometry_hash() == "h" * 64


def test_rows_written_in_the_earlier_npz_form_still_read() -> None:
    shape = a_shape()
    data = shape_codec.encode_npz(shape)
    assert data.startswith(b"PK")
    same(shape, shape_codec.decode(memoryview(data)))


def test_bytes_that_are_not_a_stored_shape_are_refused() -> None:
    with pytest.raises(shape_codec.ShapeDataError):
        shape_codec.decode(b"not a shape")
    head = json.dumps({"scalars": {}, "arrays": [["outline", "|O", [1]]]}).encode()
    forged = shape_codec.MAGIC + len(head).to_bytes(4, "little") + head + b"\0" * 8
    with pytest.raises(shape_codec.ShapeDataError, match="unexpected array"):
        shape_codec.decode(forged)


def test_the_prepared_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = PreparedCache(max_entries=3)
    cache.put_many({(1, "a"): "one", (2, "b"): "two", (3, "c"): "three"})
    assert cache.get_many([(1, "a")]) == {(1, "a"): "one"}  # 1 is now the most recent
    cache.put_many({(4, "d"): "four"})
    assert len(cache) == 3
    assert cache.get_many([(1, "a"), (2, "b"), (3, "c"), (4, "d")]) == {
        (1, "a"): "one",
        (3, "c"): "three",
        (4, "d"): "four",
    }
    # The same part with another geometry (not possible for one row, but a key is both):
    assert cache.get_many([(1, "z")]) == {}
    off = PreparedCache(max_entries=0)
    off.put_many({(1, "a"): "one"})
    assert len(off) == 0
