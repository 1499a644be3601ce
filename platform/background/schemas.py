"""Shape of a background job in the API: the same fields its websocket events carry."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class JobOut(Schema):
    id: str
    kind: str
    status: str
    progress_pct: int
    message: str
    result: dict[str, Any]
