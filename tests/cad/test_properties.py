"""Invariance: moving, turning, mirroring, reordering, renaming layers and changing units
do not change what a part is; drawing every line twice does not change its cut length."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad.analyze import analyze_file
from tests.cad.generated import IDENTITY, part_spec, primitives, transform_spec, write


def summary(a):  # type: ignore[no-untyped-def]
    assert len(a.parts) == 1, [f.code for f in a.findings]
    p = a.parts[0]
    return (
        p.cut_length_mm,
        p.net_area_mm2,
        p.pierce_count,
        sorted(h.diameter_mm for h in p.holes),
        sorted(p.min_rect_mm),
    )


def close(x, y, rel=1e-6):  # type: ignore[no-untyped-def]
    return math.isclose(x, y, rel_tol=rel, abs_tol=1e-6)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=part_spec, t=transform_spec)
def test_features_do_not_change_under_moves_turns_mirrors_order_layers_and_units(spec, t, tmp_path):  # type: ignore[no-untyped-def]
    items = primitives(spec)
    write(items, IDENTITY, tmp_path / "a.dxf")
    write(items, t, tmp_path / "b.dxf")
    base = summary(analyze_file(tmp_path / "a.dxf"))
    moved = summary(analyze_file(tmp_path / "b.dxf"))
    assert close(base[0], moved[0]) and close(base[1], moved[1], 1e-5)
    assert base[2] == moved[2]
    assert all(close(x, y) for x, y in zip(base[3], moved[3], strict=True))
    assert all(close(x, y, 1e-4) for x, y in zip(base[4], moved[4], strict=True))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=part_spec, seed=st.integers(0, 1000))
def test_drawing_every_entity_twice_does_not_change_cut_length(spec, seed, tmp_path):  # type: ignore[no-untyped-def]
    items = primitives(spec)
    t = {
        "angle": 0,
        "dx": 0,
        "dy": 0,
        "mirror": False,
        "seed": seed,
        "inch": False,
        "layer": "0",
        "exploded": False,
    }
    write(items, t, tmp_path / "once.dxf")
    write(items + items, t, tmp_path / "twice.dxf")
    once = summary(analyze_file(tmp_path / "once.dxf"))
    twice = summary(analyze_file(tmp_path / "twice.dxf"))
    assert close(once[0], twice[0]) and once[2] == twice[2]
