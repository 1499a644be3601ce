"""What the job flow tells people, and whom. Orders, allocation and offers call these
(they import notifications, never the reverse), so rows arrive duck-typed: an offer is
anything with the offer's fields (`shop`, `line`, `status`, `price_jpy`, `deadline`, …),
a run anything with the run's.

Each function decides the recipients, writes the notifications in one transaction and
sends push and e-mail on commit (actions.notify). None of them raises: they are called
from an action's on-commit hook, where a failure would reach a shop that just accepted
an offer; a failure is logged instead.

Who hears what:
    offered                      -> the shop's members
    accepted, declined, countered -> the group's coordinator's members
    expired (deadline lapsed)    -> the group's coordinator's members
    counter accepted, rejected   -> the shop's members
    deadline_soon                -> the shop's members (once per offer)
    run_finished                 -> the members of the run's (coordinator) organisation
    replanned                    -> the same
The person who gave an answer is not told of it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse

from tenancy.models import Membership, OrgKind

from . import actions
from .models import DeadlineReminder, Kind

log = logging.getLogger(__name__)


def _never_raises(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 - see the module's docstring
            log.exception("notifications: %s failed", fn.__name__)
            return None

    return wrapper


# -- recipients ----------------------------------------------------------------------------
def _active(qs: Any) -> list[Membership]:
    return list(
        qs.filter(is_active=True, user__is_active=True).select_related("user", "organization")
    )


def members_of(org_id: int) -> list[Membership]:
    return _active(Membership.objects.filter(organization_id=org_id))


def coordinator_members(group_id: int) -> list[Membership]:
    return _active(
        Membership.objects.filter(
            organization__group_id=group_id, organization__kind=OrgKind.COORDINATOR
        )
    )


def _without(people: Iterable[Membership], user_id: int | None) -> list[Membership]:
    return [m for m in people if m.user_id != user_id]


def _path(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the page is not mounted here: the notification stands without
        return ""


# -- offers --------------------------------------------------------------------------------
def _offer_params(offer: Any) -> dict[str, Any]:
    line = offer.line
    drawing = getattr(line, "drawing", None)

    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "offer": offer.pk,
        "line": getattr(line, "label", str(line)),
        "part": getattr(drawing, "part_number", "") or "",
        "quantity": getattr(line, "quantity", ""),
        "shop": offer.shop.name,
        "price_jpy": offer.price_jpy,
        "due": iso(offer.due_date),
        "promised": iso(offer.promised_date),
        "deadline": iso(offer.deadline),
        "reason": offer.reason or "-",
        "counter_price_jpy": offer.counter_price_jpy,
        "counter_due_date": iso(offer.counter_due_date),
    }


def _was_countered(offer: Any) -> bool:
    return offer.counter_price_jpy is not None or offer.counter_due_date is not None


# event -> (kind, message, who hears it: "shop" or "coordinator")
_OFFER_EVENTS: dict[str, tuple[str, str, str]] = {
    "offered": (Kind.OFFER_MADE, "offered", "shop"),
    "accepted": (Kind.OFFER_ANSWERED, "accepted", "coordinator"),
    "declined": (Kind.OFFER_ANSWERED, "declined", "coordinator"),
    "countered": (Kind.OFFER_ANSWERED, "countered", "coordinator"),
    "counter_accepted": (Kind.COUNTER_DECIDED, "counter_accepted", "shop"),
    "rejected": (Kind.COUNTER_DECIDED, "rejected", "shop"),
    "expired": (Kind.DEADLINE, "expired", "coordinator"),
}


@_never_raises
def offer_event(offer: Any, event: str) -> actions.Delivery | None:
    """An offer was made or answered (offers' `_push` events). An "accepted" of an offer
    that carries a counter-offer is the coordinator accepting it: the shop hears that."""
    if event == "accepted" and _was_countered(offer):
        event = "counter_accepted"
    if event not in _OFFER_EVENTS:
        log.warning("notifications: no notification for offer event %r", event)
        return None
    kind, message, audience = _OFFER_EVENTS[event]
    if audience == "shop":
        people = members_of(offer.shop_id)
    else:
        people = coordinator_members(offer.shop.group_id)
    if event != "offered":
        people = _without(people, getattr(offer, "answered_by_id", None))
    return actions.notify(people, kind, message, _offer_params(offer), link=_path("offer_inbox"))


@_never_raises
def offers_made(offers: list[Any]) -> None:
    """A published run's offers: one notification per shop (a shop offered fifty lines
    reads one message, not fifty; its inbox lists them all)."""
    by_shop: dict[int, list[Any]] = {}
    for offer in offers:
        by_shop.setdefault(offer.shop_id, []).append(offer)
    for batch in by_shop.values():
        if len(batch) == 1:
            offer_event(batch[0], "offered")
            continue
        first = batch[0]
        labels = [getattr(o.line, "label", str(o.line)) for o in batch]
        params = {
            "count": len(batch),
            "lines": ", ".join(labels[:5]) + (", …" if len(labels) > 5 else ""),
            "shop": first.shop.name,
            "price_jpy": sum(o.price_jpy for o in batch),
            "deadline": min(o.deadline for o in batch).isoformat(),
        }
        actions.notify(
            members_of(first.shop_id),
            Kind.OFFER_MADE,
            "offered_many",
            params,
            link=_path("offer_inbox"),
        )


@_never_raises
def deadline_soon(offer: Any) -> actions.Delivery | None:
    """The shop's reminder that an offer's deadline nears: once per offer, ever (a second
    call, a second beat or two at once send nothing)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(offer_id=offer.pk)
        except IntegrityError:
            return None  # sent already
        return actions.notify(
            members_of(offer.shop_id),
            Kind.DEADLINE,
            "deadline_soon",
            _offer_params(offer),
            link=_path("offer_inbox"),
        )


# -- allocation ----------------------------------------------------------------------------
@_never_raises
def run_finished(run: Any) -> actions.Delivery | None:
    """An allocation run ended. A re-plan that published itself says nothing more (the
    re-plan was announced and the new offer reaches its shop); one that found no plan or
    failed does, because then the coordinator has to act."""
    params: dict[str, Any] = {"run": run.pk}
    if run.status == "failed":
        message = "run_failed"
        params["error"] = getattr(run, "error", "") or "-"
    else:
        placed = run.placements.count()
        if placed == 0:
            message = "run_no_plan"
        elif getattr(run, "auto_publish", False):
            return None
        else:
            message = "run_done"
            params["placements"] = placed
    return actions.notify(
        members_of(run.organization_id),
        Kind.RUN_FINISHED,
        message,
        params,
        link=_path("allocation_run", run.pk),
    )


@_never_raises
def replanned(run: Any, lines: Iterable[Any]) -> actions.Delivery | None:
    """Lines went back to the allocation (a decline, a lapsed offer, a rejected
    counter-offer) and a re-plan of them started. `lines`: order lines, or their ids."""
    labels = [str(getattr(line, "label", line)) for line in lines]
    return actions.notify(
        members_of(run.organization_id),
        Kind.REPLANNED,
        "replanned",
        {"run": run.pk, "lines": labels, "reason": getattr(run, "reason", "") or "-"},
        link=_path("allocation_run", run.pk),
    )


@_never_raises
def reallocation_proposed(coordinator: Any, proposals: list[Any]) -> actions.Delivery | None:
    """Lines that will miss their promised date after a disruption: the coordinator
    decides (production's re-allocation proposals)."""
    reasons = sorted({p.reason for p in proposals if p.reason})
    return actions.notify(
        members_of(coordinator.pk),
        Kind.REPLANNED,
        "reallocation_proposed",
        {
            "lines": [p.work.line.label for p in proposals],
            "reason": "; ".join(reasons) or "-",
        },
        link=_path("reallocations"),
    )


@_never_raises
def promise_changed(work: Any, chosen: dict[str, Any], before: Any) -> actions.Delivery | None:
    """The coordinator approved a re-allocation: the buyer hears the new date (or shop),
    and so does the shop that held the line."""
    people = members_of(work.buyer_id) + members_of(work.shop_id)
    return actions.notify(
        people,
        Kind.REPLANNED,
        "promise_changed",
        {
            "line": work.line.label,
            "kind": chosen["kind"],
            "shop": chosen["shop"],
            "from_shop": work.shop.name,
            "date": chosen["finish_date"],
            "before": str(before),
        },
        link=_path("order_detail", work.line.order_id),
    )
