"""Production's background work: an accepted offer is planned on the shop's machines."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

log = logging.getLogger(__name__)


def on_offer_accepted(sender: Any, offer_id: int, **kwargs: Any) -> None:
    """On commit of an acceptance: the work row at once, the machine plan in the worker."""
    from .actions import _replan_later, work_from_offer

    work = work_from_offer(offer_id)
    if work is not None:
        _replan_later(work.shop_id)


@shared_task(name="production.plan_shop", acks_late=True)
def plan_shop_task(shop_id: int, reason: str = "") -> str:
    from django.core.cache import cache

    from .actions import replan_pending_key, replan_shop

    try:
        cache.delete(replan_pending_key(shop_id))  # what comes in from now on queues again
    except Exception:  # noqa: BLE001 - the mark lapses by itself
        log.warning("could not clear the re-plan mark of shop %s", shop_id)
    try:
        return replan_shop(shop_id, reason)
    except Exception:  # noqa: BLE001 - the plan stays as it was; the worker lives on
        log.exception("machine plan of shop %s failed", shop_id)
        return "failed"
