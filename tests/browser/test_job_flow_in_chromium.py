"""Issue 12's path in a real browser, four people in four browser contexts, in Japanese:
the buyer orders from uploaded drawings; the coordinator allocates, watches the run and
publishes; shop A declines a line, which is re-planned and offered to shop B while the
coordinator's and shop B's pages are open (no one reloads them); shop B accepts, and the
work's operations appear on shop B's machines.

Served and driven as tests/browser/test_portal_in_chromium.py does (uvicorn in a thread,
a real Celery worker on the real Redis broker); its fixtures are reused from there.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.allocation.conftest import capable
from tests.browser import test_portal_in_chromium as portal
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import wait_finished
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_browser_available = portal._browser_available
server = portal.server
browser = portal.browser
log_in = portal.log_in

SHOP_B = "白山ベンディング"


@pytest.fixture
def group(world, clients, password, celery_worker):  # type: ignore[no-untyped-def]
    """Two member shops that cut: Carol's (cheaper) and Hana's; two analysed drawings."""
    from drawings.models import Drawing
    from shops.actions import do_save_profile, ensure_profile
    from shops.models import ProfileSource
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role

    system = Actor.system("test")
    shop_b = create_organization(world.group, SHOP_B, OrgKind.MEMBER_SHOP, acting=system)
    hana = add_member(shop_b, "hana@hakusan.example", "Hana", Role.ADMIN, password, acting=system)
    for org in (world.shop, shop_b):
        ensure_profile(org, acting=system)
        capable(org, ("laser",))
    base = ensure_profile(shop_b, acting=system)
    doc = copy.deepcopy(base.document)
    doc["laser"]["rate_jpy_h"] = 16000  # dearer: the plan offers Carol's shop first
    do_save_profile(
        shop_b, doc, source=ProfileSource.EDITED, note="test", acting=Actor(hana.user, hana)
    )
    for number, w in (("FL-100", 100), ("FL-140", 140)):
        got = clients["alice"].post(
            "/api/drawings",
            {
                "file": SimpleUploadedFile(f"{number}.dxf", plate(w, 60)),
                "part_number": number,
                "material": "SPCC",
                "thickness_mm": "1.6",
            },
        )
        rev = Drawing.objects.get(pk=got.json()["id"]).current_revision_id
        assert wait_finished(rev).status == "analysed"
    return shop_b


def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def test_order_allocate_decline_replan_accept_in_four_browsers(
    world, server, browser, password, group, tmp_path
):  # type: ignore[no-untyped-def]
    def person(email: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log_in(page, server, email, password)
        page.wait_for_url("**/dashboard/")
        return page

    buyer, coordinator = person("alice@a.example"), person("dora@kaga.example")
    shop_a, shop_b = person("carol@shop.example"), person("hana@hakusan.example")

    # The buyer: a request from both drawings, then the order.
    buyer.goto(f"{server}/orders/new/")
    for number in ("FL-100", "FL-140"):
        buyer.get_by_test_id(f"line-{number}").locator("input[type=checkbox]").first.check()
    buyer.get_by_test_id("make-request").click()
    buyer.get_by_test_id("group-quote").first.wait_for()
    shot(buyer, tmp_path, "1-request-ja")
    buyer.get_by_test_id("place-order").click()
    assert buyer.get_by_test_id("order-status").inner_text() == "発注済み"

    # The coordinator: the run, followed live until its proposal shows, then published.
    coordinator.goto(f"{server}/allocation/")
    coordinator.get_by_test_id("start-run").click()
    coordinator.get_by_test_id("placements").wait_for(timeout=60_000)
    shops = coordinator.get_by_test_id("placements").get_by_test_id("shop").all_inner_texts()
    assert len(shops) == 2 and all(world.shop.name in s for s in shops), shops
    shot(coordinator, tmp_path, "2-proposal-ja")
    coordinator.get_by_test_id("publish").click()
    coordinator.get_by_test_id("published").wait_for()

    # Both inboxes open before anyone answers; nobody reloads them from here on.
    coordinator.goto(f"{server}/offers/")
    shop_b.goto(f"{server}/offers/")
    assert shop_b.locator("article.offer").count() == 0

    # Shop A declines the first line, with its reason.
    shop_a.goto(f"{server}/offers/")
    first = shop_a.locator("article.offer").first
    line = first.get_attribute("data-line")
    first.get_by_test_id("decline-reason").fill("その週はレーザーが満杯です")
    first.get_by_test_id("decline").click()
    shop_a.locator(f"article.offer[data-line='{line}']").wait_for(state="detached")

    # Re-planned and offered to shop B: both open pages show it without a reload.
    again = f"article.offer[data-line='{line}'][data-shop='{SHOP_B}']"
    coordinator.locator(again).wait_for(timeout=60_000)
    shot(coordinator, tmp_path, "3-replanned-coordinator-ja")
    shop_b.locator(f"article.offer[data-line='{line}']").wait_for(timeout=60_000)
    shot(shop_b, tmp_path, "4-offer-shop-b-ja")

    # Shop B accepts; the work's operations appear on its machines.
    shop_b.locator(f"article.offer[data-line='{line}']").get_by_test_id("accept").click()
    shop_b.wait_for_load_state()

    def planned() -> bool:
        shop_b.goto(f"{server}/production/")
        return shop_b.get_by_test_id("op").count() > 0

    wait_until(planned, poll_s=0.5)
    page = shop_b.content()
    assert "laser-1" in page and SHOP_B in page  # shop B's machine (capable() names it)
    shot(shop_b, tmp_path, "5-machine-plan-shop-b-ja")
    if os.environ.get("KUMIAI_SCREENSHOT_DIR"):
        for image in tmp_path.glob("*.png"):
            (Path(os.environ["KUMIAI_SCREENSHOT_DIR"]) / image.name).write_bytes(image.read_bytes())
