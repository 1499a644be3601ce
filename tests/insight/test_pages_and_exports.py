"""The insight API, dashboard, exports and monthly PDF through the real HTTP stack: the
numbers of tests/insight/rows.py's month, who sees which, and exports that read back
equal to the API's answer."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import client_for
from tests.insight.rows import HAKUSAN, KANAZAWA, may_2026

pytestmark = pytest.mark.django_db

MAY = "from=2026-05&to=2026-05"


@pytest.fixture
def month(world):  # type: ignore[no-untyped-def]
    return may_2026(world)


def api(client, query: str = MAY) -> dict:  # type: ignore[no-untyped-def]
    got = client.get(f"/api/insight?{query}")
    assert got.status_code == 200, got.content
    return got.json()


def total(rows: list[dict], **match) -> dict:  # type: ignore[no-untyped-def]
    return next(r for r in rows if r["total"] and all(r[k] == v for k, v in match.items()))


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


# -- the API ------------------------------------------------------------------------------------
def test_the_api_gives_the_coordinator_the_months_figures(world, clients, month):  # type: ignore[no-untyped-def]
    data = api(clients["dora"])
    assert data["period"] == {
        "from": "2026-05",
        "to": "2026-05",
        "label": "2026-05",
        "months": ["2026-05"],
        "weeks": ["2026-W18", "2026-W19", "2026-W20", "2026-W21", "2026-W22"],
        "week_labels": ["04/27〜", "05/04〜", "05/11〜", "05/18〜", "05/25〜"],
    }
    assert (data["view"], data["group"]) == ("group", world.group.name)
    assert total(data["on_time"])["rate"] == 0.75
    assert total(data["win_rate"])["rate"] == 0.5
    assert total(data["turnaround"], kind="request_to_order")["median_h"] == 15.0
    assert total(data["turnaround"], kind="offer_to_answer")["median_h"] == 3.0
    assert (total(data["work_shared"])["hours"], total(data["work_shared"])["yen"]) == (
        20.0,
        200_000,
    )
    carol = next(r for r in data["work_shared"] if r["org_id"] == world.shop.pk)
    assert (carol["share"], carol["target_share"]) == (0.8, 0.5)
    assert sum(r["hours"] for r in data["load"] if r["total"]) == 10.0
    assert data["material_saved"] is None  # no joint order yet: no number at all


def test_the_api_refuses_a_period_that_is_not_whole_months(clients, month):  # type: ignore[no-untyped-def]
    for query in ("from=2026-13", "from=2026-05&to=2026-04", "from=2024-01&to=2026-12", "from=x"):
        got = clients["dora"].get(f"/api/insight?{query}")
        assert got.status_code == 422, query
        assert "detail" in got.json()


def test_the_api_and_pages_need_a_signed_in_member(client, month):  # type: ignore[no-untyped-def]
    assert client.get(f"/api/insight?{MAY}").status_code == 401
    for url in (
        "/insight/",
        "/insight/export.csv",
        "/insight/export.xlsx",
        "/insight/report/2026-05.pdf",
    ):
        got = client.get(url)
        assert got.status_code == 302 and "/login" in got["Location"], url


# -- who sees what, through every door ----------------------------------------------------------
def everything(client) -> str:  # type: ignore[no-untyped-def]
    """The API's answer, the page, both exports and the PDF, as one text."""
    from openpyxl import load_workbook

    parts = [
        client.get(f"/api/insight?{MAY}").content.decode(),
        client.get(f"/insight/?{MAY}").content.decode(),
        client.get(f"/insight/export.csv?{MAY}").content.decode("utf-8-sig"),
        pdf_text(client.get("/insight/report/2026-05.pdf").content),
    ]
    wb = load_workbook(io.BytesIO(client.get(f"/insight/export.xlsx?{MAY}").content))
    for ws in wb.worksheets:
        parts += [str(c) for row in ws.iter_rows(values_only=True) for c in row]
    return "\n".join(parts)


def test_the_coordinator_sees_every_member_by_name_everywhere(world, clients, month):  # type: ignore[no-untyped-def]
    seen = everything(clients["dora"])
    for name in (world.shop.name, HAKUSAN, world.coordinator.name, world.lead_firm.name, KANAZAWA):
        assert name in seen


def test_a_member_shop_sees_itself_and_the_group_never_another_member(world, clients, month):  # type: ignore[no-untyped-def]
    seen = everything(clients["carol"])
    assert world.shop.name in seen and world.group.name in seen
    for name in (HAKUSAN, world.coordinator.name, world.lead_firm.name, KANAZAWA):
        assert name not in seen, name


def test_a_lead_firm_sees_its_own_orders_and_the_group_never_a_shop(world, clients, month):  # type: ignore[no-untyped-def]
    data = api(clients["alice"])
    mine = next(r for r in data["win_rate"] if r["org_id"] == world.lead_firm.pk)
    assert (mine["requests"], mine["placed"]) == (4, 2)
    assert [(r["org_id"], r["closed"], r["on_time"]) for r in data["on_time"]] == [
        (world.lead_firm.pk, 2, 1),
        (None, 4, 3),
    ]
    seen = everything(clients["alice"])
    assert world.lead_firm.name in seen
    # The shop names in her view are only those of base.html's header? None at all.
    for name in (world.shop.name, HAKUSAN, world.coordinator.name, KANAZAWA):
        assert name not in seen, name


def test_another_groups_user_sees_nothing_of_this_group(world, clients, month):  # type: ignore[no-untyped-def]
    data = api(clients["charlie"])
    assert data["group"] == world.other_group.name
    assert all(r["closed"] == 0 for r in data["on_time"])
    assert all(r["requests"] == 0 for r in data["win_rate"])
    assert all(r["hours"] == 0 for r in data["work_shared"] + data["load"])
    seen = everything(clients["charlie"])
    for name in (world.group.name, world.shop.name, HAKUSAN, world.lead_firm.name, KANAZAWA):
        assert name not in seen, name
    assert "200,000" not in seen and "75.0 %" not in seen


# -- the page -----------------------------------------------------------------------------------
def test_the_dashboard_shows_the_figures_charts_and_what_they_count(world, clients, month):  # type: ignore[no-untyped-def]
    page = clients["dora"].get(f"/insight/?{MAY}").content.decode()
    assert 'data-chart="on_time"' in page and "chart.umd.min.js" in page
    assert "75.0 %" in page and "200,000" in page and "16.0" in page
    assert "the day the last shipment was received" in page  # the on-time definition
    assert "No joint orders yet." in page
    assert 'href="/insight/report/2026-05.pdf"' in page


def test_the_dashboard_reads_in_japanese(world, month):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(world.dora.user)
    page = client.get(f"/insight/?{MAY}").content.decode()
    for text in (
        "グループの実績",
        "納期遵守率",
        "見積の受注率",
        "グループ合計",
        "共同購買の発注はまだありません",
    ):
        assert text in page, text


def test_a_period_that_is_not_whole_months_is_said_and_six_months_shown(clients, month):  # type: ignore[no-untyped-def]
    page = clients["dora"].get("/insight/?from=2026-05&to=2026-02").content.decode()
    assert 'data-testid="period-problem"' in page


# -- the exports read back equal to the API ----------------------------------------------------
def test_the_csv_reads_back_equal_to_the_api(clients, month):  # type: ignore[no-untyped-def]
    from insight.tables import TIDY_HEADER, tidy

    data = api(clients["dora"])
    got = clients["dora"].get(f"/insight/export.csv?{MAY}")
    assert got["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == TIDY_HEADER
    assert rows[1:] == [[str(c) for c in row] for row in tidy(data)]
    # And by hand: the group's on-time rate and Carol's hours.
    assert ["on_time", "2026-05", "", data["group"], "rate", "0.75"] in rows


def test_the_excel_file_reads_back_equal_to_the_api(clients, month):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    data = api(clients["dora"])
    got = clients["dora"].get(f"/insight/export.xlsx?{MAY}")
    wb = load_workbook(io.BytesIO(got.content))
    for key in ("work_shared", "on_time", "win_rate", "turnaround", "load"):
        ws = wb[key]
        values = list(ws.iter_rows(values_only=True))
        header = list(values[0])
        assert [dict(zip(header, v, strict=True)) for v in values[1:]] == data[key], key
    assert wb["material_saved"]["A1"].value == "no joint orders yet"


# -- the monthly PDF ----------------------------------------------------------------------------
def test_the_monthly_report_is_a_japanese_pdf_with_the_groups_figures(world, month):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(world.dora.user)
    got = client.get("/insight/report/2026-05.pdf")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert 'filename="kumiai-report-2026-05.pdf"' in got["Content-Disposition"]
    text = pdf_text(got.content)
    for expected in (
        world.group.name,
        "月次報告",
        "2026-05",
        "グループ合計",
        "75.0 %",  # on time: 3 of 4
        "50.0 %",  # win rate: 3 of 6
        "200,000",  # yen of accepted work
        "15.0",  # median hours request to order
        "共同購買の発注はまだありません",
        HAKUSAN,
    ):
        assert expected in text, expected


def test_the_monthly_report_is_in_english_for_an_english_reader(world, clients, month):  # type: ignore[no-untyped-def]
    text = pdf_text(clients["carol"].get("/insight/report/2026-05.pdf").content)
    assert "Monthly report 2026-05" in text and "Group total" in text and "75.0 %" in text
    assert HAKUSAN not in text


def test_a_report_of_a_month_that_does_not_exist_is_not_found(clients):  # type: ignore[no-untyped-def]
    assert clients["dora"].get("/insight/report/2026-13.pdf").status_code == 404


def test_every_persona_gets_a_report(world, month):  # type: ignore[no-untyped-def]
    for m in (world.alice, world.carol, world.dora, world.charlie):
        got = client_for(m).get("/insight/report/2026-05.pdf")
        assert got.status_code == 200 and got.content.startswith(b"%PDF")


def test_the_api_reads_a_fixed_number_of_queries_however_much_work_there_is(world, clients, month):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.insight.rows import Maker, at

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            api(clients["dora"])
        return len(ctx.captured_queries)

    before = queries()
    m = Maker(world, key="2")
    for day in (6, 7, 8):
        order = m.order(world.lead_firm, at(5, day, 9), placed_at=at(5, day, 10))
        work = m.work(order, world.shop, 2, 20_000, at(5, day, 11), at(5, 28).date())
        m.operation(work, "laser", at(5, day + 10, 9), at(5, day + 10, 12))
    assert queries() == before
