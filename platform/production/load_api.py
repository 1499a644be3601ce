"""The load view's API: planned hours against capacity per shop and week.

`GET /api/schedule/load?weeks=8` answers, for the caller, one row per shop it may see:
the standard hours planned in each ISO week from this week's Monday, and the shop's
capacity in the same hours — or null for a lead firm, which sees only its own orders'
hours (see load.py)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from . import load as load_view

router = Router(tags=["production"])


class ShopLoadOut(Schema):
    shop_id: int
    shop: str
    planned_h: list[float]
    capacity_h: list[float] | None


class LoadOut(Schema):
    weeks: list[str]  # ISO weeks, "2026-W48"
    week_starts: list[date]  # their Mondays
    shops: list[ShopLoadOut]


@router.get(
    "/schedule/load",
    response=LoadOut,
    summary="Planned hours against capacity, per shop and week, as you may see them",
)
def schedule_load(
    request: HttpRequest,
    weeks: int = Query(load_view.DEFAULT_WEEKS, ge=1, le=load_view.MAX_WEEKS),  # noqa: B008
):  # type: ignore[no-untyped-def]
    found = load_view.load(request.membership, weeks=weeks)  # type: ignore[attr-defined]
    return {
        "weeks": list(found.weeks),
        "week_starts": list(found.week_starts),
        "shops": [
            {
                "shop_id": s.shop_id,
                "shop": s.shop,
                "planned_h": list(s.planned_h),
                "capacity_h": list(s.capacity_h) if s.capacity_h is not None else None,
            }
            for s in found.shops
        ],
    }
