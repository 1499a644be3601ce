"""Reads of shop profiles. A shop reads its own; the coordinator reads every shop's.

`profiles_for_quotes` is the one read that is not scoped to a person: the group quote
prices a part with every capable shop's profile. It returns prices' inputs to the code
that computes prices, never to a page; what a person then sees is scoped by PartQuote.
"""

from __future__ import annotations

from django.db.models import QuerySet

from quoting.profile import CostProfile
from tenancy.models import Membership, OrgKind, SupplierGroup
from tenancy.scoping import get_visible_or_404

from .models import CostProfileVersion

SHOP_KINDS = (OrgKind.MEMBER_SHOP, OrgKind.COORDINATOR)


def profile_versions(membership: Membership | None) -> QuerySet[CostProfileVersion]:
    return CostProfileVersion.objects.visible_to(membership).select_related("shop")  # type: ignore[attr-defined]


def profile_version(membership: Membership | None, version_id: object) -> CostProfileVersion:
    return get_visible_or_404(
        CostProfileVersion.objects.select_related("shop"), membership, pk=version_id
    )


def current_profile(membership: Membership | None, shop_id: object) -> CostProfileVersion:
    return get_visible_or_404(
        CostProfileVersion.objects.select_related("shop"),
        membership,
        shop_id=shop_id,
        is_current=True,
    )


def profiles_for_quotes(group: SupplierGroup) -> list[tuple[CostProfileVersion, CostProfile]]:
    """Every shop of the group with its current profile, parsed (in name order)."""
    rows = (
        CostProfileVersion.objects.filter(
            shop__group=group, shop__kind__in=SHOP_KINDS, is_current=True
        )
        .select_related("shop")
        .order_by("shop__name")
    )
    return [(row, CostProfile.parse(row.document)) for row in rows]
