"""What must always hold, whatever the profile numbers: monotonic in what costs more,
never dearer per piece for more pieces, blind to how the drawing was drawn."""

from __future__ import annotations

import math

import ezdxf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cad.analyze import analyze_file
from quoting.model import PartFeatures, QuoteRequest, quote
from quoting.profile import CostProfile

PROFILE = CostProfile.default()


def plate_features(w=100.0, h=50.0, holes=4, inch=False, angle=0.0, twice=False):  # type: ignore[no-untyped-def]
    import tempfile

    k = 1 / 25.4 if inch else 1.0
    a = math.radians(angle)

    def t(x, y):  # type: ignore[no-untyped-def]
        return ((x * math.cos(a) - y * math.sin(a)) * k, (x * math.sin(a) + y * math.cos(a)) * k)

    doc = ezdxf.new("R2010")
    doc.units = 1 if inch else 4
    msp = doc.modelspace()
    for _ in range(2 if twice else 1):
        corners = [t(0, 0), t(w, 0), t(w, h), t(0, h)]
        for p, q in zip(corners, corners[1:] + corners[:1], strict=True):
            msp.add_line(p, q)
        for i in range(holes):
            msp.add_circle(t(10 + i * (w - 20) / max(holes - 1, 1), h / 2), 3 * k)
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/part.dxf"
        doc.saveas(path)
        a_ = analyze_file(path)
    return PartFeatures.from_part(a_.parts[0], a_.findings)


def unit(features, t=1.6, q=10, bends=None, material="SPCC"):  # type: ignore[no-untyped-def]
    req = QuoteRequest(material, t, (q,), frozenset({"bend"}), confirmed_bends=bends)
    return quote(features, req, PROFILE).breaks[0].unit_price_jpy


BASE = plate_features()


def test_same_part_in_mm_and_inch_rotated_or_with_duplicate_lines_has_the_same_price():  # type: ignore[no-untyped-def]
    price = unit(BASE)
    for variant in (
        plate_features(inch=True),
        plate_features(angle=37.0),
        plate_features(twice=True),
    ):
        assert unit(variant) == pytest.approx(price, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(t1=st.floats(1.0, 11.0), dt=st.floats(0.05, 1.0))
def test_price_rises_with_thickness(t1, dt):  # type: ignore[no-untyped-def]
    assert unit(BASE, t=t1 + dt) > unit(BASE, t=t1)


def test_price_rises_with_cut_length_hole_count_and_bend_count():  # type: ignore[no-untyped-def]
    assert unit(plate_features(w=160)) > unit(BASE)
    assert unit(plate_features(holes=6)) > unit(BASE)
    prices = [unit(BASE, bends=n) for n in range(5)]
    assert prices == sorted(prices) and len(set(prices)) == 5


@settings(max_examples=30, deadline=None)
@given(
    q=st.integers(1, 5000),
    dq=st.integers(1, 5000),
    processes=st.sets(st.sampled_from(["bend", "punch", "paint", "plating"])),
)
def test_unit_price_never_rises_with_quantity(q, dq, processes):  # type: ignore[no-untyped-def]
    req = QuoteRequest("SUS304", 2.0, (q, q + dq), frozenset(processes), confirmed_bends=2)
    low, high = quote(BASE, req, PROFILE).breaks
    assert high.unit_price_jpy <= low.unit_price_jpy + 1e-9


def test_past_the_learning_plateau_every_extra_piece_costs_the_same():  # type: ignore[no-untyped-def]
    """Published job-shop lists go flat after 50–100 pieces. Past the plateau (100 in the
    default profile) manual times stop falling, so each extra piece adds the same amount:
    the total is a straight line in quantity, and only the once-per-order setup is still
    being spread (the unit price then falls only as setup/Q does)."""
    assert PROFILE.learning_plateau_qty == 100
    req = QuoteRequest("SPCC", 2.3, (100, 550, 1000), frozenset({"bend"}), confirmed_bends=2)
    q100, q550, q1000 = quote(plate_features(w=150, h=100), req, PROFILE).breaks
    assert q1000.total_price_jpy - q550.total_price_jpy == pytest.approx(
        q550.total_price_jpy - q100.total_price_jpy, rel=1e-9
    )
    # Where the line meets Q = 0, by hand from the default profile: the once-per-order
    # setups, plus what the first 100 pieces cost above the plateau rate on the learning
    # curve (Σ i^b − 100·100^b), all with the 20 % markup.
    setups_jpy = (10 + 5) * 12000 / 60 + 10 * 6000 / 60  # laser setup + programming, brake
    cut_m = (2 * (150 + 100) + 4 * math.pi * 6) / 1000  # outline and four Ø6 holes
    manual_jpy = (cut_m * 40 + 60) * 4800 / 3600  # deburr 40 s/m + handling 60 s, first piece
    brake_jpy = 2 * 30 * 6000 / 3600  # two confirmed bends of unknown angle: standard
    b = math.log2(0.9)
    excess_units = sum(i**b for i in range(1, 101)) - 100 * 100**b
    fixed = (setups_jpy + excess_units * (manual_jpy + brake_jpy)) * 1.2
    marginal = (q1000.total_price_jpy - q100.total_price_jpy) / 900
    assert q100.total_price_jpy - 100 * marginal == pytest.approx(fixed, rel=1e-9)
