"""Writes of offers. Every answer locks the offer's row first, so of two answers at once
(fifty accepts, an accept racing the deadline) exactly one happens and the others are
refused with the reason. A decline, a lapsed deadline or a rejected counter-offer sends
the line back to the allocation, which re-plans it and offers it again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import actions as allocation_actions
from allocation.models import AllocationRun
from allocation.tasks import enqueue as enqueue_run
from drawings.actions import end_grant, grant_for_job
from notifications import events as notification_events
from orders import actions as order_actions
from orders.models import LineStatus, OrderLine
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from .models import Offer, OfferStatus

# Sent on commit when a shop accepts: the production app makes the job's operations.
offer_accepted = Signal()

SYSTEM = Actor.system("offers")


def offer_hours() -> float:
    return float(getattr(settings, "KUMIAI_OFFER_HOURS", 48))


def channel_group(org_id: object) -> str:
    return f"offers.{org_id}"


def _push(offer: Offer, event: str, coordinator_id: int | None = None, notify: bool = True) -> None:
    """To the shop's inbox and the coordinator's page, live; and to the people who
    want to hear of it (notifications decides who, and never raises)."""
    if notify:
        notification_events.offer_event(offer, event)
    layer = get_channel_layer()
    if layer is None:
        return
    coordinator_id = coordinator_id or _coordinator_of(offer.shop).pk
    message = {
        "type": "offer.update",
        "event": event,
        "offer": {
            "id": offer.pk,
            "line": offer.line_id,
            "shop": offer.shop_id,
            "status": offer.status,
            "deadline": offer.deadline.isoformat(),
        },
    }
    for org_id in {offer.shop_id, coordinator_id}:
        async_to_sync(layer.group_send)(channel_group(org_id), message)


def _push_many(offers: list[Offer], event: str, coordinator_id: int) -> None:
    """One message per organisation for a batch (a published run): the pages re-read
    their list on any message, so one is enough."""
    notification_events.offers_made(offers)
    firsts: dict[int, Offer] = {}
    for offer in offers:
        firsts.setdefault(offer.shop_id, offer)
    for offer in firsts.values():
        _push(offer, event, coordinator_id, notify=False)


def _coordinator_of(org: Organization) -> Organization:
    return Organization.objects.get(group_id=org.group_id, kind=OrgKind.COORDINATOR)


# -- from a published run ------------------------------------------------------------------
def create_offers(run_id: int) -> list[Offer]:
    """One offer per placement of a published run, to its shop, with the drawing granted.
    A line offered since (another run published first) is left out, never offered twice."""
    made = []
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run_id)
        if run.published_at is None:
            return []
        placements = list(run.placements.select_related("line__drawing__owner", "shop"))
        lines = {
            line.pk: line
            for line in OrderLine.objects.select_for_update().filter(
                pk__in=[p.line_id for p in placements]
            )
        }
        deadline = timezone.now() + timedelta(hours=offer_hours())
        for p in placements:
            line = lines[p.line_id]
            if line.status != LineStatus.OPEN or hasattr(p, "offer"):
                continue
            offer = Offer.objects.create(
                run=run,
                placement=p,
                line=line,
                shop=p.shop,
                price_jpy=round(p.cost_jpy),
                due_date=line.due_date,
                promised_date=p.finish_date,
                deadline=deadline,
                grant=grant_for_job(p.line.drawing, p.shop, reason=f"offer for {line.label}"),
            )
            made.append(offer)
            audit.record(
                SYSTEM,
                "offer.made",
                offer,
                organization=p.shop,
                changes={"line": line.label, "price_jpy": offer.price_jpy},
            )
        order_actions.set_line_status([o.line_id for o in made], LineStatus.OFFERED)
        coordinator_id = run.organization_id
        transaction.on_commit(lambda: _push_many(made, "offered", coordinator_id))
    return made


# -- the shop's answers --------------------------------------------------------------------
def _lock_for_shop(offer: Offer, acting: Actor) -> Offer:
    require(acting.membership, Capability.WRITE)
    offer = Offer.objects.select_for_update().select_related("line", "shop").get(pk=offer.pk)
    if acting.membership is None or acting.membership.organization_id != offer.shop_id:
        raise PermissionDenied(_("Only the shop the offer is made to answers it."))
    return offer


def _refuse_unless_open(offer: Offer) -> None:
    if offer.status != OfferStatus.OFFERED:
        raise Conflict(
            _("This offer is already %(status)s.") % {"status": offer.get_status_display().lower()}
        )
    if offer.deadline <= timezone.now():
        raise Conflict(_("The deadline for this offer has passed."))


def do_accept(offer: Offer, *, acting: Actor) -> Offer:
    with transaction.atomic():
        offer = _lock_for_shop(offer, acting)
        _refuse_unless_open(offer)
        _close(offer, OfferStatus.ACCEPTED, acting)
        order_actions.set_line_status([offer.line_id], LineStatus.ACCEPTED)
        audit.record(acting, "offer.accept", offer, changes={"price_jpy": offer.price_jpy})
        transaction.on_commit(lambda: offer_accepted.send(Offer, offer_id=offer.pk))
        transaction.on_commit(lambda: _push(offer, "accepted"))
    return offer


def do_decline(offer: Offer, reason: str, *, acting: Actor) -> Offer:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you decline: the coordinator reads it.")]})
    with transaction.atomic():
        offer = _lock_for_shop(offer, acting)
        _refuse_unless_open(offer)
        offer.reason = reason[:500]
        _close(offer, OfferStatus.DECLINED, acting)
        audit.record(acting, "offer.decline", offer, changes={"reason": offer.reason})
        _send_back(offer, f"declined by {offer.shop.name}: {offer.reason}")
        transaction.on_commit(lambda: _push(offer, "declined"))
    return offer


def do_counter(
    offer: Offer, *, price_jpy: int | None, due_date: date | None, acting: Actor
) -> Offer:
    errors: dict[str, list[str]] = {}
    if price_jpy is None and due_date is None:
        errors["price_jpy"] = [_("Give another price, another date, or both.")]
    if price_jpy is not None and price_jpy <= 0:
        errors["price_jpy"] = [_("A price must be more than zero yen.")]
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = [_("The date %(d)s is in the past.") % {"d": due_date.isoformat()}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offer = _lock_for_shop(offer, acting)
        _refuse_unless_open(offer)
        offer.status = OfferStatus.COUNTERED
        offer.counter_price_jpy = price_jpy
        offer.counter_due_date = due_date
        offer.answered_at = timezone.now()
        offer.answered_by = acting.user
        offer.save()
        audit.record(
            acting,
            "offer.counter",
            offer,
            changes={
                "price_jpy": price_jpy,
                "due_date": due_date.isoformat() if due_date else None,
            },
        )
        transaction.on_commit(lambda: _push(offer, "countered"))
    return offer


# -- the coordinator's answer to a counter-offer --------------------------------------------
def do_answer_counter(offer: Offer, accept: bool, *, acting: Actor, reason: str = "") -> Offer:
    require(acting.membership, Capability.WRITE)
    m = acting.membership
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("line", "shop").get(pk=offer.pk)
        if (
            m is None
            or m.organization.kind != OrgKind.COORDINATOR
            or m.organization.group_id != offer.shop.group_id
        ):
            raise PermissionDenied(_("Only the group's coordinator answers a counter-offer."))
        if offer.status != OfferStatus.COUNTERED:
            raise Conflict(_("This offer has no open counter-offer."))
        if accept:
            if offer.counter_price_jpy is not None:
                offer.price_jpy = offer.counter_price_jpy
            if offer.counter_due_date is not None:
                offer.promised_date = offer.counter_due_date
            _close(offer, OfferStatus.ACCEPTED, acting)
            order_actions.set_line_status([offer.line_id], LineStatus.ACCEPTED)
            audit.record(acting, "offer.counter_accept", offer, organization=offer.shop)
            transaction.on_commit(lambda: offer_accepted.send(Offer, offer_id=offer.pk))
            transaction.on_commit(lambda: _push(offer, "accepted"))
        else:
            offer.reason = (reason or _("counter-offer rejected"))[:500]
            _close(offer, OfferStatus.REJECTED, acting)
            audit.record(acting, "offer.counter_reject", offer, organization=offer.shop)
            _send_back(offer, f"counter-offer of {offer.shop.name} rejected")
            transaction.on_commit(lambda: _push(offer, "rejected"))
    return offer


# -- deadlines -----------------------------------------------------------------------------
def expire_offers(now: Any = None) -> int:
    """Offers whose deadline passed unanswered lapse, and their lines are re-planned."""
    now = now or timezone.now()
    lapsed = 0
    for offer_id in Offer.objects.filter(status=OfferStatus.OFFERED, deadline__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update().select_related("line", "shop").get(pk=offer_id)
            )
            if offer.status != OfferStatus.OFFERED or offer.deadline > now:
                continue  # answered in the meantime: the answer stands
            offer.reason = "deadline passed"
            _close(offer, OfferStatus.EXPIRED, SYSTEM)
            audit.record(SYSTEM, "offer.lapse", offer, organization=offer.shop)
            _send_back(offer, f"offer to {offer.shop.name} lapsed")
            transaction.on_commit(lambda o=offer: _push(o, "expired"))
            lapsed += 1
    return lapsed


def _close(offer: Offer, status: str, acting: Actor) -> None:
    offer.status = status
    offer.answered_at = timezone.now()
    offer.answered_by = acting.user
    offer.save()
    if offer.grant_id and status != OfferStatus.ACCEPTED:
        end_grant(offer.grant, reason=status)


def _send_back(offer: Offer, reason: str) -> None:
    """The line goes back to open, never to this shop again, and is re-planned."""
    order_actions.record_decline(offer.line, offer.shop_id)
    allocation_actions.replan_lines(
        _coordinator_of(offer.shop), [offer.line_id], reason=reason, enqueue=enqueue_run
    )
