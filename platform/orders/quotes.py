"""A line's group quote: every shop of the group prices the part from its own cost profile
and says when it could finish it.

The allocation reads the same numbers (price and hours per process per shop), so what
the buyer saw and what the coordinator allocates agree. Hours per process come from the
quote's machine minutes: the laser's with the manual work that follows cutting
(deburring, handling), the punch's, and the press brake's as "bend". Processes the cost
model times in days or per piece without a machine (weld, tap, hardware, paint, plating)
take no machine hours here; their cost is in the price.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from quoting.model import QuoteError, QuoteRequest, quote
from quoting.processes import CUTTING, PROCESSES


class LineError(ValueError):
    pass


# Hours the group's shops have promised already, per (shop org id, process, day from the
# start date): the allocation app, which knows them, registers its reader here when it
# loads (orders never import allocation). None: nothing is booked.
Booked = dict[tuple[int, str, int], float]
booked_hours: Callable[[Any, date], Booked] | None = None


@dataclass(frozen=True)
class ShopPrice:
    shop_id: int
    shop: str
    unit_price_jpy: float
    total_price_jpy: float
    lead_time_days: int
    earliest_date: date
    hours: dict[str, float]
    profile_version: int

    def as_json(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id,
            "shop": self.shop,
            "unit_price_jpy": round(self.unit_price_jpy),
            "total_price_jpy": round(self.total_price_jpy),
            "lead_time_days": self.lead_time_days,
            "earliest_date": self.earliest_date.isoformat(),
            "hours": {k: round(v, 3) for k, v in self.hours.items()},
            "profile_version": self.profile_version,
        }


def ordered_processes(processes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The line's processes in the group's one order, laser (cutting) always first: a
    part drawn in a DXF is cut before anything else is done to it."""
    unknown = sorted(set(processes) - set(PROCESSES))
    if unknown:
        raise LineError(f"unknown process {', '.join(unknown)}; known: {', '.join(PROCESSES)}")
    wanted = {CUTTING, *processes}
    return tuple(p for p in PROCESSES if p in wanted)


def hours_by_process(
    machine_minutes: dict[str, float], processes: tuple[str, ...]
) -> dict[str, float]:
    minutes = {
        "laser": machine_minutes.get("laser", 0.0) + machine_minutes.get("manual", 0.0),
        "punch": machine_minutes.get("punch", 0.0),
        "bend": machine_minutes.get("brake", 0.0),
    }
    return {p: minutes.get(p, 0.0) / 60 for p in processes}


def line_quote(
    group: Any,
    features: Any,
    material: str,
    thickness_mm: float,
    processes: tuple[str, ...],
    quantity: int,
    start: date,
    size_mm: tuple[float, float],
) -> list[dict[str, Any]]:
    """Per shop of the group, cheapest first: its price and earliest date, or why it
    cannot make the part (its capability, or its cost profile)."""
    from shops.selectors import capabilities as shop_capabilities
    from shops.selectors import earliest_date, profiles_for_quotes

    capabilities = shop_capabilities(group)
    booked = booked_hours(group, start) if booked_hours is not None else {}
    request = QuoteRequest(
        material=material,
        thickness_mm=thickness_mm,
        quantities=(quantity,),
        processes=frozenset(p for p in processes if p != CUTTING),
    )
    priced, refused = [], []
    for row, profile in profiles_for_quotes(group):
        shop = row.shop
        cap = capabilities.get(shop.pk)
        why = cap.refusal(material, thickness_mm, size_mm, processes) if cap is not None else None
        if why:
            refused.append({"shop_id": shop.pk, "shop": shop.name, "refused": why})
            continue
        try:
            q = quote(features, request, profile)
        except QuoteError as exc:
            refused.append(
                {"shop_id": shop.pk, "shop": shop.name, "refused": f"{exc.code}: {exc.message}"}
            )
            continue
        b = q.breaks[0]
        hours = hours_by_process(b.machine_minutes, processes)
        # The shop's calendar and machines, less the hours it has promised already, from
        # the day its profile says work can start (material, programming:
        # lead_time.base_days); else its profile's whole lead time.
        lead_days = math.ceil(profile.lead_time.base_days)
        begin = start + timedelta(days=lead_days)
        earliest = earliest_date(
            shop.pk, hours, begin, _booked_from(booked, shop.pk, processes, lead_days)
        ) or start + timedelta(days=b.lead_time_days)
        priced.append(
            ShopPrice(
                shop.pk,
                shop.name,
                b.unit_price_jpy,
                b.total_price_jpy,
                b.lead_time_days,
                earliest,
                hours,
                row.version,
            )
        )
    priced.sort(key=lambda p: (p.total_price_jpy, p.earliest_date, p.shop))
    return [p.as_json() for p in priced] + sorted(refused, key=lambda r: r["shop"])


def _booked_from(
    booked: Booked, shop_id: int, processes: tuple[str, ...], offset_days: int
) -> dict[str, list[float]] | None:
    """The shop's promised hours per process per day, counted from `offset_days` after
    the start date (what shops.selectors.earliest_date reads)."""
    mine = {(p, k): h for (sid, p, k), h in booked.items() if sid == shop_id and p in processes}
    if not mine:
        return None
    days = max(k for _p, k in mine) - offset_days + 1
    if days <= 0:
        return None
    return {p: [mine.get((p, offset_days + k), 0.0) for k in range(days)] for p in processes}
