"""A calibration proposal: the shop's own jobs, a seeded hold-out, old and new error side
by side. Pure: plain jobs and a profile in, a plain proposal out; no Django.

`quoting.calibrate` fits on every job but every HOLDOUT_EVERY-th of the order it is
given. Shuffling with a fixed seed first makes the held-out share a repeatable random
fifth instead of whatever the import order made it (an import sorted by date would
otherwise hold out a slice of one season). Both errors are measured the same way: what
each profile quotes for the held-out jobs against what the shop charged.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from quoting.calibrate import HOLDOUT_EVERY, MINIMUM_MARGIN, Job, calibrate, components
from quoting.model import QuoteError, QuoteRequest, quote
from quoting.profile import CostProfile, ProfileError

SEED = 11
HOLDOUT_PCT = round(100 / HOLDOUT_EVERY)
# Five factors are fitted; below this many usable jobs the fit is a guess (and the
# hold-out too small to judge it).
MIN_JOBS = 10
# A proposed rate is rounded to this many significant digits (18,046.28 JPY/h is
# proposed as 18,050): a shop reads and types rates, and the rounding moves a price by
# under 0.05 %, far inside any held-out error. The error shown is the rounded profile's.
SIGNIFICANT_DIGITS = 4


@dataclass(frozen=True)
class HeldOutError:
    mape_pct: float  # mean absolute error, % of the charged price
    median_signed_pct: float  # > 0: the profile quotes above what the shop charged
    p90_abs_pct: float

    @classmethod
    def of(cls, jobs: Sequence[Job], profile: CostProfile) -> HeldOutError:
        errors = np.array([(_price(job, profile) - job.price_jpy) / job.price_jpy for job in jobs])
        if not len(errors):
            return cls(math.nan, math.nan, math.nan)
        return cls(
            round(100 * float(np.mean(np.abs(errors))), 2),
            round(100 * float(np.median(errors)), 2),
            round(100 * float(np.quantile(np.abs(errors), 0.9)), 2),
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "mape_pct": self.mape_pct,
            "median_signed_pct": self.median_signed_pct,
            "p90_abs_pct": self.p90_abs_pct,
        }


@dataclass(frozen=True)
class Proposal:
    factors: dict[str, float]  # θ per cost group; 1.0 = the profile already priced it so
    moved: dict[str, tuple[float, float]]  # profile field → (before, after)
    train_jobs: int
    holdout_jobs: int
    before: HeldOutError
    after: HeldOutError
    skipped: dict[str, int]
    profile: CostProfile

    def as_dict(self) -> dict[str, Any]:
        """What is shown and what an adopted version keeps as its `fit`."""
        return {
            "factors": {k: round(v, 4) for k, v in self.factors.items()},
            "rates": [
                {
                    "field": name,
                    "before": round(a, 4),
                    "after": round(b, 4),
                    "change_pct": round(100 * (b / a - 1), 2) if a else None,
                }
                for name, (a, b) in self.moved.items()
            ],
            "jobs": self.train_jobs + self.holdout_jobs,
            "train_jobs": self.train_jobs,
            "holdout_jobs": self.holdout_jobs,
            "holdout_pct": HOLDOUT_PCT,
            "seed": SEED,
            "holdout_error": {"before": self.before.as_dict(), "after": self.after.as_dict()},
            "skipped": dict(self.skipped),
        }


@dataclass(frozen=True)
class NoProposal:
    reason: str  # too_few_jobs | fit_invalid
    usable: int
    skipped: dict[str, int]
    detail: str = ""
    needed: int = MIN_JOBS

    def as_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "jobs": self.usable,
            "needed": self.needed,
            "skipped": dict(self.skipped),
            "detail": self.detail,
        }


def _request(job: Job) -> QuoteRequest:
    bends = job.features.bend_count
    return QuoteRequest(
        job.material,
        job.thickness_mm,
        (job.quantity,),
        frozenset({"bend"}) if bends else frozenset(),
        confirmed_bends=bends,
    )


def _price(job: Job, profile: CostProfile) -> float:
    return quote(job.features, _request(job), profile).breaks[0].total_price_jpy


def usable(jobs: Sequence[Job], profile: CostProfile) -> tuple[list[Job], Counter[str]]:
    """The jobs `calibrate` would use, by the same two tests, and why the others are not."""
    kept: list[Job] = []
    skipped: Counter[str] = Counter()
    for job in jobs:
        try:
            components(job, profile)
        except QuoteError as exc:
            skipped[exc.code.lower()] += 1
            continue
        if job.price_jpy <= profile.line_minimum_jpy * MINIMUM_MARGIN:
            skipped["line_minimum"] += 1
            continue
        kept.append(job)
    return kept, skipped


def propose(
    jobs: Sequence[Job], profile: CostProfile, skipped: Counter[str] | None = None
) -> Proposal | NoProposal:
    """`skipped` counts the jobs the caller already left out, by reason."""
    ordered = list(jobs)
    random.Random(SEED).shuffle(ordered)  # noqa: S311 -- a repeatable split, not a secret
    kept, refused = usable(ordered, profile)
    reasons = dict(Counter(skipped or {}) + refused)
    if len(kept) < MIN_JOBS:
        return NoProposal("too_few_jobs", len(kept), reasons)
    try:
        fit = calibrate(kept, profile)
    except ProfileError as exc:  # a factor fitted to 0 makes a rate that must be > 0
        return NoProposal("fit_invalid", len(kept), reasons, detail="; ".join(exc.errors))
    held_out = [job for i, job in enumerate(kept) if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1]
    assert len(held_out) == fit.holdout_jobs and not fit.skipped  # the same split as the fit
    try:
        proposed, moved = _rounded(fit.profile, fit.moved)
    except ProfileError as exc:
        return NoProposal("fit_invalid", len(kept), reasons, detail="; ".join(exc.errors))
    return Proposal(
        factors=fit.factors,
        moved=moved,
        train_jobs=fit.train_jobs,
        holdout_jobs=fit.holdout_jobs,
        before=HeldOutError.of(held_out, profile),
        after=HeldOutError.of(held_out, proposed),
        skipped=reasons,
        profile=proposed,
    )


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _rounded(
    profile: CostProfile, moved: dict[str, tuple[float, float]]
) -> tuple[CostProfile, dict[str, tuple[float, float]]]:
    data = profile.model_dump(mode="json")
    rounded: dict[str, tuple[float, float]] = {}
    for path, (before, after) in moved.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = round_significant(after)
        rounded[path] = (before, node[last])
    return CostProfile.parse(data), rounded
