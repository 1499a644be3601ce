"""API shapes of allocation runs (the paths and fields named in issue 12 are a contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class RunIn(Schema):
    # line id → shop organisation id: lines the coordinator fixes before solving.
    pins: dict[str, int] = {}


class PinIn(Schema):
    line: int
    shop: int


class CreatedOut(Schema):
    id: int
    status: str


class PlacementOut(Schema):
    line: int
    order: str
    part_number: str
    shop: int
    shop_name: str
    finish_date: date
    due_date: date
    cost_jpy: float
    late_days: int
    why: str
    runner_up: str | None
    stages: list[dict[str, Any]]
    moved: bool
    pinned: bool


class RunOut(Schema):
    id: int
    status: str
    solver_status: str
    phase: str
    progress_pct: int
    objective: float | None
    explanation: list[str]
    error: str
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None
    timings: dict[str, float]
    placements: list[PlacementOut]


class WeightsIO(Schema):
    cost_per_jpy: float
    tardiness_per_day_jpy: float
    fairness_per_hour_jpy: float
    move_per_line_jpy: float
    time_limit_s: float


class WeightsPatch(Schema):
    cost_per_jpy: float | None = None
    tardiness_per_day_jpy: float | None = None
    fairness_per_hour_jpy: float | None = None
    move_per_line_jpy: float | None = None
    time_limit_s: float | None = None
