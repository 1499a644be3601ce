"""API shapes of orders. The POST body is a contract: outside tools send it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class LineIn(Schema):
    drawing: int
    material: str = ""
    thickness_mm: float | None = None
    processes: list[str] = Field(default_factory=lambda: ["laser"])
    quantity: int
    due_date: date
    splittable: bool = False
    part: int = 0


class OrderIn(Schema):
    lines: list[LineIn]
    title: str = ""
    # An outside tool places the order at once; `false` keeps it a request to look at.
    place: bool = True


class CreatedOut(Schema):
    id: int
    number: str
    status: str


class LineOut(Schema):
    id: int
    number: int
    drawing: int
    part_number: str
    revision: int
    part: int
    material: str
    thickness_mm: float
    processes: list[str]
    quantity: int
    due_date: date
    splittable: bool
    status: str
    quote: list[dict[str, Any]]


class OrderOut(Schema):
    id: int
    number: str
    title: str
    status: str
    buyer: str
    created_at: datetime
    placed_at: datetime | None
    lines: list[LineOut]


class OrderSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: str
    buyer: str
    lines: int
    created_at: datetime
