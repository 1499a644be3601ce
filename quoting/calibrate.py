"""Calibration: fit a shop's rates and factors to the prices it actually charged.

Each past job is priced with the current profile and its cost split into groups
(material, laser cutting, setups, bending, manual labour). The charged price is modelled
as (1 + markup) · Σ θ_g · cost_g, and the θ are fitted by robust regression on relative
errors: Huber-weighted least squares first, then Tukey's biweight, which gives wild
prices (a rush job, a typo, a friendly discount) no weight at all. Non-negative least
squares keeps every θ ≥ 0. The fit is judged on held-out jobs, and the θ are written
back into a new profile version.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import nnls

from .model import PartFeatures, QuoteError, QuoteRequest, quote
from .profile import CostProfile

GROUPS = {
    "material": ("material",),
    "laser": ("laser_cutting",),
    "setup": ("laser_setup", "brake_setup"),
    "brake": ("bending",),
    "labor": ("deburr_handling", "tapping"),
}
# Jobs priced at the line minimum say nothing about rates.
MINIMUM_MARGIN = 1.05
HOLDOUT_EVERY = 5  # every 5th job (by order in the file) is held out


@dataclass(frozen=True)
class Job:
    part_id: str
    material: str
    thickness_mm: float
    quantity: int
    price_jpy: float
    features: PartFeatures


@dataclass(frozen=True)
class Fit:
    factors: dict[str, float]  # θ per group; 1.0 = the profile was already right
    moved: dict[str, tuple[float, float]]  # profile field → (before, after)
    train_jobs: int
    holdout_jobs: int
    skipped: list[str]
    mape: float
    median_signed_error: float
    p90_abs_error: float
    profile: CostProfile

    def as_dict(self) -> dict[str, Any]:
        return {
            "factors": {k: round(v, 4) for k, v in self.factors.items()},
            "moved": {
                k: {
                    "before": round(a, 4),
                    "after": round(b, 4),
                    "change_pct": round(100 * (b / a - 1), 2) if a else None,
                }
                for k, (a, b) in self.moved.items()
            },
            "train_jobs": self.train_jobs,
            "holdout_jobs": self.holdout_jobs,
            "skipped": self.skipped,
            "holdout": {
                "mape_pct": round(100 * self.mape, 2),
                "median_signed_error_pct": round(100 * self.median_signed_error, 2),
                "p90_abs_error_pct": round(100 * self.p90_abs_error, 2),
            },
            "profile_version": self.profile.version,
        }


def read_history(path: str | Path) -> list[Job]:
    """CSV columns: part_id, material, thickness_mm, quantity, price_jpy, cut_length_mm,
    pierce_count, net_area_mm2, width_mm, height_mm, bends."""
    jobs = []
    with open(path, newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            try:
                w, h = float(row["width_mm"]), float(row["height_mm"])
                jobs.append(
                    Job(
                        part_id=row["part_id"],
                        material=row["material"].strip(),
                        thickness_mm=float(row["thickness_mm"]),
                        quantity=int(row["quantity"]),
                        price_jpy=float(row["price_jpy"]),
                        features=PartFeatures(
                            cut_length_mm=float(row["cut_length_mm"]),
                            pierce_count=int(row["pierce_count"]),
                            net_area_mm2=float(row["net_area_mm2"]),
                            size_mm=(max(w, h), min(w, h)),
                            segments=(),
                            bend_count=int(row.get("bends") or 0),
                        ),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}, line {n}: {exc}") from exc
    return jobs


def components(job: Job, profile: CostProfile) -> dict[str, float]:
    bends = job.features.bend_count
    req = QuoteRequest(
        job.material,
        job.thickness_mm,
        (job.quantity,),
        frozenset({"bend"}) if bends else frozenset(),
        confirmed_bends=bends,
    )
    brk = quote(job.features, req, profile).breaks[0]
    costs = {c.name: c.cost_jpy for c in brk.components}
    return {g: sum(costs.get(n, 0.0) for n in names) for g, names in GROUPS.items()}


def _irls(
    X: np.ndarray, y: np.ndarray, c: float, biweight: bool, theta: np.ndarray | None
) -> np.ndarray:
    """Weighted NNLS on relative residuals, iterated with Huber or Tukey weights."""
    rel = X / y[:, None]
    ones = np.ones_like(y)
    w = np.ones_like(y)
    for _ in range(50):
        if theta is not None:
            r = ones - rel @ theta
            scale = 1.4826 * float(np.median(np.abs(r - np.median(r)))) or 1e-9
            u = r / (c * scale)
            if biweight:
                w = np.where(np.abs(u) < 1, (1 - u**2) ** 2, 0.0)
            else:
                w = np.where(np.abs(u) <= 1, 1.0, 1.0 / np.maximum(np.abs(u), 1e-12))
        sw = np.sqrt(w)
        new, _ = nnls(rel * sw[:, None], ones * sw)
        if theta is not None and np.allclose(new, theta, rtol=1e-7, atol=1e-9):
            return new
        theta = new
    assert theta is not None
    return theta


def calibrate(jobs: list[Job], profile: CostProfile) -> Fit:
    rows, prices, skipped = [], [], []
    usable: list[Job] = []
    for job in jobs:
        try:
            comp = components(job, profile)
        except QuoteError as exc:
            skipped.append(f"{job.part_id}: {exc.code}")
            continue
        if job.price_jpy <= profile.line_minimum_jpy * MINIMUM_MARGIN:
            skipped.append(f"{job.part_id}: priced at the line minimum")
            continue
        rows.append([comp[g] * (1 + profile.markup) for g in GROUPS])
        prices.append(job.price_jpy)
        usable.append(job)
    X, y = np.array(rows), np.array(prices)
    holdout = np.arange(len(y)) % HOLDOUT_EVERY == HOLDOUT_EVERY - 1
    train = ~holdout
    present = X[train].sum(axis=0) > 0  # a group no job used (no bends at all) stays at 1
    theta = np.ones(len(GROUPS))
    huber = _irls(X[train][:, present], y[train], 1.345, False, None)
    theta[present] = _irls(X[train][:, present], y[train], 4.685, True, huber)

    predicted = X[holdout] @ theta
    errors = (predicted - y[holdout]) / y[holdout]
    factors = dict(zip(GROUPS, (float(t) for t in theta), strict=True))
    new_profile, moved = apply_factors(profile, factors)
    return Fit(
        factors,
        moved,
        int(train.sum()),
        int(holdout.sum()),
        skipped,
        float(np.mean(np.abs(errors))) if len(errors) else math.nan,
        float(np.median(errors)) if len(errors) else math.nan,
        float(np.quantile(np.abs(errors), 0.9)) if len(errors) else math.nan,
        new_profile,
    )


def apply_factors(
    profile: CostProfile, f: dict[str, float]
) -> tuple[CostProfile, dict[str, tuple[float, float]]]:
    """Write θ back into profile fields, so the new version prices the way the shop does."""
    data = profile.model_dump(mode="json")
    moved: dict[str, tuple[float, float]] = {}

    def scale(path: str, factor: float) -> None:
        node = data
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        before = float(node[keys[-1]])
        node[keys[-1]] = before * factor
        moved[path] = (before, before * factor)

    for name in data["materials"]:
        scale(f"materials.{name}.price_jpy_kg", f["material"])
        scale(f"materials.{name}.scrap_jpy_kg", f["material"])
    scale("laser.rate_jpy_h", f["laser"])
    # Setups are paid at the machine rates: scale their minutes so that setup cost moves
    # by the setup factor after the rates have moved by theirs.
    scale("laser.setup_min_per_job", f["setup"] / f["laser"] if f["laser"] else 1.0)
    scale("laser.program_min_per_part_no", f["setup"] / f["laser"] if f["laser"] else 1.0)
    scale("brake.rate_jpy_h", f["brake"])
    scale("brake.setup_min", f["setup"] / f["brake"] if f["brake"] else 1.0)
    scale("brake.setup_min_per_tool_change", f["setup"] / f["brake"] if f["brake"] else 1.0)
    scale("labor_jpy_h", f["labor"])
    data["version"] = profile.version + 1
    return CostProfile.parse(data), moved
