"""API shapes of offers (issue 12's fields are a contract: id, line, shop, status, deadline)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class OfferOut(Schema):
    id: int
    line: int
    line_label: str
    drawing: int
    part_number: str
    quantity: int
    material: str
    thickness_mm: float
    processes: list[str]
    shop: int
    shop_name: str
    status: str
    price_jpy: int
    due_date: date
    promised_date: date
    deadline: datetime
    reason: str
    counter_price_jpy: int | None
    counter_due_date: date | None


class DeclineIn(Schema):
    reason: str


class CounterIn(Schema):
    price_jpy: int | None = None
    due_date: date | None = None


class CounterAnswerIn(Schema):
    accept: bool
    reason: str = ""
