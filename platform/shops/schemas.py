"""API shapes of shop cost profiles, capabilities, machines, closures and capacity."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class ProfileErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None  # by dotted field path: laser.rate_jpy_h


class ShopOut(Schema):
    id: int
    name: str
    kind: str
    current_version: int | None
    current_source: str | None
    updated_at: datetime | None


class VersionSummaryOut(Schema):
    version: int
    source: str
    note: str
    is_current: bool
    created_at: datetime
    created_by: str  # e-mail; "" for the system


class VersionOut(VersionSummaryOut):
    shop: int
    document: dict[str, Any]  # what quoting.profile.CostProfile.parse accepts
    fit: dict[str, Any]  # a calibrated version's fit; {} otherwise


class ProfileIn(Schema):
    document: dict[str, Any]
    note: str = ""
    # The version the change was made from: refused with 409 if another one is current.
    base_version: int | None = None


class CalibrationOut(Schema):
    status: str  # proposed | too_few_jobs | fit_invalid
    message: str
    base_version: int
    # Pass it back to /adopt: proves the adoption is of this very proposal.
    fingerprint: str
    proposal: dict[str, Any] | None  # factors, rates before/after, held-out error, counts
    document: dict[str, Any] | None  # the proposed profile
    refused: dict[str, Any] | None  # why there is no proposal: jobs, needed, skipped


class AdoptIn(Schema):
    fingerprint: str
    note: str = ""


class CapabilityOut(Schema):
    shop: int
    configured: bool  # false: the shop has not set it up; the values are the defaults
    processes: list[str]
    materials: list[str]
    thickness_min_mm: float
    thickness_max_mm: float
    max_part_long_mm: float
    max_part_short_mm: float
    hours_per_shift: float
    shifts_per_day: int
    weekly_days_off: list[int]  # ISO weekday numbers: 1 = Monday … 7 = Sunday
    observes_public_holidays: bool
    target_share: float
    min_share: float


class CapabilityIn(Schema):
    """A field left out stays as it is. The shop changes its own fields; the group's
    coordinator changes `target_share` and `min_share`; a field sent back unchanged is
    no change, so a document read with GET can be sent back whole."""

    processes: list[str] | None = None
    materials: list[str] | None = None
    thickness_min_mm: float | None = None
    thickness_max_mm: float | None = None
    max_part_long_mm: float | None = None
    max_part_short_mm: float | None = None
    hours_per_shift: float | None = None
    shifts_per_day: int | None = None
    weekly_days_off: list[int] | None = None
    observes_public_holidays: bool | None = None
    target_share: float | None = None
    min_share: float | None = None


class MachineOut(Schema):
    id: int
    name: str
    process: str
    speed_factor: float
    active: bool


class MachineIn(Schema):
    name: str
    process: str
    speed_factor: float = 1.0
    active: bool = True


class ClosureOut(Schema):
    id: int
    start_date: date
    end_date: date  # inclusive
    reason: str


class ClosureIn(Schema):
    start_date: date
    end_date: date
    reason: str = ""


class CapacityDayOut(Schema):
    date: date
    working: bool
    weekly_off: bool
    holiday: str | None  # the Japanese public holiday's name
    closure: str | None  # the reason of the shop's closure covering the day


class CapacityOut(Schema):
    shop: int
    configured: bool
    start: date
    days: list[CapacityDayOut]
    capacity_h: dict[str, list[float]]  # process → hours per day, from `start`
