"""The shared schedule page (/schedule/): every person of the group gets it, it reads the
caller's own view from GET /api/schedule, another group's user sees nothing of the group,
and the vendored Gantt library is served from static files (no Node, no CDN)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from production.models import Operation
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

VENDOR_DIR = Path(__file__).resolve().parents[2] / "frontend" / "static" / "vendor"


def _config(page: str) -> dict:
    found = re.search(r'<script id="schedule-config" type="application/json">(.*?)</script>', page)
    assert found, "the page passes its settings to the script"
    return json.loads(found.group(1))


def _static_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dora", "alice", "bob", "carol"])
def test_the_coordinator_a_buyer_and_a_shop_get_the_schedule_page(world, clients, name):  # type: ignore[no-untyped-def]
    got = clients[name].get("/schedule/")
    assert got.status_code == 200
    page = got.content.decode()
    assert 'data-testid="gantt"' in page and 'data-testid="late-risk"' in page
    config = _config(page)
    assert config["api"] == "/api/schedule" and config["ws"] == "/ws/schedule/"
    assert config["lang"] == "en" and config["labels"]["live"] == "Live"
    assert "/static/vendor/vis-timeline-8.5.4/vis-timeline-graph2d.min.js" in page
    assert "/static/js/schedule.js" in page


@pytest.mark.django_db
def test_the_schedule_page_speaks_japanese(world, clients):  # type: ignore[no-untyped-def]
    client = clients["carol"]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    page = client.get("/schedule/").content.decode()
    assert "共有スケジュール" in page and "納期遅れリスク" in page
    config = _config(page)
    assert config["lang"] == "ja" and config["labels"]["late"] == "遅れ"


@pytest.mark.django_db
def test_a_visitor_who_is_not_signed_in_is_sent_to_log_in(client):  # type: ignore[no-untyped-def]
    got = client.get("/schedule/")
    assert got.status_code == 302 and "/schedule/" in got["Location"]


@pytest.mark.django_db(transaction=True)
def test_another_groups_user_gets_a_page_that_shows_nothing_of_the_group(
    world, clients, drawing, celery_worker
):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser"])
    assert clients["dora"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    op = wait_until(lambda: Operation.objects.filter(work__offer=offer).first(), poll_s=0.3)
    secrets = [
        drawing.part_number,
        op.work.line.order.number,
        op.machine.name,
        world.group.name,
        world.coordinator.name,
        world.lead_firm.name,
        world.shop.name,
    ]
    charlie = clients["charlie"]
    got = charlie.get("/schedule/")
    assert got.status_code == 200
    page = got.content.decode()
    assert not [s for s in secrets if s in page]
    # What the page's script loads: the same answer, empty for him, the operation for Dora.
    api = _config(page)["api"]
    assert charlie.get(api).json() == {"operations": []}
    assert [o["id"] for o in clients["dora"].get(api).json()["operations"]] == [op.pk]


@pytest.mark.django_db
def test_every_static_file_the_page_links_is_served(world, clients):  # type: ignore[no-untyped-def]
    page = clients["alice"].get("/schedule/").content.decode()
    urls = _static_urls(page)
    assert any("/vendor/vis-timeline-8.5.4/" in u and u.endswith(".js") for u in urls)
    # The standalone build injects its own styles; its stylesheet is vendored beside it.
    urls.append("/static/vendor/vis-timeline-8.5.4/vis-timeline-graph2d.min.css")
    for url in urls:
        got = clients["alice"].get(url)
        assert got.status_code == 200, url
        body = b"".join(got.streaming_content) if got.streaming else got.content
        assert len(body) > 100, url
    script = clients["alice"].get("/static/vendor/vis-timeline-8.5.4/vis-timeline-graph2d.min.js")
    head = b"".join(script.streaming_content)[:600].decode()
    assert "@version 8.5.4" in head


def test_the_vendored_library_is_recorded_with_its_version_and_licence() -> None:
    readme = (VENDOR_DIR / "README.md").read_text()
    assert "vis-timeline" in readme and "8.5.4" in readme and "Apache-2.0 OR MIT" in readme
    folder = VENDOR_DIR / "vis-timeline-8.5.4"
    assert (folder / "LICENSE.MIT.txt").exists() and (folder / "LICENSE.Apache-2.0.txt").exists()
