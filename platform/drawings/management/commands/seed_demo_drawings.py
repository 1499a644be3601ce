"""Seed the demo group's drawing library once: shop cost profiles (each shop a little
different, so the group quote ranks them), drawings uploaded by the demo lead firm
through the real upload path (their analysis runs on the worker), a grant, and past jobs
with prices."""

from __future__ import annotations

import copy
import io

from django.core.management.base import BaseCommand

from drawings import actions
from drawings.demo import PARTS
from drawings.models import Drawing
from shops.actions import do_save_profile, ensure_profile
from shops.models import ProfileSource
from tenancy.context import Actor
from tenancy.models import Membership, Organization, OrgKind, SupplierGroup

DEMO_SLUG = "hokuriku-bankin"
BUYER_EMAIL = "alice@hokuriku-kiki.example.jp"
COORDINATOR_EMAIL = "kato@kaga-seimitsu.example.jp"
GRANTED_SHOP = "能登レーザー工業"
# Per shop: laser rate JPY/h and materials it does not cut (a paint shop's small laser).
SHOP_TRAITS = {
    "加賀精密板金": (12000, ()),
    "能登レーザー工業": (10500, ()),
    "白山ベンディング": (13500, ("SUS304",)),
    "金沢溶接所": (11500, ("A5052",)),
    "小松塗装": (14000, ("SUS304", "A5052")),
}

# The buyer's history: part number, days ago, quantity, unit price (JPY), maker, lead time
# (days). Prices fall with the lot size as a job shop's do.
PAST_JOBS = [
    ("HK-BR-080", 420, 20, "980", "能登レーザー工業", 9),
    ("HK-BR-080", 180, 100, "610", "能登レーザー工業", 12),
    ("HK-BR-100", 400, 10, "1450", "加賀精密板金", 7),
    ("HK-BR-100", 210, 50, "820", "能登レーザー工業", 10),
    ("HK-BR-100", 60, 100, "690", "能登レーザー工業", 11),
    ("HK-BR-120", 300, 30, "1020", "白山ベンディング", 8),
    ("HK-PL-150", 350, 50, "540", "金沢溶接所", 6),
    ("HK-PL-200", 250, 20, "1180", "加賀精密板金", 7),
    ("HK-FL-120", 330, 40, "1650", "金沢溶接所", 10),
    ("HK-FL-160", 150, 20, "2480", "加賀精密板金", 9),
    ("HK-CH-300", 270, 10, "3900", "白山ベンディング", 12),
    ("HK-CV-240", 90, 30, "2950", "小松塗装", 14),
]


class Command(BaseCommand):
    help = "Create the demo group's drawing library (once)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        group = SupplierGroup.objects.filter(slug=DEMO_SLUG).first()
        if group is None:
            self.stdout.write("no demo group: run seed_demo first")
            return
        buyer = Membership.objects.select_related("organization", "user").get(
            user__email=BUYER_EMAIL
        )
        if Drawing.objects.filter(owner=buyer.organization).exists():
            self.stdout.write("kept the demo drawing library")
            self._past_jobs(group, buyer.organization)
            return
        self._profiles(group)
        acting = Actor(user=buyer.user, membership=buyer)
        revisions = actions.upload_files(
            [
                (
                    io.BytesIO(p.dxf()),
                    f"{p.part_number}.dxf",
                    actions.DrawingFields(
                        part_number=p.part_number,
                        title=p.title,
                        customer=p.customer,
                        material=p.material,
                        thickness_mm=p.thickness_mm,
                    ),
                )
                for p in PARTS
            ],
            acting=acting,
        )
        coordinator = Membership.objects.select_related("organization", "user").get(
            user__email=COORDINATOR_EMAIL
        )
        shop = Organization.objects.get(group=group, name=GRANTED_SHOP)
        granted = Drawing.objects.get(owner=buyer.organization, part_number="HK-BR-100")
        actions.do_grant(
            granted,
            shop,
            expires_at=None,
            reason="デモ：見積依頼",
            acting=Actor(user=coordinator.user, membership=coordinator),
        )
        self._past_jobs(group, buyer.organization)
        self.stdout.write(
            f"created {len(revisions)} demo drawings (analysed by the worker) and a grant"
        )

    def _past_jobs(self, group: SupplierGroup, buyer: Organization) -> None:
        """The buyer's order history for its demo parts (what the group made, at what
        price, how fast), so that similar-part search and the group quote show prices
        from the first start. Written once."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from drawings.actions import part_number_key
        from drawings.models import PastJob

        if PastJob.objects.filter(recorded_by=buyer).exists():
            return
        shops = {o.name: o for o in Organization.objects.filter(group=group)}
        today = timezone.localdate()
        rows = []
        for number, days_ago, qty, unit_jpy, maker, lead in PAST_JOBS:
            d = Drawing.objects.filter(owner=buyer, part_number=number).first()
            rows.append(
                PastJob(
                    recorded_by=buyer,
                    buyer=buyer,
                    maker=shops.get(maker),
                    drawing=d,
                    part_number=number,
                    part_number_key=part_number_key(number),
                    order_date=today - timedelta(days=days_ago),
                    quantity=qty,
                    unit_price=Decimal(unit_jpy),
                    currency="JPY",
                    shop_name=maker,
                    lead_time_days=lead,
                    notes="デモ：受注履歴",
                )
            )
        PastJob.objects.bulk_create(rows)
        self.stdout.write(f"recorded {len(rows)} demo past jobs")

    def _profiles(self, group: SupplierGroup) -> None:
        system = Actor.system("seed_demo_drawings")
        for org in Organization.objects.filter(
            group=group, kind__in=[OrgKind.MEMBER_SHOP, OrgKind.COORDINATOR]
        ):
            base = ensure_profile(org, acting=system)
            rate, not_cut = SHOP_TRAITS.get(org.name, (12000, ()))
            doc = copy.deepcopy(base.document)
            doc["laser"]["rate_jpy_h"] = rate
            for material in not_cut:
                doc["materials"].pop(material, None)
                for table in ("speed_m_min", "pierce_s"):
                    doc["laser"].get(table, {}).pop(material, None)
            admin = (
                Membership.objects.filter(organization=org, is_active=True)
                .select_related("user", "organization")
                .order_by("role")
                .first()
            )
            if admin is not None:
                do_save_profile(
                    org,
                    doc,
                    source=ProfileSource.EDITED,
                    note="demo",
                    acting=Actor(user=admin.user, membership=admin),
                )
