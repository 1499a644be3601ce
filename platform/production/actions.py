"""Writes of production: an accepted offer becomes work, and the shop's machine plan is
made again (atomic: the new operations replace the old in one transaction)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from offers.models import Offer, OfferStatus
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from .models import Breakdown, Operation, Work, WorkStatus
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
        now = timezone.now()
        down = list(Breakdown.objects.filter(shop=shop, end__gt=now))
        plan = plan_shop(shop, works, previous, now, down)
        if not plan.operations and previous:
            log.warning("no machine plan for %s (%s): the previous one stays", shop, plan.status)
            return plan.status
        # Rows are kept by (work, step) and moved in place: an operation's id is what
        # outside tools report progress against.
        rows = {(op.work_id, op.seq): op for op in previous}
        keep = set()
        for p in plan.operations:
            op = rows.get((p.work_id, p.seq))
            keep.add((p.work_id, p.seq))
            if op is not None and (op.started or op.done):
                continue
            if op is None:
                Operation.objects.create(
                    work_id=p.work_id,
                    seq=p.seq,
                    process=p.process,
                    machine_id=p.machine_id,
                    start=p.start,
                    end=p.end,
                )
            elif (op.machine_id, op.start, op.end) != (p.machine_id, p.start, p.end):
                op.machine_id, op.start, op.end = p.machine_id, p.start, p.end
                op.save(update_fields=["machine", "start", "end"])
        stale = [
            op.pk for key, op in rows.items() if key not in keep and not (op.started or op.done)
        ]
        Operation.objects.filter(pk__in=stale).delete()
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
        transaction.on_commit(lambda: push_schedule_change(shop))
    return plan.status


# -- the shop floor ------------------------------------------------------------------------
def channel_group(org_id: object) -> str:
    return f"schedule.{org_id}"


def push_schedule_change(shop: Organization) -> None:
    """Tell every page that may show this shop's work to read its view again: the shop,
    the group's coordinator and the buyers whose work it holds (each re-reads
    /api/schedule, scoped, so nobody is sent what they may not see)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    orgs = {shop.pk}
    orgs |= set(
        Organization.objects.filter(group_id=shop.group_id, kind=OrgKind.COORDINATOR).values_list(
            "pk", flat=True
        )
    )
    orgs |= set(Work.objects.filter(shop=shop).values_list("buyer_id", flat=True))
    for org_id in orgs:
        try:
            async_to_sync(layer.group_send)(channel_group(org_id), {"type": "schedule.changed"})
        except Exception:  # noqa: BLE001 - a page that misses a push re-reads on its timer
            log.warning("schedule push to %s failed", org_id, exc_info=True)


def _require_shop_writer(shop_id: int, acting: Actor) -> None:
    m = acting.membership
    require(m, Capability.WRITE)
    assert m is not None
    if m.organization_id != shop_id and m.organization.kind != OrgKind.COORDINATOR:
        raise PermissionDenied(_("Only the shop itself (or the coordinator) reports its work."))


def do_report_progress(
    op: Operation,
    *,
    status: str,
    done_qty: int | None = None,
    scrap_qty: int | None = None,
    expected_end: datetime | None = None,
    acting: Actor,
) -> Operation:
    """Started, quantity done, scrap, or a delay (a new expected end): the operation is
    kept where it is from now on, and the shop's plan moves what follows."""
    _require_shop_writer(op.work.shop_id, acting)
    errors: dict[str, list[str]] = {}
    if status not in {"started", "done", "delayed"}:
        errors["status"] = [_("Say started, done or delayed.")]
    quantity = op.work.line.quantity
    for name, value in (("done_qty", done_qty), ("scrap_qty", scrap_qty)):
        if value is not None and not 0 <= value <= quantity:
            errors[name] = [_("Give a number from 0 to the line's %(n)d pieces.") % {"n": quantity}]
    now = timezone.now()
    if status == "delayed" and (expected_end is None or expected_end <= now):
        errors["expected_end"] = [_("A delay needs its new expected end, after now.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        op = Operation.objects.select_for_update().select_related("work").get(pk=op.pk)
        if op.done:
            raise Conflict(_("This operation is already done."))
        before = {"start": op.start.isoformat(), "end": op.end.isoformat()}
        op.started = True
        op.start = min(op.start, now)
        if done_qty is not None:
            op.done_qty = done_qty
        if scrap_qty is not None:
            op.scrap_qty = scrap_qty
        if status == "done":
            op.done = True
            op.end = max(op.start, now)
        elif expected_end is not None:
            op.end = expected_end
        op.save()
        if op.work.status == WorkStatus.PLANNED:
            Work.objects.filter(pk=op.work_id).update(status=WorkStatus.STARTED)
        audit.record(
            acting,
            f"operation.{status}",
            op,
            organization=op.work.shop,
            changes={
                "before": before,
                "end": op.end.isoformat(),
                "done_qty": op.done_qty,
                "scrap_qty": op.scrap_qty,
            },
        )
        shop_id = op.work.shop_id
        transaction.on_commit(lambda: _replan_later(shop_id))
    return op


def do_report_breakdown(
    machine: Any, *, start: datetime, end: datetime, reason: str = "", acting: Actor
) -> Breakdown:
    """A machine out of use for a window: recorded, and the shop's plan made around it."""
    _require_shop_writer(machine.shop_id, acting)
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if end <= timezone.now():
        raise ValidationError({"end": [_("This window is over already: nothing to plan around.")]})
    with transaction.atomic():
        b = Breakdown.objects.create(
            machine=machine,
            shop_id=machine.shop_id,
            start=start,
            end=end,
            reason=reason[:300],
            reported_by=acting.user,
        )
        audit.record(
            acting,
            "machine.breakdown",
            b,
            organization=machine.shop,
            changes={"machine": machine.name, "start": start.isoformat(), "end": end.isoformat()},
        )
        shop_id = machine.shop_id
        transaction.on_commit(lambda: _replan_later(shop_id))
    return b


def _replan_later(shop_id: int) -> None:
    from .tasks import plan_shop_task

    plan_shop_task.delay(shop_id)


def do_move_operation(
    op: Operation, *, start: datetime, machine_id: int | None, acting: Actor
) -> Operation:
    raise NotImplementedError  # being written: see moves.py
