"""Reads of shop profiles. A shop reads its own; the coordinator reads every shop's of its
group; a lead firm, another shop and another group read none (404).

`profiles_for_quotes` is the one read that is not scoped to a person: the group quote
prices a part with every capable shop's profile. It returns prices' inputs to the code
that computes prices, never to a page; what a person then sees is scoped by PartQuote.
So are `allocation_shops`, `capabilities` and `earliest_date`: the allocation and the
group quote read every shop's capability and calendar to compute with, for the
coordinator's run and the buyer's quote, never to show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from quoting.processes import PROCESSES
from quoting.profile import CostProfile
from scheduling.allocation.model import Shop
from tenancy.models import Membership, Organization, OrgKind, SupplierGroup
from tenancy.scoping import get_visible_or_404

from . import capacity
from .calibration import NoProposal, Proposal, propose
from .history import calibration_history
from .models import Closure, CostProfileVersion, Machine, ShopCapability

SHOP_KINDS = (OrgKind.MEMBER_SHOP, OrgKind.COORDINATOR)


def profile_versions(membership: Membership | None) -> QuerySet[CostProfileVersion]:
    return CostProfileVersion.objects.visible_to(membership).select_related("shop")  # type: ignore[attr-defined]


def profile_version(membership: Membership | None, version_id: object) -> CostProfileVersion:
    return get_visible_or_404(
        CostProfileVersion.objects.select_related("shop"), membership, pk=version_id
    )


def current_profile(membership: Membership | None, shop_id: object) -> CostProfileVersion:
    return get_visible_or_404(
        CostProfileVersion.objects.select_related("shop"),
        membership,
        shop_id=shop_id,
        is_current=True,
    )


def shops(membership: Membership | None) -> QuerySet[Organization]:
    """The shops whose profile this person may read, each with its current version
    number (None before the shop first opens its profile).

    The same rule as CostProfileVersion's "parties" scoping, for a shop that may have no
    version yet: organisations are visible group-wide, profiles only to the shop itself
    and the coordinator.
    """
    orgs = Organization.objects.visible_to(membership).filter(kind__in=SHOP_KINDS)  # type: ignore[attr-defined]
    if membership is not None and membership.organization.kind != OrgKind.COORDINATOR:
        orgs = orgs.filter(pk=membership.organization_id)
    current = CostProfileVersion.objects.filter(shop=OuterRef("pk"), is_current=True)
    return (
        orgs.select_related("capability")
        .annotate(
            current_version=Subquery(current.values("version")[:1]),
            current_source=Subquery(current.values("source")[:1]),
            current_at=Subquery(current.values("created_at")[:1]),
        )
        .order_by("kind", "name")
    )


def shop(membership: Membership | None, org_id: object) -> Organization:
    try:
        return shops(membership).select_related("group").get(pk=org_id)
    except (Organization.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def history(membership: Membership | None, shop: Organization) -> QuerySet[CostProfileVersion]:
    """Every version of the shop's profile, newest first, with who made it."""
    return (
        CostProfileVersion.objects.visible_to(membership)  # type: ignore[attr-defined]
        .filter(shop=shop)
        .select_related("created_by")
        .order_by("-version")
    )


def version(
    membership: Membership | None, shop: Organization, number: object
) -> CostProfileVersion:
    return get_visible_or_404(
        CostProfileVersion.objects.select_related("shop", "created_by"),
        membership,
        shop=shop,
        version=number,
    )


def calibration_proposal(
    shop: Organization, base: CostProfileVersion
) -> tuple[Proposal | NoProposal, str]:
    """What calibrating `base` on the shop's own past jobs proposes, and the fingerprint
    of its inputs. The caller has checked who asks."""
    found = calibration_history(shop, base)
    return propose(found.jobs, CostProfile.parse(base.document), found.skipped), found.fingerprint


def profiles_for_quotes(group: SupplierGroup) -> list[tuple[CostProfileVersion, CostProfile]]:
    """Every shop of the group with its current profile, parsed (in name order)."""
    rows = (
        CostProfileVersion.objects.filter(
            shop__group=group, shop__kind__in=SHOP_KINDS, is_current=True
        )
        .select_related("shop")
        .order_by("shop__name")
    )
    return [(row, CostProfile.parse(row.document)) for row in rows]


# --- Capability, machines, calendar -----------------------------------------------------

# How far ahead `earliest_date` looks for room: half a year of days.
EARLIEST_HORIZON_DAYS = 183


def capability(membership: Membership | None, shop: Organization) -> ShopCapability | None:
    """The shop's capability row; None while the shop has not set it up."""
    return ShopCapability.objects.visible_to(membership).filter(shop=shop).first()  # type: ignore[attr-defined]


def machines(membership: Membership | None, shop: Organization) -> QuerySet[Machine]:
    return (
        Machine.objects.visible_to(membership)
        .filter(shop=shop)
        .order_by(  # type: ignore[attr-defined]
            "-active", "process", "name"
        )
    )


def machine(membership: Membership | None, shop: Organization, machine_id: object) -> Machine:
    return get_visible_or_404(Machine.objects.all(), membership, shop=shop, pk=machine_id)


def closures(membership: Membership | None, shop: Organization) -> QuerySet[Closure]:
    return Closure.objects.visible_to(membership).filter(shop=shop).order_by("start_date")  # type: ignore[attr-defined]


def closure(membership: Membership | None, shop: Organization, closure_id: object) -> Closure:
    return get_visible_or_404(Closure.objects.all(), membership, shop=shop, pk=closure_id)


def default_materials(shop: Organization) -> list[str]:
    """What a new capability starts from: the materials of the shop's current cost
    profile, or of the default profile when it has none yet. The caller has checked who
    asks."""
    row = CostProfileVersion.objects.filter(shop=shop, is_current=True).only("document").first()
    profile = CostProfile.parse(row.document) if row is not None else CostProfile.default()
    return list(profile.materials)


def calendar_of(row: ShopCapability) -> capacity.Calendar:
    return capacity.Calendar(
        hours_per_shift=row.hours_per_shift,
        shifts_per_day=row.shifts_per_day,
        weekly_days_off=frozenset(row.weekly_days_off),
        observes_public_holidays=row.observes_public_holidays,
    )


def machine_specs(rows: list[Machine]) -> tuple[capacity.Machine, ...]:
    return tuple(capacity.Machine(m.process, m.speed_factor, m.active) for m in rows)


def closure_specs(rows: list[Closure]) -> tuple[capacity.Closure, ...]:
    return tuple(capacity.Closure(c.start_date, c.end_date, c.reason) for c in rows)


@dataclass(frozen=True)
class MachineRow:
    id: int
    name: str
    process: str
    speed_factor: float
    active: bool


@dataclass(frozen=True)
class ShopCapabilityRow:
    """What one shop can make and when it works, as plain data for the allocation and
    the group quote."""

    id: int  # the shop's organisation
    name: str
    processes: frozenset[str]
    materials: frozenset[str]
    thickness_mm: tuple[float, float]  # thinnest, thickest
    max_part_mm: tuple[float, float]  # long side, short side
    target_share: float
    min_share: float
    machines: tuple[MachineRow, ...]
    calendar: capacity.Calendar
    closures: tuple[capacity.Closure, ...]

    def capacity_h(self, start: date, periods: int) -> dict[str, tuple[float, ...]]:
        """Hours per day for each process the shop does (0 where no machine is active)."""
        found = capacity.capacity_h(
            self.calendar,
            (capacity.Machine(m.process, m.speed_factor, m.active) for m in self.machines),
            self.closures,
            start,
            periods,
        )
        return {p: found.get(p, (0.0,) * periods) for p in _in_order(self.processes)}

    def refusal(
        self,
        material: str,
        thickness_mm: float,
        size_mm: tuple[float, float],
        processes: tuple[str, ...] | list[str] | frozenset[str],
    ) -> str | None:
        """None if the shop can make the part, else why not (one sentence, English)."""
        missing = sorted(set(processes) - self.processes)
        if missing:
            return f"{self.name} does not do {', '.join(missing)}"
        idle = sorted(
            p for p in set(processes) if not any(m.active and m.process == p for m in self.machines)
        )
        if idle:
            return f"{self.name} has no active machine for {', '.join(idle)}"
        if material not in self.materials:
            return f"{self.name} does not work {material}"
        lo, hi = self.thickness_mm
        if not lo <= thickness_mm <= hi:
            return f"{self.name} works {lo:g}–{hi:g} mm sheet, not {thickness_mm:g} mm"
        long_mm, short_mm = sorted(size_mm, reverse=True)
        if long_mm > self.max_part_mm[0] or short_mm > self.max_part_mm[1]:
            return (
                f"{self.name} makes parts up to {self.max_part_mm[0]:g}×{self.max_part_mm[1]:g}"
                f" mm, not {long_mm:g}×{short_mm:g} mm"
            )
        return None


def _rows(rows: list[ShopCapability]) -> dict[int, ShopCapabilityRow]:
    """Each capability with its shop's machines and closures: three queries in all."""
    ids = [r.shop_id for r in rows]
    by_shop_m: dict[int, list[Machine]] = {i: [] for i in ids}
    for m in Machine.objects.filter(shop_id__in=ids).order_by("process", "name"):
        by_shop_m[m.shop_id].append(m)
    by_shop_c: dict[int, list[Closure]] = {i: [] for i in ids}
    for c in Closure.objects.filter(shop_id__in=ids).order_by("start_date"):
        by_shop_c[c.shop_id].append(c)
    return {
        r.shop_id: ShopCapabilityRow(
            id=r.shop_id,
            name=r.shop.name,
            processes=frozenset(r.processes),
            materials=frozenset(r.materials),
            thickness_mm=(r.thickness_min_mm, r.thickness_max_mm),
            max_part_mm=(r.max_part_long_mm, r.max_part_short_mm),
            target_share=r.target_share,
            min_share=r.min_share,
            machines=tuple(
                MachineRow(m.pk, m.name, m.process, m.speed_factor, m.active)
                for m in by_shop_m[r.shop_id]
            ),
            calendar=calendar_of(r),
            closures=closure_specs(by_shop_c[r.shop_id]),
        )
        for r in rows
    }


def capabilities(group: SupplierGroup) -> dict[int, ShopCapabilityRow]:
    """Every shop of the group that has set up its capability, by organisation id (in
    name order). Not scoped to a person: see the module's note."""
    rows = (
        ShopCapability.objects.filter(shop__group=group, shop__kind__in=SHOP_KINDS)
        .select_related("shop")
        .order_by("shop__name")
    )
    return _rows(list(rows))


def allocation_shops(group: SupplierGroup, start: date, periods: int) -> list[Shop]:
    """The group's shops as the allocation reads them: one per shop with a capability,
    its capacity from `start` for `periods` days. Not scoped to a person: the caller is
    the coordinator's allocation run."""
    return [
        Shop(
            id=str(row.id),
            processes=row.processes,
            materials=row.materials,
            thickness_mm=row.thickness_mm,
            max_part_mm=row.max_part_mm,
            capacity_h=row.capacity_h(start, periods),
            target_share=row.target_share,
            min_share=row.min_share,
        )
        for row in capabilities(group).values()
    ]


def earliest_date(
    shop_id: int,
    hours_by_process: dict[str, float],
    start: date,
    booked_h: dict[str, list[float]] | None = None,
) -> date | None:
    """The first day by which the shop's calendar and machines, less what is booked
    (hours per process per day from `start`), fit the work, processes in the given order.
    None when the shop has no capability yet (the caller then uses the cost profile's
    lead time) or the work does not fit within EARLIEST_HORIZON_DAYS."""
    rows = list(
        ShopCapability.objects.filter(shop_id=shop_id, shop__kind__in=SHOP_KINDS).select_related(
            "shop"
        )
    )
    if not rows:
        return None
    row = _rows(rows)[shop_id]
    periods = max([EARLIEST_HORIZON_DAYS, *(len(v) for v in (booked_h or {}).values())])
    return capacity.earliest_finish(
        row.capacity_h(start, periods), hours_by_process, booked_h, start
    )


@dataclass(frozen=True)
class CapacityView:
    """A shop's calendar and capacity over some days, for a page or the API."""

    days: list[capacity.Day]
    capacity_h: dict[str, tuple[float, ...]]  # each process the shop does, 0 without machines
    holidays_en: dict[date, str]  # the same holidays' English names


def capacity_view(
    membership: Membership | None, shop: Organization, start: date, periods: int
) -> CapacityView | None:
    """None while the shop has not set up its capability."""
    row = capability(membership, shop)
    if row is None:
        return None
    return capacity_view_of(
        row, list(machines(membership, shop)), list(closures(membership, shop)), start, periods
    )


def capacity_view_of(
    row: ShopCapability,
    machine_rows: list[Machine],
    closure_rows: list[Closure],
    start: date,
    periods: int,
) -> CapacityView:
    """The same from rows the caller has read already (through the selectors above)."""
    cal = calendar_of(row)
    shut = closure_specs(closure_rows)
    found = capacity.capacity_h(cal, machine_specs(machine_rows), shut, start, periods)
    return CapacityView(
        days=capacity.days(cal, shut, start, periods),
        capacity_h={p: found.get(p, (0.0,) * periods) for p in _in_order(row.processes)},
        holidays_en=capacity.public_holidays(start, periods, "en_US"),
    )


def _in_order(processes: list[str] | frozenset[str]) -> list[str]:
    return [p for p in PROCESSES if p in processes]
