"""Material saved, read from real joint purchase orders through the purchasing app's
contract `purchasing.selectors.savings_by_month` (rows made straight in its tables):

A joint order placed 2026-05-12: Carol's shop pays 80,000 + 2,000 delivery against
95,000 alone (saves 13,000); 白山 pays 40,000 + 1,000 against 47,000 (saves 6,000). The
group saves 19,000 yen and pays 123,000. An order placed 2026-06-01 00:30 in Japan and a
draft of May are not May's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from insight import metrics
from insight.metrics import Period
from tests.insight.rows import HAKUSAN, may_2026

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
PERIOD = Period.month(2026, 5)


@pytest.fixture
def joint(world):  # type: ignore[no-untyped-def]
    from purchasing.models import PurchaseOrder, PurchaseSplit, Supplier

    month = may_2026(world)
    supplier = Supplier.objects.create(organization=world.coordinator, name="北陸鋼材")

    def order(status: str, placed_at: datetime | None, splits):  # type: ignore[no-untyped-def]
        po = PurchaseOrder.objects.create(
            organization=world.coordinator,
            supplier=supplier,
            status=status,
            period_start=date(2026, 5, 11),
            period_end=date(2026, 5, 24),
            placed_at=placed_at,
        )
        for shop, sheets, material, delivery, alone in splits:
            PurchaseSplit.objects.create(
                order=po,
                shop=shop,
                sheets=sheets,
                material_jpy=material,
                delivery_jpy=delivery,
                alone_jpy=alone,
            )

    order(
        "placed",
        datetime(2026, 5, 12, 10, tzinfo=JST),
        [(world.shop, 10, 80_000, 2_000, 95_000), (month.hakusan, 5, 40_000, 1_000, 47_000)],
    )
    order("placed", datetime(2026, 6, 1, 0, 30, tzinfo=JST), [(world.shop, 4, 30_000, 0, 36_000)])
    order("draft", None, [(world.shop, 3, 20_000, 0, 25_000)])
    return month


def test_the_coordinator_sees_each_shops_saving_and_the_groups(world, joint):  # type: ignore[no-untyped-def]
    rows = {r.org_id: r for r in metrics.material_saved(world.dora, PERIOD)}
    assert (rows[world.shop.pk].saved_jpy, rows[world.shop.pk].spent_jpy) == (13_000, 82_000)
    assert (rows[joint.hakusan.pk].saved_jpy, rows[joint.hakusan.pk].spent_jpy) == (6_000, 41_000)
    assert (rows[world.coordinator.pk].saved_jpy, rows[None].saved_jpy) == (0, 19_000)
    assert rows[None].spent_jpy == 123_000


def test_a_member_shop_sees_its_own_saving_and_the_groups_only(world, joint):  # type: ignore[no-untyped-def]
    rows = metrics.material_saved(world.carol, PERIOD)
    assert [(r.org_id, r.saved_jpy, r.spent_jpy) for r in rows] == [
        (world.shop.pk, 13_000, 82_000),
        (None, 19_000, 123_000),
    ]


def test_a_lead_firm_sees_the_groups_saving_only(world, joint):  # type: ignore[no-untyped-def]
    rows = metrics.material_saved(world.alice, PERIOD)
    assert [(r.org_id, r.saved_jpy) for r in rows] == [(None, 19_000)]


def test_another_group_has_no_joint_orders(world, joint):  # type: ignore[no-untyped-def]
    assert metrics.material_saved(world.charlie, PERIOD) is None


def test_an_order_placed_just_after_midnight_on_june_1st_is_junes(world, joint):  # type: ignore[no-untyped-def]
    june = metrics.material_saved(world.dora, Period.month(2026, 6))
    assert {r.org_id: r.saved_jpy for r in june}[None] == 6_000


def test_the_saving_is_on_the_page_in_the_api_and_in_the_report(world, clients, joint):  # type: ignore[no-untyped-def]
    from tests.insight.test_pages_and_exports import pdf_text

    data = clients["carol"].get("/api/insight?from=2026-05&to=2026-05").json()
    assert [(r["org_id"], r["saved_jpy"]) for r in data["material_saved"]] == [
        (world.shop.pk, 13_000),
        (None, 19_000),
    ]
    page = clients["carol"].get("/insight/?from=2026-05&to=2026-05").content.decode()
    assert "19,000" in page and "13,000" in page and 'data-chart="material_saved"' in page
    text = pdf_text(clients["dora"].get("/insight/report/2026-05.pdf").content)
    assert "19,000" in text and "123,000" in text and HAKUSAN in text
    text = pdf_text(clients["carol"].get("/insight/report/2026-05.pdf").content)
    assert "19,000" in text and "6,000" not in text
