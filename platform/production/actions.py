"""Writes of production: an accepted offer becomes work, and the shop's machine plan is
made again (atomic: the new operations replace the old in one transaction)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from offers.models import Offer, OfferStatus
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from . import reallocation
from .models import OPEN_WORK, Breakdown, Operation, Work, WorkStatus
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


# pg_advisory_xact_lock's first key: "re-plan of shop <second key>".
REPLAN_LOCK_CLASS = 1301


def replan_shop(shop_id: int, reason: str = "") -> str:
    """The shop's open work on its machines, again; started operations stay. A line that
    now finishes after its promise is proposed for re-allocation (reallocation.review).

    Solving takes seconds, and the floor goes on reporting meanwhile: the shop's row (the
    lock every report takes) is held only to save. Re-plans of one shop still run one at
    a time (an advisory lock of their own), and what changed while the plan was being
    made wins over it: an operation reported or moved in between keeps what was reported,
    work closed in between is left alone. The report that changed it has queued the next
    re-plan, which plans around it. (Holding the shop through the solve kept 200 users'
    reports waiting up to 29 s, bench/schedule_load.py.)"""
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REPLAN_LOCK_CLASS, shop_id])
        shop = Organization.objects.get(pk=shop_id)
        works = list(
            Work.objects.filter(shop=shop, status__in=OPEN_WORK).select_related("line__order")
        )
        previous = list(Operation.objects.filter(work__in=works))
        now = timezone.now()
        down = list(Breakdown.objects.filter(shop=shop, end__gt=now))
        plan = plan_shop(shop, works, previous, now, down)
        if not plan.operations and previous:
            log.warning("no machine plan for %s (%s): the previous one stays", shop, plan.status)
            return plan.status

        # NO KEY UPDATE: rows that merely refer to the shop (audit entries, breakdowns)
        # are written beside it undisturbed.
        shop = Organization.objects.select_for_update(no_key=True).get(pk=shop_id)
        read = {op.pk: _plan_state(op) for op in previous}
        open_now = set(
            Work.objects.filter(pk__in=[w.pk for w in works], status__in=OPEN_WORK).values_list(
                "pk", flat=True
            )
        )
        # Rows are kept by (work, step) and moved in place: an operation's id is what
        # outside tools report progress against.
        rows = {
            (op.work_id, op.seq): op
            for op in Operation.objects.filter(work__in=works).select_for_update()
        }
        keep = set()
        for p in plan.operations:
            keep.add((p.work_id, p.seq))
            if p.work_id not in open_now:
                continue  # closed or moved away while the plan was made
            op = rows.get((p.work_id, p.seq))
            if op is None:
                Operation.objects.create(
                    work_id=p.work_id,
                    seq=p.seq,
                    process=p.process,
                    machine_id=p.machine_id,
                    start=p.start,
                    end=p.end,
                )
                continue
            if read.get(op.pk) != _plan_state(op):
                continue  # reported or moved while the plan was made: that stands
            if op.started or op.done or op.pinned:
                if op.pinned and (op.machine_id, op.start, op.end) != (
                    p.machine_id,
                    p.start,
                    p.end,
                ):  # a breakdown cut through it: the plan had to move it after all
                    op.machine_id, op.start, op.end, op.pinned = (
                        p.machine_id,
                        p.start,
                        p.end,
                        False,
                    )
                    op.save(update_fields=["machine", "start", "end", "pinned"])
                continue
            if (op.machine_id, op.start, op.end) != (p.machine_id, p.start, p.end):
                op.machine_id, op.start, op.end = p.machine_id, p.start, p.end
                op.save(update_fields=["machine", "start", "end"])
        stale = [
            op.pk
            for key, op in rows.items()
            if key not in keep
            and read.get(op.pk) == _plan_state(op)
            and not (op.started or op.done or op.pinned)
        ]
        Operation.objects.filter(pk__in=stale).delete()
        reallocation.review(shop, reason or _("The plan of %(shop)s changed") % {"shop": shop.name})
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


def _plan_state(op: Operation) -> tuple:  # type: ignore[type-arg]
    """What a report or a move changes of an operation."""
    return (op.machine_id, op.start, op.end, op.started, op.done, op.pinned)


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
        # The shop first, as a re-plan takes it: the two then never wait on each other's
        # rows in opposite orders.
        Organization.objects.select_for_update(no_key=True).get(pk=op.work.shop_id)
        op = Operation.objects.select_for_update().select_related("work").get(pk=op.pk)
        if op.done:
            raise Conflict(_("This operation is already done."))
        before = {"start": op.start.isoformat(), "end": op.end.isoformat()}
        if status == "done" and not op.started:
            # Done without a start reported: it ran for its planned length until now.
            op.start = now - (op.end - op.start)
        else:
            op.start = min(op.start, now)
        op.started = True
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
        if op.done and not Operation.objects.filter(work_id=op.work_id, done=False).exists():
            Work.objects.filter(pk=op.work_id, status__in=OPEN_WORK).update(status=WorkStatus.DONE)
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
        what = {"started": _("Start"), "done": _("Done"), "delayed": _("Delay")}[status]
        why = _("%(what)s reported on %(line)s (%(process)s)") % {
            "what": what,
            "line": op.work.line.label,
            "process": op.process_label,
        }
        shop = op.work.shop
        # Everyone sees the report at once; the re-plan that follows pushes again.
        transaction.on_commit(lambda: push_schedule_change(shop))
        if (op.start.isoformat(), op.end.isoformat()) != (before["start"], before["end"]):
            # Only a report that moves the operation in time moves what follows it. More
            # pieces done on work under way, or a start reported at or after its planned
            # start, leave the machine's plan as it is: no seconds of solving for nothing
            # (on a busy floor most reports are these).
            transaction.on_commit(lambda: _replan_later(shop_id, why))
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
        why = _("Breakdown of %(machine)s, %(start)s to %(end)s") % {
            "machine": machine.name,
            "start": timezone.localtime(start).strftime("%m-%d %H:%M"),
            "end": timezone.localtime(end).strftime("%m-%d %H:%M"),
        }
        shop = machine.shop
        transaction.on_commit(lambda: push_schedule_change(shop))
        transaction.on_commit(lambda: _replan_later(shop_id, why))
    return b


REPLAN_PENDING_S = 120


def replan_pending_key(shop_id: int) -> str:
    return f"production:replan-pending:{shop_id}"


def _replan_later(shop_id: int, reason: str = "") -> None:
    """One queued re-plan per shop at a time: reports that arrive before it starts are
    read by it (the task clears the mark as it starts, so a report during a re-plan
    queues the next). Each re-plan solves for seconds; a busy floor would queue one per
    report otherwise."""
    from django.core.cache import cache

    from .tasks import plan_shop_task

    try:
        queued = not cache.add(replan_pending_key(shop_id), 1, timeout=REPLAN_PENDING_S)
    except Exception:  # noqa: BLE001 - without the cache, queue it: twice is harmless
        queued = False
    if not queued:
        plan_shop_task.delay(shop_id, reason)


def do_move_operation(
    op: Operation, *, start: datetime, machine_id: int | None, acting: Actor
) -> Operation:
    """A person moves an operation on the Gantt (the coordinator, or the shop its own):
    checked against the machine, the shop's calendar and breakdowns, the machine's
    other work and the order of the work's steps; refused with every reason, or saved
    pinned, so re-plans keep it where it was put."""
    from shops.models import Machine
    from shops.selectors import capabilities

    from . import moves
    from .planning import open_windows_min, origin_of

    _require_shop_writer(op.work.shop_id, acting)
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    with transaction.atomic():
        shop = Organization.objects.select_for_update(no_key=True).get(pk=op.work.shop_id)
        op = (
            Operation.objects.select_for_update()
            .select_related("work__line__order", "machine")
            .get(pk=op.pk)
        )
        if op.started or op.done:
            raise Conflict(_("This operation has started: it stays where it is."))
        target = op.machine
        if machine_id is not None and machine_id != op.machine_id:
            target = Machine.objects.filter(pk=machine_id, shop=shop, active=True).first()
            if target is None:
                raise ValidationError(
                    {"machine_id": [_("Move it to one of this shop's own machines in use.")]}
                )
            if target.process != op.process:
                raise ValidationError(
                    {
                        "machine_id": [
                            _("%(machine)s does not do %(process)s.")
                            % {"machine": target.name, "process": op.process_label}
                        ]
                    }
                )
        # A faster or slower machine takes the quoted hours in its own time.
        length = (op.end - op.start) * (op.machine.speed_factor / target.speed_factor)
        end = start + length
        first_day = timezone.localtime(start).date() - timedelta(days=1)
        cap = capabilities(shop.group).get(shop.pk)
        origin = origin_of(first_day)
        open_hours = (
            [
                (origin + timedelta(minutes=a), origin + timedelta(minutes=b))
                for a, b in open_windows_min(cap, first_day, 3)
            ]
            if cap is not None
            else []
        )
        others = (
            Operation.objects.filter(machine=target, start__lt=end, end__gt=start)
            .exclude(pk=op.pk)
            .select_related("work__line__order")
        )
        busy = [
            moves.Busy(o.start, o.end, f"{o.work.line.label} {o.process_label}") for o in others
        ] + [
            moves.Busy(b.start, b.end, _("a breakdown"))
            for b in Breakdown.objects.filter(machine=target, start__lt=end, end__gt=start)
        ]
        steps = {
            o.seq: o
            for o in Operation.objects.filter(work_id=op.work_id, seq__in=[op.seq - 1, op.seq + 1])
        }
        before, after = steps.get(op.seq - 1), steps.get(op.seq + 1)
        errors = moves.refusals(
            start=start,
            end=end,
            now=timezone.now(),
            open_hours=open_hours,
            busy=busy,
            before=moves.Step(before.start, before.end, before.process_label) if before else None,
            after=moves.Step(after.start, after.end, after.process_label) if after else None,
        )
        if errors:
            raise ValidationError(errors)
        was = {
            "machine": op.machine.name,
            "start": op.start.isoformat(),
            "end": op.end.isoformat(),
        }
        op.machine, op.start, op.end, op.pinned = target, start, end, True
        op.save(update_fields=["machine", "start", "end", "pinned"])
        audit.record(
            acting,
            "operation.move",
            op,
            organization=shop,
            changes={
                "before": was,
                "machine": target.name,
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
        transaction.on_commit(lambda: push_schedule_change(shop))
    return op
