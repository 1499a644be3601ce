"""Reads of allocation runs: the coordinator's organisation only."""

from __future__ import annotations

from django.db.models import QuerySet

from tenancy.models import Membership
from tenancy.scoping import get_visible_or_404

from .models import AllocationRun, ProposedPlacement


def runs(membership: Membership | None) -> QuerySet[AllocationRun]:
    return AllocationRun.objects.visible_to(membership).select_related("created_by")  # type: ignore[attr-defined]


def run(membership: Membership | None, run_id: object) -> AllocationRun:
    return get_visible_or_404(AllocationRun.objects.all(), membership, pk=run_id)


def placements(membership: Membership | None, r: AllocationRun) -> QuerySet[ProposedPlacement]:
    return (
        ProposedPlacement.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(run=r)
        .select_related("line__order", "line__drawing", "shop", "runner_up")
        .order_by("line__due_date", "line__order_id", "line__number")
    )
