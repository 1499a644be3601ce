"""Joint purchasing arithmetic: sheets a shop needs, price breaks, the joint order against
each shop buying alone, and the split of a joint order back to its shops, to the yen.

Pure: plain typed data in and out, no Django (the platform's `purchasing` app fetches the
rows, calls these functions and saves what they return).

How sheets are counted (`sheet_fraction`): a part goes on the smallest standard sheet of
its material it fits, with the profile's trim per side and part gap (the quote's own
`choose_sheet`). Each piece then takes the smaller of

- its bounding box over the sheet area times the profile's nesting utilisation — the
  quote's material rule, and what a shop that nests a week's parts together gets; and
- one over the parts a plain grid places on that sheet — a packing that certainly
  exists, so a large part is never counted at more than it (a 900 × 1800 part is one
  サブロク per piece, where area / 0.75 would say 1.3).

A part the grid fits only once on its sheet takes the whole sheet: what is left beside
it is an offcut, not room for the next job's parts.

Fractions are summed per shop, material, thickness, sheet size and week, and rounded up
once there: parts of different jobs share a sheet; a week's sheets do not.

How a joint order is split (`split_order`): unit prices are whole yen per sheet, so a
shop's material share is exactly its sheets × the joint unit price. Only the supplier's
delivery charge (one per order) is divided: each shop's share is the charge × its sheets
/ the order's sheets, rounded down to the yen; the yen left over go one each to the
largest remainders, ties to the lower shop id. The shares therefore sum to the order
total to the yen. Buying alone, a shop would pay its sheets × the unit price of the break
its own quantity reaches, and the whole delivery charge of its own order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .model import QuoteError, choose_sheet
from .profile import CostProfile

# A sum of sheet fractions within this of a whole number is that number: 9 × 1/3 must be
# 3 sheets, not 4.
SHEET_EPS = 1e-9

# The standard sheets (QUOTING.md): the names Japanese shops order by.
STANDARD_SHEETS: dict[tuple[int, int], str] = {
    (914, 1829): "サブロク",
    (1000, 2000): "メーターサイズ",
    (1219, 2438): "シハチ",
    (1524, 3048): "ゴトー",
}

# Material is needed this long before the due date when no operation is planned yet.
DEFAULT_LEAD_DAYS = 7


class PurchasingError(ValueError):
    """Input the arithmetic refuses; `code` is stable, the message says what to fix."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def sheet_name(sheet_mm: tuple[int, int]) -> str:
    name = STANDARD_SHEETS.get(sheet_mm)
    size = f"{sheet_mm[0]}×{sheet_mm[1]}"
    return f"{name} {size}" if name else size


# --- demand -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """What a supplier sells and a shop stocks: one sheet of a material, thickness, size."""

    material: str
    thickness_mm: float
    sheet_w_mm: int
    sheet_l_mm: int

    @property
    def sheet_mm(self) -> tuple[int, int]:
        return (self.sheet_w_mm, self.sheet_l_mm)

    @property
    def label(self) -> str:
        return f"{self.material} t{self.thickness_mm:g} {sheet_name(self.sheet_mm)}"


@dataclass(frozen=True)
class PartDemand:
    """Pieces of one part a shop must cut, and the day it needs the sheets."""

    shop_id: int
    material: str
    thickness_mm: float
    width_mm: float
    height_mm: float
    quantity: int
    need_date: date
    ref: str = ""  # the work it comes from, for the reader


@dataclass(frozen=True)
class SheetDemand:
    shop_id: int
    item: Item
    week: str  # ISO week, "2025-W07"
    sheets: int
    pieces: int
    parts: tuple[str, ...] = ()


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def need_date(
    due_date: date, first_operation_start: date | None, lead_days: int = DEFAULT_LEAD_DAYS
) -> date:
    """Sheets are needed when the first operation is planned to start; before a plan
    exists, `lead_days` before the due date."""
    if first_operation_start is not None:
        return first_operation_start
    return due_date - timedelta(days=lead_days)


def sheet_fraction(
    profile: CostProfile, material: str, width_mm: float, height_mm: float
) -> tuple[tuple[int, int], float]:
    """The standard sheet a piece goes on and the fraction of it one piece takes."""
    if material not in profile.materials:
        raise PurchasingError("UNKNOWN_MATERIAL", f"the cost profile has no material {material!r}")
    if width_mm <= 0 or height_mm <= 0:
        raise PurchasingError("BAD_SIZE", f"a part must have a size: {width_mm} × {height_mm} mm")
    try:
        (w, h), per_sheet = choose_sheet(profile, material, (width_mm, height_mm))
    except QuoteError as exc:
        raise PurchasingError("PART_LARGER_THAN_SHEET", str(exc)) from exc
    if per_sheet == 1:
        return (round(w), round(h)), 1.0
    by_area = width_mm * height_mm / (w * h * profile.nesting.utilization)
    return (round(w), round(h)), min(by_area, 1 / per_sheet)


def round_sheets(fraction: float) -> int:
    return math.ceil(fraction - SHEET_EPS) if fraction > SHEET_EPS else 0


def sheet_demand(
    parts: Iterable[PartDemand], profiles: Mapping[int, CostProfile]
) -> list[SheetDemand]:
    """Each shop's sheets per item and ISO week, with its own profile's nesting."""
    fractions: dict[tuple[int, Item, str], float] = defaultdict(float)
    pieces: dict[tuple[int, Item, str], int] = defaultdict(int)
    refs: dict[tuple[int, Item, str], list[str]] = defaultdict(list)
    for p in parts:
        if p.quantity <= 0:
            continue
        sheet, per_piece = sheet_fraction(profiles[p.shop_id], p.material, p.width_mm, p.height_mm)
        key = (p.shop_id, Item(p.material, p.thickness_mm, *sheet), iso_week(p.need_date))
        fractions[key] += per_piece * p.quantity
        pieces[key] += p.quantity
        if p.ref:
            refs[key].append(p.ref)
    rows = [
        SheetDemand(
            shop,
            item,
            week,
            round_sheets(f),
            pieces[(shop, item, week)],
            tuple(refs[(shop, item, week)]),
        )  # fmt: skip
        for (shop, item, week), f in fractions.items()
    ]
    return sorted(rows, key=lambda r: (r.week, r.item.material, r.item.thickness_mm,
                                       r.item.sheet_mm, r.shop_id))  # fmt: skip


# --- price breaks ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PriceBreak:
    min_qty: int
    unit_price_jpy: int
    max_qty: int | None = None  # None: and more


def price_break(breaks: Iterable[PriceBreak], quantity: int) -> PriceBreak:
    """The break a quantity reaches: the largest minimum at or below it. A quantity below
    the smallest minimum pays the smallest break's price (a list's first row is its list
    price)."""
    ordered = sorted(breaks, key=lambda b: b.min_qty)
    if not ordered:
        raise PurchasingError("NO_PRICE", "no price break for this item")
    reached = [b for b in ordered if b.min_qty <= quantity]
    return reached[-1] if reached else ordered[0]


@dataclass(frozen=True)
class PriceRow:
    """One row of a supplier's price list as read from a file (1-based row number)."""

    row: int
    material: str
    thickness_mm: float
    sheet_w_mm: int
    sheet_l_mm: int
    min_qty: int
    unit_price_jpy: int
    max_qty: int | None = None

    @property
    def item(self) -> Item:
        return Item(self.material, self.thickness_mm, self.sheet_w_mm, self.sheet_l_mm)


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


def check_price_rows(rows: list[PriceRow], materials: Iterable[str]) -> list[RowError]:
    """Every problem of a price list, by row; an empty list means it may be imported.

    Per item the breaks, in order of minimum quantity, must not share a minimum (duplicate),
    a break with a maximum must end right before the next one starts (overlap or gap
    otherwise), and a larger break must not cost more per sheet."""
    known = set(materials)
    errors: list[RowError] = []
    by_item: dict[Item, list[PriceRow]] = defaultdict(list)
    for r in rows:
        bad = False
        if r.material not in known:
            errors.append(RowError(r.row, f"unknown material {r.material!r}"))
            bad = True
        if r.thickness_mm <= 0:
            errors.append(RowError(r.row, "the thickness must be more than 0 mm"))
            bad = True
        if r.sheet_w_mm <= 0 or r.sheet_l_mm <= 0:
            errors.append(RowError(r.row, "the sheet size must be more than 0 mm"))
            bad = True
        if r.min_qty <= 0:
            errors.append(RowError(r.row, "the minimum quantity must be at least 1 sheet"))
            bad = True
        if r.max_qty is not None and r.max_qty < max(r.min_qty, 1):
            errors.append(RowError(r.row, "the maximum quantity is below the minimum"))
            bad = True
        if r.unit_price_jpy <= 0:
            errors.append(RowError(r.row, "the unit price must be more than 0 yen"))
            bad = True
        if not bad:
            by_item[r.item].append(r)
    for item, item_rows in by_item.items():
        ordered = sorted(item_rows, key=lambda r: (r.min_qty, r.row))
        for prev, cur in zip(ordered, ordered[1:], strict=False):
            if cur.min_qty == prev.min_qty:
                errors.append(RowError(cur.row, f"duplicate break: row {prev.row} already "
                                       f"prices {item.label} from {cur.min_qty} sheets"))  # fmt: skip
                continue
            if prev.max_qty is not None and prev.max_qty >= cur.min_qty:
                errors.append(RowError(cur.row, f"overlapping breaks: row {prev.row} runs to "
                                       f"{prev.max_qty} sheets, this row starts at "
                                       f"{cur.min_qty}"))  # fmt: skip
            elif prev.max_qty is not None and prev.max_qty + 1 < cur.min_qty:
                errors.append(RowError(cur.row, f"gap between breaks: nothing prices "
                                       f"{prev.max_qty + 1}–{cur.min_qty - 1} sheets"))  # fmt: skip
            if cur.unit_price_jpy > prev.unit_price_jpy:
                errors.append(RowError(cur.row, f"a larger break costs more per sheet than "
                                       f"row {prev.row}"))  # fmt: skip
    return sorted(errors, key=lambda e: e.row)


# --- the joint order and its split ----------------------------------------------------------
@dataclass(frozen=True)
class LineIn:
    """One item of a joint order: each shop's sheets and the supplier's breaks."""

    item: Item
    sheets_by_shop: Mapping[int, int]
    breaks: tuple[PriceBreak, ...]


@dataclass(frozen=True)
class ShareOut:
    shop_id: int
    sheets: int
    alone_unit_jpy: int  # the unit price of the break the shop reaches alone
    alone_jpy: int
    cost_jpy: int  # sheets × the joint unit price


@dataclass(frozen=True)
class LineOut:
    item: Item
    sheets: int
    break_min_qty: int
    unit_price_jpy: int
    total_jpy: int
    alone_jpy: int
    shares: tuple[ShareOut, ...]

    @property
    def saved_jpy(self) -> int:
        return self.alone_jpy - self.total_jpy


@dataclass(frozen=True)
class ShopSplit:
    """What one shop receives and pays of the whole order."""

    shop_id: int
    sheets: int
    material_jpy: int
    delivery_jpy: int
    alone_jpy: int  # material at its own breaks + the whole delivery charge

    @property
    def total_jpy(self) -> int:
        return self.material_jpy + self.delivery_jpy

    @property
    def saved_jpy(self) -> int:
        return self.alone_jpy - self.total_jpy


@dataclass(frozen=True)
class OrderOut:
    lines: tuple[LineOut, ...]
    delivery_jpy: int
    shops: tuple[ShopSplit, ...] = field(default=())

    @property
    def sheets(self) -> int:
        return sum(line.sheets for line in self.lines)

    @property
    def material_jpy(self) -> int:
        return sum(line.total_jpy for line in self.lines)

    @property
    def total_jpy(self) -> int:
        return self.material_jpy + (self.delivery_jpy if self.sheets else 0)

    @property
    def alone_jpy(self) -> int:
        return sum(s.alone_jpy for s in self.shops)

    @property
    def saved_jpy(self) -> int:
        return self.alone_jpy - self.total_jpy


def joint_line(line: LineIn) -> LineOut:
    for shop_id, sheets in line.sheets_by_shop.items():
        if sheets < 0:
            raise PurchasingError("NEGATIVE_SHARE", f"shop {shop_id}: a share cannot be below 0")
    total = sum(line.sheets_by_shop.values())
    joint = price_break(line.breaks, total)
    shares = []
    for shop_id in sorted(line.sheets_by_shop):
        sheets = line.sheets_by_shop[shop_id]
        alone = price_break(line.breaks, sheets)
        shares.append(ShareOut(shop_id, sheets, alone.unit_price_jpy,
                               sheets * alone.unit_price_jpy, sheets * joint.unit_price_jpy))  # fmt: skip
    return LineOut(
        item=line.item,
        sheets=total,
        break_min_qty=joint.min_qty,
        unit_price_jpy=joint.unit_price_jpy,
        total_jpy=total * joint.unit_price_jpy,
        alone_jpy=sum(s.alone_jpy for s in shares),
        shares=tuple(shares),
    )


def split_yen(total_jpy: int, weights: Mapping[int, int]) -> dict[int, int]:
    """`total_jpy` in proportion to `weights`: rounded down, the leftover yen one each to
    the largest remainders, ties to the lower id. Sums to `total_jpy` exactly."""
    if total_jpy < 0 or any(w < 0 for w in weights.values()):
        raise PurchasingError("NEGATIVE", "cannot split a negative amount or by a negative weight")
    whole = sum(weights.values())
    if whole == 0:
        return dict.fromkeys(weights, 0)
    base = {k: total_jpy * w // whole for k, w in weights.items()}
    remainders = {k: total_jpy * w % whole for k, w in weights.items()}
    left = total_jpy - sum(base.values())
    for k in sorted(weights, key=lambda k: (-remainders[k], k))[:left]:
        base[k] += 1
    return base


def split_order(lines: Iterable[LineIn], delivery_jpy: int) -> OrderOut:
    """The joint order priced at the breaks its total quantities reach, and each shop's
    part of it against buying alone (see the module's docstring for the rounding)."""
    if delivery_jpy < 0:
        raise PurchasingError("NEGATIVE", "the delivery charge cannot be below 0 yen")
    outs = tuple(joint_line(line) for line in lines)
    sheets: dict[int, int] = defaultdict(int)
    material: dict[int, int] = defaultdict(int)
    alone: dict[int, int] = defaultdict(int)
    for out in outs:
        for s in out.shares:
            sheets[s.shop_id] += s.sheets
            material[s.shop_id] += s.cost_jpy
            alone[s.shop_id] += s.alone_jpy
    delivery = split_yen(delivery_jpy if sum(sheets.values()) else 0, sheets)
    shops = tuple(
        ShopSplit(
            shop_id=shop,
            sheets=sheets[shop],
            material_jpy=material[shop],
            delivery_jpy=delivery[shop],
            alone_jpy=alone[shop] + (delivery_jpy if sheets[shop] else 0),
        )
        for shop in sorted(sheets)
    )
    return OrderOut(outs, delivery_jpy, shops)


def cheapest_supplier(
    item: Item, quantity: int, lists: Mapping[int, Mapping[Item, tuple[PriceBreak, ...]]]
) -> int | None:
    """The supplier whose break for this quantity is cheapest per sheet (lower id on a
    tie); None when no supplier prices the item."""
    best: tuple[int, int] | None = None
    for supplier_id in sorted(lists):
        breaks = lists[supplier_id].get(item)
        if not breaks:
            continue
        unit = price_break(breaks, quantity).unit_price_jpy
        if best is None or unit < best[0]:
            best = (unit, supplier_id)
    return best[1] if best else None
