"""A person's path through the portal in a real browser (Debian's chromium, Playwright).

The page is served by uvicorn (ASGI, so the websocket is real) in a thread of this test
process, against the test database; a real Celery worker runs the export.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.waiting import wait_until

CHROMIUM = Path(os.environ.get("KUMIAI_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def _browser_available():  # type: ignore[no-untyped-def]
    reason = os.environ.get("KUMIAI_BROWSER_SKIP")
    if reason or not CHROMIUM.exists():
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(
                f"CI=true and the browser tests cannot run: {reason or 'no ' + str(CHROMIUM)}"
            )
        pytest.skip(
            f"browser tests skipped: {reason or 'no /usr/bin/chromium'} "
            "(as root, `apt-get install chromium`, then `make test`)"
        )
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make between page steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def server(transactional_db):  # type: ignore[no-untyped-def]
    import uvicorn

    from kumiai.asgi import application
    from kumiai.stack.services import free_port

    port = free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", ws="auto", log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    wait_until(
        lambda: srv.started,
        dead=lambda: None if thread.is_alive() else "uvicorn's thread ended before it started",
        poll_s=0.05,
    )
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def log_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_alice_works_in_japanese_switches_to_english_and_exports_the_audit_log(
    world, server, browser, celery_worker, password, tmp_path
):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{server}/login/")
    assert page.locator("h1").inner_text() == "ログイン"
    log_in(page, server, "alice@a.example", password)
    page.wait_for_url("**/dashboard/")
    assert "発注企業ダッシュボード" in page.get_by_test_id("dashboard-title").inner_text()
    assert page.get_by_test_id("group-name").inner_text() == "北陸板金グループ"
    page.screenshot(path=str(tmp_path / "dashboard-ja.png"), full_page=True)

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "lead firm dashboard" in page.get_by_test_id("dashboard-title").inner_text()

    page.goto(f"{server}/org/audit/")
    page.get_by_test_id("export").click()
    job = page.get_by_test_id("job")
    job.locator("a.job-download").wait_for(state="visible", timeout=30_000)
    assert job.locator("progress").get_attribute("value") == "100"
    with page.expect_download() as download_info:
        job.locator("a.job-download").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("created_at,actor,action")
    assert "login.success" in text
    page.screenshot(path=str(tmp_path / "audit-en.png"), full_page=True)
    if os.environ.get("KUMIAI_SCREENSHOT_DIR"):
        for shot in tmp_path.glob("*.png"):
            (Path(os.environ["KUMIAI_SCREENSHOT_DIR"]) / shot.name).write_bytes(shot.read_bytes())
    context.close()


def test_charlie_in_the_browser_gets_the_not_found_page(world, server, browser, password):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    log_in(page, server, "charlie@other.example", password)
    page.wait_for_url("**/dashboard/")
    response = page.goto(f"{server}/orgs/{world.lead_firm.pk}/")
    assert response.status == 404
    assert "not shared with your organisation" in page.content()
    assert world.lead_firm.name not in page.content()
    context.close()
