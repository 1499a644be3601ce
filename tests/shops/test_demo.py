"""The demo seeds every shop of the group once, each with its own believable profile."""

from __future__ import annotations

from datetime import date

import pytest

from shops.demo import seed_capabilities
from shops.models import Closure, Machine, ShopCapability
from shops.selectors import allocation_shops

pytestmark = pytest.mark.django_db


def test_the_demo_sets_up_each_shop_once(world):  # type: ignore[no-untyped-def]
    done = seed_capabilities(world.group, today=date(2026, 11, 20))
    assert sorted(done) == sorted([world.coordinator.name, world.shop.name])
    noto = ShopCapability.objects.get(shop=world.shop)
    assert noto.processes == ["laser", "bend"] and noto.weekly_days_off == [7]  # Saturdays
    lasers = Machine.objects.filter(shop=world.shop, process="laser")
    assert lasers.count() == 2
    kaga = ShopCapability.objects.get(shop=world.coordinator)
    assert kaga.processes == ["laser", "punch", "bend", "weld", "tap"]
    assert (kaga.target_share, kaga.min_share) == (0.25, 0.1)
    year_end = Closure.objects.get(shop=world.shop)
    assert (year_end.start_date, year_end.end_date) == (date(2026, 12, 29), date(2027, 1, 4))
    # Again: nothing more, nothing changed.
    assert seed_capabilities(world.group, today=date(2026, 11, 20)) == []
    assert Machine.objects.filter(shop=world.shop).count() == 3
    assert Closure.objects.count() == 3  # both year-ends and 加賀's O-bon
    # The allocation can read them: on Saturday 2026-11-28 only 能登 works (2 shifts).
    shops = {s.id: s for s in allocation_shops(world.group, date(2026, 11, 28), 1)}
    assert shops[str(world.shop.pk)].capacity_h["laser"] == pytest.approx((16 * (1.5 + 0.9),))
    assert shops[str(world.coordinator.pk)].capacity_h["laser"] == (0.0,)
