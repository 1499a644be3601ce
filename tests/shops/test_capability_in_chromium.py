"""Carol's capability page in a real browser (Debian's chromium), in Japanese, and the
coordinator's in English: the four-week calendar shows the year-end closure, New Year's
Day inside it and 成人の日, and Carol adds a closure through the page's form."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tests.browser.test_portal_in_chromium import _browser_available, browser, log_in, server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["_browser_available", "browser", "server"]  # fixtures, used by name

YEAR_END_WEEKS = "2026-12-21"  # Monday 21 December 2026 … Sunday 17 January 2027


def keep(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(tmp_path / name), full_page=True)
    if os.environ.get("KUMIAI_SCREENSHOT_DIR"):
        target = Path(os.environ["KUMIAI_SCREENSHOT_DIR"]) / name
        target.write_bytes((tmp_path / name).read_bytes())


def test_carol_and_the_coordinator_read_the_calendar(world, server, browser, password, tmp_path):  # type: ignore[no-untyped-def]
    from shops.demo import seed_capabilities

    seed_capabilities(world.group, today=date(2026, 11, 27))
    url = f"{server}/shops/{world.shop.pk}/capability/?start={YEAR_END_WEEKS}"

    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, server, "carol@shop.example", password)
    page.wait_for_url("**/dashboard/")
    page.goto(url)
    assert "能登レーザー工業 の加工能力とカレンダー" in page.locator("h1").inner_text()
    new_year = page.locator('td[data-date="2027-01-01"]')
    assert new_year.get_attribute("data-state") == "closure"
    assert "元日" in new_year.inner_text() and "年末年始休業" in new_year.inner_text()
    coming_of_age = page.locator('td[data-date="2027-01-11"]')
    assert coming_of_age.get_attribute("data-state") == "holiday"
    assert "成人の日" in coming_of_age.inner_text()
    # 能登 works Saturdays: two lasers, two shifts.
    assert page.locator('td[data-date="2027-01-09"]').get_attribute("data-state") == "working"
    keep(page, tmp_path, "capability-ja.png")

    form = page.get_by_test_id("closure-form")
    form.locator("input[name=start_date]").fill("2027-01-14")
    form.locator("input[name=end_date]").fill("2027-01-15")
    form.locator("input[name=reason]").fill("棚卸し")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(url)
    assert page.locator('td[data-date="2027-01-14"]').get_attribute("data-state") == "closure"
    page.goto(f"{server}/shops/{world.shop.pk}/capability/edit/")
    keep(page, tmp_path, "capability-edit-ja.png")
    context.close()

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, server, "dora@kaga.example", password)
    page.wait_for_url("**/dashboard/")
    page.goto(url)
    assert page.get_by_test_id("read-only").is_visible()
    assert page.get_by_test_id("shares-form").is_visible()
    assert page.locator('td[data-date="2027-01-11"] .holiday-name').get_attribute("title") == (
        "Coming of Age Day"
    )
    keep(page, tmp_path, "capability-en-coordinator.png")
    page.goto(f"{server}/shops/")
    keep(page, tmp_path, "shops-en.png")
    context.close()
