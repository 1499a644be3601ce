"""The deadline reminder sweep (Celery beat): every offer still unanswered whose deadline
falls within the next KUMIAI_DEADLINE_REMINDER_HOURS gets one reminder to its shop.
Safe to run twice, or in two workers at once: the reminder's own row is unique per offer.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from . import events
from .models import DeadlineReminder

log = logging.getLogger(__name__)

BATCH = 500


def reminder_hours() -> float:
    return float(getattr(settings, "KUMIAI_DEADLINE_REMINDER_HOURS", 12))


def send_deadline_reminders(now: Any = None) -> int:
    """Reminders sent. Offers are read through the app registry, not imported: offers
    depends on notifications, and this one read is the only way back."""
    if not apps.is_installed("offers"):
        return 0
    offer_model = apps.get_model("offers", "Offer")
    now = now or timezone.now()
    due = (
        offer_model.objects.filter(
            status="offered",
            deadline__gt=now,
            deadline__lte=now + timedelta(hours=reminder_hours()),
        )
        .exclude(pk__in=DeadlineReminder.objects.values("offer_id"))
        .select_related("line__order", "line__drawing", "shop")
        .order_by("deadline")[:BATCH]
    )
    sent = 0
    for offer in due:
        if events.deadline_soon(offer) is not None:
            sent += 1
    return sent


# Its own limits: the default soft limit (570 s) above a hard limit of 300 s is refused.
@shared_task(
    name="notifications.deadline_reminders", acks_late=True, time_limit=300, soft_time_limit=270
)
def deadline_reminders() -> int:
    return send_deadline_reminders()
