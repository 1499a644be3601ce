"""Reads of joint purchasing, through `visible_to`.

`savings_by_month` is the contract the insight app reads (keep its signature).

Demand: a shop's accepted work that is planned and not yet started (once cutting starts
its sheets are on the machine) needs its sheets in the ISO week of its first operation's
planned start, or, before it is planned, `DEFAULT_LEAD_DAYS` before its due date. Each
shop's sheets come from its own current cost profile (the default profile while it has
none); the arithmetic and its rounding are quoting/purchasing.py's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Min, QuerySet
from django.http import Http404
from django.utils import timezone

from production.models import Work, WorkStatus
from quoting.profile import CostProfile
from quoting.purchasing import (
    Item,
    PartDemand,
    PurchasingError,
    SheetDemand,
    iso_week,
    need_date,
    sheet_demand,
    sheet_fraction,
)
from quoting.purchasing import (
    PriceBreak as BreakIn,
)
from shops.selectors import profiles_for_quotes
from tenancy.models import Membership, Organization, OrgKind
from tenancy.scoping import get_visible_or_404

from .models import (
    LIVE_STATUSES,
    PLACED_STATUSES,
    Offcut,
    OffcutStatus,
    PriceBreak,
    PriceList,
    PurchaseOrder,
    PurchaseShare,
    PurchaseSplit,
    Receipt,
    Stock,
    Supplier,
)

SHOP_KINDS = (OrgKind.MEMBER_SHOP, OrgKind.COORDINATOR)


# --- the contract the insight app reads -------------------------------------------------------
def savings_by_month(group_id: int, start: date, end: date) -> list[dict]:
    """Per month and shop, for the group's joint orders placed from `start` to `end`
    (both included, by the placing day in the site's time zone): what the shop paid
    (`spent_jpy`: its material at the joint price + its part of the delivery charge) and
    what it saved against buying the same sheets alone at its own break (`saved_jpy`).
    Rows {"month": date (first day), "shop_id", "saved_jpy", "spent_jpy"}, by month then
    shop; shops with no sheets in an order are left out. Not scoped: the caller (insight)
    decides who may see which shop's rows."""
    splits = (
        PurchaseSplit.objects.filter(
            order__organization__group_id=group_id,
            order__status__in=PLACED_STATUSES,
            order__placed_at__isnull=False,
            sheets__gt=0,
        )
        .select_related("order")
        .order_by()
    )
    saved: dict[tuple[date, int], int] = defaultdict(int)
    spent: dict[tuple[date, int], int] = defaultdict(int)
    for s in splits:
        placed = timezone.localtime(s.order.placed_at).date()  # type: ignore[arg-type]
        if not start <= placed <= end:
            continue
        key = (placed.replace(day=1), s.shop_id)
        saved[key] += s.saved_jpy
        spent[key] += s.total_jpy
    return [
        {"month": month, "shop_id": shop, "saved_jpy": saved[(month, shop)],
         "spent_jpy": spent[(month, shop)]}
        for month, shop in sorted(spent)
    ]  # fmt: skip


# --- who is who -------------------------------------------------------------------------------
def is_coordinator(membership: Membership | None) -> bool:
    return membership is not None and membership.organization.kind == OrgKind.COORDINATOR


def is_shop(membership: Membership | None) -> bool:
    return membership is not None and membership.organization.kind in SHOP_KINDS


def group_shops(membership: Membership | None) -> QuerySet[Organization]:
    return Organization.objects.visible_to(membership).filter(kind__in=SHOP_KINDS).order_by("name")  # type: ignore[attr-defined]


# --- demand -----------------------------------------------------------------------------------
@dataclass
class Demand:
    """Sheets per shop, item and week. `rows` are those the reader may see in detail (its
    own; the coordinator's: every shop's); `totals` are the group's, per item and week,
    with no shop, customer or price in them."""

    rows: list[SheetDemand]
    totals: dict[tuple[Item, str], int]
    weeks: list[str]
    problems: list[str] = field(default_factory=list)


def _profiles(group_id: int) -> dict[int, CostProfile]:
    from tenancy.models import SupplierGroup

    group = SupplierGroup.objects.get(pk=group_id)
    return {row.shop_id: profile for row, profile in profiles_for_quotes(group)}


def group_part_demand(group_id: int) -> tuple[list[PartDemand], list[str]]:
    """Every planned, not yet started work of the group's shops as pieces to cut, and the
    works that cannot be counted (with why). Internal: callers scope what they show."""
    works = (
        Work.objects.filter(shop__group_id=group_id, status=WorkStatus.PLANNED)
        .select_related("line__part", "line__order", "shop")
        .annotate(first_start=Min("operations__start"))
        .order_by("due_date", "id")
    )
    profiles = _profiles(group_id)
    default = CostProfile.default()
    parts: list[PartDemand] = []
    problems: list[str] = []
    for w in works:
        line = w.line
        profile = profiles.get(w.shop_id, default)
        first = timezone.localtime(w.first_start).date() if w.first_start else None  # type: ignore[attr-defined]
        part = PartDemand(
            shop_id=w.shop_id,
            material=line.material,
            thickness_mm=line.thickness_mm,
            width_mm=line.part.width_mm,
            height_mm=line.part.height_mm,
            quantity=line.quantity,
            need_date=need_date(w.due_date, first),
            ref=f"work:{w.pk}",
        )
        try:
            sheet_fraction(profile, part.material, part.width_mm, part.height_mm)
        except PurchasingError as exc:
            problems.append(f"{w.shop.name} {line.order.number}-{line.number}: {exc}")
            continue
        parts.append(part)
    return parts, problems


def group_sheet_demand(group_id: int) -> tuple[list[SheetDemand], list[str]]:
    parts, problems = group_part_demand(group_id)
    profiles = _profiles(group_id)
    default = CostProfile.default()
    by_shop = {p.shop_id: profiles.get(p.shop_id, default) for p in parts}
    return sheet_demand(parts, by_shop), problems


def demand(
    membership: Membership | None, start: date | None = None, end: date | None = None
) -> Demand:
    if not is_shop(membership):
        return Demand([], {}, [])
    assert membership is not None
    rows, problems = group_sheet_demand(membership.organization.group_id)
    if start is not None:
        rows = [r for r in rows if r.week >= iso_week(start)]
    if end is not None:
        rows = [r for r in rows if r.week <= iso_week(end)]
    totals: dict[tuple[Item, str], int] = defaultdict(int)
    for r in rows:
        totals[(r.item, r.week)] += r.sheets
    if not is_coordinator(membership):
        mine = membership.organization_id
        rows = [r for r in rows if r.shop_id == mine]
        problems = [p for p in problems if p.startswith(membership.organization.name + " ")]
    weeks = sorted({w for _, w in totals})
    return Demand(rows, dict(totals), weeks, problems)


def covered_weeks(group_id: int) -> dict[tuple[int, Item, str], int]:
    """Sheets of each shop's demand, per item and week, already in a live joint order
    (draft, placed or received): not ordered again."""
    covered: dict[tuple[int, Item, str], int] = defaultdict(int)
    shares = PurchaseShare.objects.filter(
        order__organization__group_id=group_id, order__status__in=LIVE_STATUSES
    ).select_related("line")
    for s in shares:
        for week, sheets in (s.weeks or {}).items():
            covered[(s.shop_id, s.line.item, week)] += int(sheets)
    return covered


# --- stock and offcuts --------------------------------------------------------------------------
def stock(membership: Membership | None) -> QuerySet[Stock]:
    return (
        Stock.objects.visible_to(membership)
        .select_related("shop")
        .order_by(  # type: ignore[attr-defined]
            "shop__name", "material", "thickness_mm", "sheet_w_mm"
        )
    )


def stock_row(membership: Membership | None, stock_id: object) -> Stock:
    return get_visible_or_404(Stock.objects.select_related("shop"), membership, pk=stock_id)


def offcuts(membership: Membership | None) -> QuerySet[Offcut]:
    qs = Offcut.objects.visible_to(membership).select_related("shop", "claimed_by")  # type: ignore[attr-defined]
    if not is_shop(membership):  # a lead firm is in the group but has no use for remnants
        return qs.none()
    return qs


def available_offcuts(membership: Membership | None) -> QuerySet[Offcut]:
    return offcuts(membership).filter(status=OffcutStatus.AVAILABLE)


def offcut(membership: Membership | None, offcut_id: object) -> Offcut:
    return get_visible_or_404(offcuts(membership), membership, pk=offcut_id)


# --- suppliers and prices ----------------------------------------------------------------------
def suppliers(membership: Membership | None) -> QuerySet[Supplier]:
    return Supplier.objects.visible_to(membership)  # type: ignore[attr-defined]


def supplier(membership: Membership | None, supplier_id: object) -> Supplier:
    return get_visible_or_404(Supplier.objects.all(), membership, pk=supplier_id)


def current_breaks(membership: Membership | None, supplier_obj: Supplier) -> QuerySet[PriceBreak]:
    lists = PriceList.objects.visible_to(membership).filter(  # type: ignore[attr-defined]
        supplier=supplier_obj, is_current=True
    )
    return PriceBreak.objects.filter(price_list__in=lists)


def price_lists_by_supplier(
    group_id: int, organization_id: int
) -> dict[int, dict[Item, tuple[BreakIn, ...]]]:
    """Every current price list of the coordinator's suppliers, as the core reads them."""
    lists: dict[int, dict[Item, list[BreakIn]]] = defaultdict(lambda: defaultdict(list))
    rows = PriceBreak.objects.filter(
        price_list__is_current=True, price_list__organization_id=organization_id
    ).select_related("price_list")
    for b in rows:
        lists[b.price_list.supplier_id][b.item].append(
            BreakIn(b.min_qty, b.unit_price_jpy, b.max_qty)
        )
    return {s: {i: tuple(bs) for i, bs in items.items()} for s, items in lists.items()}


# --- joint orders ---------------------------------------------------------------------------
def orders(membership: Membership | None) -> QuerySet[PurchaseOrder]:
    """The coordinator: every joint order it made; a shop: those it has a part in."""
    if is_coordinator(membership):
        qs = PurchaseOrder.objects.visible_to(membership)  # type: ignore[attr-defined]
    else:
        mine = PurchaseSplit.objects.visible_to(membership).values("order_id")  # type: ignore[attr-defined]
        qs = PurchaseOrder.objects.filter(pk__in=mine)
    return qs.select_related("supplier").order_by("-created_at", "-id")


def order(membership: Membership | None, order_id: object) -> PurchaseOrder:
    """Another group's order, and one a shop has no part in, answer 404."""
    try:
        return orders(membership).get(pk=order_id)
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def splits(membership: Membership | None, po: PurchaseOrder) -> QuerySet[PurchaseSplit]:
    """The coordinator: every shop's split; a shop: its own."""
    return (
        PurchaseSplit.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(order=po)
        .select_related("shop", "confirmed_by")
        .order_by("shop__name")
    )


def shares(membership: Membership | None, po: PurchaseOrder) -> QuerySet[PurchaseShare]:
    return (
        PurchaseShare.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(order=po)
        .select_related("line", "shop")
        .order_by("line_id", "shop__name")
    )


def share(membership: Membership | None, share_id: object) -> PurchaseShare:
    return get_visible_or_404(
        PurchaseShare.objects.select_related("line", "order", "shop"), membership, pk=share_id
    )


def receipts(membership: Membership | None, po: PurchaseOrder) -> QuerySet[Receipt]:
    return (
        Receipt.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(share__order=po)
        .select_related("share__line", "share__shop", "received_by")
    )
