"""The insight router (mounted by api/api.py): `GET /api/insight?from=YYYY-MM&to=YYYY-MM`
gives the caller's figures over those months, as the dashboard's charts read them. Who
sees which rows is metrics.py's rule: the coordinator every member, a member shop
itself, a lead firm its own orders, each with the group's totals (`org_id` null)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from . import metrics, tables

router = Router(tags=["insight"])


class PeriodOut(Schema):
    from_: str = Field(..., alias="from")
    to: str
    label: str
    months: list[str]
    weeks: list[str]  # ISO weeks, "2026-W20"
    week_labels: list[str]  # their Mondays, "05/11〜"


class Who(Schema):
    org_id: int | None  # null: the group's total
    org: str
    total: bool


class ShareOut(Who):
    month: str
    hours: float
    yen: int
    share: float | None
    target_share: float | None


class OnTimeOut(Who):
    closed: int
    on_time: int
    rate: float | None


class WinRateOut(Who):
    requests: int
    placed: int
    rate: float | None


class TurnaroundOut(Who):
    kind: str  # request_to_order or offer_to_answer
    count: int
    median_h: float | None


class LoadOut(Who):
    week: str
    week_start: str
    process: str
    hours: float


class SavingOut(Who):
    month: str
    saved_jpy: int
    spent_jpy: int


class InsightOut(Schema):
    period: PeriodOut
    view: str  # group, shop, buyer or none
    group: str
    organization: str
    work_shared: list[ShareOut]
    on_time: list[OnTimeOut]
    win_rate: list[WinRateOut]
    turnaround: list[TurnaroundOut]
    load: list[LoadOut]
    material_saved: list[SavingOut] | None  # null: no joint order yet


def period_or_422(first: str | None, last: str | None) -> metrics.Period:
    if not first:
        return metrics.Period.last_months(timezone.localdate())
    try:
        return metrics.Period.parse(first, last)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get(
    "/insight",
    response=InsightOut,
    by_alias=True,
    summary="The group's figures over whole months, as you may see them",
)
def insight(
    request: HttpRequest,
    first: str | None = Query(None, alias="from", description="YYYY-MM; default: 6 months to this"),  # noqa: B008
    last: str | None = Query(None, alias="to", description="YYYY-MM; default: the from month"),  # noqa: B008
):  # type: ignore[no-untyped-def]
    period = period_or_422(first, last)
    return tables.as_json(metrics.insight(request.membership, period))  # type: ignore[attr-defined]
