"""Group insight: the figures a supplier group shows its members, its bank and its town.

Every figure is computed for one reader (a membership) over one `Period` of whole
calendar months in the server's time zone (Asia/Tokyo), and comes back as plain rows.

Who sees what
- the coordinating shop: every member by name, and the group's totals;
- a member shop: its own figures, and the group's totals (never another member's by
  name);
- a lead firm: its own orders' figures (the win rate of its requests, their turnaround,
  the on-time rate of its lines), and the group's totals;
- anyone else (another group, a disabled membership): nothing of this group.

Own and per-member figures are read through the apps' scoped querysets
(`Model.objects.visible_to(membership)`, tenancy/scoping.py), so they can never hold
more than the reader may see row by row. A group total is a sum over the whole group,
read by group id: it names no member, so every member of the group may see it (as the
allocation reads every shop's capacity to compute with, shops/selectors.py). In a group
of two shops a member can subtract its own figure from the total: that is the price of
showing a total at all.

Rows whose `org_id` is None are the group's totals.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from offers.models import Offer, OfferStatus
from orders.models import Order
from production.models import Operation, Work, WorkStatus
from quoting.processes import PROCESSES
from shops.models import ShopCapability
from tenancy.models import Membership, Organization, OrgKind, SupplierGroup

MAX_MONTHS = 24
DEFAULT_MONTHS = 6
HOUR_S = 3600.0
DAYS_PER_WEEK = 7

# What the reader's organisation makes of the figures.
GROUP_VIEW = "group"  # the coordinator: everyone by name
SHOP_VIEW = "shop"  # a member shop: itself and the totals
BUYER_VIEW = "buyer"  # a lead firm: its orders and the totals
NO_VIEW = "none"

SHOP_KINDS = (OrgKind.MEMBER_SHOP, OrgKind.COORDINATOR)

# Answers a shop gives to an offer. A lapsed offer was never answered; a counter-offer's
# time runs to the coordinator's decision when it has one (the offer keeps one answer time).
ANSWERED = (
    OfferStatus.ACCEPTED,
    OfferStatus.DECLINED,
    OfferStatus.COUNTERED,
    OfferStatus.REJECTED,
)

REQUEST_TO_ORDER = "request_to_order"
OFFER_TO_ANSWER = "offer_to_answer"


# -- the period ---------------------------------------------------------------------------------
def add_months(day: date, n: int) -> date:
    """The first day of the month `n` months after `day`'s month."""
    k = day.year * 12 + (day.month - 1) + n
    return date(k // 12, k % 12 + 1, 1)


def _month(text: str) -> date:
    year, _, month = text.strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(year), int(month), 1)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    """Whole calendar months: from the first day of `first`'s month, `months` long."""

    first: date
    months: int = 1

    def __post_init__(self) -> None:
        if self.first.day != 1:
            raise ValueError("a period starts on the first day of a month")
        if not 1 <= self.months <= MAX_MONTHS:
            raise ValueError(f"a period is 1 to {MAX_MONTHS} months long")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), 1)

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """From `first`'s month to `last`'s month, both included."""
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        return cls(first.replace(day=1), months)

    @classmethod
    def parse(cls, first: str, last: str | None = None) -> Period:
        """From "YYYY-MM" to "YYYY-MM" (the same month when `last` is empty); ValueError
        on anything else, a period backwards or longer than MAX_MONTHS."""
        start = _month(first)
        end = _month(last) if last else start
        if end < start:
            raise ValueError("the period ends before it starts")
        return cls.between(start, end)

    @classmethod
    def last_months(cls, today: date, months: int = DEFAULT_MONTHS) -> Period:
        """The `months` months that end with `today`'s."""
        return cls(add_months(today.replace(day=1), 1 - months), months)

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.first, self.months)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def month_starts(self) -> tuple[date, ...]:
        return tuple(add_months(self.first, k) for k in range(self.months))

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end_at(self) -> datetime:
        return local_midnight(self.end)

    @property
    def week_starts(self) -> tuple[date, ...]:
        """The Mondays of the ISO weeks that overlap the period."""
        monday = self.first - timedelta(days=self.first.weekday())
        out = []
        while monday < self.end:
            out.append(monday)
            monday += timedelta(days=DAYS_PER_WEEK)
        return tuple(out)

    @property
    def label(self) -> str:
        last = self.last_day
        if self.months == 1:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m} – {last:%Y-%m}"


def month_label(day: date) -> str:
    return f"{day:%Y-%m}"


def week_label(monday: date) -> str:
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


# -- the rows -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShareRow:
    """Work shared: the accepted work a shop took on in one month.

    `hours` are the hours the accepting shop quoted for the line (the sum over its
    processes, as the allocation counts a shop's load and fairness); `yen` the accepted
    offer's price (after an accepted counter-offer, that price). A work is counted in the
    month it was accepted (the work's creation at acceptance); a work later moved to
    another shop by a re-allocation is not counted at the shop it left (the shop that
    takes it over counts it when it accepts). `share` is the shop's hours over the
    group's hours that month (None when the group had none); `target_share` the
    coordinator's fairness target for the shop (None when none is set).
    """

    month: date
    org_id: int | None
    org: str
    hours: float
    yen: int
    share: float | None
    target_share: float | None


@dataclass(frozen=True)
class OnTimeRow:
    """On-time delivery of the works closed in the period (closed = the buyer received
    every piece). The date that counts is the day the last shipment was received (its
    `received_at`, in the server's time zone) or, when no receipt is recorded, the day the
    work was closed; a work is on time when that date is on or before the date promised
    to the buyer (`Work.due_date`: the offer's date, or a later one the coordinator
    approved after a disruption)."""

    org_id: int | None
    org: str
    closed: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None


@dataclass(frozen=True)
class WinRateRow:
    """Quote win rate: of the requests a lead firm made in the period (every order row
    created then, however it ended), how many became placed orders (were placed, at once
    or later; a request still open counts as not won)."""

    org_id: int | None
    org: str
    requests: int
    placed: int

    @property
    def rate(self) -> float | None:
        return self.placed / self.requests if self.requests else None


@dataclass(frozen=True)
class TurnaroundRow:
    """Median turnaround, in hours.

    `request_to_order`: orders placed in the period, from the request's creation to its
    placing (an order placed at once counts 0 h). `offer_to_answer`: offers answered in
    the period (accepted, declined or counter-offered; a lapsed offer has no answer), from
    the offer's creation to the answer."""

    kind: str
    org_id: int | None
    org: str
    count: int
    median_h: float | None


@dataclass(frozen=True)
class LoadRow:
    """Load per process: machine hours of planned operations (end − start on its
    machine, whatever the machine's speed) per process in one ISO week, Monday 00:00 to
    Monday 00:00; an operation across a week's end counts in each week for its part
    there. Operations of works moved to another shop are left out."""

    week_start: date
    process: str
    org_id: int | None
    org: str
    hours: float


@dataclass(frozen=True)
class SavingRow:
    """Material saved by joint buying in one month: the yen a shop would have paid buying
    its share alone at its own price break, less what it paid in the joint order
    (`saved_jpy`), and what it paid (`spent_jpy`). From the purchasing app."""

    month: date
    org_id: int | None
    org: str
    saved_jpy: int
    spent_jpy: int


@dataclass(frozen=True)
class Insight:
    """Every figure of one reader over one period. `savings` is None while no joint order
    exists to read (the purchasing app is not there, or has nothing in the period)."""

    period: Period
    view: str
    group_id: int | None
    group_name: str
    org_name: str
    shares: list[ShareRow] = field(default_factory=list)
    on_time: list[OnTimeRow] = field(default_factory=list)
    win_rate: list[WinRateRow] = field(default_factory=list)
    turnaround: list[TurnaroundRow] = field(default_factory=list)
    load: list[LoadRow] = field(default_factory=list)
    savings: list[SavingRow] | None = None


# -- who reads ----------------------------------------------------------------------------------
def view_of(membership: Membership | None) -> str:
    if membership is None or not membership.is_active or not membership.user.is_active:
        return NO_VIEW
    kind = membership.organization.kind
    if kind == OrgKind.COORDINATOR:
        return GROUP_VIEW
    if kind == OrgKind.MEMBER_SHOP:
        return SHOP_VIEW
    if kind == OrgKind.LEAD_FIRM:
        return BUYER_VIEW
    return NO_VIEW


def _names(membership: Membership, kinds: Iterable[str]) -> dict[int, str]:
    """The group's organisations of those kinds the reader may name, by id (name order)."""
    rows = (
        Organization.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(kind__in=list(kinds))
        .order_by("name")
        .values_list("pk", "name")
    )
    return dict(rows)


def _shops_named(membership: Membership, view: str) -> dict[int, str]:
    """The shops whose figures the reader sees by name: the coordinator every shop of the
    group, a member shop itself, a lead firm none (it sees the group's totals)."""
    if view == GROUP_VIEW:
        return _names(membership, SHOP_KINDS)
    if view == SHOP_VIEW:
        return {membership.organization_id: membership.organization.name}
    return {}


# -- the pure parts -----------------------------------------------------------------------------
def month_of(at: datetime) -> date:
    return timezone.localtime(at).date().replace(day=1)


def quoted_hours(quote: list[dict[str, Any]] | None, shop_id: int) -> float:
    """The hours the shop quoted for a line: the sum over its processes."""
    for q in quote or []:
        if q.get("shop_id") == shop_id and not q.get("refused"):
            return float(sum((q.get("hours") or {}).values()))
    return 0.0


def median_h(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) / HOUR_S, 1) if seconds else None


def on_time(last_receipt: datetime | None, closed_at: datetime | None, due: date) -> bool:
    """The work's delivery date (see OnTimeRow) is on or before its promised date."""
    counted = last_receipt or closed_at
    if counted is None:
        return False
    return timezone.localtime(counted).date() <= due


def hours_per_week(
    spans: Iterable[tuple[str, datetime, datetime]], mondays: tuple[date, ...]
) -> dict[tuple[date, str], float]:
    """Machine hours per (week, process): each span clipped to each week it overlaps."""
    bounds = [local_midnight(d) for d in (*mondays, mondays[-1] + timedelta(DAYS_PER_WEEK))]
    out: dict[tuple[date, str], float] = {}
    for process, start, end in spans:
        for k, monday in enumerate(mondays):
            inside_s = (min(end, bounds[k + 1]) - max(start, bounds[k])).total_seconds()
            if inside_s > 0:
                key = (monday, process)
                out[key] = out.get(key, 0.0) + inside_s / HOUR_S
    return out


# -- work shared --------------------------------------------------------------------------------
def work_shared(membership: Membership, period: Period) -> list[ShareRow]:
    """Per month: each shop the reader may name, then the group's total (see ShareRow)."""
    view = view_of(membership)
    if view == NO_VIEW:
        return []
    group = membership.organization.group
    in_period = Q(created_at__gte=period.start_at, created_at__lt=period.end_at) & ~Q(
        status=WorkStatus.MOVED
    )
    fields = ("shop_id", "created_at", "offer__price_jpy", "line__quote")

    def sums(rows: Iterable[tuple[int, datetime, int, list]]) -> dict[tuple[date, int], list]:
        out: dict[tuple[date, int], list] = {}
        for shop_id, created_at, price_jpy, quote in rows:
            acc = out.setdefault((month_of(created_at), shop_id), [0.0, 0])
            acc[0] += quoted_hours(quote, shop_id)
            acc[1] += price_jpy
        return out

    group_sums = sums(
        Work.objects.filter(in_period, shop__group=group).order_by().values_list(*fields)
    )
    totals: dict[date, list] = {}
    for (month, _shop), (hours, yen) in group_sums.items():
        acc = totals.setdefault(month, [0.0, 0])
        acc[0] += hours
        acc[1] += yen

    shops = _shops_named(membership, view)
    own = sums(
        Work.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(in_period, shop_id__in=list(shops))
        .order_by()
        .values_list(*fields)
    )
    targets = dict(
        ShopCapability.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(shop_id__in=list(shops))
        .values_list("shop_id", "target_share")
    )
    out: list[ShareRow] = []
    for month in period.month_starts:
        group_h, group_yen = totals.get(month, [0.0, 0])
        for shop_id, name in shops.items():
            hours, yen = own.get((month, shop_id), [0.0, 0])
            out.append(
                ShareRow(
                    month,
                    shop_id,
                    name,
                    round(hours, 2),
                    yen,
                    round(hours / group_h, 4) if group_h else None,
                    targets.get(shop_id) or None,
                )
            )
        out.append(
            ShareRow(
                month,
                None,
                group.name,
                round(group_h, 2),
                group_yen,
                1.0 if group_h else None,
                None,
            )
        )
    return out


# -- on-time ------------------------------------------------------------------------------------
def on_time_rate(membership: Membership, period: Period) -> list[OnTimeRow]:
    """Each shop (coordinator), the reader's own shop or own lines, then the group."""
    view = view_of(membership)
    if view == NO_VIEW:
        return []
    group = membership.organization.group
    closed = Q(
        status=WorkStatus.CLOSED, closed_at__gte=period.start_at, closed_at__lt=period.end_at
    )

    def rows(qs: Any, key: str) -> list[tuple[int, bool]]:
        found = (
            qs.filter(closed)
            .annotate(last_receipt=Max("shipments__received_at"))
            .order_by()
            .values_list(key, "last_receipt", "closed_at", "due_date")
        )
        return [(k, on_time(r, c, d)) for k, r, c, d in found]

    def counted(pairs: list[tuple[int, bool]], org_id: int | None, name: str) -> OnTimeRow:
        mine = [ok for k, ok in pairs if org_id is None or k == org_id]
        return OnTimeRow(org_id, name, len(mine), sum(mine))

    visible = Work.objects.visible_to(membership)  # type: ignore[attr-defined]
    out: list[OnTimeRow] = []
    if view == GROUP_VIEW:
        pairs = rows(visible, "shop_id")
        out = [counted(pairs, i, n) for i, n in _names(membership, SHOP_KINDS).items()]
    elif view == SHOP_VIEW:
        org = membership.organization
        out = [counted(rows(visible.filter(shop=org), "shop_id"), org.pk, org.name)]
    else:
        org = membership.organization
        out = [counted(rows(visible.filter(buyer=org), "buyer_id"), org.pk, org.name)]
    out.append(counted(rows(Work.objects.filter(shop__group=group), "shop_id"), None, group.name))
    return out


# -- quote win rate -----------------------------------------------------------------------------
def win_rate(membership: Membership, period: Period) -> list[WinRateRow]:
    """Each lead firm (coordinator) or the reader's own firm, then the group."""
    view = view_of(membership)
    if view == NO_VIEW:
        return []
    group = membership.organization.group
    made = Q(created_at__gte=period.start_at, created_at__lt=period.end_at)

    def counted(qs: Any) -> dict[int, tuple[int, int]]:
        out: dict[int, list[int]] = {}
        for buyer_id, placed_at in qs.filter(made).order_by().values_list("buyer_id", "placed_at"):
            acc = out.setdefault(buyer_id, [0, 0])
            acc[0] += 1
            acc[1] += placed_at is not None
        return {k: (v[0], v[1]) for k, v in out.items()}

    if view == GROUP_VIEW:
        buyers = _names(membership, [OrgKind.LEAD_FIRM])
    elif view == BUYER_VIEW:
        buyers = {membership.organization_id: membership.organization.name}
    else:
        buyers = {}
    own = counted(
        Order.objects.visible_to(membership).filter(buyer_id__in=list(buyers))  # type: ignore[attr-defined]
    )
    out = [WinRateRow(i, n, *own.get(i, (0, 0))) for i, n in buyers.items()]
    every = counted(Order.objects.filter(buyer__group=group))
    out.append(
        WinRateRow(
            None, group.name, sum(r for r, _ in every.values()), sum(p for _, p in every.values())
        )
    )
    return out


# -- turnaround ---------------------------------------------------------------------------------
def turnaround(membership: Membership, period: Period) -> list[TurnaroundRow]:
    """Request → order per lead firm the reader may name, offer → answer per shop the
    reader may name, and both for the group (see TurnaroundRow)."""
    view = view_of(membership)
    if view == NO_VIEW:
        return []
    group = membership.organization.group

    def by_org(rows: Iterable[tuple[int, datetime, datetime]]) -> dict[int | None, list[float]]:
        out: dict[int | None, list[float]] = {None: []}
        for org_id, begin, end in rows:
            seconds = max(0.0, (end - begin).total_seconds())
            out.setdefault(org_id, []).append(seconds)
            out[None].append(seconds)
        return out

    placed = Q(placed_at__gte=period.start_at, placed_at__lt=period.end_at)
    answered = Q(
        status__in=ANSWERED, answered_at__gte=period.start_at, answered_at__lt=period.end_at
    )
    order_fields = ("buyer_id", "created_at", "placed_at")
    offer_fields = ("shop_id", "created_at", "answered_at")

    if view == GROUP_VIEW:
        buyers = _names(membership, [OrgKind.LEAD_FIRM])
        shops = _names(membership, SHOP_KINDS)
    elif view == SHOP_VIEW:
        buyers, shops = {}, {membership.organization_id: membership.organization.name}
    else:
        buyers, shops = {membership.organization_id: membership.organization.name}, {}

    own_orders = by_org(
        Order.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(placed, buyer_id__in=list(buyers))
        .order_by()
        .values_list(*order_fields)
    )
    own_offers = by_org(
        Offer.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(answered, shop_id__in=list(shops))
        .order_by()
        .values_list(*offer_fields)
    )
    all_orders = by_org(
        Order.objects.filter(placed, buyer__group=group).order_by().values_list(*order_fields)
    )
    all_offers = by_org(
        Offer.objects.filter(answered, shop__group=group).order_by().values_list(*offer_fields)
    )

    def row(kind: str, found: dict, org_id: int | None, name: str) -> TurnaroundRow:
        seconds = found.get(org_id, [])
        return TurnaroundRow(kind, org_id, name, len(seconds), median_h(seconds))

    out = [row(REQUEST_TO_ORDER, own_orders, i, n) for i, n in buyers.items()]
    out.append(row(REQUEST_TO_ORDER, all_orders, None, group.name))
    out += [row(OFFER_TO_ANSWER, own_offers, i, n) for i, n in shops.items()]
    out.append(row(OFFER_TO_ANSWER, all_offers, None, group.name))
    return out


# -- load per process ---------------------------------------------------------------------------
def load_per_process(membership: Membership, period: Period) -> list[LoadRow]:
    """Per ISO week overlapping the period and process: each shop the reader may name,
    then the group (see LoadRow). A lead firm sees the group's load only."""
    view = view_of(membership)
    if view == NO_VIEW:
        return []
    group = membership.organization.group
    mondays = period.week_starts
    window = Q(
        start__lt=local_midnight(mondays[-1] + timedelta(DAYS_PER_WEEK)),
        end__gt=local_midnight(mondays[0]),
    ) & ~Q(work__status=WorkStatus.MOVED)
    fields = ("work__shop_id", "process", "start", "end")

    shops = _shops_named(membership, view)
    own = list(
        Operation.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(window, work__shop_id__in=list(shops))
        .order_by()
        .values_list(*fields)
    )
    every = list(
        Operation.objects.filter(window, work__shop__group=group).order_by().values_list(*fields)
    )
    group_h = hours_per_week(((p, s, e) for _, p, s, e in every), mondays)
    shop_h = {
        shop_id: hours_per_week(((p, s, e) for i, p, s, e in own if i == shop_id), mondays)
        for shop_id in shops
    }
    found = {p for _, p in group_h}
    processes = [p for p in PROCESSES if p in found] + sorted(found - set(PROCESSES))
    out: list[LoadRow] = []
    for monday in mondays:
        for shop_id, name in shops.items():
            for process in processes:
                hours = shop_h[shop_id].get((monday, process), 0.0)
                out.append(LoadRow(monday, process, shop_id, name, round(hours, 2)))
        for process in processes:
            out.append(
                LoadRow(
                    monday, process, None, group.name, round(group_h.get((monday, process), 0.0), 2)
                )
            )
    return out


# -- material saved -----------------------------------------------------------------------------
def material_saved(membership: Membership, period: Period) -> list[SavingRow] | None:
    """Per month: each shop the reader may name, then the group; None while there is no
    joint order to read (the purchasing app's `savings_by_month` is not there, or has no
    row in the period). Never an estimate: only what the joint orders record."""
    view = view_of(membership)
    if view == NO_VIEW:
        return None
    try:
        from purchasing.selectors import savings_by_month  # type: ignore[attr-defined]
    except ImportError:
        return None
    group = membership.organization.group
    # Both days included (purchasing's contract): the period's first and last day.
    found = savings_by_month(group.pk, period.first, period.last_day)
    if not found:
        return None
    shops = _shops_named(membership, view)
    per: dict[tuple[date, int | None], list[int]] = {}
    for r in found:
        month = r["month"].replace(day=1)
        for key in ((month, r["shop_id"]), (month, None)):
            acc = per.setdefault(key, [0, 0])
            acc[0] += int(r["saved_jpy"])
            acc[1] += int(r["spent_jpy"])
    out: list[SavingRow] = []
    for month in period.month_starts:
        for shop_id, name in shops.items():
            out.append(SavingRow(month, shop_id, name, *per.get((month, shop_id), [0, 0])))
        out.append(SavingRow(month, None, group.name, *per.get((month, None), [0, 0])))
    return out


# -- everything ---------------------------------------------------------------------------------
def insight(membership: Membership | None, period: Period) -> Insight:
    view = view_of(membership)
    if membership is None or view == NO_VIEW:
        return Insight(period, NO_VIEW, None, "", "")
    group: SupplierGroup = membership.organization.group
    return Insight(
        period=period,
        view=view,
        group_id=group.pk,
        group_name=group.name,
        org_name=membership.organization.name,
        shares=work_shared(membership, period),
        on_time=on_time_rate(membership, period),
        win_rate=win_rate(membership, period),
        turnaround=turnaround(membership, period),
        load=load_per_process(membership, period),
        savings=material_saved(membership, period),
    )
