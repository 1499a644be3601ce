"""The demo group's shops, made believable: what each makes, its machines, its calendar.

Each shop differs, so the group quote and the allocation have something to choose
between: a laser shop with two lasers that works Saturdays, a bending shop, a welding
shop, a paint shop with a small laser, and the coordinating shop that does most things.
Every shop closes over the year-end; one also over O-bon. `seed_capabilities` keeps what
a shop already set up (it writes only shops without a capability), through the actions,
as the shop's own people and the group's coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from tenancy.context import Actor
from tenancy.models import Membership, Organization, OrgKind, SupplierGroup
from tenancy.permissions import Capability, can

from . import actions
from .models import ShopCapability
from .selectors import SHOP_KINDS, default_materials


@dataclass(frozen=True)
class DemoShop:
    processes: tuple[str, ...]
    machines: tuple[tuple[str, str, float], ...]  # name, process, speed factor
    thickness_mm: tuple[float, float] = (0.5, 6.0)
    max_part_mm: tuple[float, float] = (2500.0, 1250.0)
    shifts_per_day: int = 1
    hours_per_shift: float = 8.0
    weekly_days_off: tuple[int, ...] = (6, 7)
    target_share: float = 0.0
    min_share: float = 0.0
    obon: bool = False


DEMO_SHOPS = {
    "加賀精密板金": DemoShop(
        processes=("laser", "punch", "bend", "weld", "tap"),
        machines=(
            ("ファイバーレーザー 4kW", "laser", 1.2),
            ("タレットパンチ AE-2510", "punch", 1.0),
            ("プレスブレーキ 80t", "bend", 1.0),
            ("プレスブレーキ 35t", "bend", 0.8),
            ("TIG溶接機", "weld", 1.0),
            ("タッピング盤", "tap", 1.0),
        ),
        thickness_mm=(0.5, 9.0),
        max_part_mm=(3000.0, 1500.0),
        target_share=0.25,
        min_share=0.1,
        obon=True,
    ),
    "能登レーザー工業": DemoShop(
        processes=("laser", "bend"),
        machines=(
            ("ファイバーレーザー 6kW", "laser", 1.5),
            ("CO2レーザー 3kW", "laser", 0.9),
            ("プレスブレーキ 50t", "bend", 1.0),
        ),
        thickness_mm=(0.5, 12.0),
        max_part_mm=(3000.0, 1500.0),
        shifts_per_day=2,
        weekly_days_off=(7,),  # works Saturdays
        target_share=0.25,
        min_share=0.1,
    ),
    "白山ベンディング": DemoShop(
        processes=("laser", "bend", "tap", "hardware"),
        machines=(
            ("小型レーザー 2kW", "laser", 0.7),
            ("プレスブレーキ 100t", "bend", 1.2),
            ("プレスブレーキ 50t", "bend", 1.0),
            ("タッピング盤", "tap", 1.0),
            ("スタッド圧入機", "hardware", 1.0),
        ),
        thickness_mm=(0.8, 6.0),
        target_share=0.2,
        min_share=0.05,
    ),
    "金沢溶接所": DemoShop(
        processes=("laser", "bend", "weld", "tap"),
        machines=(
            ("ファイバーレーザー 3kW", "laser", 1.0),
            ("プレスブレーキ 80t", "bend", 1.0),
            ("半自動溶接機", "weld", 1.0),
            ("TIG溶接機", "weld", 0.8),
            ("溶接ロボット", "weld", 1.5),
            ("タッピング盤", "tap", 1.0),
        ),
        thickness_mm=(1.0, 9.0),
        target_share=0.15,
        min_share=0.05,
        obon=True,
    ),
    "小松塗装": DemoShop(
        processes=("laser", "paint", "plating"),
        machines=(
            ("小型レーザー 1kW", "laser", 0.5),
            ("粉体塗装ライン", "paint", 1.0),
            ("めっき槽（外注管理）", "plating", 0.6),
        ),
        thickness_mm=(0.5, 3.2),
        max_part_mm=(2000.0, 1000.0),
        target_share=0.15,
        min_share=0.05,
    ),
}
# A shop of the group that the table does not know: a plain laser and bending shop.
GENERIC = DemoShop(
    processes=("laser", "bend"),
    machines=(("ファイバーレーザー", "laser", 1.0), ("プレスブレーキ", "bend", 1.0)),
)


def _writer(org: Organization) -> Actor | None:
    """One of the organisation's own people who may change its data (admin first)."""
    for m in (
        Membership.objects.filter(organization=org, is_active=True, user__is_active=True)
        .select_related("user", "organization__group")
        .order_by("role", "pk")
    ):
        if can(m, Capability.WRITE):
            return Actor(user=m.user, membership=m, user_agent="seed_demo_shops")
    return None


def _year_end(today: date) -> tuple[date, date]:
    """The coming year-end closure (29 December to 4 January), or the one under way."""
    year = today.year if today > date(today.year, 1, 4) else today.year - 1
    return date(year, 12, 29), date(year + 1, 1, 4)


def _obon(today: date) -> tuple[date, date]:
    year = today.year if today <= date(today.year, 8, 16) else today.year + 1
    return date(year, 8, 13), date(year, 8, 16)


def seed_capabilities(group: SupplierGroup, today: date | None = None) -> list[str]:
    """Set up every shop of the group that has no capability yet. Returns the names of
    the shops it set up (none the second time)."""
    today = today or timezone.localdate()
    coordinator = Organization.objects.filter(group=group, kind=OrgKind.COORDINATOR).first()
    share_setter = _writer(coordinator) if coordinator else None
    done = []
    for org in Organization.objects.filter(group=group, kind__in=SHOP_KINDS).order_by("name"):
        if ShopCapability.objects.filter(shop=org).exists():
            continue
        acting = _writer(org)
        if acting is None:
            continue  # nobody of the shop may set it up; it stays on the profile's lead time
        demo = DEMO_SHOPS.get(org.name, GENERIC)
        with transaction.atomic():
            actions.do_save_capability(
                org,
                actions.CapabilityFields(
                    processes=list(demo.processes),
                    materials=default_materials(org),  # what its cost profile prices
                    thickness_min_mm=demo.thickness_mm[0],
                    thickness_max_mm=demo.thickness_mm[1],
                    max_part_long_mm=demo.max_part_mm[0],
                    max_part_short_mm=demo.max_part_mm[1],
                    hours_per_shift=demo.hours_per_shift,
                    shifts_per_day=demo.shifts_per_day,
                    weekly_days_off=list(demo.weekly_days_off),
                    observes_public_holidays=True,
                ),
                acting=acting,
            )
            for name, process, speed in demo.machines:
                actions.do_add_machine(
                    org, name=name, process=process, speed_factor=speed, acting=acting
                )
            start, end = _year_end(today)
            actions.do_add_closure(
                org, start_date=start, end_date=end, reason="年末年始休業", acting=acting
            )
            if demo.obon:
                start, end = _obon(today)
                actions.do_add_closure(
                    org, start_date=start, end_date=end, reason="お盆休み", acting=acting
                )
            if share_setter is not None and demo.target_share:
                actions.do_set_shares(
                    org,
                    target_share=demo.target_share,
                    min_share=demo.min_share,
                    acting=share_setter,
                )
        done.append(org.name)
    return done
