"""Disruption → re-allocation (issue 13 item 2): after a shop's plan is made again, a line
that no longer finishes by the date promised to its buyer is proposed to the group's
coordinator, with its options:

  * stay at the shop, at the new expected date (the price stays);
  * move to another capable shop that has not refused it: its quoted price for the line
    and the earliest day its calendar and machines, less the hours it has promised
    already, fit the work (shops.selectors.earliest_date, counted from tomorrow).

The recommended option is the cheapest that makes the promised date, else the earliest.
Approving "stay" moves the promise (the buyer sees the new date at once); approving a
move takes the work off the shop's plan, ends its drawing grant and re-allocates the line
pinned to the chosen shop, which gets an offer like any other (and the buyer sees the
new shop's date once it accepts). Work that has started can only stay.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from .models import Operation, ProposalStatus, Reallocation, Work, WorkStatus

log = logging.getLogger(__name__)
SYSTEM = Actor.system("production")


def options_for(work: Work, expected: date, today: date) -> list[dict[str, Any]]:
    """Stay, then every other capable shop's price and earliest date, cheapest first."""
    from orders import quotes
    from shops.selectors import earliest_date

    line = work.line
    stay = {
        "kind": "stay",
        "shop_id": work.shop_id,
        "shop": work.shop.name,
        "cost_jpy": work.offer.price_jpy,
        "finish_date": expected.isoformat(),
        "makes_due": expected <= work.due_date,
    }
    if Operation.objects.filter(work=work, started=True).exists():
        return [stay]  # the pieces are on its floor: they stay there
    begin = today + timedelta(days=1)
    booked = quotes.booked_hours(line.order.buyer.group, begin) if quotes.booked_hours else {}
    moves = []
    for q in line.quote:
        sid = q.get("shop_id")
        if "refused" in q or sid == work.shop_id or sid in line.declined_by:
            continue
        hours = dict(q.get("hours", {}))
        procs = tuple(p for p in line.processes if hours.get(p, 0) > 0)
        finish = earliest_date(
            sid, {p: hours[p] for p in procs}, begin, quotes._booked_from(booked, sid, procs, 0)
        )
        if finish is None:
            continue
        moves.append(
            {
                "kind": "move",
                "shop_id": sid,
                "shop": q.get("shop", ""),
                "cost_jpy": int(q["total_price_jpy"]),
                "finish_date": finish.isoformat(),
                "makes_due": finish <= work.due_date,
            }
        )
    moves.sort(key=lambda o: (o["cost_jpy"], o["finish_date"], o["shop"]))
    return [stay, *moves]


def recommended(options: list[dict[str, Any]]) -> int:
    on_time = [i for i, o in enumerate(options) if o["makes_due"]]
    if on_time:
        return min(on_time, key=lambda i: (options[i]["cost_jpy"], i))
    return min(range(len(options)), key=lambda i: (options[i]["finish_date"], i))


def review(shop: Organization, reason: str) -> list[Reallocation]:
    """Inside the re-plan's transaction, after its operations are saved: propose each
    line that now finishes after its promise; withdraw proposals the new plan makes
    unnecessary. Returns the proposals made or changed."""
    coordinator = Organization.objects.get(group_id=shop.group_id, kind=OrgKind.COORDINATOR)
    today = timezone.localdate()
    works = (
        Work.objects.filter(shop=shop, status__in=(WorkStatus.PLANNED, WorkStatus.STARTED))
        .select_related("line__order__buyer", "offer", "shop")
        .prefetch_related("operations")
    )
    changed = []
    for work in works:
        ends = [op.end for op in work.operations.all()]
        open_one = next(
            (r for r in work.reallocations.all() if r.status == ProposalStatus.OPEN), None
        )
        expected = timezone.localtime(max(ends)).date() if ends else None
        if expected is None or expected <= work.due_date:
            if open_one is not None:
                open_one.status = ProposalStatus.OBSOLETE
                open_one.decided_at = timezone.now()
                open_one.save(update_fields=["status", "decided_at"])
                changed.append(open_one)
            continue
        if open_one is not None and open_one.expected_date == expected:
            continue  # proposed already, and nothing changed
        options = options_for(work, expected, today)
        if open_one is None:
            open_one = Reallocation(organization=coordinator, work=work)
        open_one.reason = reason[:300]
        open_one.expected_date = expected
        open_one.promised_date = work.due_date
        open_one.options = options
        open_one.recommended = recommended(options)
        open_one.save()
        audit.record(
            SYSTEM,
            "reallocation.propose",
            open_one,
            organization=coordinator,
            changes={
                "line": work.line.label,
                "expected": expected.isoformat(),
                "promised": work.due_date.isoformat(),
                "options": len(options),
            },
        )
        changed.append(open_one)
    if changed:
        transaction.on_commit(lambda: _tell(coordinator, changed))
    return changed


def _tell(coordinator: Organization, proposals: list[Reallocation]) -> None:
    from notifications import events

    from .actions import channel_group

    open_ones = [p for p in proposals if p.status == ProposalStatus.OPEN]
    if open_ones:
        events.reallocation_proposed(coordinator, open_ones)
    _push(channel_group(coordinator.pk))


def _push(group: str) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "schedule.changed"})
    except Exception:  # noqa: BLE001 - the page re-reads on its timer
        log.warning("re-allocation push failed", exc_info=True)


def _require_coordinator(acting: Actor, proposal: Reallocation) -> None:
    m = acting.membership
    require(m, Capability.WRITE)
    assert m is not None
    if m.organization_id != proposal.organization_id:
        raise PermissionDenied(_("Only the group's coordinator decides a re-allocation."))


def do_approve(proposal: Reallocation, option: int, *, acting: Actor) -> Reallocation:
    from allocation.actions import replan_lines
    from allocation.tasks import enqueue as enqueue_run
    from drawings.actions import end_grant
    from orders import actions as order_actions

    from .actions import push_schedule_change

    _require_coordinator(acting, proposal)
    with transaction.atomic():
        # The shop first, as a re-plan takes it (then the proposal, the work, its
        # operations): the two never wait on each other's rows in opposite orders.
        shop_id = Work.objects.values_list("shop_id", flat=True).get(pk=proposal.work_id)
        Organization.objects.select_for_update(no_key=True).get(pk=shop_id)
        proposal = Reallocation.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict(
                _("This proposal is %(status)s already.")
                % {"status": proposal.get_status_display()}
            )
        if not 0 <= option < len(proposal.options):
            raise ValidationError({"option": [_("Choose one of the options shown.")]})
        work = (
            Work.objects.select_for_update(of=("self",))
            .select_related("line__order", "offer__grant", "shop", "buyer")
            .get(pk=proposal.work_id)
        )
        chosen = proposal.options[option]
        before = work.due_date
        if chosen["kind"] == "stay":
            work.due_date = date.fromisoformat(chosen["finish_date"])
            work.save(update_fields=["due_date"])
        else:
            if Operation.objects.filter(work=work, started=True).exists():
                raise Conflict(_("Work on this line has started at its shop: it can only stay."))
            work.status = WorkStatus.MOVED
            work.save(update_fields=["status"])
            Operation.objects.filter(work=work).delete()
            if work.offer.grant_id:
                end_grant(work.offer.grant, reason=f"{work.line.label} moved to another shop")
            # Back to the allocation, pinned to the chosen shop, and never back to this
            # one (it cannot make the date): an offer goes out like any other.
            order_actions.record_decline(work.line, work.shop_id)
            replan_lines(
                Organization.objects.get(pk=proposal.organization_id),
                [work.line_id],
                reason=f"re-allocated from {work.shop.name} after a disruption",
                enqueue=enqueue_run,
                pins={str(work.line_id): int(chosen["shop_id"])},
            )
        proposal.status = ProposalStatus.APPROVED
        proposal.chosen = option
        proposal.decided_at = timezone.now()
        proposal.decided_by = acting.user
        proposal.save(update_fields=["status", "chosen", "decided_at", "decided_by"])
        audit.record(
            acting,
            "reallocation.approve",
            proposal,
            organization=proposal.organization,
            changes={
                "line": work.line.label,
                "option": chosen,
                "promised_before": before.isoformat(),
            },
        )
        shop = work.shop
        transaction.on_commit(lambda: push_schedule_change(shop))
        transaction.on_commit(lambda: _tell_parties(work, chosen, before))
    return proposal


def _tell_parties(work: Work, chosen: dict[str, Any], before: date) -> None:
    from notifications import events

    events.promise_changed(work, chosen, before)


def do_dismiss(proposal: Reallocation, *, acting: Actor) -> Reallocation:
    """The coordinator leaves the line where it is, late (e.g. agreed by phone)."""
    _require_coordinator(acting, proposal)
    with transaction.atomic():
        proposal = Reallocation.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict(
                _("This proposal is %(status)s already.")
                % {"status": proposal.get_status_display()}
            )
        proposal.status = ProposalStatus.DISMISSED
        proposal.decided_at = timezone.now()
        proposal.decided_by = acting.user
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
        audit.record(acting, "reallocation.dismiss", proposal, organization=proposal.organization)
    return proposal
