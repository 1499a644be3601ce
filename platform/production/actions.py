"""Writes of production: an accepted offer becomes work, and the shop's machine plan is
made again (atomic: the new operations replace the old in one transaction)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from offers.models import Offer, OfferStatus
from tenancy import audit
from tenancy.context import Actor
from tenancy.models import Organization

from .models import Operation, Work, WorkStatus
from .planning import plan_shop

log = logging.getLogger(__name__)
SYSTEM = Actor.system("production")


def work_from_offer(offer_id: int) -> Work | None:
    """Once per accepted offer (a second call finds the work made)."""
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("line__order").get(pk=offer_id)
        if offer.status != OfferStatus.ACCEPTED:
            return None
        work, made = Work.objects.get_or_create(
            offer=offer,
            defaults={
                "line": offer.line,
                "shop_id": offer.shop_id,
                "buyer_id": offer.line.order.buyer_id,
                "due_date": offer.promised_date
                if offer.promised_date > offer.due_date
                else offer.due_date,
            },
        )
        if made:
            audit.record(
                SYSTEM,
                "work.made",
                work,
                organization=offer.shop,
                changes={"line": offer.line.label},
            )
    return work


def replan_shop(shop_id: int) -> str:
    """The shop's open work on its machines, again; started operations stay."""
    with transaction.atomic():
        shop = Organization.objects.select_for_update().get(pk=shop_id)
        works = list(
            Work.objects.filter(shop=shop)
            .exclude(status=WorkStatus.DONE)
            .select_related("line__order")
        )
        previous = list(Operation.objects.filter(work__in=works))
        plan = plan_shop(shop, works, previous, timezone.now())
        if not plan.operations and previous:
            log.warning("no machine plan for %s (%s): the previous one stays", shop, plan.status)
            return plan.status
        Operation.objects.filter(work__in=works, started=False).delete()
        started = {(op.work_id, op.seq) for op in previous if op.started}
        Operation.objects.bulk_create(
            Operation(
                work_id=p.work_id,
                seq=p.seq,
                process=p.process,
                machine_id=p.machine_id,
                start=p.start,
                end=p.end,
            )
            for p in plan.operations
            if (p.work_id, p.seq) not in started
        )
        audit.record(
            SYSTEM,
            "production.replan",
            shop,
            organization=shop,
            changes={
                "status": plan.status,
                "operations": len(plan.operations),
                "skipped": plan.skipped,
            },
        )
    return plan.status
