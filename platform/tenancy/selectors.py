"""Reads, always through `visible_to`: what the acting membership may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditLog, Invitation, Membership, Organization
from .permissions import Capability, require
from .scoping import get_visible_or_404


def organizations(membership: Membership | None) -> QuerySet[Organization]:
    return Organization.objects.visible_to(membership).select_related("group")  # type: ignore[attr-defined]


def organization(membership: Membership | None, org_id: object) -> Organization:
    return get_visible_or_404(Organization.objects.select_related("group"), membership, pk=org_id)


def members(membership: Membership | None) -> QuerySet[Membership]:
    return Membership.objects.visible_to(membership).select_related("user", "organization")  # type: ignore[attr-defined]


def member(membership: Membership | None, member_id: object) -> Membership:
    return get_visible_or_404(
        Membership.objects.select_related("user", "organization"), membership, pk=member_id
    )


def open_invitations(membership: Membership | None) -> QuerySet[Invitation]:
    require(membership, Capability.MANAGE_MEMBERS)
    return Invitation.objects.visible_to(membership).filter(accepted_at=None, revoked_at=None)  # type: ignore[attr-defined]


def audit_log(membership: Membership | None) -> QuerySet[AuditLog]:
    require(membership, Capability.VIEW_AUDIT)
    return AuditLog.objects.visible_to(membership)  # type: ignore[attr-defined]
