"""Group quote: one part against several member shops' profiles, ranked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import PartFeatures, Quote, QuoteError, QuoteRequest, quote
from .profile import CostProfile


@dataclass(frozen=True)
class Offer:
    shop: str
    quote: Quote | None
    refused: str | None  # why this shop cannot make it (material, size, thickness)

    def as_dict(self) -> dict[str, Any]:
        if self.quote is None:
            return {"shop": self.shop, "refused": self.refused}
        first = self.quote.breaks[0]
        return {
            "shop": self.shop,
            "unit_price_jpy": round(first.unit_price_jpy),
            "total_price_jpy": round(first.total_price_jpy),
            "lead_time_days": first.lead_time_days,
            "breaks": [b.as_dict() for b in self.quote.breaks],
        }


def group_quote(
    features: PartFeatures, request: QuoteRequest, shops: dict[str, CostProfile], by: str = "price"
) -> list[Offer]:
    """Offers best first: by total price at the first quantity (then lead time), or by
    lead time (then price). Shops that cannot make the part come last, with the reason."""
    offers, refusals = [], []
    for shop, profile in shops.items():
        try:
            offers.append(Offer(shop, quote(features, request, profile), None))
        except QuoteError as exc:
            refusals.append(Offer(shop, None, f"{exc.code}: {exc.message}"))

    def key(o: Offer) -> tuple[float, float]:
        assert o.quote is not None
        b = o.quote.breaks[0]
        return (
            (b.total_price_jpy, b.lead_time_days)
            if by == "price"
            else (b.lead_time_days, b.total_price_jpy)
        )

    if by not in {"price", "lead_time"}:
        raise ValueError("rank by 'price' or 'lead_time'")
    return sorted(offers, key=key) + sorted(refusals, key=lambda o: o.shop)
