"""Invariance: moving, turning, mirroring, reordering, renaming layers and changing units
do not change what a part is; drawing every line twice does not change its cut length."""

from __future__ import annotations

import math
import random

import ezdxf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad.analyze import analyze_file

# A generated part: a w×h plate with round holes and a rounded notch, as primitives that
# we can transform exactly before writing them out.
part_spec = st.fixed_dictionaries(
    {
        "w": st.floats(40, 400),
        "h": st.floats(30, 300),
        "holes": st.lists(
            st.tuples(st.floats(0.1, 0.9), st.floats(0.1, 0.9), st.floats(1.5, 8)),
            min_size=0,
            max_size=5,
        ),
    }
)
transform_spec = st.fixed_dictionaries(
    {
        "angle": st.floats(0, 360),
        "dx": st.floats(-5000, 5000),
        "dy": st.floats(-5000, 5000),
        "mirror": st.booleans(),
        "seed": st.integers(0, 10_000),
        "inch": st.booleans(),
        "layer": st.sampled_from(["0", "CUT", "外形", "Layer 7"]),
        "exploded": st.booleans(),
    }
)


def primitives(spec):  # type: ignore[no-untyped-def]
    """Lines, arcs and circles of the part, in mm, free of overlapping holes."""
    w, h = spec["w"], spec["h"]
    r = min(w, h) * 0.08  # rounded corners
    items = [
        ("line", (r, 0), (w - r, 0)),
        ("arc", (w - r, r), r, -90, 0),
        ("line", (w, r), (w, h - r)),
        ("arc", (w - r, h - r), r, 0, 90),
        ("line", (w - r, h), (r, h)),
        ("arc", (r, h - r), r, 90, 180),
        ("line", (0, h - r), (0, r)),
        ("arc", (r, r), r, 180, 270),
    ]
    placed: list[tuple[float, float, float]] = []
    for fx, fy, d in spec["holes"]:
        c = (r + fx * (w - 2 * r), r + fy * (h - 2 * r))
        rad = min(d / 2, 0.3 * r + 0.5)
        if c[0] - rad < r or c[0] + rad > w - r or c[1] - rad < r or c[1] + rad > h - r:
            continue
        if all(math.dist(c, (px, py)) > rad + pr + 1 for px, py, pr in placed):
            placed.append((c[0], c[1], rad))
            items.append(("circle", c, rad))
    return items


def write(items, t, path):  # type: ignore[no-untyped-def]
    k = 1 / 25.4 if t["inch"] else 1.0
    a = math.radians(t["angle"])
    sx = -1.0 if t["mirror"] else 1.0

    def tf(p):  # type: ignore[no-untyped-def]
        x, y = p[0] * sx, p[1]
        return (
            (x * math.cos(a) - y * math.sin(a) + t["dx"]) * k,
            (x * math.sin(a) + y * math.cos(a) + t["dy"]) * k,
        )

    doc = ezdxf.new("R2010")
    doc.units = 1 if t["inch"] else 4
    msp = doc.modelspace()
    attrs = {"layer": t["layer"]}
    items = list(items)
    random.Random(t["seed"]).shuffle(items)
    for item in items:
        if item[0] == "line":
            msp.add_line(tf(item[1]), tf(item[2]), dxfattribs=attrs)
        elif item[0] == "circle":
            msp.add_circle(tf(item[1]), item[2] * k, dxfattribs=attrs)
        else:
            _, c, r, a0, a1 = item
            # Transform the arc through its end points; mirroring flips its direction.
            s0 = (c[0] + r * math.cos(math.radians(a0)), c[1] + r * math.sin(math.radians(a0)))
            s1 = (c[0] + r * math.cos(math.radians(a1)), c[1] + r * math.sin(math.radians(a1)))
            cc, p0, p1 = tf(c), tf(s0), tf(s1)
            if t["mirror"]:
                p0, p1 = p1, p0
            start = math.degrees(math.atan2(p0[1] - cc[1], p0[0] - cc[0]))
            end = math.degrees(math.atan2(p1[1] - cc[1], p1[0] - cc[0]))
            msp.add_arc(cc, r * k, start, end, dxfattribs=attrs)
    doc.saveas(path)


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
    identity = {
        "angle": 0,
        "dx": 0,
        "dy": 0,
        "mirror": False,
        "seed": 0,
        "inch": False,
        "layer": "0",
        "exploded": False,
    }
    write(items, identity, tmp_path / "a.dxf")
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
