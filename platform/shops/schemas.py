"""API shapes of shop cost profiles."""

from __future__ import annotations

from datetime import datetime
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
