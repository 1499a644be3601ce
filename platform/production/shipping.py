"""Shipments and receipt: the shop ships a work in parts or whole, the buyer confirms
each delivery, and the last receipt closes the job.

A closed job ends the shop's drawing grant (it no longer needs the drawing) and becomes
a past job with its real price and lead time, which the group's quotes and similar-part
search read like any other history.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from drawings.actions import end_grant, part_number_key
from drawings.models import PastJob
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization
from tenancy.permissions import Capability, require

from .actions import _require_shop_writer, push_schedule_change
from .models import Operation, Shipment, Work, WorkStatus

log = logging.getLogger(__name__)

SHIPPABLE = (WorkStatus.PLANNED, WorkStatus.STARTED, WorkStatus.DONE)


def shipped_qty(work: Work) -> int:
    return int(work.shipments.aggregate(n=Sum("quantity"))["n"] or 0)


def do_ship(work: Work, *, quantity: int, note: str = "", acting: Actor) -> Shipment:
    """Part of the work (or the rest) leaves the shop. Never more than was ordered."""
    _require_shop_writer(work.shop_id, acting)
    with transaction.atomic():
        # The shop first, as a re-plan takes it (then the work, then its operations).
        Organization.objects.select_for_update(no_key=True).get(pk=work.shop_id)
        work = (
            Work.objects.select_for_update().select_related("line__order", "shop").get(pk=work.pk)
        )
        if work.status not in SHIPPABLE:
            raise Conflict(
                _("This job is %(status)s: nothing more ships.")
                % {"status": work.get_status_display()}
            )
        left = work.line.quantity - shipped_qty(work)
        if not 0 < quantity <= left:
            raise ValidationError(
                {
                    "quantity": [
                        _("Ship from 1 to the %(left)d piece(s) still to ship (of %(n)d).")
                        % {"left": left, "n": work.line.quantity}
                    ]
                }
            )
        shipment = Shipment.objects.create(
            work=work, quantity=quantity, note=note[:300], shipped_by=acting.user
        )
        full = quantity == left
        if full:
            work.status = WorkStatus.SHIPPED
            work.save(update_fields=["status"])
            # Whatever the floor did not report is done: the pieces have left.
            Operation.objects.filter(work=work, done=False).update(
                done=True, started=True, done_qty=work.line.quantity
            )
        audit.record(
            acting,
            "work.ship",
            work,
            organization=work.shop,
            changes={"quantity": quantity, "left": left - quantity, "full": full},
        )
        shop = work.shop
        transaction.on_commit(lambda: push_schedule_change(shop))
    return shipment


def do_confirm_receipt(shipment: Shipment, *, acting: Actor) -> Shipment:
    """The buyer has the pieces. The last receipt of a fully shipped work closes it."""
    m = acting.membership
    require(m, Capability.WRITE)
    assert m is not None
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update()
            .select_related("work__line__order", "work__shop", "work__buyer")
            .get(pk=shipment.pk)
        )
        work = shipment.work
        if m.organization_id != work.buyer_id:
            raise PermissionDenied(_("Only the buyer confirms that the pieces arrived."))
        if shipment.received_at is not None:
            raise Conflict(_("This delivery was confirmed already."))
        shipment.received_at = timezone.now()
        shipment.received_by = acting.user
        shipment.save(update_fields=["received_at", "received_by"])
        audit.record(
            acting,
            "work.receive",
            work,
            organization=work.buyer,
            changes={"shipment": shipment.pk, "quantity": shipment.quantity},
        )
        work = Work.objects.select_for_update().get(pk=work.pk)
        if (
            work.status == WorkStatus.SHIPPED
            and not work.shipments.filter(received_at__isnull=True).exists()
        ):
            close_work(work, acting=acting)
    return shipment


def close_work(work: Work, *, acting: Actor) -> PastJob:
    """Inside the receipt's transaction: the job is done for everyone."""
    work = Work.objects.select_related(
        "offer__grant", "line__order", "line__drawing", "shop", "buyer"
    ).get(pk=work.pk)
    now = timezone.now()
    work.status, work.closed_at = WorkStatus.CLOSED, now
    work.save(update_fields=["status", "closed_at"])
    if work.offer.grant_id:
        end_grant(work.offer.grant, reason=f"job {work.line.label} closed")
    line, order = work.line, work.line.order
    ordered = timezone.localdate(order.placed_at or order.created_at)
    # The price per piece as a past job records it: the line's agreed price over its
    # pieces, to the sen (half up), as the history's unit prices are.
    unit = (Decimal(work.offer.price_jpy) / Decimal(line.quantity)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    past = PastJob.objects.create(
        recorded_by=work.buyer,
        maker=work.shop,
        buyer=work.buyer,
        drawing=line.drawing,
        part_number=line.drawing.part_number,
        part_number_key=part_number_key(line.drawing.part_number),
        drawing_ref=line.label,
        order_date=ordered,
        quantity=line.quantity,
        unit_price=unit,
        shop_name=work.shop.name,
        lead_time_days=(timezone.localdate(now) - ordered).days,
        notes=_("Closed in the portal: %(line)s") % {"line": line.label},
    )
    audit.record(
        acting,
        "work.close",
        work,
        organization=work.buyer,
        changes={"past_job": past.pk, "lead_time_days": past.lead_time_days},
    )
    shop = work.shop
    transaction.on_commit(lambda: push_schedule_change(shop))
    return past
