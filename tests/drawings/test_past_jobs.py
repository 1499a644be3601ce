"""Importing order history as past jobs: CSV (UTF-8, Shift_JIS) and Excel, English and
Japanese headers, a preview with the column mapping and every bad row, all or nothing;
and who then sees which past job (the 'parties' rule), through the API and the pages.

Alice and Bob work at the lead firm 北陸機器製作所, Carol at the member shop
能登レーザー工業, Dora at the coordinator, Erin at a second lead firm of the same group,
Charlie in another group. Drawings are made as rows (what an upload leaves behind): the
import only needs their part numbers and file names.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from drawings import past_jobs
from drawings.models import Drawing, PastJob, PastJobImport
from kumiai import objectstore
from tenancy.context import Actor
from tenancy.models import AuditLog
from tests.drawings import rows as drawing_rows

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- fixtures and helpers ------------------------------------------------------------------
def make_drawing(owner, part_number: str, file_name: str = "") -> Drawing:  # type: ignore[no-untyped-def]
    return drawing_rows.make_drawing(owner, part_number, file_name=file_name)


@pytest.fixture
def erin(world, password):  # type: ignore[no-untyped-def]
    """Erin, admin of a second lead firm in Alice's group."""
    from tenancy.actions import add_member, create_organization
    from tenancy.models import OrgKind, Role

    system = Actor.system("test")
    firm = create_organization(world.group, "金沢電機", OrgKind.LEAD_FIRM, acting=system)
    return add_member(firm, "erin@k.example", "Erin", Role.ADMIN, password, acting=system)


@pytest.fixture
def library(world, erin):  # type: ignore[no-untyped-def]
    """Alice's firm: BR-100 and BR-101 (its file bracket_101_rev2.dxf); Erin's firm has
    its own BR-100 and ER-7; Charlie's group has a BR-100 and CH-1."""
    return {
        "BR-100": make_drawing(world.lead_firm, "BR-100"),
        "BR-101": make_drawing(world.lead_firm, "BR-101", "bracket_101_rev2.dxf"),
        "erin BR-100": make_drawing(erin.organization, "BR-100"),
        "ER-7": make_drawing(erin.organization, "ER-7"),
        "charlie BR-100": make_drawing(world.other_org, "BR-100"),
        "CH-1": make_drawing(world.other_org, "CH-1"),
    }


def client_of(membership, lang: str = "en") -> Client:  # type: ignore[no-untyped-def]
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(membership.user)
    return c


def csv_file(text: str, name: str = "history.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "history.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "受注履歴"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=XLSX)


def excel_time(*parts: int) -> datetime:
    """A date cell as Excel holds it: wall-clock, no zone (openpyxl refuses one)."""
    return datetime(*parts)  # noqa: DTZ001


def import_via_api(client, upload, **form):  # type: ignore[no-untyped-def]
    return client.post("/api/past-jobs/import", {"file": upload, **form})


def stored(org) -> list[tuple]:  # type: ignore[no-untyped-def]
    """What an organisation recorded, in file order, as plain values."""
    return [
        (
            j.part_number,
            j.drawing_id,
            j.order_date,
            j.quantity,
            j.unit_price,
            j.currency,
            j.maker_id,
            j.buyer_id,
            j.shop_name,
            j.lead_time_days,
            j.notes,
        )
        for j in PastJob.objects.filter(recorded_by=org).order_by("id")
    ]


# -- all or nothing --------------------------------------------------------------------------
THREE_BAD_ROWS = (
    "part number,order date,quantity,unit price,currency,shop\n"  # row 1
    "BR-100,2026-10-01,10,1200,JPY,能登レーザー工業\n"  # row 2
    "BR-101,2026/10/02,5,800,,\n"  # row 3
    "BR-102,2026/13/01,5,800,,\n"  # row 4: no 13th month
    "BR-103,2026-10-04,20,950,,\n"  # row 5
    "BR-104,2026-10-05,-3,950,,\n"  # row 6: a negative quantity
    "BR-105,2026-10-06,2,abc,XX1,\n"  # row 7: no price, and no such currency
    "BR-106,2026-10-07,2,400,,\n"  # row 8
)


def test_a_file_with_three_bad_rows_imports_nothing_and_names_exactly_those_rows(
    world, clients, library
):  # type: ignore[no-untyped-def]
    response = import_via_api(clients["alice"], csv_file(THREE_BAD_ROWS))

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "ROWS_REJECTED"
    assert (body["rows"], body["error_count"]) == (7, 3)
    assert [
        (e["row"], [(p["field"], p["code"]) for p in e["problems"]]) for e in body["errors"]
    ] == [
        (4, [("order_date", "BAD_DATE")]),
        (6, [("quantity", "QUANTITY_NOT_POSITIVE")]),
        (7, [("unit_price", "BAD_PRICE"), ("currency", "BAD_CURRENCY")]),
    ]
    assert [e["message"] for e in body["errors"]] == [
        "Row 4: “2026/13/01” is not a date (write 2026-11-27 or 2026/11/27)",
        "Row 6: the quantity must be 1 or more, not -3",
        "Row 7: “abc” is not a price; “XX1” is not a currency code (such as JPY or USD)",
    ]
    assert PastJob.objects.count() == 0 and PastJobImport.objects.count() == 0
    assert not AuditLog.objects.filter(action="past_jobs.import").exists()


def test_the_preview_page_names_the_bad_rows_in_japanese_and_will_not_import(world, library):  # type: ignore[no-untyped-def]
    alice = client_of(world.alice, "ja")
    page = alice.post("/past-jobs/import/", {"file": csv_file(THREE_BAD_ROWS)})

    assert page.status_code == 200
    html = page.content.decode()
    ctx = page.context
    assert [e.row for e in ctx["scan"].errors] == [4, 6, 7]
    assert "「2026/13/01」は日付ではありません（2026-11-27 または 2026/11/27 の形で）" in html
    assert "数量は1以上にしてください（-3 になっています）" in html
    assert "「abc」は価格ではありません" in html
    assert 'data-testid="confirm" disabled' in html
    # Asking for the import anyway imports nothing and shows the same rows again.
    confirm = alice.post(
        "/past-jobs/import/confirm/",
        {"token": ctx["token"], "action": "import", **mapping_form(ctx)},
    )
    assert confirm.status_code == 422
    assert [e.row for e in confirm.context["scan"].errors] == [4, 6, 7]
    assert PastJob.objects.count() == 0 and PastJobImport.objects.count() == 0


def test_the_api_gives_the_reasons_in_the_callers_language(world, library):  # type: ignore[no-untyped-def]
    body = import_via_api(client_of(world.alice, "ja"), csv_file(THREE_BAD_ROWS)).json()
    assert [e["message"] for e in body["errors"]] == [
        "4行目: 「2026/13/01」は日付ではありません（2026-11-27 または 2026/11/27 の形で）",
        "6行目: 数量は1以上にしてください（-3 になっています）",
        "7行目: 「abc」は価格ではありません; 「XX1」は通貨コード（JPY、USD など）ではありません",
    ]
    assert body["errors"][0]["problems"][0]["code"] == "BAD_DATE"  # codes stay English


def mapping_form(ctx) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The mapping as the preview's form would send it back."""
    return {
        f"map_{f['name']}": "" if f["column"] is None else str(f["column"]) for f in ctx["fields"]
    }


# -- good files --------------------------------------------------------------------------------
def test_a_good_csv_imports_every_row_linked_to_drawings_and_shops(world, clients, library):  # type: ignore[no-untyped-def]
    text = (
        "Part No.,Drawing,Order date,Qty,Unit price,Currency,Shop,Lead time (days),Notes\n"
        'ｂｒ－１００,,2026-10-01,10,"¥1,200",,能登レーザー工業 株式会社,14日,初回\n'
        'X-1,BR-101,2026/10/02,"1,000",１，５００円,,外注A社,7,\n'
        "X-2,bracket_101_rev2.dxf,20261003,3,12.50,usd,,,\n"
        "ER-7,,2026/10/04,2,900,JPY,,,\n"
        'CH-1,,2026/10/05,1,"3,000",,加賀精密板金,,急ぎ\n'
    )
    response = import_via_api(clients["alice"], csv_file(text, encoding="utf-8-sig"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows"], body["linked_drawings"], body["linked_makers"]) == (5, 3, 2)
    lead, shop, coord = world.lead_firm, world.shop, world.coordinator
    br100, br101 = library["BR-100"].pk, library["BR-101"].pk
    # BR-100 written in full width links to Alice's own BR-100 (not Erin's or Charlie's);
    # X-1 through its drawing reference, X-2 through the drawing's file name; ER-7 and
    # CH-1 are drawings Alice may not see, so they stay unlinked.
    assert stored(lead) == [
        ("ｂｒ－１００", br100, date(2026, 10, 1), 10, Decimal("1200.00"), "JPY", shop.pk, lead.pk, "能登レーザー工業 株式会社", 14, "初回"),
        ("X-1", br101, date(2026, 10, 2), 1000, Decimal("1500.00"), "JPY", None, lead.pk, "外注A社", 7, ""),
        ("X-2", br101, date(2026, 10, 3), 3, Decimal("12.50"), "USD", None, lead.pk, "", None, ""),
        ("ER-7", None, date(2026, 10, 4), 2, Decimal("900.00"), "JPY", None, lead.pk, "", None, ""),
        ("CH-1", None, date(2026, 10, 5), 1, Decimal("3000.00"), "JPY", coord.pk, lead.pk, "加賀精密板金", None, "急ぎ"),
    ]  # fmt: skip
    batch = PastJobImport.objects.get()
    assert (batch.organization, batch.rows, batch.created_by) == (lead, 5, world.alice.user)
    (entry,) = AuditLog.objects.filter(action="past_jobs.import")
    assert entry.organization == lead and entry.actor == world.alice.user
    assert entry.changes["rows"] == 5 and entry.changes["encoding"] == "utf-8-sig"


def test_a_good_xlsx_with_a_title_row_date_cells_and_japanese_headers_imports(
    world, clients, library
):  # type: ignore[no-untyped-def]
    upload = xlsx_file(
        [
            ["受注履歴 2026年度"],  # row 1: a title
            [],  # row 2
            ["品番", "図番", "受注日", "数量", "単価(円)", "通貨", "加工先", "納期日数", "備考"],
            [
                "BR-100",
                None,
                excel_time(2026, 9, 1),
                10,
                1200,
                None,
                "能登レーザー工業",
                14,
                "初回",
            ],
            ["BR-101", "", 46000, 5, 812.5, "JPY", "", 10, None],  # 46000: a serial, no format
            ["X-9", "BR-101", "令和8年9月3日", "３個", "¥2,000-", None, "外注B社", "5日", ""],
            [],  # an empty row is not a job
            [12345, None, "2026/09/04", 1.0, 99.99, "USD", None, None, None],
        ]
    )
    response = import_via_api(clients["bob"], upload)

    assert response.status_code == 201, response.content
    assert response.json()["rows"] == 4
    lead, shop = world.lead_firm, world.shop
    br100, br101 = library["BR-100"].pk, library["BR-101"].pk
    assert stored(lead) == [
        ("BR-100", br100, date(2026, 9, 1), 10, Decimal("1200.00"), "JPY", shop.pk, lead.pk, "能登レーザー工業", 14, "初回"),
        ("BR-101", br101, date(2025, 12, 9), 5, Decimal("812.50"), "JPY", None, lead.pk, "", 10, ""),
        ("X-9", br101, date(2026, 9, 3), 3, Decimal("2000.00"), "JPY", None, lead.pk, "外注B社", 5, ""),
        ("12345", None, date(2026, 9, 4), 1, Decimal("99.99"), "USD", None, lead.pk, "", None, ""),
    ]  # fmt: skip


def test_an_xlsx_with_bad_rows_names_them_by_their_sheet_row(world, clients, library):  # type: ignore[no-untyped-def]
    upload = xlsx_file(
        [
            ["品番", "受注日", "数量", "単価"],
            ["BR-100", excel_time(2026, 9, 1), 10, 1200],
            ["BR-101", excel_time(2027, 1, 5), 2.5, 0],  # row 3: future, half a piece, free
            [None, excel_time(2026, 9, 2), 1, 100],  # row 4: no part number
        ]
    )
    body = import_via_api(clients["alice"], upload).json()

    assert [(e["row"], [p["code"] for p in e["problems"]]) for e in body["errors"]] == [
        (3, ["FUTURE_DATE", "BAD_QUANTITY", "PRICE_NOT_POSITIVE"]),
        (4, ["REQUIRED"]),
    ]
    assert PastJob.objects.count() == 0


def test_a_shift_jis_csv_from_japanese_excel_is_read(world, clients, library):  # type: ignore[no-untyped-def]
    text = (
        "品番,受注日,数量,単価,加工先,納期日数,備考\r\n"
        'BR-100,2026/8/1,100,"\\1,050",㈱能登レーザー工業,21,髙橋様より～再注文\r\n'
    )
    upload = csv_file(text, encoding="cp932")
    preview = clients["alice"].post("/api/past-jobs/preview", {"file": upload}).json()
    assert (preview["encoding"], preview["error_count"], preview["rows"]) == ("cp932", 0, 1)

    response = import_via_api(clients["alice"], csv_file(text, encoding="cp932"))

    assert response.status_code == 201, response.content
    (job,) = PastJob.objects.all()
    assert (job.part_number, job.unit_price, job.currency) == ("BR-100", Decimal("1050.00"), "JPY")
    assert (job.maker, job.shop_name) == (world.shop, "㈱能登レーザー工業")
    assert job.notes == "髙橋様より～再注文" and job.order_date == date(2026, 8, 1)


def test_a_shop_importing_its_own_history_is_the_maker(world, clients, library):  # type: ignore[no-untyped-def]
    text = "品番,受注日,数量,単価\nNT-1,2026-07-01,4,5000\n"
    assert import_via_api(clients["carol"], csv_file(text)).status_code == 201
    (job,) = PastJob.objects.all()
    assert (job.recorded_by, job.maker, job.buyer) == (world.shop, world.shop, None)


def test_the_coordinator_links_only_what_is_not_a_guess(world, clients, library):  # type: ignore[no-untyped-def]
    """Dora sees both lead firms' BR-100: which one a row meant is a guess, so it stays
    unlinked; ER-7 is one drawing. Her rows name their maker, or she made them herself."""
    text = "品番,受注日,数量,単価,加工先\nBR-100,2026-04-01,1,100,能登レーザー工業\nER-7,2026-04-02,1,100,\n"
    assert import_via_api(clients["dora"], csv_file(text)).status_code == 201
    coord = world.coordinator
    assert [(j.drawing_id, j.maker_id, j.buyer_id) for j in PastJob.objects.order_by("id")] == [
        (None, world.shop.pk, None),
        (library["ER-7"].pk, coord.pk, None),
    ]
    assert {j.recorded_by_id for j in PastJob.objects.all()} == {coord.pk}


def test_a_mapping_sent_with_the_file_picks_the_columns(world, clients, library):  # type: ignore[no-untyped-def]
    text = "Teil,Datum,Menge,Preis,Währung\nBR-100,2026-06-01,3,40,EUR\n"
    refused = import_via_api(clients["alice"], csv_file(text))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("MAPPING_INCOMPLETE: Choose the column for:")

    mapping = {"part_number": "Teil", "order_date": "B", "quantity": 2, "unit_price": "Preis"}
    mapping["currency"] = "E"
    response = import_via_api(clients["alice"], csv_file(text), mapping=json.dumps(mapping))

    assert response.status_code == 201, response.content
    (job,) = PastJob.objects.all()
    assert (job.drawing, job.quantity, job.unit_price, job.currency) == (
        library["BR-100"],
        3,
        Decimal("40.00"),
        "EUR",
    )


# -- limits and refusals -----------------------------------------------------------------------
def test_a_file_over_the_row_limit_is_refused_whole(world, clients, library, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(past_jobs, "MAX_ROWS", 5)
    text = "品番,受注日,数量,単価\n" + "".join(f"P-{i},2026-01-0{i},1,100\n" for i in range(1, 7))
    response = import_via_api(clients["alice"], csv_file(text))

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "TOO_MANY_ROWS: The file has more than 5 rows. Split it into files of at most 5 rows."
    )
    assert PastJob.objects.count() == 0 and PastJobImport.objects.count() == 0
    ok = "品番,受注日,数量,単価\n" + "".join(f"P-{i},2026-01-0{i},1,100\n" for i in range(1, 6))
    assert import_via_api(clients["alice"], csv_file(ok)).status_code == 201


def test_a_file_over_the_size_limit_is_refused_on_the_api_and_the_page(world, clients, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(past_jobs, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    big = "品番,受注日,数量,単価\n" + "BR-100,2026-01-01,1,100\n" * 100_000  # 2.4 MB
    response = import_via_api(clients["alice"], csv_file(big))
    assert response.status_code == 413
    assert response.json()["detail"].startswith("FILE_TOO_LARGE: The file is larger than 2 MB.")

    page = clients["alice"].post("/past-jobs/import/", {"file": csv_file(big)})
    assert page.status_code == 413
    assert "The file is larger than 2 MB." in page.content.decode()
    assert PastJob.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, 415, "OLD_EXCEL"),
        ("fake.xlsx", b"part number,order date\n", 422, "BAD_XLSX"),
        ("history.csv", b"", 422, "EMPTY"),
        ("drawing.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 415, "UNSUPPORTED"),
    ],
)
def test_files_that_are_not_a_history_are_refused_with_the_reason(
    world, clients, name, data, status, code
):  # type: ignore[no-untyped-def]
    response = import_via_api(clients["alice"], SimpleUploadedFile(name, data))
    assert response.status_code == status
    assert response.json()["detail"].startswith(f"{code}: ")


def test_a_viewer_may_not_import(world, clients):  # type: ignore[no-untyped-def]
    text = "品番,受注日,数量,単価\nBR-100,2026-06-01,3,40\n"
    assert import_via_api(clients["vera"], csv_file(text)).status_code == 403
    assert (
        clients["vera"].post("/api/past-jobs/preview", {"file": csv_file(text)}).status_code == 403
    )
    assert clients["vera"].post("/past-jobs/import/", {"file": csv_file(text)}).status_code == 403
    assert PastJob.objects.count() == 0


# -- the pages: upload, preview with the mapping, confirm -------------------------------------------
def test_upload_preview_fix_the_mapping_and_confirm_through_the_pages(world, library):  # type: ignore[no-untyped-def]
    alice = client_of(world.alice)
    assert alice.get("/past-jobs/import/").status_code == 200
    text = "Teil,Datum,Menge,Preis,Werkstatt\nBR-100,2026-06-01,3,1200,能登レーザー工業\nBR-101,2026-06-02,4,900,\n"

    page = alice.post("/past-jobs/import/", {"file": csv_file(text, "verlauf.csv")})

    assert page.status_code == 200
    ctx = page.context
    assert ctx["scan"].mapping.missing() == ("part_number", "order_date", "quantity", "unit_price")
    assert 'data-testid="confirm" disabled' in page.content.decode()
    assert [n for n, _cells in ctx["scan"].raw_sample] == [2, 3]
    form = {
        "token": ctx["token"],
        "map_part_number": "0",
        "map_order_date": "1",
        "map_quantity": "2",
        "map_unit_price": "3",
        "map_shop": "4",
        "default_currency": "JPY",
    }
    checked = alice.post("/past-jobs/import/confirm/", {**form, "action": "check"})
    assert checked.status_code == 200
    scan = checked.context["scan"]
    assert (scan.rows, scan.error_count, scan.linked_drawings, scan.linked_makers) == (2, 0, 2, 1)
    assert PastJob.objects.count() == 0, "a preview writes nothing"

    done = alice.post("/past-jobs/import/confirm/", {**form, "action": "import"})

    batch = PastJobImport.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/past-jobs/?batch={batch.pk}"
    assert [(j.part_number, j.maker_id) for j in PastJob.objects.order_by("id")] == [
        ("BR-100", world.shop.pk),
        ("BR-101", None),
    ]
    listing = alice.get(done["Location"])
    assert "Imported 2 past jobs from verlauf.csv." in listing.content.decode()
    assert [r["part_number"] for r in listing.context["rows"]] == ["BR-101", "BR-100"]
    # Uploading the very same file again says so before anything is imported twice.
    second = alice.post("/past-jobs/import/", {"file": csv_file(text, "verlauf-kopie.csv")})
    assert [a.changes["rows"] for a in second.context["preview"].imported_before] == [2]
    assert 'data-testid="imported-before"' in second.content.decode()
    # The staged file is gone: the same confirmation cannot import twice.
    again = alice.post("/past-jobs/import/confirm/", {**form, "action": "import"})
    assert again.status_code == 422
    assert "no longer available" in again.content.decode()
    assert PastJob.objects.count() == 2


def test_another_person_cannot_use_someone_elses_upload(world, library):  # type: ignore[no-untyped-def]
    text = "品番,受注日,数量,単価\nBR-100,2026-06-01,3,40\n"
    page = client_of(world.alice).post("/past-jobs/import/", {"file": csv_file(text)})
    token = page.context["token"]
    for who in (world.bob, world.carol, world.charlie):
        got = client_of(who).post(
            "/past-jobs/import/confirm/", {"token": token, "action": "import"}
        )
        assert got.status_code == 404, who
    forged = client_of(world.alice).post(
        "/past-jobs/import/confirm/", {"token": token + "x", "action": "import"}
    )
    assert forged.status_code == 422
    assert PastJob.objects.count() == 0


# -- who sees what -------------------------------------------------------------------------------
@pytest.fixture
def histories(world, erin, library):  # type: ignore[no-untyped-def]
    """Alice's firm: two orders, one made by Carol's shop. Erin's firm: one order made by
    Carol's shop. Carol's shop: its own job. Charlie: his group's job."""
    head = "品番,受注日,数量,単価,加工先\n"
    for member, rows in (
        (
            world.alice,
            "BR-100,2026-05-01,10,1200,能登レーザー工業\nBR-101,2026-05-02,5,800,外注A社\n",
        ),
        (erin, "ER-7,2026-05-03,2,700,能登レーザー工業\n"),
        (world.carol, "NT-1,2026-05-04,4,5000,\n"),
        (world.charlie, "CH-1,2026-05-05,1,300,\n"),
    ):
        assert import_via_api(client_of(member), csv_file(head + rows)).status_code == 201
    return {j.part_number: j for j in PastJob.objects.all()}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("alice", {"BR-100", "BR-101"}),  # what her firm bought
        ("vera", {"BR-100", "BR-101"}),  # a viewer reads what her firm may read
        ("erin", {"ER-7"}),  # never another lead firm's orders
        ("carol", {"BR-100", "ER-7", "NT-1"}),  # what her shop made, and its own history
        ("dora", {"BR-100", "BR-101", "ER-7", "NT-1"}),  # the coordinator: the whole group
        ("charlie", {"CH-1"}),  # his own group only
    ],
)
def test_who_sees_which_past_jobs_through_the_api_and_the_list_page(
    world, erin, histories, who, sees
):  # type: ignore[no-untyped-def]
    member = erin if who == "erin" else getattr(world, who)
    client = client_of(member)

    api = client.get("/api/past-jobs")
    page = client.get("/past-jobs/")

    assert api.status_code == 200 and page.status_code == 200
    assert {j["part_number"] for j in api.json()} == sees
    assert {r["part_number"] for r in page.context["rows"]} == sees
    html = page.content.decode()
    for part_number in set(histories) - sees:
        assert f"<td>{part_number}</td>" not in html


def test_a_linked_drawing_is_named_only_to_those_who_may_see_it(world, clients, histories, library):  # type: ignore[no-untyped-def]
    alice_rows = {j["part_number"]: j for j in clients["alice"].get("/api/past-jobs").json()}
    carol_rows = {j["part_number"]: j for j in clients["carol"].get("/api/past-jobs").json()}
    assert alice_rows["BR-100"]["drawing"] == library["BR-100"].pk
    assert carol_rows["BR-100"]["drawing"] is None  # her shop holds no grant on BR-100
    assert carol_rows["BR-100"]["unit_price"] == "1200.00"  # the price of her own job


# -- speed -------------------------------------------------------------------------------------
def test_the_list_page_does_not_query_per_row(world, library, django_assert_num_queries):  # type: ignore[no-untyped-def]
    alice = client_of(world.alice)
    head = "品番,図番,受注日,数量,単価,加工先\n"

    def rows(n: int, start: int) -> str:
        return "".join(
            f"BR-{100 + i % 2},bracket_101_rev2.dxf,2026-0{1 + i % 9}-1{i % 10},{i + 1},{100 + i},"
            f"{'能登レーザー工業' if i % 3 else ''}\n"
            for i in range(start, start + n)
        )

    assert import_via_api(alice, csv_file(head + rows(5, 0))).status_code == 201
    # session, user, membership; the page's count and rows; which linked drawings are seen
    with django_assert_num_queries(6):
        few = alice.get("/past-jobs/")
    assert len(few.context["rows"]) == 5
    assert import_via_api(alice, csv_file(head + rows(90, 5))).status_code == 201
    with django_assert_num_queries(6):
        many = alice.get("/past-jobs/")
    assert len(many.context["rows"]) == 95
    with django_assert_num_queries(5):  # the API: no session, the same page queries
        api = alice.get("/api/past-jobs?limit=200")
    assert len(api.json()) == 95


# -- the parser, piece by piece (no file) --------------------------------------------------------
TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-27", date(2026, 11, 27)),
        ("2026/1/5", date(2026, 1, 5)),
        ("２０２６／０１／０５", date(2026, 1, 5)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("20260105", date(2026, 1, 5)),
        ("令和8年1月5日", date(2026, 1, 5)),
        ("R8.1.5", date(2026, 1, 5)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("2026-01-05 00:00:00", date(2026, 1, 5)),
        (excel_time(2026, 1, 5, 13, 30), date(2026, 1, 5)),
        (46027, date(2026, 1, 5)),  # an Excel serial number
        ("46027", date(2026, 1, 5)),
    ],
)
def test_dates_as_people_and_excel_write_them(cell, expected):  # type: ignore[no-untyped-def]
    assert past_jobs.parse_date(cell, TODAY) == expected


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2026/02/30", "BAD_DATE"),
        ("27/11/2026", "BAD_DATE"),
        ("soon", "BAD_DATE"),
        ("2026-11-28", "FUTURE_DATE"),
        ("1949-12-31", "OLD_DATE"),
        ("", "REQUIRED"),
    ],
)
def test_dates_that_are_refused(cell, code):  # type: ignore[no-untyped-def]
    got = past_jobs.parse_date(cell, TODAY)
    assert getattr(got, "code", None) == code


@pytest.mark.parametrize(
    ("cell", "amount", "currency"),
    [
        ("1200", "1200.00", None),
        ("¥1,200", "1200.00", "JPY"),
        ("￥１，２００", "1200.00", "JPY"),
        ("1,200円", "1200.00", "JPY"),
        ("¥1,200-", "1200.00", "JPY"),
        ("$12.5", "12.50", "USD"),
        ("€ 0.99", "0.99", "EUR"),
        (1200.1, "1200.10", None),
        (812.5, "812.50", None),
        (7, "7.00", None),
    ],
)
def test_prices_with_yen_signs_commas_and_full_width_digits(cell, amount, currency):  # type: ignore[no-untyped-def]
    assert past_jobs.parse_price(cell) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("-5", "PRICE_NOT_POSITIVE"),
        ("▲500", "PRICE_NOT_POSITIVE"),
        (0, "PRICE_NOT_POSITIVE"),
        ("12.345", "PRICE_DECIMALS"),
        ("1,20,0", "BAD_PRICE"),
        ("ten", "BAD_PRICE"),
        ("1e3", "BAD_PRICE"),
        (float("nan"), "BAD_PRICE"),
        ("1000000000000", "PRICE_TOO_LARGE"),
    ],
)
def test_prices_that_are_refused(cell, code):  # type: ignore[no-untyped-def]
    assert getattr(past_jobs.parse_price(cell), "code", None) == code


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("10", 10), ("1,000", 1000), ("１０", 10), ("10個", 10), ("3 pcs", 3), (4.0, 4), (7, 7)],
)
def test_quantities(cell, expected):  # type: ignore[no-untyped-def]
    assert past_jobs.parse_quantity(cell) == expected


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("0", "QUANTITY_NOT_POSITIVE"),
        ("-3", "QUANTITY_NOT_POSITIVE"),
        (2.5, "BAD_QUANTITY"),
        ("2.5", "BAD_QUANTITY"),
        ("many", "BAD_QUANTITY"),
        ("99999999999", "QUANTITY_TOO_LARGE"),
        (True, "BAD_QUANTITY"),
    ],
)
def test_quantities_that_are_refused(cell, code):  # type: ignore[no-untyped-def]
    assert getattr(past_jobs.parse_quantity(cell), "code", None) == code


def test_headers_in_english_and_japanese_are_recognised():  # type: ignore[no-untyped-def]
    ja = ["品番", "図番", "受注日", "数量", "単価(円)", "通貨", "加工先", "納期日数", "備考"]
    en = ["Part No.", "Drawing", "Order Date", "QTY", "Unit Price (USD)", "Currency", "Shop",
          "Lead time (days)", "Remarks"]  # fmt: skip
    for headers in (ja, en):
        assert past_jobs.guess_mapping(headers).as_dict() == {
            f: i for i, f in enumerate(past_jobs.FIELDS)
        }
    assert past_jobs.guess_mapping(ja).default_currency == "JPY"
    assert past_jobs.guess_mapping(en).default_currency == "USD"
    assert past_jobs.guess_mapping(["納期", "品名"]).columns == {}  # a due date, a name


def test_a_shop_is_the_same_shop_however_its_company_form_is_written():  # type: ignore[no-untyped-def]
    key = past_jobs.shop_key("能登レーザー工業")
    for written in (
        "能登レーザー工業株式会社",
        "㈱能登レーザー工業",
        "（株）能登レーザー工業",
        "能登 レーザー工業",
    ):
        assert past_jobs.shop_key(written) == key


def test_staged_files_live_under_the_groups_prefix(world, library):  # type: ignore[no-untyped-def]
    from drawings.past_jobs_actions import _staged_key, stage_file

    acting = Actor(user=world.alice.user, membership=world.alice)
    staged = stage_file(io.BytesIO(b"a,b\n"), "h.csv", acting=acting)
    key, name = _staged_key(staged.token, world.alice)
    assert key.startswith(f"groups/{world.group.pk}/past-job-imports/") and name == "h.csv"
    assert objectstore.exists(key)


def test_the_japanese_catalogue_of_these_pages_is_complete():  # type: ignore[no-untyped-def]
    """Every string the past-job pages and messages show has its Japanese, here or in the
    shared catalogue."""
    import re
    from pathlib import Path

    import polib

    repo = Path(__file__).resolve().parents[2]
    own = polib.pofile(str(repo / "platform/drawings/locale/ja/LC_MESSAGES/django.po"))
    shared = polib.pofile(str(repo / "frontend/locale/ja/LC_MESSAGES/django.po"))
    assert own.untranslated_entries() == [] and own.fuzzy_entries() == []
    known = {e.msgid for e in own.translated_entries()} | {
        e.msgid for e in shared.translated_entries()
    }
    shown = set()
    for template in (repo / "frontend/templates/past_jobs").glob("*.html"):
        shown |= set(re.findall(r'{% translate "(.+?)" %}', template.read_text()))
    shown |= {*past_jobs._MESSAGES.values(), *past_jobs._FILE_MESSAGES.values()}
    assert shown and shown <= known, sorted(shown - known)
