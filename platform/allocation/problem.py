"""From rows to the allocation core's inputs, and from its answer back to rows.

Time: a period is one day; period 0 is the run's start date (today) and the horizon runs
to the latest due date plus 14 days. A shop's price and hours for a line are those of
the line's group quote (orders/quotes.py), so the buyer's quote and the allocation agree;
a shop that refused the line in its quote, or declined it since, is not offered it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from scheduling.allocation import Line, Placement, Shop, Weights

HORIZON_EXTRA_DAYS = 14


@dataclass(frozen=True)
class Inputs:
    shops: list[Shop]
    lines: list[Line]
    periods: int
    start: date
    weights: Weights
    org_of: dict[str, int]  # the core's shop id (the shop's name) → organisation id


def horizon(start: date, due_dates: list[date]) -> int:
    last = max(due_dates, default=start)
    return max((last - start).days, 0) + HORIZON_EXTRA_DAYS + 1


def weights_of(doc: dict[str, float]) -> Weights:
    return Weights(
        cost_per_jpy=doc.get("cost_per_jpy", 1.0),
        tardiness_per_period=doc.get("tardiness_per_day_jpy", 5000.0),
        fairness_per_hour=doc.get("fairness_per_hour_jpy", 200.0),
        move_per_stage=doc.get("move_per_line_jpy", 3000.0),
    )


def booked_hours(group: Any, start: date) -> dict[tuple[int, str, int], float]:
    """Hours already promised, per (shop org id, process, day from `start`): the lines
    that hold an open or accepted offer, where their published placement put them. A
    re-plan of one line must not book a day the published plan has filled."""
    from orders.models import LineStatus

    from .models import ProposedPlacement

    rows = (
        ProposedPlacement.objects.filter(
            run__organization__group=group,
            run__published_at__isnull=False,
            line__status__in=[LineStatus.OFFERED, LineStatus.ACCEPTED],
        )
        .select_related("line")
        .order_by("line_id", "-run__published_at")
    )
    out: dict[tuple[int, str, int], float] = {}
    seen: set[int] = set()
    for p in rows:
        if p.line_id in seen:
            continue  # an older placement of the line: a later run replaced it
        seen.add(p.line_id)
        hours_at = {q.get("shop_id"): q.get("hours", {}) for q in p.line.quote}
        stages = p.stages or [
            {"processes": p.line.processes, "shop_id": p.shop_id, "date": p.finish_date.isoformat()}
        ]
        for stage in stages:
            k = (date.fromisoformat(stage["date"]) - start).days
            if k < 0:
                continue
            hours = hours_at.get(int(stage["shop_id"]), {})
            for proc in stage["processes"]:
                if hours.get(proc):
                    key = (int(stage["shop_id"]), proc, k)
                    out[key] = out.get(key, 0.0) + float(hours[proc])
    return out


def inputs(
    group: Any,
    lines: list[Any],
    start: date,
    weights: dict[str, float],
    pins: dict[str, int],
    booked: dict[tuple[int, str, int], float] | None = None,
) -> Inputs:
    """`lines`: OrderLine rows (with their part). `pins`: line id → shop org id.

    The core names shops by their names (unique in a group), so its reasons ("why this
    shop", what is short) read as a person would write them."""
    from shops.selectors import allocation_shops

    periods = horizon(start, [line.due_date for line in lines])
    names = {str(pk): name for pk, name in group.organizations.values_list("pk", "name")}
    shops = []
    name_of: dict[str, str] = {}  # org id (str) → name
    for shop in allocation_shops(group, start, periods):
        name_of[shop.id] = names[shop.id]
        capacity = {
            proc: tuple(
                max(h - (booked or {}).get((int(shop.id), proc, k), 0.0), 0.0)
                for k, h in enumerate(per_day)
            )
            for proc, per_day in shop.capacity_h.items()
        }
        shops.append(replace(shop, id=names[shop.id], capacity_h=capacity))
    out = []
    for line in lines:
        priced = [q for q in line.quote if "refused" not in q and str(q["shop_id"]) in name_of]
        pinned = pins.get(str(line.pk))
        out.append(
            Line(
                id=str(line.pk),
                processes=tuple(line.processes),
                material=line.material,
                thickness_mm=line.thickness_mm,
                size_mm=tuple(sorted((line.part.width_mm, line.part.height_mm), reverse=True)),  # type: ignore[arg-type]
                due_period=max((line.due_date - start).days, 0),
                cost_jpy={name_of[str(q["shop_id"])]: float(q["total_price_jpy"]) for q in priced},
                hours={name_of[str(q["shop_id"])]: dict(q["hours"]) for q in priced},
                declined_by=frozenset(name_of.get(str(s), f"#{s}") for s in line.declined_by),
                pinned_to=name_of.get(str(pinned), f"#{pinned}") if pinned is not None else None,
                splittable=line.splittable,
            )
        )
    org_of = {name: int(org_id) for org_id, name in name_of.items()}
    return Inputs(shops, out, periods, start, weights_of(weights), org_of)


def previous_placements(rows: list[Any], start: date) -> list[Placement]:
    # Rows carry organisation ids; the core's ids are names (see `inputs`).
    """A former run's placements as the core's, for the move penalty (dates turned into
    this run's periods; a stage before today counts as today)."""
    out = []
    for row in rows:
        stages = tuple(
            (tuple(s["processes"]), s["shop"], max((date.fromisoformat(s["date"]) - start).days, 0))
            for s in row.stages
        )
        out.append(
            Placement(
                line=str(row.line_id),
                shop=row.shop.name,
                period=max((row.finish_date - start).days, 0),
                cost_jpy=row.cost_jpy,
                late_periods=row.late_days,
                why=row.why,
                runner_up=row.runner_up.name if row.runner_up_id else None,
                stages=stages,
            )
        )
    return out


def day(start: date, period: int) -> date:
    return start + timedelta(days=period)
