"""Issue 14's joint order in a real browser, three people in three contexts, in Japanese:
the coordinator adds a supplier, imports its price list and drafts the order from the
group's demand (the worked example of tests/quoting/test_purchasing.py: 17 サブロク at
¥4,350); each shop confirms its part; the coordinator places it; Carol receives her
sheets in two deliveries and a third, too large, is refused.

Served and driven as tests/browser/test_portal_in_chromium.py does; its fixtures are
reused from there, and the group from tests/purchasing/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from purchasing.models import PurchaseOrder, PurchaseShare
from tests.browser import test_portal_in_chromium as portal
from tests.purchasing.conftest import PRICES_CSV, trio  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_browser_available = portal._browser_available
server = portal.server
browser = portal.browser
log_in = portal.log_in


def test_create_confirm_place_and_receive_a_joint_order_in_three_browsers(
    world,
    trio,  # noqa: F811
    server,
    browser,
    password,
    tmp_path: Path,
):  # type: ignore[no-untyped-def]
    def person(email: str, secret: str = password):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log_in(page, server, email, secret)
        page.wait_for_url("**/dashboard/")
        return page

    dora, carol = person("dora@kaga.example"), person("carol@shop.example")
    hana = person("hana@hakusan.example", "x" * 16)

    # The coordinator: a supplier and its price list, from the pages.
    dora.goto(f"{server}/purchasing/suppliers/")
    dora.fill("input[name=name]", "北陸鋼材")
    dora.fill("input[name=delivery_fee_jpy]", "2500")
    dora.locator("form[action$='/purchasing/suppliers/new/'] button").click()
    dora.get_by_role("link", name="北陸鋼材").click()
    dora.get_by_test_id("import-form").locator("input[type=file]").set_input_files(
        {"name": "prices.csv", "mimeType": "text/csv", "buffer": PRICES_CSV.encode()}
    )
    dora.get_by_test_id("import-form").locator("button").click()
    assert "価格表を取り込みました" in dora.content()
    assert dora.get_by_test_id("breaks").locator("tbody tr").count() == 4

    # The group's demand for 2030-W10 and W11, ordered as one draft.
    dora.goto(f"{server}/purchasing/orders/")
    form = dora.get_by_test_id("create-orders")
    form.locator("input[name=start]").fill("2030-03-04")
    form.locator("input[name=end]").fill("2030-03-17")
    form.locator("button").click()
    dora.wait_for_url("**/purchasing/orders/*/")
    assert dora.get_by_test_id("order-total").inner_text() == "¥76,450"
    assert dora.get_by_test_id("order-saved").inner_text() == "¥12,650"
    assert dora.get_by_test_id("split-row").count() == 3
    dora.screenshot(path=str(tmp_path / "1-draft-ja.png"), full_page=True)
    order_url = dora.url
    po = PurchaseOrder.objects.get()

    # Each shop confirms its part; Carol sees hers only.
    for page in (carol, hana, dora):
        page.goto(order_url)
        page.get_by_test_id("confirm").click()
        assert "自社の配分を確認しました" in page.content()
    assert carol.get_by_test_id("split-row").count() == 1
    assert carol.get_by_test_id("split-total").inner_text() == "¥26,982"
    assert trio.hakusan.name not in carol.content()

    dora.goto(order_url)
    dora.get_by_test_id("place").click()
    assert dora.get_by_test_id("order-status").get_attribute("data-status") == "placed"
    po.refresh_from_db()
    assert po.status == "placed"

    # Carol receives 4 of her 6 sheets, then 3 more is refused, then the last 2.
    carol.goto(order_url)
    carol.get_by_test_id("receive-qty").fill("4")
    carol.get_by_test_id("receive").click()
    assert carol.get_by_test_id("share-received").inner_text() == "4 / 6"
    carol.get_by_test_id("receive-qty").fill("3")
    carol.get_by_test_id("receive").click()
    assert "3 枚は未着の 2 枚より多いです" in carol.content()
    assert carol.get_by_test_id("share-received").inner_text() == "4 / 6"
    carol.get_by_test_id("receive").click()  # the field offers what is outstanding: 2
    assert carol.get_by_test_id("share-received").inner_text() == "6 / 6"
    carol.screenshot(path=str(tmp_path / "2-received-ja.png"), full_page=True)
    share = PurchaseShare.objects.get(order=po, shop=trio.noto)
    assert share.received == 6 and share.receipts.count() == 2
