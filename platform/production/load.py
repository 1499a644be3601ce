"""The load view of the shared schedule: per shop and ISO week, the machine hours planned
against the hours the shop's machines and calendar offer.

Who sees what follows the schedule itself: the planned hours are summed over the
operations `selectors.operations` gives the caller. Capacity is a shop's own business:
the coordinator sees every shop's and a member shop its own, while a lead firm sees only
how many hours its own orders take at each shop — never a capacity, from which it could
read the other firms' volume.

Hours are the shop's standard hours, the unit capacity is counted in
(`shops.capacity.capacity_h`): an operation's length on its machine times the machine's
speed factor (a machine twice as fast does two standard hours' work in one). A week runs
from Monday 00:00 to the next Monday 00:00 on the server's clock, the clock shop
calendars are kept in; an operation across a week's end counts in each week for the part
it spends there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db.models import FloatField
from django.db.models.functions import Cast, Extract
from django.utils import timezone

from shops.selectors import capabilities
from tenancy.models import Membership, OrgKind

from . import selectors

DEFAULT_WEEKS = 8
MAX_WEEKS = 26
DAYS_PER_WEEK = 7
HOUR_S = 3600.0


@dataclass(frozen=True)
class Span:
    """One operation as the load counts it."""

    shop_id: int
    shop: str
    start: datetime
    end: datetime
    speed_factor: float


@dataclass(frozen=True)
class ShopLoad:
    shop_id: int
    shop: str
    planned_h: tuple[float, ...]  # one per week
    capacity_h: tuple[float, ...] | None  # one per week; None when not the caller's to see


@dataclass(frozen=True)
class Load:
    week_starts: tuple[date, ...]  # Mondays
    shops: tuple[ShopLoad, ...]

    @property
    def weeks(self) -> tuple[str, ...]:
        """ISO week labels, "2026-W48"."""
        return tuple(f"{y}-W{w:02d}" for y, w, _ in (d.isocalendar() for d in self.week_starts))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_starts(first_monday: date, weeks: int) -> tuple[date, ...]:
    return tuple(first_monday + timedelta(days=DAYS_PER_WEEK * k) for k in range(weeks))


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# -- the pure part ---------------------------------------------------------------------------
def planned_h(spans: Iterable[Span], mondays: tuple[date, ...]) -> dict[int, list[float]]:
    """Standard hours per shop and week: each span clipped to each week it overlaps."""
    spans = list(spans)
    return planned_h_s(
        np.array([s.shop_id for s in spans], dtype=np.int64),
        np.array([s.start.timestamp() for s in spans], dtype=np.float64),
        np.array([s.end.timestamp() for s in spans], dtype=np.float64),
        np.array([s.speed_factor for s in spans], dtype=np.float64),
        mondays,
    )


def planned_h_s(
    shop_ids: np.ndarray,
    start_s: np.ndarray,
    end_s: np.ndarray,
    speed_factor: np.ndarray,
    mondays: tuple[date, ...],
) -> dict[int, list[float]]:
    """`planned_h` over arrays (epoch seconds): the coordinator's 1,600 operations by 8
    weeks as one clip, where a loop over them was half of the load view's time."""
    bounds_s = np.array(
        [_midnight(d).timestamp() for d in (*mondays, mondays[-1] + timedelta(days=DAYS_PER_WEEK))]
    )
    inside_s = np.minimum(end_s[:, None], bounds_s[None, 1:]) - np.maximum(
        start_s[:, None], bounds_s[None, :-1]
    )
    hours = np.clip(inside_s, 0.0, None) / HOUR_S * speed_factor[:, None]
    shops, row_of = np.unique(shop_ids, return_inverse=True)
    sums = np.zeros((len(shops), len(mondays)))
    np.add.at(sums, row_of, hours)
    return {int(shop): sums[k].tolist() for k, shop in enumerate(shops)}


def weekly(per_day_by_process: dict[str, tuple[float, ...]], weeks: int) -> list[float]:
    """Hours per day per process, summed into weeks over every process."""
    return [
        sum(
            sum(days[k * DAYS_PER_WEEK : (k + 1) * DAYS_PER_WEEK])
            for days in per_day_by_process.values()
        )
        for k in range(weeks)
    ]


def _rounded(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(round(v, 2) for v in values)


# -- the selector ------------------------------------------------------------------------------
def load(
    membership: Membership | None, *, weeks: int = DEFAULT_WEEKS, today: date | None = None
) -> Load:
    """The caller's load view for `weeks` weeks from this week's Monday."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    mondays = week_starts(monday_of(today or timezone.localdate()), weeks)
    if membership is None:
        return Load(mondays, ())
    org = membership.organization
    window_start = _midnight(mondays[0])
    window_end = _midnight(mondays[-1] + timedelta(days=DAYS_PER_WEEK))
    ops = selectors.operations(membership).filter(start__lt=window_end, end__gt=window_start)
    if org.kind == OrgKind.MEMBER_SHOP:
        # A shop's own machines only (it may also see work where it is the buyer).
        ops = ops.filter(work__shop=org)
    # Moments as epoch seconds, read as floats: parsing 3,200 timestamps was a third of
    # the view.
    rows = list(
        ops.order_by().values_list(
            "work__shop_id",
            "work__shop__name",
            # In UTC: Django would read the wall clock of the current zone as UTC.
            Cast(Extract("start", "epoch", tzinfo=UTC), FloatField()),
            Cast(Extract("end", "epoch", tzinfo=UTC), FloatField()),
            "machine__speed_factor",
        )
    )
    names = {row[0]: row[1] for row in rows}
    columns = np.array([(r[0], r[2], r[3], r[4]) for r in rows], dtype=np.float64)
    columns = columns.reshape(-1, 4).T
    planned = planned_h_s(columns[0].astype(np.int64), columns[1], columns[2], columns[3], mondays)

    if org.kind == OrgKind.LEAD_FIRM:
        shown = sorted(names, key=lambda i: names[i])
        return Load(
            mondays,
            tuple(ShopLoad(i, names[i], _rounded(planned[i]), None) for i in shown),
        )

    caps = capabilities(org.group)
    if org.kind == OrgKind.MEMBER_SHOP:
        caps = {i: c for i, c in caps.items() if i == org.pk}
        names.setdefault(org.pk, org.name)
    names.update({i: c.name for i, c in caps.items()})
    shops = []
    for i in sorted(names, key=lambda i: names[i]):
        cap = caps.get(i)
        shops.append(
            ShopLoad(
                i,
                names[i],
                _rounded(planned.get(i, [0.0] * weeks)),
                _rounded(weekly(cap.capacity_h(mondays[0], weeks * DAYS_PER_WEEK), weeks))
                if cap is not None
                else None,
            )
        )
    return Load(mondays, tuple(shops))
