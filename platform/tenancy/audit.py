"""Writing audit rows: called inside an action's transaction, so both land or neither."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import Actor
from .models import AuditLog, Organization


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    organization: Organization | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    org = organization or (actor.membership.organization if actor.membership else None)
    return AuditLog.objects.create(
        group_id=org.group_id if org else None,
        organization=org,
        actor=actor.user,
        actor_email=actor.user.email if actor.user else "",
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=changes or {},
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
    )
