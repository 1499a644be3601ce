"""Reads of offers: a shop its own inbox, the coordinator every offer of its group."""

from __future__ import annotations

from django.db.models import QuerySet

from tenancy.models import Membership
from tenancy.scoping import get_visible_or_404

from .models import Offer


def offers(membership: Membership | None) -> QuerySet[Offer]:
    return (
        Offer.objects.visible_to(membership)  # type: ignore[attr-defined]
        .select_related(
            "line__order__buyer", "line__drawing__current_revision", "shop", "placement"
        )
        .order_by("-created_at", "-id")
    )


def offer(membership: Membership | None, offer_id: object) -> Offer:
    return get_visible_or_404(
        Offer.objects.select_related("line__order", "line__drawing", "shop"),
        membership,
        pk=offer_id,
    )
