"""Writes of orders: a lead firm's request, and placing it. Each is atomic and audited; a
line that no shop of the group can make stops the placing with the shops' reasons, and
nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from drawings import selectors as drawing_selectors
from drawings.models import Part, RevisionStatus
from drawings.quotes import features_from_json
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Organization, OrgKind
from tenancy.permissions import Capability, require

from .models import LineStatus, Order, OrderLine, OrderStatus
from .quotes import LineError, line_quote, ordered_processes

MAX_LINES = 200
MAX_QUANTITY = 1_000_000

# Sent on commit when an order is placed: the allocation may plan its lines.
order_placed = Signal()


@dataclass(frozen=True)
class LineInput:
    drawing: int
    material: str
    thickness_mm: float
    processes: tuple[str, ...]
    quantity: int
    due_date: date
    splittable: bool = False
    part: int = 0  # the part's index in the drawing's current revision


def do_create_order(
    lines: list[LineInput], *, acting: Actor, title: str = "", place: bool = False
) -> Order:
    """A request from the buyer's drawings (placed at once when `place`). Every line is
    checked and quoted before anything is written."""
    buyer = _require_buyer(acting)
    if not lines:
        raise ValidationError({"lines": [_("An order needs at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines per order.") % {"n": MAX_LINES}]})
    today = timezone.localdate()
    prepared = [_prepare(acting, n, line, today) for n, line in enumerate(lines, start=1)]
    if place:
        _require_makeable(prepared)
    with transaction.atomic():
        # Numbers are per buyer: the buyer's row serialises two requests made at once.
        Organization.objects.select_for_update(no_key=True).get(pk=buyer.pk)
        count = Order.objects.filter(buyer=buyer).count()
        order = Order.objects.create(
            buyer=buyer,
            number=f"R-{count + 1:05d}",
            title=title.strip()[:200],
            created_by=acting.user,
            status=OrderStatus.PLACED if place else OrderStatus.REQUEST,
            placed_by=acting.user if place else None,
            placed_at=timezone.now() if place else None,
        )
        for line in prepared:
            line.order = order
        OrderLine.objects.bulk_create(prepared)
        audit.record(
            acting,
            "order.place" if place else "order.request",
            order,
            changes={"lines": len(prepared)},
        )
        if place:
            transaction.on_commit(lambda: order_placed.send(Order, order_id=order.pk))
    return order


def do_place_order(order: Order, *, acting: Actor) -> Order:
    require(acting.membership, Capability.WRITE)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if acting.membership is None or order.buyer_id != acting.membership.organization_id:
            raise PermissionDenied(_("Only the buyer places its order."))
        if order.status != OrderStatus.REQUEST:
            raise Conflict(
                _("This order is already %(status)s.") % {"status": order.get_status_display()}
            )
        _require_makeable(list(order.lines.all()))
        order.status = OrderStatus.PLACED
        order.placed_by = acting.user
        order.placed_at = timezone.now()
        order.save(update_fields=["status", "placed_by", "placed_at"])
        audit.record(acting, "order.place", order, changes={"lines": order.lines.count()})
        transaction.on_commit(lambda: order_placed.send(Order, order_id=order.pk))
    return order


def _require_buyer(acting: Actor) -> Organization:
    require(acting.membership, Capability.WRITE)
    assert acting.membership is not None
    org = acting.membership.organization
    if org.kind != OrgKind.LEAD_FIRM:
        raise PermissionDenied(_("Orders are made by lead firms."))
    return org


def _prepare(acting: Actor, n: int, line: LineInput, today: date) -> OrderLine:
    """One line, checked and quoted; not saved. Errors name the line."""

    def fail(message: str) -> ValidationError:
        return ValidationError({f"lines.{n}": [message]})

    # Another firm's drawing, or one that does not exist, is a 404 like everywhere.
    d = drawing_selectors.drawing(acting.membership, line.drawing)
    if d.owner_id != acting.membership.organization_id:  # type: ignore[union-attr]
        raise fail(_("Orders are made from your own drawings."))
    rev = d.current_revision
    if rev is None or rev.status != RevisionStatus.ANALYSED:
        raise fail(_("Drawing %(pn)s is not analysed yet.") % {"pn": d.part_number})
    part = Part.objects.filter(revision=rev, index=line.part).first()
    if part is None:
        raise fail(_("Drawing %(pn)s has no part %(i)d.") % {"pn": d.part_number, "i": line.part})
    material = (line.material or d.material or "").strip().upper()
    thickness = line.thickness_mm or d.thickness_mm
    if not material:
        raise fail(_("Give the material of %(pn)s.") % {"pn": d.part_number})
    if not thickness or thickness <= 0:
        raise fail(_("Give the thickness of %(pn)s in mm.") % {"pn": d.part_number})
    if not 1 <= line.quantity <= MAX_QUANTITY:
        raise fail(_("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY})
    if line.due_date < today:
        raise fail(_("The due date %(d)s is in the past.") % {"d": line.due_date.isoformat()})
    try:
        processes = ordered_processes(line.processes)
    except LineError as exc:
        raise fail(str(exc)) from exc
    size = tuple(sorted((part.width_mm, part.height_mm), reverse=True))
    quote = line_quote(
        acting.membership.organization.group,  # type: ignore[union-attr]
        features_from_json(part.features),
        material,
        float(thickness),
        processes,
        line.quantity,
        today,
        size,  # type: ignore[arg-type]
    )
    return OrderLine(
        number=n,
        drawing=d,
        revision=rev,
        part=part,
        material=material,
        thickness_mm=float(thickness),
        processes=list(processes),
        quantity=line.quantity,
        due_date=line.due_date,
        splittable=line.splittable and len(processes) > 1,
        status=LineStatus.OPEN,
        quote=quote,
    )


def _require_makeable(lines: list[OrderLine]) -> None:
    """An order no shop can make is refused with every shop's reason, line by line."""
    errors = {}
    for line in lines:
        if not line.offers_from():
            reasons = "; ".join(f"{q['shop']}: {q['refused']}" for q in line.quote) or _(
                "the group has no shop with a cost profile"
            )
            errors[f"lines.{line.number}"] = [
                _("No shop of the group can make line %(n)d (%(reasons)s).")
                % {"n": line.number, "reasons": reasons}
            ]
    if errors:
        raise ValidationError(errors)


# -- what the job flow changes on a line (called by offers' actions, in their transaction) --
def set_line_status(line_ids: list[int], status: str) -> None:
    OrderLine.objects.filter(pk__in=line_ids).update(status=status)


def record_decline(line: OrderLine, shop_id: int) -> None:
    """The shop declined the line: it goes back to open, never to that shop again."""
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    if shop_id not in line.declined_by:
        line.declined_by = [*line.declined_by, shop_id]
    line.status = LineStatus.OPEN
    line.save(update_fields=["declined_by", "status"])
