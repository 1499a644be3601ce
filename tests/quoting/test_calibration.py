"""Calibration recovers known rates from synthetic history: hidden factors, ±8 % noise,
then 20 % wild prices on top."""

from __future__ import annotations

import random

import pytest

from quoting.calibrate import Job, apply_factors, calibrate, read_history
from quoting.model import BendFeature, PartFeatures, QuoteRequest, quote
from quoting.profile import CostProfile

HIDDEN = {"material": 1.12, "laser": 1.30, "setup": 0.85, "brake": 0.90, "labor": 1.20}
THICKNESS = {
    "SPCC": [1.0, 1.6, 2.3, 3.2, 4.5, 6.0],
    "SUS304": [1.0, 1.5, 2.0, 3.0],
    "A5052": [1.0, 2.0, 3.0],
}


def synthetic_jobs(n: int, seed: int, outliers: float = 0.0) -> list[Job]:
    rng = random.Random(seed)
    shop, _ = apply_factors(CostProfile.default(), HIDDEN)
    jobs = []
    while len(jobs) < n:
        w, h = rng.uniform(40, 600), rng.uniform(30, 400)
        holes = rng.randint(0, 12)
        cut = 2 * (w + h) + holes * 3.1416 * rng.uniform(4, 12)
        features = PartFeatures(
            cut_length_mm=cut,
            pierce_count=1 + holes,
            net_area_mm2=w * h * rng.uniform(0.8, 0.97),
            size_mm=(max(w, h), min(w, h)),
            segments=(),
            bend_count=rng.choice([0, 0, 1, 2, 3, 4]),
        )
        material = rng.choice(list(THICKNESS))
        t = rng.choice(THICKNESS[material])
        q = rng.choice([1, 2, 5, 10, 20, 50, 100, 200, 500])
        req = QuoteRequest(
            material,
            t,
            (q,),
            frozenset({"bend"}) if features.bend_count else frozenset(),
            confirmed_bends=features.bend_count,
        )
        price = quote(features, req, shop).breaks[0].total_price_jpy * rng.uniform(0.92, 1.08)
        if rng.random() < outliers:
            price *= rng.choice([rng.uniform(1.6, 3.0), rng.uniform(0.3, 0.6)])
        jobs.append(Job(f"J{len(jobs)}", material, t, q, price, features))
    return jobs


@pytest.mark.parametrize("outliers", [0.0, 0.2])
def test_fitted_factors_are_within_five_percent_of_the_hidden_ones(outliers):  # type: ignore[no-untyped-def]
    # A few years of a shop's jobs; bending and laser are small shares of a price, and
    # with ±8 % noise it takes this many jobs to pin them within 5 % (bench: 400 do not).
    fit = calibrate(synthetic_jobs(2000, seed=7, outliers=outliers), CostProfile.default())
    for group, hidden in HIDDEN.items():
        assert fit.factors[group] == pytest.approx(hidden, rel=0.05), (group, fit.factors)
    if outliers == 0.0:
        # ±8 % uniform noise has a mean absolute error of 4 %: the held-out MAPE sits there.
        assert 0.02 < fit.mape < 0.06
        assert abs(fit.median_signed_error) < 0.02
    assert fit.profile.version == CostProfile.default().version + 1


def test_new_profile_prices_like_the_shop(tmp_path):  # type: ignore[no-untyped-def]
    fit = calibrate(synthetic_jobs(2000, seed=3), CostProfile.default())
    shop, _ = apply_factors(CostProfile.default(), HIDDEN)
    features = PartFeatures(
        cut_length_mm=900,
        pierce_count=7,
        net_area_mm2=40000,
        size_mm=(250, 180),
        segments=(),
        bend_count=2,
    )
    req = QuoteRequest("SPCC", 2.3, (1, 50), frozenset({"bend"}), confirmed_bends=2)
    for ours, theirs in zip(
        quote(features, req, fit.profile).breaks, quote(features, req, shop).breaks, strict=True
    ):
        assert ours.unit_price_jpy == pytest.approx(theirs.unit_price_jpy, rel=0.05)
    moved = fit.as_dict()["moved"]
    assert moved["laser.rate_jpy_h"]["change_pct"] == pytest.approx(30, abs=5)


def test_history_csv_is_read_and_bad_rows_are_named(tmp_path):  # type: ignore[no-untyped-def]
    header = "part_id,material,thickness_mm,quantity,price_jpy,cut_length_mm,pierce_count,net_area_mm2,width_mm,height_mm,bends\n"
    good = tmp_path / "h.csv"
    good.write_text(header + "P1,SPCC,1.6,10,12000,600,3,18000,150,120,2\n")
    (job,) = read_history(good)
    assert (job.material, job.quantity, job.features.size_mm, job.features.bend_count) == (
        "SPCC",
        10,
        (150.0, 120.0),
        2,
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "P1,SPCC,1.6,ten,12000,600,3,18000,150,120,2\n")
    with pytest.raises(ValueError, match="line 2"):
        read_history(bad)


def test_the_setup_factor_also_moves_the_brake_tool_change_minutes():  # type: ignore[no-untyped-def]
    """The fitted setup factor scales brake_setup, which now holds tool changes too: the
    new profile must price a tool change at the same factor."""
    halved, _ = apply_factors(
        CostProfile.default(),
        {"material": 1, "laser": 1, "setup": 0.5, "brake": 1, "labor": 1},
    )
    part = PartFeatures(
        cut_length_mm=600,
        pierce_count=1,
        net_area_mm2=20000,
        size_mm=(200, 100),
        segments=(),
        bend_count=2,
        bends=(BendFeature(100.0, 90.0), BendFeature(100.0, 45.0)),
    )
    brk = quote(part, QuoteRequest("SPCC", 1.6, (1,), frozenset({"bend"})), halved).breaks[0]
    setup = next(c for c in brk.components if c.name == "brake_setup")
    assert setup.cost_jpy == pytest.approx(0.5 * (10 + 1 * 5) * 6000 / 60)  # 750
