"""A shop's cost profile: a versioned, validated document (YAML) and its typed model.

Nothing in the cost formulas is a bare number: every rate, speed and factor lives here,
so a shop can make the engine price the way it prices. An invalid profile is refused
with the path of the field that is wrong.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class ProfileError(ValueError):
    """The profile cannot be used; `errors` name each wrong field."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid cost profile: " + "; ".join(errors))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Material(_Strict):
    rho: Positive  # g/cm³
    price_jpy_kg: Positive
    scrap_jpy_kg: NonNegative
    thicknesses_mm: list[Positive] = Field(min_length=1)
    sheets: list[tuple[Positive, Positive]] = Field(min_length=1)  # (width, length) mm
    laser_like: str | None = None  # use another material's speed table …
    laser_speed_factor: Positive = 1.0  # … at this fraction of its speed

    @model_validator(mode="after")
    def scrap_below_price(self) -> Material:
        if self.scrap_jpy_kg >= self.price_jpy_kg:
            raise ValueError("scrap_jpy_kg must be below price_jpy_kg")
        return self


def _table(value: dict[Any, Any]) -> dict[float, float]:
    table = {float(k): float(v) for k, v in value.items()}
    if len(table) < 2:
        raise ValueError("a table needs at least two thickness rows")
    if any(k <= 0 or v <= 0 for k, v in table.items()):
        raise ValueError("thicknesses and values must be positive")
    return dict(sorted(table.items()))


class Nesting(_Strict):
    utilization: Annotated[float, Field(gt=0, le=1)]
    trim_mm_per_side: NonNegative
    min_part_gap_mm: NonNegative


class Laser(_Strict):
    rate_jpy_h: Positive
    setup_min_per_job: NonNegative
    program_min_per_part_no: NonNegative
    rapid_m_min: Positive
    accel_m_s2: Positive
    leadin_s: NonNegative
    speed_m_min: dict[str, dict[float, float]]
    pierce_s: dict[str, dict[float, float]]
    pierce_factor: dict[str, Positive] = {}

    @field_validator("speed_m_min", "pierce_s", mode="before")
    @classmethod
    def tables(cls, value: dict[str, dict[Any, Any]]) -> dict[str, dict[float, float]]:
        return {material: _table(rows) for material, rows in value.items()}


class Brake(_Strict):
    rate_jpy_h: Positive
    s_per_bend: Positive
    s_extra_nonstandard: NonNegative  # per complication of one bend: not 90°, long
    setup_min: NonNegative
    setup_min_per_tool_change: NonNegative  # per bend angle after the first
    # Defaults equal the shipped profile's, so profiles written before the field load.
    long_bend_mm: Positive = 1000.0  # a bend line longer than this is a complication


class Punch(_Strict):
    rate_jpy_h: Positive
    s_per_hit: Positive
    setup_min: NonNegative
    setup_min_per_tool: NonNegative  # per distinct hole diameter or slot size
    # What a standard tool fits: Ø ≥ max(min_hole_over_t·t + min_hole_extra_mm,
    # min_hole_mm), and no wider or longer than max_tool_mm. Defaults as shipped.
    min_hole_over_t: Positive = 1.2
    min_hole_extra_mm: NonNegative = 0.2
    min_hole_mm: Positive = 1.2
    max_tool_mm: Positive = 88.9

    def smallest_hole_mm(self, thickness_mm: float) -> float:
        return max(self.min_hole_over_t * thickness_mm + self.min_hole_extra_mm, self.min_hole_mm)


class Weld(_Strict):
    rate_jpy_h: Positive


class Finish(_Strict):
    jpy_per_m2: Positive
    lot_min_jpy: NonNegative
    days: NonNegative = 0


class Tapping(_Strict):
    s_per_hole: Positive


class Hardware(_Strict):
    jpy_per_insert: NonNegative
    s_per_insert: NonNegative


class Manual(_Strict):
    deburr_s_per_m_cut: NonNegative
    handling_s_per_part: NonNegative


class LeadTime(_Strict):
    base_days: NonNegative
    shop_hours_per_day: Positive
    bend_days: NonNegative


class CostProfile(_Strict):
    name: str
    version: Annotated[int, Field(ge=1)]
    currency: str = "JPY"
    materials: dict[str, Material] = Field(min_length=1)
    nesting: Nesting
    laser: Laser
    brake: Brake
    punch: Punch
    weld: Weld
    finishing: dict[str, Finish] = {}
    tapping: Tapping
    hardware: Hardware
    labor_jpy_h: Positive
    manual: Manual
    learning_rate_manual_ops: Annotated[float, Field(gt=0, le=1)]
    learning_plateau_qty: Annotated[int, Field(ge=1)] = 100
    markup: Annotated[float, Field(ge=0, le=5)]
    line_minimum_jpy: NonNegative
    lead_time: LeadTime

    @model_validator(mode="after")
    def every_material_can_be_cut(self) -> CostProfile:
        for name, m in self.materials.items():
            ref = m.laser_like or name
            if ref not in self.laser.speed_m_min:
                raise ValueError(f"materials.{name}: no laser speed table for {ref!r}")
        if not self.laser.pierce_s:
            raise ValueError("laser.pierce_s needs at least one table")
        return self

    # -- reading and writing ------------------------------------------------------------
    @classmethod
    def parse(cls, data: dict[str, Any]) -> CostProfile:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ProfileError(
                [
                    f"{'.'.join(str(p) for p in e['loc']) or 'profile'}: {e['msg']}"
                    for e in exc.errors()
                ]
            ) from exc

    @classmethod
    def load(cls, path: str | Path) -> CostProfile:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ProfileError([f"not valid YAML: {exc}"]) from exc
        if not isinstance(data, dict):
            raise ProfileError(["the profile must be a mapping of fields"])
        return cls.parse(data)

    @classmethod
    def default(cls) -> CostProfile:
        text = (
            resources.files("quoting").joinpath("default_profile.yaml").read_text(encoding="utf-8")
        )
        return cls.parse(yaml.safe_load(text))

    def dump(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), allow_unicode=True, sort_keys=False)


def interpolate(table: dict[float, float], x: float, what: str) -> float:
    """Linear between rows; outside the table is refused, never extrapolated."""
    keys = list(table)
    if not keys[0] <= x <= keys[-1]:
        raise ValueError(f"{what}: {x:g} mm is outside the table ({keys[0]:g}–{keys[-1]:g} mm)")
    for lo, hi in zip(keys, keys[1:], strict=False):
        if lo <= x <= hi:
            f = (x - lo) / (hi - lo)
            return table[lo] + f * (table[hi] - table[lo])
    return table[keys[-1]]
