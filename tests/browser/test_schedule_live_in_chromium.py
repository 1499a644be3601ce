"""The shared schedule in a real browser (issue 13).

Procurement's page stays open while the shop reports a breakdown: the re-plan (a real
Celery worker) reaches the page over the websocket, and the moved operation, its late
risk and the load show without a reload. And a drag the move endpoint refuses puts the
operation back where it was and says why.

Served and driven as tests/browser/test_portal_in_chromium.py does (uvicorn in a thread,
a real Celery worker on the real Redis broker); its fixtures are reused from there.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from drawings.models import Drawing
from production.models import Operation
from tests.allocation.conftest import group_ready  # noqa: F401
from tests.browser import test_portal_in_chromium as portal
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import profiles, wait_finished  # noqa: F401
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_browser_available = portal._browser_available
server = portal.server
browser = portal.browser
log_in = portal.log_in

# A bound for waits on work that does happen (the worker's re-plan); not a measurement.
WAIT_MS = 60_000


# The group's work is set up before the browser starts: Playwright's sync API runs an
# event loop in the test's thread, where the actions' async_to_sync calls cannot run.
# From then on, people act through their browsers.
@pytest.fixture
def part(group_ready, clients, celery_worker):  # type: ignore[no-untyped-def]  # noqa: F811
    """Alice's analysed drawing; the coordinator's shop cuts and bends, Carol's cuts."""
    got = clients["alice"].post(
        "/api/drawings",
        {
            "file": SimpleUploadedFile("BR-100.dxf", plate()),
            "part_number": "BR-100",
            "material": "SPCC",
            "thickness_mm": "1.6",
        },
    )
    d = Drawing.objects.get(pk=got.json()["id"])
    assert wait_finished(d.current_revision_id).status == "analysed"
    return d


@pytest.fixture
def at_carols(world, clients, part):  # type: ignore[no-untyped-def]
    """A cutting line of Alice's, accepted by Carol's shop and planned on its one laser."""
    offer = publish_to(world, clients, part, world.shop, processes=["laser"])
    assert clients["carol"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    return wait_until(lambda: Operation.objects.filter(work__offer=offer).first(), poll_s=0.3)


@pytest.fixture
def cut_and_bend(world, clients, part):  # type: ignore[no-untyped-def]
    """A line cut, then bent for an hour, at the coordinator's shop (open 08:00–16:00
    every day): its two operations, put tomorrow at 10:00 (cutting) and 11:00–12:00
    (bending), so that which moves are sound does not depend on the time of day."""
    offer = publish_to(world, clients, part, world.coordinator, processes=["laser", "bend"])
    line = offer.line
    for q in line.quote:  # the test plate has no bends: give the brake an hour
        if q.get("shop_id") == world.coordinator.pk:
            q["hours"]["bend"] = 1.0
    line.save(update_fields=["quote"])
    assert clients["dora"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    laser, bend = wait_until(
        lambda: (
            (ops := list(Operation.objects.filter(work__offer=offer).order_by("seq")))
            and len(ops) == 2
            and ops
        ),
        poll_s=0.3,
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    cut_at = timezone.make_aware(datetime.combine(tomorrow, time(10)))
    bend_at = timezone.make_aware(datetime.combine(tomorrow, time(11)))
    Operation.objects.filter(pk=laser.pk).update(
        start=cut_at, end=cut_at + (laser.end - laser.start)
    )
    Operation.objects.filter(pk=bend.pk).update(start=bend_at, end=bend_at + timedelta(hours=1))
    return [Operation.objects.get(pk=op.pk) for op in (laser, bend)]


def post_json(page, url: str, body: dict) -> int:  # type: ignore[no-untyped-def]
    """POST from the page's own session, as its scripts do (CSRF from the cookie)."""
    return page.evaluate(
        """async ([url, body]) => {
          const token = (document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || "";
          const r = await fetch(url, {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(token)},
            body: JSON.stringify(body)
          });
          return r.status;
        }""",
        [url, body],
    )


@pytest.fixture
def people(server, browser, password):  # type: ignore[no-untyped-def]
    """Signs a person in, in a browser context of their own; the contexts (and their
    websockets) are closed before the server stops."""
    contexts = []

    def sign_in(email: str, locale: str = "en-US"):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        log_in(page, server, email, password)
        page.wait_for_url("**/dashboard/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
    connections.close_all()  # the test's own reads, made while Playwright's loop runs


def open_schedule(page, server: str):  # type: ignore[no-untyped-def]
    page.goto(f"{server}/schedule/")
    page.locator("#schedule-gantt .vis-item.op").first.wait_for()
    # Live: the page hears about changes over the websocket, not by polling.
    page.locator("[data-testid=schedule-status][data-mode=live]").wait_for()


def drag(page, item, dx: float) -> None:  # type: ignore[no-untyped-def]
    """Drag an item sideways by dx pixels, as a hand would (pointer down, moves, up)."""
    box = item.bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=12)
    page.mouse.up()


def keep_shots(tmp_path: Path) -> None:
    if os.environ.get("KUMIAI_SCREENSHOT_DIR"):
        for image in tmp_path.glob("*.png"):
            (Path(os.environ["KUMIAI_SCREENSHOT_DIR"]) / image.name).write_bytes(image.read_bytes())


def test_a_breakdown_reaches_the_buyers_open_gantt_without_a_reload(
    world, at_carols, server, people, tmp_path
):  # type: ignore[no-untyped-def]
    op = at_carols
    line = op.work.line.label

    buyer = people("alice@a.example")
    open_schedule(buyer, server)
    risk = buyer.get_by_test_id("late-risk-rows").locator(f"tr[data-line='{line}']")
    assert risk.count() == 0  # on time so far
    assert (
        buyer.locator("#schedule-gantt .vis-item.op.movable").count() == 0
    )  # a buyer moves nothing
    load_row = buyer.get_by_test_id("load-table").locator(f"tr[data-shop='{world.shop.name}']")
    load_before = load_row.inner_text()
    buyer.screenshot(path=str(tmp_path / "schedule-buyer-before.png"), full_page=True)
    buyer.evaluate("window.stillTheSamePage = true")  # a reload would forget it

    # The shop's only laser is down from before the operation until two days after the
    # line is due: the re-plan can only put the operation after it, late.
    down_until = timezone.make_aware(datetime.combine(op.work.due_date + timedelta(days=2), time()))
    shop = people("carol@shop.example")
    shop.goto(f"{server}/schedule/")
    window = {"start": (op.start - timedelta(minutes=1)).isoformat(), "end": down_until.isoformat()}
    assert post_json(shop, f"/api/machines/{op.machine_id}/breakdowns", window) == 201
    moved = wait_until(
        lambda: (o := Operation.objects.get(pk=op.pk)).start >= down_until and o, poll_s=0.3
    )

    # The open page shows the line at risk, with the moved operation's finish …
    risk.wait_for(timeout=WAIT_MS)
    expected_finish = timezone.localtime(moved.end).strftime("%m-%d %H:%M")
    expect(risk.locator("td").nth(3)).to_have_text(expected_finish, timeout=WAIT_MS)
    expect(risk.locator("td").nth(4)).to_have_text(op.work.due_date.isoformat())
    # … the load moved out of the week it was in …
    expect(load_row).not_to_have_text(load_before, timeout=WAIT_MS)
    # … and, from the late-risk row, the operation itself, red, where the re-plan put it.
    risk.click()
    late = buyer.locator("#schedule-gantt .vis-item.op.late")
    late.first.wait_for(timeout=WAIT_MS)
    assert late.count() == 1 and line in late.first.inner_text()
    assert buyer.evaluate("window.stillTheSamePage") is True  # nobody reloaded the page
    buyer.screenshot(path=str(tmp_path / "schedule-buyer-after-breakdown.png"), full_page=True)
    keep_shots(tmp_path)


def test_a_refused_drag_puts_the_operation_back_and_says_why(
    world, cut_and_bend, server, people, tmp_path
):  # type: ignore[no-untyped-def]
    _laser, bend = cut_and_bend

    page = people("dora@kaga.example")
    open_schedule(page, server)
    items = page.locator("#schedule-gantt .vis-item.op.movable")
    expect(items).to_have_count(2)
    bend_item = items.filter(has_text="bend")
    laser_item = items.filter(has_text="laser")
    gantt = page.locator("#schedule-gantt")

    def where(item):  # type: ignore[no-untyped-def]
        """The item's box in the Gantt (the alert above it may shift the whole Gantt)."""
        box, frame = item.bounding_box(), gantt.bounding_box()
        return box and frame and {**box, "x": box["x"] - frame["x"], "y": box["y"] - frame["y"]}

    before, laser_box = where(bend_item), where(laser_item)
    assert before and laser_box

    # Drag the bending to start with the cutting it needs: against the order of operations.
    drag(page, bend_item, laser_box["x"] - before["x"])

    alert = page.get_by_test_id("move-error")
    expect(alert).to_be_visible(timeout=WAIT_MS)
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("The move was refused:")
    expect(alert).to_contain_text("before the step before it")
    page.screenshot(path=str(tmp_path / "schedule-move-refused.png"), full_page=True)

    # The operation is back where it was, on the page and in the database.
    def back_in_place() -> bool:
        box = where(bend_item)
        return bool(box) and abs(box["x"] - before["x"]) < 1.5 and abs(box["y"] - before["y"]) < 1.5

    wait_until(back_in_place, poll_s=0.1)
    again = Operation.objects.get(pk=bend.pk)
    assert (again.start, again.end, again.machine_id, again.pinned) == (
        bend.start,
        bend.end,
        bend.machine_id,
        False,
    )

    page.get_by_test_id("move-error-dismiss").click()
    expect(alert).to_be_hidden()
    keep_shots(tmp_path)


def test_a_sound_drag_is_saved_and_pinned(world, cut_and_bend, server, people):  # type: ignore[no-untyped-def]
    _laser, bend = cut_and_bend
    page = people("dora@kaga.example")
    open_schedule(page, server)
    bend_item = page.locator("#schedule-gantt .vis-item.op.movable").filter(has_text="bend")
    box = bend_item.bounding_box()
    assert box

    # Half an hour later on the same brake (the item is an hour wide): 11:30–12:30.
    drag(page, bend_item, box["width"] / 2)
    expect(page.get_by_test_id("move-status")).to_have_text(
        f"{bend.work.line.label} moved.", timeout=WAIT_MS
    )
    expect(page.locator("#schedule-gantt .vis-item.op.pinned")).to_have_count(1)
    expect(page.get_by_test_id("move-error")).to_be_hidden()
    moved = Operation.objects.get(pk=bend.pk)
    assert moved.start == bend.start + timedelta(minutes=30)
    assert moved.end - moved.start == timedelta(hours=1)
    assert (moved.machine_id, moved.pinned) == (bend.machine_id, True)
