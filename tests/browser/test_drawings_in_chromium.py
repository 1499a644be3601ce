"""The drawing library in a real browser (Debian's chromium, Playwright): a buyer uploads
a zip of real third-party DXF panels through the page, watches the bars reach the end,
and reads a drawing's view, findings, quote and similar past jobs in both languages.

Served and driven as tests/browser/test_portal_in_chromium.py does (uvicorn in a thread
against the test database, a real Celery worker on the real Redis broker); its fixtures
are reused from there rather than copied.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser import test_portal_in_chromium as portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The portal test's fixtures (chromium present or a clear skip/fail, uvicorn, the browser)
# and its log-in step, bound here so pytest finds them for this module too.
_browser_available = portal._browser_available
server = portal.server
browser = portal.browser
log_in = portal.log_in

DXF_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dxf"
# Single-part sheet panels (inventory.csv: manual_class single_part, no units trouble):
# the back panel in its three printer sizes (family F01), so similar search has size
# variants to find, and two panels of other families beside them.
PANELS = (
    "VoronDesign__Voron-2/Drawing_DXFs/Panels/250_Back_Panel.DXF",
    "VoronDesign__Voron-2/Drawing_DXFs/Panels/300_Back_Panel.DXF",
    "VoronDesign__Voron-2/Drawing_DXFs/Panels/350_Back_Panel.DXF",
    "VoronDesign__Voron-2/Drawing_DXFs/Panels/300_Deck_Panel.dxf",
    "VoronDesign__Voron-Trident/Drawings_DXFs/Panels/300_bottom.dxf",
)
OPENED = "250_Back_Panel.DXF"  # the drawing whose page we read
WITH_HISTORY = "300_Back_Panel.DXF"  # its size variant, bought before at a known price
UNIT_PRICE_JPY = 1234

# Outside the repository: people look at them, nothing checks them in.
SHOTS = Path(os.environ.get("KUMIAI_SCREENSHOT_DIR") or Path(tempfile.gettempdir(), "kumiai-shots"))
# The worker analyses one file after another; the bound only stops a hung run.
ANALYSIS_TIMEOUT_MS = 240_000


@pytest.fixture
def panels_zip(tmp_path: Path) -> Path:
    missing = [p for p in PANELS if not (DXF_DIR / p).is_file()]
    if missing:
        # The shared data sits beside the checkout (CI has it): its absence is a broken
        # setup to fix, not a reason to skip the library's one browser test.
        pytest.fail(f"shared DXF data missing under {DXF_DIR}: {', '.join(missing)}")
    path = tmp_path / "voron-panels.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in PANELS:
            zf.write(DXF_DIR / p, arcname=f"panels/{Path(p).name}")
    return path


@pytest.fixture
def shop_profiles(world):  # type: ignore[no-untyped-def]
    from shops.actions import ensure_profile
    from tenancy.context import Actor

    system = Actor.system("test")
    return [ensure_profile(org, acting=system) for org in (world.shop, world.coordinator)]


def drawing_of(file_name: str):  # type: ignore[no-untyped-def]
    from drawings.models import Revision

    return Revision.objects.select_related("drawing").get(file_name=file_name).drawing


def shoot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_image_loaded(page, img) -> None:  # type: ignore[no-untyped-def]
    """The <img> has decoded a picture (a broken one has naturalWidth 0). Lazy images
    load only near the viewport, so bring each one there first."""
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0",
        arg=img.element_handle(),
        timeout=30_000,
    )


def wait_images_loaded(page, images) -> None:  # type: ignore[no-untyped-def]
    for i in range(images.count()):
        wait_image_loaded(page, images.nth(i))


def test_alice_uploads_a_zip_of_real_panels_and_reads_quote_and_similar_jobs_in_both_languages(
    world, server, browser, celery_worker, password, panels_zip, shop_profiles
):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from drawings.models import PartQuote, PastJob, RevisionStatus

    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, server, "alice@a.example", password)
    page.wait_for_url("**/dashboard/")

    # -- upload: the zip through the page's own file input --------------------------------
    page.goto(f"{server}/drawings/")
    page.get_by_test_id("file-input").set_input_files(str(panels_zip))
    uploads = page.get_by_test_id("uploads")
    zip_row = uploads.locator("li", has_text=panels_zip.name).first
    expect(zip_row).to_have_attribute("data-status", "uploaded", timeout=60_000)
    expect(zip_row.locator(".state")).to_contain_text(f"({len(PANELS)})")
    expect(page.get_by_test_id("batch-progress")).to_have_js_property("value", 100)
    expect(page.get_by_test_id("batch").locator(".pct")).to_have_text("100 %")

    analysed = uploads.locator("li[data-status=analysed]")
    expect(analysed).to_have_count(len(PANELS), timeout=ANALYSIS_TIMEOUT_MS)
    expect(uploads.locator("li[data-status=failed], li[data-status=refused]")).to_have_count(0)
    expect(uploads.locator("li[data-status=skipped]")).to_have_count(0)
    opened_ids = set()
    for i in range(len(PANELS)):
        li = analysed.nth(i)
        expect(li.locator("progress")).to_have_js_property("value", 100)
        expect(li.locator(".state")).to_have_text("解析済み")
        opened_ids.add(li.locator("a.open").get_attribute("href"))
    shots = [shoot(page, "upload-ja.png")]

    # Stored: one analysed drawing per panel, owned by Alice's firm, each linked from a row.
    drawings = {Path(p).name: drawing_of(Path(p).name) for p in PANELS}
    for name, d in drawings.items():
        assert d.owner_id == world.lead_firm.pk, name
        assert d.current_revision.status == RevisionStatus.ANALYSED, (
            name,
            d.current_revision.error_en,
        )
    assert opened_ids == {f"/drawings/{d.pk}/" for d in drawings.values()}

    # The firm bought the 300 mm back panel from the member shop before.
    history = drawings[WITH_HISTORY]
    PastJob.objects.create(
        recorded_by=world.lead_firm,
        buyer=world.lead_firm,
        maker=world.shop,
        drawing=history,
        part_number=history.part_number,
        part_number_key=history.part_number_key,
        order_date=date(2025, 3, 14),
        quantity=20,
        unit_price=Decimal(UNIT_PRICE_JPY),
        currency="JPY",
        lead_time_days=7,
    )

    # -- the drawing page, in Japanese ---------------------------------------------------
    d = drawings[OPENED]
    page.goto(f"{server}/drawings/{d.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("解析済み")
    wait_image_loaded(page, page.get_by_test_id("svg-view"))
    findings = d.current_revision.analysis["findings"]
    items = page.get_by_test_id("findings").locator("li")
    if findings:
        expect(items).to_have_count(len(findings))
        for f, item in zip(findings, items.all(), strict=True):
            expect(item).to_contain_text(f["message_ja"])
    else:
        expect(items).to_have_text(["指摘事項はありません。"])

    # The panels carry no material or thickness: the page asks, then quotes.
    quote = page.get_by_test_id("quote")
    expect(quote).to_contain_text("材質と板厚が不明")
    expect(page.get_by_test_id("instant-quote")).to_have_count(0)
    form = page.get_by_test_id("material-form")
    form.locator("input[name=material]").fill("SPCC")
    form.locator("input[name=thickness_mm]").fill("1.6")
    with page.expect_navigation():
        form.locator("button").click()
    instant = page.get_by_test_id("instant-quote")
    expect(instant).to_be_visible()
    expect(instant.locator("tbody td.num").first).to_contain_text("¥")
    group = page.get_by_test_id("group-quote")
    expect(group).to_contain_text(world.shop.name)
    expect(group).to_contain_text(world.coordinator.name)
    stored_quotes = PartQuote.objects.filter(drawing=d)
    assert {q.shop_id for q in stored_quotes} == {world.shop.pk, world.coordinator.pk}
    assert all(q.material == "SPCC" and q.thickness_mm == 1.6 for q in stored_quotes)

    similar = page.get_by_test_id("similar")
    variant = similar.locator("li", has=page.locator(f"a[href='/drawings/{history.pk}/']"))
    expect(variant).to_have_count(1)
    expect(variant.locator(".pastjob")).to_contain_text(f"{UNIT_PRICE_JPY:,}")
    expect(variant.locator(".pastjob")).to_contain_text(world.shop.name)
    # Every other panel Alice uploaded is a candidate; the nearest size variant is first.
    links = similar.locator("li a[href^='/drawings/']")
    expect(links).to_have_count(len(PANELS) - 1)
    expect(links.first).to_have_attribute("href", f"/drawings/{history.pk}/")
    expect(similar).to_contain_text(drawings["350_Back_Panel.DXF"].part_number)
    wait_images_loaded(page, similar.locator("img"))

    body = page.locator("main")
    for words in ("即時見積", "グループ見積", "類似の過去案件", "指摘事項", "版の履歴"):
        expect(body).to_contain_text(words)
    shots.append(shoot(page, "drawing-ja.png"))

    # -- the same page, in English (the page's own language button) ----------------------
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for words in ("Instant quote", "Group quote", "Similar past jobs", "Findings", "Revisions"):
        expect(body).to_contain_text(words)
    for words in ("即時見積", "類似の過去案件", "解析済み"):
        expect(body).not_to_contain_text(words)
    expect(page.get_by_test_id("status")).to_have_text("Analysed")
    expect(variant.locator(".pastjob")).to_contain_text(f"{UNIT_PRICE_JPY:,}")
    expect(variant.locator(".pastjob")).to_contain_text("20 pcs")
    if not findings:
        expect(page.get_by_test_id("findings").locator("li")).to_have_text(["Nothing to report."])
    wait_image_loaded(page, page.get_by_test_id("svg-view"))
    wait_images_loaded(page, similar.locator("img"))
    shots.append(shoot(page, "drawing-en.png"))
    context.close()

    # -- Charlie, in another group, is told the page does not exist ----------------------
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    log_in(page, server, "charlie@other.example", password)
    page.wait_for_url("**/dashboard/")
    response = page.goto(f"{server}/drawings/{d.pk}/")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("not shared with your organisation")
    assert d.part_number not in page.content()
    assert page.request.get(f"{server}/drawings/{d.pk}/rev/1/view.svg").status == 404
    context.close()

    assert all(s.stat().st_size > 0 for s in shots)
