"""A lead firm's request and order: each line quoted by every shop from its own profile,
placed once, refused with reasons when no shop can make it; exports; who sees what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from drawings.models import Drawing
from orders.models import Order, OrderLine
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import profiles, wait_finished  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def drawing(world, clients, profiles, celery_worker):  # type: ignore[no-untyped-def]  # noqa: F811
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


def due(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def line(drawing, **fields):  # type: ignore[no-untyped-def]
    return {
        "drawing": drawing.pk,
        "material": "SPCC",
        "thickness_mm": 1.6,
        "processes": ["laser"],
        "quantity": 10,
        "due_date": due(),
        **fields,
    }


def test_each_shop_quotes_the_line_from_its_own_profile_cheapest_first(world, clients, drawing):  # type: ignore[no-untyped-def]
    from drawings.quotes import features_from_json
    from quoting.model import QuoteRequest, quote
    from shops.selectors import profiles_for_quotes

    alice = clients["alice"]
    got = alice.post(
        "/api/orders", {"lines": [line(drawing)], "place": False}, content_type="application/json"
    )
    assert got.status_code == 201, got.content
    body = alice.get(f"/api/orders/{got.json()['id']}").json()
    assert body["status"] == "request" and body["number"] == "R-00001"
    (only,) = body["lines"]
    assert only["part_number"] == "BR-100" and only["revision"] == 1 and only["part"] == 0
    priced = [q for q in only["quote"] if "refused" not in q]
    assert {q["shop"] for q in priced} == {world.shop.name, world.coordinator.name}
    totals = [q["total_price_jpy"] for q in priced]
    assert totals == sorted(totals)
    # What each shop's own profile says for the part, 10 pieces, laser only.
    features = features_from_json(drawing.parts.get(is_current=True).features)
    request = QuoteRequest("SPCC", 1.6, (10,))
    for row, profile in profiles_for_quotes(world.group):
        want = quote(features, request, profile).breaks[0]
        mine = next(q for q in priced if q["shop_id"] == row.shop_id)
        assert mine["total_price_jpy"] == round(want.total_price_jpy)
        assert mine["earliest_date"] >= timezone.localdate().isoformat()
        assert mine["hours"]["laser"] > 0


def test_a_request_is_placed_once(world, clients, drawing):  # type: ignore[no-untyped-def]
    alice = clients["alice"]
    order_id = alice.post(
        "/api/orders", {"lines": [line(drawing)], "place": False}, content_type="application/json"
    ).json()["id"]
    assert alice.post(f"/api/orders/{order_id}/place").json()["status"] == "placed"
    again = alice.post(f"/api/orders/{order_id}/place")
    assert again.status_code == 409 and "already" in again.json()["detail"]
    # An outside tool's POST places at once (the contract: 201 with the id).
    placed = alice.post("/api/orders", {"lines": [line(drawing)]}, content_type="application/json")
    assert placed.status_code == 201 and placed.json()["status"] == "placed"
    assert Order.objects.get(pk=placed.json()["id"]).number == "R-00002"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"material": "SPCC", "thickness_mm": 50.0}, "No shop of the group can make line 2"),
        ({"material": "INCONEL"}, "No shop of the group can make line 2"),
        ({"quantity": 0}, "quantity"),
        ({"due_date": "2020-01-01"}, "in the past"),
        ({"processes": ["laser", "anodise"]}, "unknown process anodise"),
    ],
)
def test_bad_lines_are_refused_with_a_clear_message_and_nothing_is_saved(
    world, clients, drawing, fields, message
):  # type: ignore[no-untyped-def]
    good = line(drawing)
    got = clients["alice"].post(
        "/api/orders",
        {"lines": [good, line(drawing, **fields)]},
        content_type="application/json",
    )
    assert got.status_code == 422, got.content
    assert message in str(got.json()), got.json()
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_no_shop_names_every_shops_reason(world, clients, drawing):  # type: ignore[no-untyped-def]
    got = clients["alice"].post(
        "/api/orders",
        {"lines": [line(drawing, thickness_mm=50.0)]},
        content_type="application/json",
    )
    text = str(got.json()["errors"])
    assert world.shop.name in text and world.coordinator.name in text


def test_only_a_lead_firm_orders_and_only_from_its_own_drawings(world, clients, drawing):  # type: ignore[no-untyped-def]
    body = {"lines": [line(drawing)]}
    assert (
        clients["carol"].post("/api/orders", body, content_type="application/json").status_code
        == 403
    )
    assert (
        clients["vera"].post("/api/orders", body, content_type="application/json").status_code
        == 403
    )
    # Another group's buyer meets the drawing as missing.
    assert clients["charlie"].post(
        "/api/orders", body, content_type="application/json"
    ).status_code in {403, 404}
    assert not Order.objects.exists()


def test_who_sees_an_order(world, clients, drawing):  # type: ignore[no-untyped-def]
    order_id = (
        clients["alice"]
        .post("/api/orders", {"lines": [line(drawing)]}, content_type="application/json")
        .json()["id"]
    )
    urls = [
        f"/api/orders/{order_id}",
        f"/api/orders/{order_id}/lines.csv",
        f"/api/orders/{order_id}/lines.xlsx",
        f"/api/orders/{order_id}/quote.pdf",
        f"/orders/{order_id}/",
        f"/orders/{order_id}/export/pdf/",
    ]
    for name in ("alice", "bob", "dora"):
        for url in urls:
            assert clients[name].get(url).status_code == 200, (name, url)
    for name in ("carol", "charlie"):
        for url in urls:
            assert clients[name].get(url).status_code == 404, (name, url)
        assert clients[name].post(f"/api/orders/{order_id}/place").status_code == 404
        assert clients[name].get("/api/orders").json() == []
    assert [o["id"] for o in clients["dora"].get("/api/orders").json()] == [order_id]


def test_exports_hold_the_lines(world, clients, drawing):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook
    from pypdf import PdfReader

    alice = clients["alice"]
    order_id = alice.post(
        "/api/orders",
        {
            "lines": [
                line(drawing, quantity=25),
                line(drawing, quantity=100, processes=["laser", "bend"]),
            ]
        },
        content_type="application/json",
    ).json()["id"]
    order = alice.get(f"/api/orders/{order_id}").json()
    best = [
        min(q["total_price_jpy"] for q in ln["quote"] if "refused" not in q)
        for ln in order["lines"]
    ]

    text = alice.get(f"/api/orders/{order_id}/lines.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["quantity"] for r in rows] == ["25", "100"]
    assert [int(r["best_total_jpy"]) for r in rows] == best
    assert rows[1]["processes"] == "laser bend"

    wb = load_workbook(io.BytesIO(alice.get(f"/api/orders/{order_id}/lines.xlsx").content))
    sheet = list(wb.active.iter_rows(values_only=True))
    assert sheet[0][0] == "line" and [r[6] for r in sheet[1:]] == [25, 100]

    pdf = PdfReader(io.BytesIO(alice.get(f"/api/orders/{order_id}/quote.pdf").content))
    words = "".join(page.extract_text() for page in pdf.pages)
    assert "御見積書" in words and order["number"] in words and "BR-100" in words
    assert f"{sum(best):,}" in words  # the total of the best prices


def test_a_request_made_on_the_page(world, clients, drawing):  # type: ignore[no-untyped-def]
    alice = clients["alice"]
    page = alice.get(f"/orders/new/?drawing={drawing.pk}")
    assert page.status_code == 200 and b"BR-100" in page.content
    key = f"d{drawing.pk}"
    got = alice.post(
        "/orders/new/",
        {
            "title": "12月分",
            f"{key}-on": "1",
            f"{key}-material": "SPCC",
            f"{key}-thickness": "1.6",
            f"{key}-quantity": "40",
            f"{key}-due": due(),
            f"{key}-processes": ["laser", "bend"],
        },
    )
    assert got.status_code == 302, got.content[:500]
    order = Order.objects.get()
    assert order.title == "12月分" and order.status == "request"
    assert order.lines.get().processes == ["laser", "bend"]
    detail = alice.get(got["Location"])
    assert detail.status_code == 200 and b'data-testid="group-quote"' in detail.content
    placed = alice.post(f"/orders/{order.pk}/place/")
    assert placed.status_code == 302
    order.refresh_from_db()
    assert order.status == "placed"
    bad = alice.post(
        "/orders/new/", {f"{key}-on": "1", f"{key}-quantity": "x", f"{key}-due": due()}
    )
    assert bad.status_code == 422 and Order.objects.count() == 1


def test_the_order_list_costs_the_same_queries_for_1_or_5_orders(world, clients, drawing):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice = clients["alice"]
    body = {"lines": [line(drawing)], "place": False}
    alice.post("/api/orders", body, content_type="application/json")
    with CaptureQueriesContext(connection) as one:
        assert alice.get("/orders/").status_code == 200
    for _ in range(4):
        alice.post("/api/orders", body, content_type="application/json")
    with CaptureQueriesContext(connection) as five:
        assert alice.get("/orders/").status_code == 200
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_earliest_date_leaves_out_hours_a_shop_has_promised(
    world, clients, drawing, monkeypatch
):  # type: ignore[no-untyped-def]
    """Carol's shop cuts 8 h every day from the day its profile lets work start (two days
    after today). With those first two days fully promised, a small line's earliest date
    there moves from that day to two days later; the other shop's stays."""
    from datetime import date

    from orders import quotes
    from tests.allocation.conftest import capable

    capable(world.shop, ("laser",))
    capable(world.coordinator, ("laser",))
    today = timezone.localdate()

    def quote_now() -> dict[str, date]:
        order_id = (
            clients["alice"]
            .post(
                "/api/orders",
                {"lines": [line(drawing)], "place": False},
                content_type="application/json",
            )
            .json()["id"]
        )
        body = clients["alice"].get(f"/api/orders/{order_id}").json()["lines"][0]["quote"]
        return {
            q["shop"]: date.fromisoformat(q["earliest_date"]) for q in body if "refused" not in q
        }

    free = quote_now()
    assert free[world.shop.name] == today + timedelta(days=2)  # the default base lead time
    monkeypatch.setattr(
        quotes,
        "booked_hours",
        lambda group, start: {(world.shop.pk, "laser", 2): 8.0, (world.shop.pk, "laser", 3): 8.0},
    )
    busy = quote_now()
    assert busy[world.shop.name] == today + timedelta(days=4)
    assert busy[world.coordinator.name] == free[world.coordinator.name]
