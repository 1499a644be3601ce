"""A month of a group's work, made straight in the database with known times, so that
every insight figure can be worked out by hand (May 2026, Asia/Tokyo).

Shops: Carol's 能登レーザー工業 (target share 50 %), 白山ベンディング (30 %), and the
coordinator's 加賀精密板金 (no target). Lead firms: Alice's 北陸機器製作所 and
金沢電機. Work (hours are each shop's quoted hours; "receipt" the last shipment's):

| work | shop     | buyer    | accepted   | h  | yen     | status | promised | closed      | receipt          | on time |
|------|----------|----------|------------|----|---------|--------|----------|-------------|------------------|---------|
| w1   | Carol    | Alice    | 05-02 10:00| 10 | 100,000 | closed | 05-20    | 05-21       | 05-20 23:30      | yes     |
| w2   | Carol    | Alice    | 05-03 12:00|  6 |  60,000 | closed | 05-15    | 05-16       | 05-16 07:00 JST  | no      |
| w3   | Hakusan  | Kanazawa | 05-04 09:00|  4 |  40,000 | closed | 05-25    | 05-25       | none (close)     | yes     |
| w4   | Hakusan  | Alice    | 05-05 11:00|  5 |  50,000 | moved  | 05-30    |             |                  | —       |
| w5   | Coord.   | Kanazawa | 04-20 10:00|  8 |  80,000 | closed | 05-10    | 05-09       | 05-09            | yes     |

w2's receipt is 2026-05-15 22:00 UTC: late by the Japanese date that counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

JST = ZoneInfo("Asia/Tokyo")
HAKUSAN = "白山ベンディング"
KANAZAWA = "金沢電機"
MAY = date(2026, 5, 1)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JST)


@dataclass
class Month:
    hakusan: object
    kanazawa: object
    works: dict


class Maker:
    """Rows of one group, with the times set after creation (auto_now_add fields)."""

    def __init__(self, world, key: str = "1") -> None:  # type: ignore[no-untyped-def]
        from allocation.models import AllocationRun
        from drawings.models import Part
        from tests.drawings.rows import make_drawing

        self.world = world
        self.drawing = make_drawing(world.lead_firm, f"INS-{key}", kind="dxf", status="analysed")
        self.part = Part.objects.create(
            drawing=self.drawing,
            revision=self.drawing.current_revision,
            index=0,
            is_current=True,
            summary={},
            features={},
            width_mm=100,
            height_mm=50,
            net_area_mm2=5000,
            shape_vec=[0.0] * 39,
            size_vec=[0.0] * 17,
            text_vec=[0.0] * 32,
            geometry_hash="0" * 64,
            shape_data=b"",
        )
        self.run = AllocationRun.objects.create(
            organization=world.coordinator, status="done", solver_status="optimal"
        )
        self.key = key
        self.numbers: dict[int, int] = {}

    def order(self, buyer, created_at, placed_at=None, status=None):  # type: ignore[no-untyped-def]
        from orders.models import Order

        n = self.numbers[buyer.pk] = self.numbers.get(buyer.pk, 0) + 1
        status = status or ("placed" if placed_at else "request")
        order = Order.objects.create(
            buyer=buyer, number=f"R{self.key}-{n:05d}", status=status, placed_at=placed_at
        )
        Order.objects.filter(pk=order.pk).update(created_at=created_at)
        return order

    def line(self, order, hours_by_shop: dict, due: date):  # type: ignore[no-untyped-def]
        """A line whose group quote gives each shop its hours (all laser)."""
        from orders.models import OrderLine

        number = order.lines.count() + 1
        quote = [
            {
                "shop_id": shop.pk,
                "shop": shop.name,
                "total_price_jpy": int(hours * 10_000),
                "hours": {"laser": hours * 0.75, "bend": hours * 0.25},
                "earliest_date": due.isoformat(),
            }
            for shop, hours in hours_by_shop.items()
        ]
        return OrderLine.objects.create(
            order=order,
            number=number,
            drawing=self.drawing,
            revision=self.drawing.current_revision,
            part=self.part,
            material="SPCC",
            thickness_mm=1.6,
            processes=["laser", "bend"],
            quantity=10,
            due_date=due,
            status="accepted",
            quote=quote,
        )

    def offer(self, line, shop, price_jpy, created_at, answered_at=None, status="accepted"):  # type: ignore[no-untyped-def]
        from allocation.models import ProposedPlacement
        from offers.models import Offer

        placement = ProposedPlacement.objects.create(
            run=self.run, line=line, shop=shop, finish_date=line.due_date, cost_jpy=price_jpy
        )
        offer = Offer.objects.create(
            run=self.run,
            placement=placement,
            line=line,
            shop=shop,
            status=status,
            price_jpy=price_jpy,
            due_date=line.due_date,
            promised_date=line.due_date,
            deadline=created_at + timedelta(hours=48),
            answered_at=answered_at,
        )
        Offer.objects.filter(pk=offer.pk).update(created_at=created_at)
        return offer

    def work(  # type: ignore[no-untyped-def]
        self,
        order,
        shop,
        hours: float,
        price_jpy: int,
        accepted_at: datetime,
        due: date,
        *,
        status: str = "planned",
        closed_at: datetime | None = None,
        received_at: datetime | None = None,
        offered_at: datetime | None = None,
    ):
        from production.models import Shipment, Work

        line = self.line(order, {shop: hours}, due)
        offer = self.offer(line, shop, price_jpy, offered_at or accepted_at, accepted_at)
        work = Work.objects.create(
            offer=offer,
            line=line,
            shop=shop,
            buyer=order.buyer,
            due_date=due,
            status=status,
            closed_at=closed_at,
        )
        Work.objects.filter(pk=work.pk).update(created_at=accepted_at)
        if received_at is not None:
            s = Shipment.objects.create(work=work, quantity=10, received_at=received_at)
            Shipment.objects.filter(pk=s.pk).update(shipped_at=received_at - timedelta(days=1))
        return work

    def operation(self, work, process: str, start: datetime, end: datetime, seq: int = 0):  # type: ignore[no-untyped-def]
        from production.models import Operation
        from shops.models import Machine

        machine, _ = Machine.objects.get_or_create(
            shop=work.shop, name=f"{process}-1", defaults={"process": process}
        )
        return Operation.objects.create(
            work=work, seq=seq, process=process, machine=machine, start=start, end=end
        )


def capability(shop, target: float) -> None:  # type: ignore[no-untyped-def]
    from shops.models import ShopCapability

    ShopCapability.objects.update_or_create(
        shop=shop,
        defaults={
            "processes": ["laser", "bend"],
            "materials": ["SPCC"],
            "thickness_min_mm": 0.5,
            "thickness_max_mm": 6,
            "max_part_long_mm": 2000,
            "max_part_short_mm": 1000,
            "target_share": target,
            "min_share": 0.0,
        },
    )


def may_2026(world) -> Month:  # type: ignore[no-untyped-def]
    """The month of the module's table, with its requests, offers and operations:

    Requests made in May: Alice 4 (placed after 6 h and 24 h, one open, one cancelled
    unplaced), 金沢電機 2 (placed after 2 h, one open): 3 of 6 won. Alice's April request,
    placed in May after 96 h, counts in May's turnaround but not in May's win rate.
    Offers answered in May: Carol's after 2 h, 4 h and a decline after 24 h (median 4 h);
    白山's after 1 h and 3 h (median 2 h), and one that lapsed; the group's median 3 h.
    Operations: Carol's laser Mon 05-11 09–13 and bend 05-12 09–11; 白山's laser Sun
    05-17 22:00 to Mon 02:00 (2 h in each week); the moved work's 10 h are not counted.
    """
    from tenancy.actions import create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind

    system = Actor.system("test")
    hakusan = create_organization(world.group, HAKUSAN, OrgKind.MEMBER_SHOP, acting=system)
    kanazawa = create_organization(world.group, KANAZAWA, OrgKind.LEAD_FIRM, acting=system)
    capability(world.shop, 0.5)
    capability(hakusan, 0.3)
    capability(world.coordinator, 0.0)

    m = Maker(world)
    alice, carol = world.lead_firm, world.shop
    # Requests and orders.
    r1 = m.order(alice, at(5, 1, 9), placed_at=at(5, 1, 15))
    r2 = m.order(alice, at(5, 2, 9), placed_at=at(5, 3, 9))
    m.order(alice, at(5, 20, 9))
    m.order(alice, at(5, 21, 9), status="cancelled")
    k1 = m.order(kanazawa, at(5, 5, 10), placed_at=at(5, 5, 12))
    m.order(kanazawa, at(5, 6, 10))
    april = m.order(alice, at(4, 28, 9), placed_at=at(5, 2, 9))
    k0 = m.order(kanazawa, at(4, 10, 9), placed_at=at(4, 10, 10))

    works = {
        "w1": m.work(
            r1, carol, 10, 100_000, at(5, 2, 10), date(2026, 5, 20),
            status="closed", closed_at=at(5, 21, 9), received_at=at(5, 20, 23, 30),
            offered_at=at(5, 2, 8),
        ),
        "w2": m.work(
            r2, carol, 6, 60_000, at(5, 3, 12), date(2026, 5, 15),
            status="closed", closed_at=at(5, 16, 9), received_at=at(5, 16, 7),
            offered_at=at(5, 3, 8),
        ),
        "w3": m.work(
            k1, hakusan, 4, 40_000, at(5, 4, 9), date(2026, 5, 25),
            status="closed", closed_at=at(5, 25, 17), offered_at=at(5, 4, 8),
        ),
        "w4": m.work(
            april, hakusan, 5, 50_000, at(5, 5, 11), date(2026, 5, 30),
            status="moved", offered_at=at(5, 5, 8),
        ),
        "w5": m.work(
            k0, world.coordinator, 8, 80_000, at(4, 20, 10), date(2026, 5, 10),
            status="closed", closed_at=at(5, 9, 18), received_at=at(5, 9, 15),
            offered_at=at(4, 20, 8),
        ),
    }  # fmt: skip
    # Carol's decline after 24 h, and an offer to 白山 that lapsed.
    m.offer(m.line(r2, {carol: 3}, date(2026, 6, 1)), carol, 30_000, at(5, 4, 8), at(5, 5, 8),
            status="declined")  # fmt: skip
    m.offer(m.line(r2, {hakusan: 3}, date(2026, 6, 1)), hakusan, 30_000, at(5, 6, 8),
            at(5, 8, 8), status="expired")  # fmt: skip
    # Operations.
    m.operation(works["w1"], "laser", at(5, 11, 9), at(5, 11, 13), seq=0)
    m.operation(works["w1"], "bend", at(5, 12, 9), at(5, 12, 11), seq=1)
    m.operation(works["w3"], "laser", at(5, 17, 22), at(5, 18, 2))
    m.operation(works["w4"], "laser", at(5, 11, 10), at(5, 11, 20))
    return Month(hakusan=hakusan, kanazawa=kanazawa, works=works)


def may_week(day: int) -> date:
    """The Monday of the week of May `day`, 2026."""
    d = date(2026, 5, day)
    return d - timedelta(days=d.weekday())


def now_is_after_may() -> bool:
    return timezone.localdate() > date(2026, 5, 31)
