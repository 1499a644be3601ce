"""What each role may do. Views and API handlers ask here; actions check again."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from .models import Role

if TYPE_CHECKING:
    from .models import Membership


class Capability(StrEnum):
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"
    WRITE = "write"  # create or change the organisation's own data (tokens, exports, …)


_GRANTS: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.ENGINEER: frozenset({Capability.WRITE}),
    Role.PROCUREMENT: frozenset({Capability.WRITE}),
    Role.ESTIMATOR: frozenset({Capability.WRITE}),
    Role.VIEWER: frozenset(),
}


def can(membership: Membership | None, capability: Capability) -> bool:
    if membership is None or not membership.is_active or not membership.user.is_active:
        return False
    return capability in _GRANTS.get(membership.role, frozenset())


def require(membership: Membership | None, capability: Capability) -> None:
    if not can(membership, capability):
        raise PermissionDenied(f"your role may not {capability.value}")
