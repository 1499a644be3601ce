"""The one place where tenant scoping lives.

Every tenant-owned model uses `TenantQuerySet` and says, with two class attributes,
which field holds its owner organisation and who may see it:

- ``"organization"``: members of the owner organisation only;
- ``"group"``: every member of the owner organisation's supplier group.

A membership that is disabled sees nothing. Selectors call ``visible_to`` and nothing
else decides visibility; `tests/platform/test_isolation.py` walks every model to check
that each tenant-owned one is scoped here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from .models import Membership


class TenantQuerySet(models.QuerySet):
    def visible_to(self, membership: Membership | None) -> TenantQuerySet:
        if membership is None or not membership.is_active or not membership.user.is_active:
            return self.none()
        model: Any = self.model
        org_field: str = model.TENANT_ORG_FIELD
        rule: str = model.TENANT_VISIBILITY
        if rule == "organization":
            key = f"{org_field}_id" if org_field else "pk"
            return self.filter(**{key: membership.organization_id})
        if rule == "group":
            prefix = f"{org_field}__" if org_field else ""
            return self.filter(**{f"{prefix}group_id": membership.organization.group_id})
        raise ValueError(f"unknown visibility rule {rule!r} on {model.__name__}")


def get_visible_or_404(queryset: models.QuerySet, membership: Membership | None, **lookup: Any):  # type: ignore[no-untyped-def]
    """Another tenant's object and a missing one look the same: 404."""
    try:
        return queryset.visible_to(membership).get(**lookup)  # type: ignore[attr-defined]
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
