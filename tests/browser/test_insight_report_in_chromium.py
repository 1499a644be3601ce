"""Group insight in a real browser: the coordinator, in Japanese, opens the dashboard of
May 2026 (tests/insight/rows.py's hand-computed month), sees its charts drawn, and
downloads the monthly report as a PDF whose extracted text holds the group's figures;
a member shop, in English, gets its own figures and the group's, never another
member's, on the page and in its report.

Served and driven as tests/browser/test_portal_in_chromium.py does (uvicorn in a thread
against the test database); its fixtures are reused from there.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tests.browser import test_portal_in_chromium as portal
from tests.insight.rows import HAKUSAN, KANAZAWA, may_2026

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_browser_available = portal._browser_available
server = portal.server
browser = portal.browser
log_in = portal.log_in

MAY = "/insight/?from=2026-05&to=2026-05"


def pdf_text(path: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("KUMIAI_SCREENSHOT_DIR"):
        (Path(os.environ["KUMIAI_SCREENSHOT_DIR"]) / path.name).write_bytes(path.read_bytes())


def test_the_monthly_report_downloads_as_a_pdf_with_the_groups_figures(
    world, server, browser, password, tmp_path
):  # type: ignore[no-untyped-def]
    may_2026(world)

    # The coordinator, in Japanese.
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, server, "dora@kaga.example", password)
    page.wait_for_url("**/dashboard/")
    page.goto(f"{server}{MAY}")
    assert page.locator("h1").inner_text().startswith("グループの実績")
    page.locator("body[data-insight-charts=drawn]").wait_for(timeout=15_000)
    assert page.locator("canvas[data-drawn='1']").count() == 5  # material saved: no orders yet
    assert "75.0 %" in page.get_by_test_id("kpi-on_time").inner_text()
    assert "50.0 %" in page.get_by_test_id("kpi-win_rate").inner_text()
    assert (
        "共同購買の発注はまだありません" in page.get_by_test_id("empty-material_saved").inner_text()
    )
    shot(page, tmp_path, "insight-coordinator-ja")
    page.goto(f"{server}/insight/?from=2026-04&to=2026-05")
    page.locator("body[data-insight-charts=drawn]").wait_for(timeout=15_000)
    assert page.get_by_test_id("report-2026-04").count() == 1
    shot(page, tmp_path, "insight-coordinator-two-months-ja")
    page.goto(f"{server}{MAY}")

    with page.expect_download() as download_info:
        page.get_by_test_id("report-2026-05").click()
    download = download_info.value
    assert download.suggested_filename == "kumiai-report-2026-05.pdf"
    text = pdf_text(download.path())
    for expected in (world.group.name, "月次報告書", "グループ合計", "75.0 %", "50.0 %", "200,000"):
        assert expected in text, expected
    assert HAKUSAN in text and KANAZAWA in text  # the coordinator sees every member
    context.close()

    # A member shop, in English: itself and the group's totals only.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, server, "carol@shop.example", password)
    page.wait_for_url("**/dashboard/")
    page.goto(f"{server}{MAY}")
    page.locator("body[data-insight-charts=drawn]").wait_for(timeout=15_000)
    content = page.content()
    assert world.shop.name in content and HAKUSAN not in content and KANAZAWA not in content
    shot(page, tmp_path, "insight-member-en")
    with page.expect_download() as download_info:
        page.get_by_test_id("report-2026-05").click()
    text = pdf_text(download_info.value.path())
    assert "Monthly report 2026-05" in text and "Group total" in text and "75.0 %" in text
    assert world.shop.name in text and HAKUSAN not in text
    context.close()
