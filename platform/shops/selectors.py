"""Reads of shop profiles. A shop reads its own; the coordinator reads every shop's of its
group; a lead firm, another shop and another group read none (404).

`profiles_for_quotes` is the one read that is not scoped to a person: the group quote
prices a part with every capable shop's profile. It returns prices' inputs to the code
that computes prices, never to a page; what a person then sees is scoped by PartQuote.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from quoting.profile import CostProfile
from tenancy.models import Membership, Organization, OrgKind, SupplierGroup
from tenancy.scoping import get_visible_or_404

from .calibration import NoProposal, Proposal, propose
from .history import calibration_history
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


def shops(membership: Membership | None) -> QuerySet[Organization]:
    """The shops whose profile this person may read, each with its current version
    number (None before the shop first opens its profile).

    The same rule as CostProfileVersion's "parties" scoping, for a shop that may have no
    version yet: organisations are visible group-wide, profiles only to the shop itself
    and the coordinator.
    """
    orgs = Organization.objects.visible_to(membership).filter(kind__in=SHOP_KINDS)  # type: ignore[attr-defined]
    if membership is not None and membership.organization.kind != OrgKind.COORDINATOR:
        orgs = orgs.filter(pk=membership.organization_id)
    current = CostProfileVersion.objects.filter(shop=OuterRef("pk"), is_current=True)
    return orgs.annotate(
        current_version=Subquery(current.values("version")[:1]),
        current_source=Subquery(current.values("source")[:1]),
        current_at=Subquery(current.values("created_at")[:1]),
    ).order_by("kind", "name")


def shop(membership: Membership | None, org_id: object) -> Organization:
    try:
        return shops(membership).select_related("group").get(pk=org_id)
    except (Organization.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def history(membership: Membership | None, shop: Organization) -> QuerySet[CostProfileVersion]:
    """Every version of the shop's profile, newest first, with who made it."""
    return (
        CostProfileVersion.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(shop=shop)
        .select_related("created_by")
        .order_by("-version")
    )


def version(
    membership: Membership | None, shop: Organization, number: object
) -> CostProfileVersion:
    return get_visible_or_404(
        CostProfileVersion.objects.select_related("shop", "created_by"),
        membership,
        shop=shop,
        version=number,
    )


def calibration_proposal(
    shop: Organization, base: CostProfileVersion
) -> tuple[Proposal | NoProposal, str]:
    """What calibrating `base` on the shop's own past jobs proposes, and the fingerprint
    of its inputs. The caller has checked who asks."""
    found = calibration_history(shop, base)
    return propose(found.jobs, CostProfile.parse(base.document), found.skipped), found.fingerprint


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
