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
    processes=st.sets(st.sampled_from(["bend", "paint", "plating"])),
)
def test_unit_price_never_rises_with_quantity(q, dq, processes):  # type: ignore[no-untyped-def]
    req = QuoteRequest("SUS304", 2.0, (q, q + dq), frozenset(processes), confirmed_bends=2)
    low, high = quote(BASE, req, PROFILE).breaks
    assert high.unit_price_jpy <= low.unit_price_jpy + 1e-9


def test_quantity_curve_is_flat_after_a_hundred_pieces():  # type: ignore[no-untyped-def]
    """Published job-shop lists go flat after 50–100 pieces: from 100 to 1,000 only the
    setup is still being spread, so the unit price falls by less than a third."""
    req = QuoteRequest("SPCC", 2.3, (100, 1000), frozenset({"bend"}), confirmed_bends=2)
    at_100, at_1000 = quote(plate_features(w=150, h=100), req, PROFILE).breaks
    assert at_100.unit_price_jpy / at_1000.unit_price_jpy < 1.35
