"""Writes of allocation: start a run, pin a line (a new run), record a run's progress and
answer, publish. Only the group's coordinator allocates. Each write is atomic and audited;
pushes go out on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import events as notification_events
from orders.models import OrderLine
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from .models import AllocationRun, GroupWeights, ProposedPlacement, RunStatus

# Sent on commit when a run is published: the offers app turns placements into offers.
run_published = Signal()


def channel_group(run_id: object) -> str:
    return f"allocation.{run_id}"


def push(run: AllocationRun) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(
            channel_group(run.pk), {"type": "run.update", "run": run.as_event()}
        )


def _require_coordinator(acting: Actor) -> Organization:
    require(acting.membership, Capability.WRITE)
    assert acting.membership is not None
    org = acting.membership.organization
    if org.kind != OrgKind.COORDINATOR:
        raise PermissionDenied(_("Only the group's coordinator allocates."))
    return org


def require_coordinator_member(membership: Any) -> None:
    """Reading the weights: the coordinator's people only (a 403 for anyone else)."""
    if membership is None or membership.organization.kind != OrgKind.COORDINATOR:
        raise PermissionDenied(_("Only the group's coordinator allocates."))


def weights_for(org: Organization) -> GroupWeights:
    return GroupWeights.objects.get_or_create(organization=org)[0]


def do_set_weights(values: dict[str, float], *, acting: Actor) -> GroupWeights:
    org = _require_coordinator(acting)
    errors = {}
    for name in (
        "cost_per_jpy",
        "tardiness_per_day_jpy",
        "fairness_per_hour_jpy",
        "move_per_line_jpy",
    ):
        if name in values and not 0 <= values[name] <= 1e7:
            errors[name] = [_("Give a weight between 0 and 10,000,000.")]
    if "time_limit_s" in values and not 1 <= values["time_limit_s"] <= 600:
        errors["time_limit_s"] = [_("Give a time limit between 1 and 600 seconds.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        w = GroupWeights.objects.select_for_update().get_or_create(organization=org)[0]
        before = w.as_dict()
        for name, value in values.items():
            setattr(w, name, float(value))
        w.save()
        audit.record(
            acting, "allocation.weights", w, changes={"before": before, "after": w.as_dict()}
        )
    return w


def do_start_run(
    *,
    acting: Actor,
    enqueue: Callable[[int], object],
    pins: dict[str, int] | None = None,
    previous: AllocationRun | None = None,
) -> AllocationRun:
    """Queue a run over the group's open lines (one at a time per group)."""
    org = _require_coordinator(acting)
    with transaction.atomic():
        # The coordinator's row serialises two starts: one run at a time.
        Organization.objects.select_for_update(no_key=True).get(pk=org.pk)
        busy = AllocationRun.objects.filter(
            organization=org, status__in=[RunStatus.QUEUED, RunStatus.RUNNING], auto_publish=False
        ).first()
        if busy is not None and _abandoned(busy):
            # Its worker died (a run ends within its time limit plus its explaining).
            fail(busy.pk, "the worker stopped before the run finished")
            busy = None
        if busy is not None:
            raise Conflict(
                _("Allocation run %(id)d is still going; wait for it.") % {"id": busy.pk}
            )
        run = AllocationRun.objects.create(
            organization=org,
            created_by=acting.user,
            weights=weights_for(org).as_dict(),
            pins={str(k): int(v) for k, v in (pins or {}).items()},
            previous=previous,
            timings={"queued_at": timezone.now().timestamp()},
        )
        audit.record(acting, "allocation.start", run, changes={"pins": run.pins})
        transaction.on_commit(lambda: enqueue(run.pk))
    return run


ABANDONED_AFTER_S = 300


def _abandoned(run: AllocationRun) -> bool:
    since = run.started_at or run.created_at
    limit = 2 * float(run.weights.get("time_limit_s", 10.0)) + ABANDONED_AFTER_S
    return (timezone.now() - since).total_seconds() > limit


def replan_lines(
    coordinator: Organization,
    line_ids: list[int],
    *,
    reason: str,
    enqueue: Callable[[int], object],
    pins: dict[str, int] | None = None,
) -> AllocationRun:
    """A re-plan of a few lines (a decline, a lapsed offer, a rejected counter-offer),
    solved against their last published placements with the move penalty and published
    at once: the new offers go out without the coordinator. Called inside the caller's
    transaction; runs beside a coordinator's run (it only touches its own lines). `pins`:
    line id → shop org id, for a re-allocation the coordinator has chosen the shop of."""
    previous = (
        ProposedPlacement.objects.filter(line_id__in=line_ids, run__published_at__isnull=False)
        .order_by("-run__published_at")
        .values_list("run_id", flat=True)
        .first()
    )
    run = AllocationRun.objects.create(
        organization=coordinator,
        weights={**weights_for(coordinator).as_dict(), "time_limit_s": REPLAN_LIMIT_S},
        lines=sorted(line_ids),
        auto_publish=True,
        pins=pins or {},
        reason=reason[:200],
        previous_id=previous,
        timings={"queued_at": timezone.now().timestamp()},
    )
    audit.record(
        Actor.system("allocation"),
        "allocation.replan",
        run,
        organization=coordinator,
        changes={"lines": run.lines, "reason": run.reason},
    )
    transaction.on_commit(lambda: enqueue(run.pk))
    transaction.on_commit(
        lambda: notification_events.replanned(
            run, OrderLine.objects.filter(pk__in=line_ids).select_related("order")
        )
    )
    return run


# A re-plan of one line must answer within seconds (the shop waits for the next offer).
REPLAN_LIMIT_S = 3.0


def publish_replan(run_id: int) -> None:
    """A finished re-plan publishes itself; one that found no plan leaves its lines open
    for the coordinator (its explanation says why)."""
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run_id)
        if not run.auto_publish or run.published_at is not None or run.status != RunStatus.DONE:
            return
        if not run.placements.exists():
            return
        run.published_at = timezone.now()
        run.save(update_fields=["published_at"])
        audit.record(
            Actor.system("allocation"),
            "allocation.publish",
            run,
            organization=run.organization,
            changes={"replan": True, "lines": run.lines},
        )
        transaction.on_commit(lambda: run_published.send(AllocationRun, run_id=run.pk))
        transaction.on_commit(lambda: push(run))


def do_pin(
    run: AllocationRun,
    line_id: int,
    shop_id: int,
    *,
    acting: Actor,
    enqueue: Callable[[int], object],
) -> AllocationRun:
    """Pin a line of a finished run to a shop: a new run, re-solved with the pin and the
    move penalty against this run, so the rest moves as little as it can."""
    org = _require_coordinator(acting)
    if run.organization_id != org.pk:
        raise PermissionDenied
    if not run.is_finished:
        raise Conflict(_("This run is not finished yet."))
    if not run.placements.filter(line_id=line_id).exists() and str(line_id) not in run.pins:
        raise ValidationError({"line": [_("This line is not in the run.")]})
    if not Organization.objects.filter(pk=shop_id, group_id=org.group_id).exists():
        raise ValidationError({"shop": [_("No such shop in the group.")]})
    pins = {**run.pins, str(line_id): int(shop_id)}
    return do_start_run(acting=acting, enqueue=enqueue, pins=pins, previous=run)


# -- the task's writes ---------------------------------------------------------------------
def claim(run_id: int) -> AllocationRun | None:
    """Queued → running, once: a task delivered twice finds nothing to do."""
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return None
        now = timezone.now()
        run.status = RunStatus.RUNNING
        run.phase = "reading"
        run.started_at = now
        run.timings = {
            **run.timings,
            "queue_s": now.timestamp() - run.timings.get("queued_at", now.timestamp()),
        }
        run.save()
        transaction.on_commit(lambda: push(run))
    return run


def report(run_id: int, phase: str, progress_pct: int, live: dict[str, Any] | None = None) -> None:
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return
        run.phase = phase
        run.progress_pct = max(run.progress_pct, min(99, progress_pct))
        fields = ["phase", "progress_pct"]
        if live is not None:
            run.live = live
            run.objective = live.get("objective")
            fields += ["live", "objective"]
        run.save(update_fields=fields)
        transaction.on_commit(lambda: push(run))


def finish(
    run_id: int,
    *,
    solver_status: str,
    objective: float | None,
    explanation: list[str],
    placements: list[ProposedPlacement],
    start_date: Any,
    periods: int,
    timings: dict[str, float],
) -> AllocationRun | None:
    """The run's answer, all at once: its placements and its status in one transaction."""
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.RUNNING:
            return run
        run.placements.all().delete()  # a retried run replaces, never duplicates
        for p in placements:
            p.run = run
        ProposedPlacement.objects.bulk_create(placements)
        run.status = RunStatus.DONE
        run.phase = ""
        run.progress_pct = 100
        run.solver_status = solver_status
        run.objective = objective
        run.explanation = explanation
        run.start_date = start_date
        run.periods = periods
        run.finished_at = timezone.now()
        run.timings = {**run.timings, **timings}
        run.save()
        audit.record(
            Actor.system("allocation"),
            "allocation.done",
            run,
            organization=run.organization,
            changes={"status": solver_status, "placements": len(placements)},
        )
        transaction.on_commit(lambda: push(run))
        transaction.on_commit(lambda: notification_events.run_finished(run))
    return run


def fail(run_id: int, message: str) -> None:
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return
        run.status = RunStatus.FAILED
        run.error = message[:500]
        run.finished_at = timezone.now()
        run.save()
        transaction.on_commit(lambda: push(run))
        transaction.on_commit(lambda: notification_events.run_finished(run))


# -- publishing ----------------------------------------------------------------------------
def do_publish(run: AllocationRun, *, acting: Actor) -> AllocationRun:
    """Publish a finished run's placements (once). A second publish, or one of a run
    whose lines changed since, is a conflict and changes nothing."""
    org = _require_coordinator(acting)
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.organization_id != org.pk:
            raise PermissionDenied
        if run.published_at is not None:
            raise Conflict(_("This run was already published."))
        if run.status != RunStatus.DONE:
            raise Conflict(_("Only a finished run can be published."))
        placements = list(run.placements.select_related("line"))
        if not placements:
            raise Conflict(_("This run has no plan to publish."))
        lines = OrderLine.objects.select_for_update().filter(pk__in=[p.line_id for p in placements])
        stale = [line.label for line in lines.select_related("order") if line.status != "open"]
        if stale:
            raise Conflict(
                _("Lines %(lines)s were offered since this run; run the allocation again.")
                % {"lines": ", ".join(stale)}
            )
        run.published_at = timezone.now()
        run.published_by = acting.user
        run.save(update_fields=["published_at", "published_by"])
        audit.record(acting, "allocation.publish", run, changes={"placements": len(placements)})
        transaction.on_commit(lambda: run_published.send(AllocationRun, run_id=run.pk))
        transaction.on_commit(lambda: push(run))
    return run
