"""The worked example of tests/quoting/test_purchasing.py, in the database: three shops
of the group (the coordinator Kaga, Carol's Noto and Hana's Hakusan, in that id order)
with SPCC 1.6 mm work over ISO weeks 2030-W10 and W11, and a supplier's price list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.purchasing.rows import make_work

# Sheets are needed a week before the due date (no operation planned in these rows):
# due 13 March 2030 → needed Wed 6 March, 2030-W10; due 20 March → 13 March, W11.
DUE_W10, DUE_W11 = date(2030, 3, 13), date(2030, 3, 20)
PERIOD = {"start": "2030-03-04", "end": "2030-03-17"}
A, C = (880.0, 600.0), (500.0, 500.0)

PRICES_CSV = (
    "material,thickness_mm,sheet,min_qty,max_qty,unit_price_jpy\n"
    "SPCC,1.6,914x1829,1,9,4800\n"
    "SPCC,1.6,914x1829,10,14,4600\n"
    "SPCC,1.6,914x1829,15,49,4350\n"
    "SPCC,1.6,914x1829,50,,4100\n"
)


@dataclass
class Trio:
    kaga: object  # the coordinator, also a shop: "shop 1"
    noto: object  # Carol's: "shop 2"
    hakusan: object  # Hana's: "shop 3"
    hana: object
    works: list


@pytest.fixture
def hana_client(trio):  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    return client_for(trio.hana)


@pytest.fixture
def trio(world):  # type: ignore[no-untyped-def]
    from shops.actions import ensure_profile
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role

    system = Actor.system("test")
    hakusan = create_organization(
        world.group, "白山ベンディング", OrgKind.MEMBER_SHOP, acting=system
    )
    hana = add_member(hakusan, "hana@hakusan.example", "Hana", Role.ADMIN, "x" * 16, acting=system)
    for shop in (world.coordinator, world.shop, hakusan):
        ensure_profile(shop, acting=system)
    assert world.coordinator.pk < world.shop.pk < hakusan.pk
    w = world
    works = [
        make_work(w, w.coordinator, A, 12, DUE_W10),  # 4 sheets
        make_work(w, w.coordinator, C, 10, DUE_W11),  # 2
        make_work(w, w.shop, A, 9, DUE_W10),  # 3
        make_work(w, w.shop, A, 6, DUE_W11),  # 2 … with
        make_work(w, w.shop, C, 5, DUE_W11),  # … 0.997: 3
        make_work(w, hakusan, A, 3, DUE_W10),  # 1
        make_work(w, hakusan, C, 20, DUE_W11),  # 4
    ]
    return Trio(world.coordinator, world.shop, hakusan, hana, works)


def supplier_with_prices(clients, csv: str = PRICES_CSV, delivery_fee_jpy: int = 2500) -> int:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    made = clients["dora"].post(
        "/api/purchasing/suppliers",
        {"name": "北陸鋼材", "delivery_fee_jpy": delivery_fee_jpy, "lead_days": 3},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    sid = made.json()["id"]
    got = clients["dora"].post(
        f"/api/purchasing/suppliers/{sid}/price-list",
        {"file": SimpleUploadedFile("prices.csv", csv.encode())},
    )
    assert got.status_code == 201, got.content
    return sid


def draft(clients) -> dict:  # type: ignore[no-untyped-def]
    got = clients["dora"].post("/api/purchasing/orders", PERIOD, content_type="application/json")
    assert got.status_code == 201, got.content
    (order,) = got.json()["orders"]
    return order
