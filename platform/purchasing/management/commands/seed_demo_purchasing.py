"""Give the demo group a steel supplier with a price list, and an offcut on offer (once),
so a newcomer can make a joint order from the seeded work's demand and claim an offcut
without first writing a price file. Made through the same actions as the pages."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from purchasing.actions import do_add_offcut, do_create_supplier, do_import_price_list
from purchasing.models import Offcut, Supplier
from tenancy.context import Actor
from tenancy.models import Membership

COORDINATOR_EMAIL = "kato@kaga-seimitsu.example.jp"
OFFCUT_SHOP_EMAIL = "carol@noto-laser.example.jp"
SUPPLIER = "北陸鋼材商事"
# Sheets the seeded work needs (サブロク), with the volume breaks a mill agent quotes:
# per sheet, JPY; the group reaches a lower break together than a shop alone.
PRICES = [
    ("SPCC", "1.6", [(1, 9, 4800), (10, 29, 4550), (30, None, 4300)]),
    ("SPCC", "2", [(1, 9, 5900), (10, 29, 5600), (30, None, 5300)]),
    ("SPCC", "2.3", [(1, 9, 6700), (10, 29, 6400), (30, None, 6050)]),
    ("SECC", "1.2", [(1, 9, 4300), (10, 29, 4100), (30, None, 3900)]),
    ("SS400", "3.2", [(1, 9, 7600), (10, 29, 7250), (30, None, 6900)]),
]


def actor(email: str) -> Actor:
    m = Membership.objects.select_related("user", "organization__group").get(user__email=email)
    return Actor(user=m.user, membership=m, user_agent="seed_demo_purchasing")


def price_file() -> bytes:
    rows = ["material,thickness_mm,sheet,min_qty,max_qty,unit_price_jpy"]
    for material, t, breaks in PRICES:
        for lo, hi, jpy in breaks:
            rows.append(f"{material},{t},サブロク,{lo},{'' if hi is None else hi},{jpy}")
    return ("\n".join(rows) + "\n").encode()


class Command(BaseCommand):
    help = "Give the demo group a supplier with a price list and an offcut on offer (once)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if not Membership.objects.filter(user__email=COORDINATOR_EMAIL).exists():
            self.stdout.write("no demo group: run seed_demo first")
            return
        kato = actor(COORDINATOR_EMAIL)
        if Supplier.objects.filter(organization=kato.membership.organization).exists():  # type: ignore[union-attr]
            self.stdout.write("kept the demo group's suppliers")
            return
        supplier = do_create_supplier(
            name=SUPPLIER, delivery_fee_jpy=3000, lead_days=3, contact="営業部 076-000-0000",
            acting=kato,
        )  # fmt: skip
        do_import_price_list(supplier, "hokuriku-kozai-2026.csv", price_file(), acting=kato)
        carol = actor(OFFCUT_SHOP_EMAIL)
        if not Offcut.objects.exists():
            do_add_offcut(
                material="SPCC", thickness_mm=1.6, width_mm=600, length_mm=1200,
                location="能登 第2倉庫 棚B", note="サブロクの残り、きれいな状態", acting=carol,
            )  # fmt: skip
        self.stdout.write(f"made supplier {SUPPLIER} with its price list, and an offcut")
