"""Design-for-bending findings on plates whose answers are worked out by hand from
QUOTING.md's rules of thumb: hole to bend ≥ 2·t + inside radius (taken as t, as no radius
is drawn), flange ≥ max(4·t, 0.7·V-die opening)."""

from __future__ import annotations

import pytest

from cad.analyze import analyze_file
from cad.parts import vdie_opening_mm


def bent_plate(build, save, *, bends_y, holes=(), w=100.0, h=60.0, turn=None):  # type: ignore[no-untyped-def]
    """A w×h plate with bend lines across it at the given heights (on a BEND layer) and
    round holes given as (x, y, diameter); `turn` moves, turns or mirrors it all."""
    doc = build.new_doc()
    msp = doc.modelspace()
    t = turn or (lambda p: p)
    msp.add_lwpolyline([t(p) for p in [(0, 0), (w, 0), (w, h), (0, h)]], close=True)
    for y in bends_y:
        msp.add_line(t((0, y)), t((w, y)), dxfattribs={"layer": "BEND"})
    for x, y, d in holes:
        msp.add_circle(t((x, y)), d / 2)
    return save(doc)


def found(a, code: str) -> list[float]:  # type: ignore[no-untyped-def]
    return sorted(f.value for f in a.findings if f.code == code)


def test_a_hole_two_mm_from_a_bend_is_flagged_and_one_twelve_mm_away_is_not(build, save):  # type: ignore[no-untyped-def]
    """t = 2, bend at y = 20, Ø6 hole centred at y = 25: its edge is 25 − 3 − 20 = 2 mm
    from the bend, under 2·2 + 2 = 6 mm. Centred at y = 35 it is 12 mm away."""
    near = analyze_file(bent_plate(build, save, bends_y=[20], holes=[(50, 25, 6)]), 2.0)
    (f,) = [f for f in near.findings if f.code == "HOLE_NEAR_BEND"]
    assert (f.value, f.location, f.severity) == (pytest.approx(2.0), (50.0, 25.0), "warning")
    assert "6.00 mm" in f.message_en and "6.00 mm" in f.message_ja and "曲げ線" in f.message_ja
    far = analyze_file(bent_plate(build, save, bends_y=[20], holes=[(50, 35, 6)]), 2.0)
    assert found(far, "HOLE_NEAR_BEND") == []
    assert len(far.parts[0].bends) == 1  # the bend was seen; the hole is simply far enough


def test_the_hole_to_bend_limit_is_two_t_plus_t(build, save):  # type: ignore[no-untyped-def]
    """At t = 2 the limit is 6 mm: edge gaps of 5.9 mm are flagged, 6.1 mm are not."""
    path = bent_plate(build, save, bends_y=[20], holes=[(30, 28.9, 6), (70, 29.1, 6)])
    assert found(analyze_file(path, 2.0), "HOLE_NEAR_BEND") == [pytest.approx(5.9)]


def test_a_hole_across_a_bend_is_flagged_at_zero_distance(build, save):  # type: ignore[no-untyped-def]
    a = analyze_file(bent_plate(build, save, bends_y=[30], holes=[(50, 30, 8)]), 1.0)
    assert found(a, "HOLE_NEAR_BEND") == [0.0]


def test_a_six_mm_flange_at_two_mm_is_too_short_and_a_ten_mm_one_is_not(build, save):  # type: ignore[no-untyped-def]
    """t = 2: V-die 6·2 = 12 mm, limit max(4·2, 0.7·12) = 8.4 mm."""
    short = analyze_file(bent_plate(build, save, bends_y=[6]), 2.0)
    (f,) = [f for f in short.findings if f.code == "FLANGE_TOO_SHORT"]
    assert f.value == pytest.approx(6.0) and f.severity == "warning"
    assert "8.40 mm" in f.message_en and "8.40 mm" in f.message_ja and "フランジ" in f.message_ja
    assert 0 < f.location[1] < 6  # inside the short flange, not the 54 mm one
    assert found(analyze_file(bent_plate(build, save, bends_y=[10]), 2.0), "FLANGE_TOO_SHORT") == []


def test_a_channel_with_a_short_web_is_flagged_once_for_the_web(build, save):  # type: ignore[no-untyped-def]
    """Bends at y = 10 and 16 on a 60 mm plate: flanges 10 and 44 mm, web 6 mm (t = 2)."""
    a = analyze_file(bent_plate(build, save, bends_y=[10, 16]), 2.0)
    assert found(a, "FLANGE_TOO_SHORT") == [pytest.approx(6.0)]


@pytest.mark.parametrize("angle, mirror", [(30.0, False), (211.0, True)])
def test_bending_findings_do_not_change_when_the_drawing_is_turned_or_mirrored(
    build, save, angle, mirror
):  # type: ignore[no-untyped-def]
    path = bent_plate(
        build, save, bends_y=[6, 20], holes=[(50, 25, 6)], turn=build.rotation(angle, mirror)
    )
    a = analyze_file(path, 2.0)
    assert found(a, "HOLE_NEAR_BEND") == [pytest.approx(2.0)]
    assert found(a, "FLANGE_TOO_SHORT") == [pytest.approx(6.0)]


def test_no_bending_findings_without_a_thickness_or_without_bends(build, save):  # type: ignore[no-untyped-def]
    bent = bent_plate(build, save, bends_y=[6], holes=[(50, 9, 4)])
    flat = bent_plate(build, save, bends_y=[], holes=[(50, 9, 4)])
    for a in (analyze_file(bent), analyze_file(flat, 2.0)):
        assert found(a, "HOLE_NEAR_BEND") == found(a, "FLANGE_TOO_SHORT") == []
    assert len(analyze_file(bent, 2.0).parts[0].bends) == 1


@pytest.mark.parametrize(
    "t, opening",
    [
        (1.0, 6.0),
        (2.5, 15.0),
        (3.0, 24.0),
        (8.0, 64.0),
        (10.0, 100.0),
        (12.0, 120.0),
        (16.0, 192.0),
    ],
)
def test_v_die_opening_follows_the_table(t, opening):  # type: ignore[no-untyped-def]
    """QUOTING.md: 6t up to 2.5 mm, 8t for 3–8, 10t up to 12, 12t above."""
    assert vdie_opening_mm(t) == pytest.approx(opening)
