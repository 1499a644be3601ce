"""API shapes of the drawing library."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class RevisionOut(Schema):
    number: int
    file_name: str
    kind: str
    size_bytes: int
    sha256: str
    status: str
    progress_pct: int
    error_code: str
    error_en: str
    error_ja: str
    created_at: datetime


class DrawingSummaryOut(Schema):
    id: int
    part_number: str
    title: str
    customer: str
    material: str
    thickness_mm: float | None
    owner: str
    status: str | None
    revision: int | None
    updated_at: datetime


class DrawingOut(DrawingSummaryOut):
    tags: list[str]
    revisions: list[RevisionOut]
    analysis: dict[str, Any] | None
    quote: list[dict[str, Any]]


class UploadOut(Schema):
    id: int
    revision: int
    status: str


class ZipOut(Schema):
    drawings: list[int]
    skipped: list[dict[str, str]]


class SimilarOut(Schema):
    results: list[dict[str, Any]]


class PastJobOut(Schema):
    id: int
    part_number: str
    order_date: date
    quantity: int
    unit_price: str
    currency: str
    shop: str | None
    lead_time_days: int | None


class DownloadOut(Schema):
    url: str
    expires_s: int
