"""Writes of joint purchasing: each one transaction and one audit row.

Races, and how each is settled:
- two members claim one offcut: a conditional UPDATE (only while it is available) —
  one row changes, the other claimant is told it is gone;
- anything on a joint order (an adjusted share, a confirmation, placing, a receipt)
  locks the order's row first, then checks its status: placed twice is placed once;
- making orders from demand locks the coordinator's organisation row, so two at once
  cannot both order the same weeks.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kumiai import objectstore
from quoting.profile import CostProfile
from quoting.purchasing import (
    STANDARD_SHEETS,
    Item,
    LineIn,
    PurchasingError,
    cheapest_supplier,
    check_price_rows,
    iso_week,
    split_order,
)
from quoting.purchasing import (
    PriceBreak as BreakIn,
)
from shops.selectors import profiles_for_quotes
from tenancy import audit
from tenancy.context import Actor
from tenancy.errors import Conflict
from tenancy.models import Membership, Organization
from tenancy.permissions import Capability, require

from . import selectors
from .models import (
    Offcut,
    OffcutStatus,
    POStatus,
    PriceBreak,
    PriceList,
    PurchaseLine,
    PurchaseOrder,
    PurchaseShare,
    PurchaseSplit,
    Receipt,
    Stock,
    Supplier,
)
from .price_files import PriceFileError, parse_price_file

log = logging.getLogger(__name__)

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


# --- who may ----------------------------------------------------------------------------------
def _writer(acting: Actor) -> Membership:
    require(acting.membership, Capability.WRITE)
    assert acting.membership is not None
    return acting.membership


def _shop(acting: Actor) -> Membership:
    m = _writer(acting)
    if not selectors.is_shop(m):
        raise PermissionDenied(_("Only a shop of the group does this."))
    return m


def _coordinator(acting: Actor) -> Membership:
    m = _writer(acting)
    if not selectors.is_coordinator(m):
        raise PermissionDenied(_("Only the group's coordinator does this."))
    return m


def known_materials(group_id: int) -> set[str]:
    from tenancy.models import SupplierGroup

    names = set(CostProfile.default().materials)
    for _row, profile in profiles_for_quotes(SupplierGroup.objects.get(pk=group_id)):
        names |= set(profile.materials)
    return names


def _check_sheet(material: str, thickness_mm: float, w: int, length: int, group_id: int) -> None:
    errors: dict[str, list[str]] = {}
    if material not in known_materials(group_id):
        errors["material"] = [_("Unknown material %(m)s.") % {"m": material}]
    if not thickness_mm or thickness_mm <= 0:
        errors["thickness_mm"] = [_("The thickness must be more than 0 mm.")]
    if (w, length) not in STANDARD_SHEETS:
        errors["sheet"] = [
            _("Not a standard sheet size: %(w)s × %(l)s mm.") % {"w": w, "l": length}
        ]
    if errors:
        raise ValidationError(errors)


# --- stock ------------------------------------------------------------------------------------
def do_set_stock(
    *, material: str, thickness_mm: float, sheet_w_mm: int, sheet_l_mm: int, quantity: int,
    acting: Actor,
) -> Stock:  # fmt: skip
    m = _shop(acting)
    material = (material or "").strip().upper()
    _check_sheet(material, thickness_mm, sheet_w_mm, sheet_l_mm, m.organization.group_id)
    if quantity is None or quantity < 0:
        raise ValidationError({"quantity": [_("Stock cannot be below 0 sheets.")]})
    with transaction.atomic():
        row, created = Stock.objects.select_for_update().get_or_create(
            shop=m.organization,
            material=material,
            thickness_mm=thickness_mm,
            sheet_w_mm=sheet_w_mm,
            sheet_l_mm=sheet_l_mm,
            defaults={"quantity": quantity, "updated_by": acting.user},
        )
        before = None if created else row.quantity
        row.quantity = quantity
        row.updated_by = acting.user
        row.save()
        audit.record(acting, "purchasing.stock.set", row, changes={"from": before, "to": quantity})
    return row


# --- offcuts ----------------------------------------------------------------------------------
def _store_photo(group_id: int, photo) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    data = photo.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": [_("A photo may be at most 5 MB.")]})
    kind = next((t for magic, t in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise ValidationError({"photo": [_("A photo must be a JPEG or PNG image.")]})
    key = f"purchasing/{group_id}/offcuts/{uuid.uuid4().hex}"
    objectstore.put_bytes(key, data, content_type=kind)
    return key, kind


def do_add_offcut(
    *, material: str, thickness_mm: float, width_mm: int, length_mm: int, location: str = "",
    note: str = "", photo=None, acting: Actor,  # type: ignore[no-untyped-def]
) -> Offcut:  # fmt: skip
    m = _shop(acting)
    material = (material or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if material not in known_materials(m.organization.group_id):
        errors["material"] = [_("Unknown material %(m)s.") % {"m": material}]
    if not thickness_mm or thickness_mm <= 0:
        errors["thickness_mm"] = [_("The thickness must be more than 0 mm.")]
    if not width_mm or not length_mm or width_mm <= 0 or length_mm <= 0:
        errors["width_mm"] = [_("Give the offcut's width and length in mm, more than 0.")]
    if errors:
        raise ValidationError(errors)
    # The photo goes to the store first: a failed save leaves an unreferenced object,
    # never a row pointing at nothing.
    key, kind = _store_photo(m.organization.group_id, photo) if photo else ("", "")
    with transaction.atomic():
        cut = Offcut.objects.create(
            shop=m.organization,
            material=material,
            thickness_mm=thickness_mm,
            width_mm=min(width_mm, length_mm),
            length_mm=max(width_mm, length_mm),
            location=(location or "")[:200],
            note=(note or "")[:300],
            photo_key=key,
            photo_type=kind,
            created_by=acting.user,
        )
        audit.record(acting, "purchasing.offcut.add", cut, changes={"size": str(cut)})
    return cut


def do_claim_offcut(offcut: Offcut, *, acting: Actor) -> Offcut:
    """The first claim wins: the row changes only while it is still available."""
    m = _shop(acting)
    if offcut.shop_id == m.organization_id:
        raise ValidationError({"offcut": [_("This is your own offcut.")]})
    with transaction.atomic():
        won = Offcut.objects.filter(pk=offcut.pk, status=OffcutStatus.AVAILABLE).update(
            status=OffcutStatus.CLAIMED, claimed_by=m.organization, claimed_at=timezone.now()
        )
        if not won:
            raise Conflict(_("Another member has already claimed this offcut."))
        offcut = Offcut.objects.select_related("shop", "claimed_by").get(pk=offcut.pk)
        audit.record(acting, "purchasing.offcut.claim", offcut, changes={"from": offcut.shop.name})
    return offcut


def do_withdraw_offcut(offcut: Offcut, *, acting: Actor) -> Offcut:
    m = _shop(acting)
    if offcut.shop_id != m.organization_id:
        raise PermissionDenied(_("Only the shop that offered it withdraws an offcut."))
    with transaction.atomic():
        if not Offcut.objects.filter(pk=offcut.pk, status=OffcutStatus.AVAILABLE).update(
            status=OffcutStatus.WITHDRAWN
        ):
            raise Conflict(_("This offcut is no longer available."))
        offcut.refresh_from_db()
        audit.record(acting, "purchasing.offcut.withdraw", offcut)
    return offcut


# --- suppliers and price lists -------------------------------------------------------------------
def do_create_supplier(
    *, name: str, delivery_fee_jpy: int = 0, lead_days: int = 3, contact: str = "", acting: Actor
) -> Supplier:
    m = _coordinator(acting)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the supplier's name.")]
    if delivery_fee_jpy is None or delivery_fee_jpy < 0:
        errors["delivery_fee_jpy"] = [_("The delivery charge cannot be below 0 yen.")]
    if lead_days is None or lead_days < 0:
        errors["lead_days"] = [_("The lead time cannot be below 0 days.")]
    if not errors and Supplier.objects.filter(organization=m.organization, name=name).exists():
        errors["name"] = [_("There is already a supplier of that name.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        s = Supplier.objects.create(
            organization=m.organization,
            name=name[:200],
            delivery_fee_jpy=delivery_fee_jpy,
            lead_days=lead_days,
            contact=(contact or "")[:300],
        )
        audit.record(acting, "purchasing.supplier.create", s)
    return s


def do_import_price_list(
    supplier: Supplier, file_name: str, data: bytes, *, acting: Actor
) -> PriceList:
    """All or nothing: any bad row refuses the whole file, each row's problem named."""
    m = _coordinator(acting)
    if supplier.organization_id != m.organization_id:
        raise PermissionDenied(_("Only the group's coordinator does this."))
    try:
        rows, errors = parse_price_file(file_name, data)
    except PriceFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    errors += check_price_rows(rows, known_materials(m.organization.group_id))
    if errors:
        raise ValidationError(
            {"file": [_("Row %(row)s: %(msg)s") % {"row": e.row, "msg": e.message}
                      for e in sorted(errors, key=lambda e: e.row)]}
        )  # fmt: skip
    with transaction.atomic():
        Supplier.objects.select_for_update().get(pk=supplier.pk)
        PriceList.objects.filter(supplier=supplier, is_current=True).update(is_current=False)
        pl = PriceList.objects.create(
            supplier=supplier,
            organization=m.organization,
            source_name=(file_name or "")[:200],
            imported_by=acting.user,
        )
        PriceBreak.objects.bulk_create(
            PriceBreak(
                price_list=pl,
                material=r.material,
                thickness_mm=r.thickness_mm,
                sheet_w_mm=r.sheet_w_mm,
                sheet_l_mm=r.sheet_l_mm,
                min_qty=r.min_qty,
                max_qty=r.max_qty,
                unit_price_jpy=r.unit_price_jpy,
            )
            for r in rows
        )
        audit.record(
            acting, "purchasing.price_list.import", pl,
            changes={"supplier": supplier.name, "rows": len(rows), "file": pl.source_name},
        )  # fmt: skip
    return pl


# --- joint orders -------------------------------------------------------------------------------
@dataclass
class Made:
    orders: list[PurchaseOrder] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)  # items no supplier prices


def _breaks_in(line: PurchaseLine) -> tuple[BreakIn, ...]:
    return tuple(BreakIn(b[0], b[1], b[2]) for b in line.breaks)


def recompute(po: PurchaseOrder) -> None:
    """Price the order's lines at the breaks their totals reach and split it back to the
    shops (quoting.purchasing.split_order); a shop whose total changed must confirm again.
    Call with the order's row locked."""
    lines = list(po.lines.prefetch_related("shares"))
    out = split_order(
        [LineIn(ln.item, {s.shop_id: s.sheets for s in ln.shares.all()}, _breaks_in(ln))
         for ln in lines],
        po.delivery_fee_jpy,
    )  # fmt: skip
    for ln, priced in zip(lines, out.lines, strict=True):
        ln.sheets, ln.break_min_qty = priced.sheets, priced.break_min_qty
        ln.unit_price_jpy, ln.total_jpy = priced.unit_price_jpy, priced.total_jpy
        ln.save(update_fields=["sheets", "break_min_qty", "unit_price_jpy", "total_jpy"])
        by_shop = {s.shop_id: s for s in priced.shares}
        for share in ln.shares.all():
            got = by_shop[share.shop_id]
            share.alone_unit_jpy, share.cost_jpy = got.alone_unit_jpy, got.cost_jpy
            share.save(update_fields=["alone_unit_jpy", "cost_jpy"])
    existing = {s.shop_id: s for s in po.splits.all()}
    for shop in out.shops:
        split = existing.get(shop.shop_id) or PurchaseSplit(order=po, shop_id=shop.shop_id)
        changed = (split.sheets, split.total_jpy) != (shop.sheets, shop.total_jpy)
        split.sheets, split.material_jpy = shop.sheets, shop.material_jpy
        split.delivery_jpy, split.alone_jpy = shop.delivery_jpy, shop.alone_jpy
        if changed:
            split.confirmed_at, split.confirmed_by = None, None
        split.save()
    po.sheets, po.total_jpy, po.alone_jpy = out.sheets, out.total_jpy, out.alone_jpy
    po.save(update_fields=["sheets", "total_jpy", "alone_jpy"])


def do_create_orders(start: date, end: date, *, acting: Actor) -> Made:
    """The group's demand for the weeks from `start` to `end`, less what live orders
    already cover, as one draft order per supplier: each item goes to the supplier whose
    break for the group's whole quantity is cheapest."""
    m = _coordinator(acting)
    if end < start:
        raise ValidationError({"end": [_("The period ends before it starts.")]})
    group_id = m.organization.group_id
    made = Made()
    with transaction.atomic():
        Organization.objects.select_for_update(no_key=True).get(pk=m.organization_id)
        rows, _problems = selectors.group_sheet_demand(group_id)
        first, last = iso_week(start), iso_week(end)
        covered = selectors.covered_weeks(group_id)
        # item -> shop -> week -> sheets still to order
        need: dict[Item, dict[int, dict[str, int]]] = {}
        for r in rows:
            if not first <= r.week <= last:
                continue
            left = r.sheets - covered.get((r.shop_id, r.item, r.week), 0)
            if left > 0:
                need.setdefault(r.item, {}).setdefault(r.shop_id, {})[r.week] = left
        lists = selectors.price_lists_by_supplier(group_id, m.organization_id)
        by_supplier: dict[int, list[Item]] = {}
        for item in sorted(need, key=lambda i: (i.material, i.thickness_mm, i.sheet_mm)):
            total = sum(sum(w.values()) for w in need[item].values())
            chosen = cheapest_supplier(item, total, lists)
            if chosen is None:
                made.unpriced.append(f"{item.label}: {total}")
                continue
            by_supplier.setdefault(chosen, []).append(item)
        suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in=by_supplier)}
        for supplier_id, items in by_supplier.items():
            supplier = suppliers[supplier_id]
            po = PurchaseOrder.objects.create(
                organization=m.organization,
                supplier=supplier,
                period_start=start,
                period_end=end,
                delivery_fee_jpy=supplier.delivery_fee_jpy,
                created_by=acting.user,
            )
            po.number = f"JP-{po.pk:05d}"
            po.save(update_fields=["number"])
            for item in items:
                breaks = lists[supplier_id][item]
                line = PurchaseLine.objects.create(
                    order=po,
                    material=item.material,
                    thickness_mm=item.thickness_mm,
                    sheet_w_mm=item.sheet_w_mm,
                    sheet_l_mm=item.sheet_l_mm,
                    breaks=[[b.min_qty, b.unit_price_jpy, b.max_qty] for b in breaks],
                )
                for shop_id, weeks in sorted(need[item].items()):
                    sheets = sum(weeks.values())
                    PurchaseShare.objects.create(
                        line=line, order=po, shop_id=shop_id, demand_sheets=sheets,
                        weeks=weeks, sheets=sheets,
                    )  # fmt: skip
            recompute(po)
            audit.record(
                acting, "purchasing.order.create", po,
                changes={"supplier": supplier.name, "sheets": po.sheets, "total_jpy": po.total_jpy,
                         "period": [start.isoformat(), end.isoformat()]},
            )  # fmt: skip
            made.orders.append(po)
    return made


def _lock(po: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().select_related("supplier").get(pk=po.pk)


def _refuse_unless_draft(po: PurchaseOrder) -> None:
    if po.status != POStatus.DRAFT:
        raise Conflict(
            _("This order is already %(status)s.") % {"status": po.get_status_display().lower()}
        )


def do_adjust_share(share: PurchaseShare, sheets: int, *, acting: Actor) -> PurchaseShare:
    """The shop sets its sheets of one line (never below 0); the order is re-priced and
    re-split, and every shop whose part changed confirms again."""
    m = _shop(acting)
    if m.organization_id != share.shop_id:
        raise PermissionDenied(_("Only the shop whose share it is adjusts it."))
    if sheets is None or sheets < 0:
        raise ValidationError({"sheets": [_("A share cannot be below 0 sheets.")]})
    with transaction.atomic():
        po = _lock(share.order)
        _refuse_unless_draft(po)
        share = PurchaseShare.objects.select_related("line").get(pk=share.pk)
        before = share.sheets
        share.sheets = sheets
        share.save(update_fields=["sheets"])
        try:
            recompute(po)
        except PurchasingError as exc:
            raise ValidationError({"sheets": [str(exc)]}) from exc
        audit.record(
            acting, "purchasing.share.adjust", share,
            changes={"order": po.number, "from": before, "to": sheets},
        )  # fmt: skip
    return share


def do_confirm_split(po: PurchaseOrder, *, acting: Actor) -> PurchaseSplit:
    """The shop agrees to its part as it stands. Confirming again changes nothing."""
    m = _shop(acting)
    with transaction.atomic():
        po = _lock(po)
        _refuse_unless_draft(po)
        split = PurchaseSplit.objects.filter(order=po, shop_id=m.organization_id).first()
        if split is None:
            raise PermissionDenied(_("Your shop has no part in this order."))
        if split.confirmed_at is None:
            split.confirmed_at, split.confirmed_by = timezone.now(), acting.user
            split.save(update_fields=["confirmed_at", "confirmed_by"])
            audit.record(
                acting, "purchasing.split.confirm", split,
                changes={"order": po.number, "sheets": split.sheets, "total_jpy": split.total_jpy},
            )  # fmt: skip
    return split


def do_place_order(po: PurchaseOrder, *, acting: Actor) -> PurchaseOrder:
    """Placed once: the second of two at once waits for the lock, then finds it placed."""
    _coordinator(acting)
    with transaction.atomic():
        po = _lock(po)
        if po.status != POStatus.DRAFT:
            raise Conflict(_("This order was already placed."))
        if po.sheets == 0:
            raise Conflict(_("This order has no sheets left to buy."))
        waiting = list(
            PurchaseSplit.objects.filter(order=po, sheets__gt=0, confirmed_at=None)
            .select_related("shop")
            .order_by("shop__name")
        )
        if waiting:
            raise Conflict(
                _("Waiting for these shops to confirm their shares: %(shops)s.")
                % {"shops": ", ".join(s.shop.name for s in waiting)}
            )
        po.status, po.placed_at, po.placed_by = POStatus.PLACED, timezone.now(), acting.user
        po.save(update_fields=["status", "placed_at", "placed_by"])
        audit.record(
            acting, "purchasing.order.place", po,
            changes={"total_jpy": po.total_jpy, "saved_jpy": po.saved_jpy},
        )  # fmt: skip
        number = po.number
        transaction.on_commit(lambda: log.info("joint order %s placed", number))
    return po


def do_cancel_order(po: PurchaseOrder, *, acting: Actor) -> PurchaseOrder:
    """A draft only; its demand is free to be ordered again."""
    _coordinator(acting)
    with transaction.atomic():
        po = _lock(po)
        _refuse_unless_draft(po)
        po.status = POStatus.CANCELLED
        po.save(update_fields=["status"])
        audit.record(acting, "purchasing.order.cancel", po)
    return po


def do_receive(share: PurchaseShare, quantity: int, *, note: str = "", acting: Actor) -> Receipt:
    """Sheets of a share delivered: by the shop itself or the coordinator; never more
    than is outstanding. The order is received when every share is."""
    m = _writer(acting)
    if m.organization_id != share.shop_id and not selectors.is_coordinator(m):
        raise PermissionDenied(_("Only the shop or the coordinator records a delivery."))
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": [_("A delivery is at least 1 sheet.")]})
    with transaction.atomic():
        po = _lock(share.order)
        if po.status != POStatus.PLACED:
            raise Conflict(_("Only a placed order is received (this one is %(status)s).")
                           % {"status": po.get_status_display().lower()})  # fmt: skip
        share = PurchaseShare.objects.select_related("line", "shop").get(pk=share.pk)
        if quantity > share.outstanding:
            raise ValidationError(
                {"quantity": [_("%(q)s sheets is more than the %(left)s still to come.")
                              % {"q": quantity, "left": share.outstanding}]}
            )  # fmt: skip
        receipt = Receipt.objects.create(
            share=share, quantity=quantity, note=(note or "")[:300], received_by=acting.user
        )
        PurchaseShare.objects.filter(pk=share.pk).update(received=F("received") + quantity)
        if not PurchaseShare.objects.filter(order=po, received__lt=F("sheets")).exists():
            po.status, po.received_at = POStatus.RECEIVED, timezone.now()
            po.save(update_fields=["status", "received_at"])
        audit.record(
            acting, "purchasing.receipt", receipt, organization=m.organization,
            changes={"order": po.number, "shop": share.shop.name, "quantity": quantity},
        )  # fmt: skip
    return receipt
