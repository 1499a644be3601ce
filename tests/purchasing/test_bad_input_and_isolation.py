"""Bad input refused with a clear message and nothing changed; who sees what: a member
its own demand, stock, prices and the group totals; Charlie (another group) nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from purchasing.models import (
    Offcut,
    PriceBreak,
    PriceList,
    PurchaseOrder,
    PurchaseShare,
    Stock,
    Supplier,
)
from tests.purchasing.conftest import draft, supplier_with_prices

pytestmark = pytest.mark.django_db


def import_csv(client, sid: int, text: str, name: str = "prices.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/purchasing/suppliers/{sid}/price-list",
        {"file": SimpleUploadedFile(name, text.encode())},
    )


def test_a_price_list_with_bad_rows_is_refused_row_by_row_and_nothing_imported(trio, clients):  # type: ignore[no-untyped-def]
    sid = supplier_with_prices(clients)
    before = list(PriceBreak.objects.values_list("pk", flat=True))
    got = import_csv(
        clients["dora"],
        sid,
        "material,thickness_mm,sheet,min_qty,max_qty,unit_price_jpy\n"
        "SPCC,1.6,サブロク,1,12,4800\n"
        "SPCC,1.6,サブロク,10,,4600\n"  # row 3 overlaps row 2's 1–12
        "SPCC,2.3,シハチ,5,,-900\n"  # row 4 negative
        "SPCC,3.2,シハチ,0,,900\n"  # row 5 zero quantity
        "MITHRIL,1.0,サブロク,1,,100\n"  # row 6
        "SPCC,1.0,サブロク,1,,12.5\n",  # row 7 not whole yen
    )
    assert got.status_code == 422
    errors = got.json()["errors"]["file"]
    assert errors == [
        "Row 3: overlapping breaks: row 2 runs to 12 sheets, this row starts at 10",
        "Row 4: the unit price must be more than 0 yen",
        "Row 5: the minimum quantity must be at least 1 sheet",
        "Row 6: unknown material 'MITHRIL'",
        "Row 7: unit price 12.5 must be a whole number",
    ]
    assert list(PriceBreak.objects.values_list("pk", flat=True)) == before
    assert PriceList.objects.filter(is_current=True).count() == 1


def test_an_excel_price_list_imports_and_replaces_the_current_one(trio, clients):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    sid = supplier_with_prices(clients)
    wb = Workbook()
    ws = wb.active
    ws.append(["材質", "板厚", "定尺", "最小数量", "最大数量", "単価"])
    ws.append(["SPCC", 1.6, "サブロク", 1, None, 4000])
    ws.append(["SUS304", 2.0, "1219x2438", 1, None, 38000])
    buf = io.BytesIO()
    wb.save(buf)
    got = clients["dora"].post(
        f"/api/purchasing/suppliers/{sid}/price-list",
        {"file": SimpleUploadedFile("prices.xlsx", buf.getvalue())},
    )
    assert got.status_code == 201, got.content
    prices = clients["dora"].get(f"/api/purchasing/suppliers/{sid}/prices").json()
    assert {(p["material"], p["unit_price_jpy"]) for p in prices} == {
        ("SPCC", 4000),
        ("SUS304", 38000),
    }
    assert PriceList.objects.filter(supplier_id=sid).count() == 2


def test_stock_below_zero_and_unknown_sheets_are_refused(trio, clients):  # type: ignore[no-untyped-def]
    body = {"material": "SPCC", "thickness_mm": 1.6, "sheet_w_mm": 914, "sheet_l_mm": 1829}
    ok = clients["carol"].post("/api/purchasing/stock", {**body, "quantity": 7},
                               content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["sheet"] == "サブロク 914×1829"
    for bad in (
        {"quantity": -1},
        {"sheet_w_mm": 900, "quantity": 3},
        {"material": "X", "quantity": 3},
    ):
        got = clients["carol"].post("/api/purchasing/stock", {**body, **bad},
                                    content_type="application/json")  # fmt: skip
        assert got.status_code == 422, bad
    assert list(Stock.objects.values_list("quantity", flat=True)) == [7]
    # Carol's stock: hers and the coordinator's to see, not another member's.
    assert len(clients["dora"].get("/api/purchasing/stock").json()) == 1
    assert clients["charlie"].get("/api/purchasing/stock").json() == []
    assert clients["alice"].get("/api/purchasing/stock").json() == []


def test_a_receipt_before_the_order_is_placed_is_refused(trio, clients):  # type: ignore[no-untyped-def]
    supplier_with_prices(clients)
    oid = draft(clients)["id"]
    share = PurchaseShare.objects.get(order_id=oid, shop=trio.noto)
    got = clients["carol"].post(f"/api/purchasing/shares/{share.pk}/receipts", {"quantity": 1},
                                content_type="application/json")  # fmt: skip
    assert got.status_code == 409
    share.refresh_from_db()
    assert share.received == 0


def object_urls(trio, clients) -> dict[str, tuple[str, str, dict]]:  # type: ignore[no-untyped-def]
    """Every purchasing URL naming one object, with a body that would work for its owner."""
    sid = supplier_with_prices(clients)
    oid = draft(clients)["id"]
    share = PurchaseShare.objects.get(order_id=oid, shop=trio.noto).pk
    cut = (
        clients["carol"]
        .post(
            "/api/purchasing/offcuts",
            {"material": "SPCC", "thickness_mm": "1.6", "width_mm": "300", "length_mm": "800"},
        )
        .json()["id"]
    )
    return {
        "purchasing_offcut_claim": ("post", f"/purchasing/offcuts/{cut}/claim/", {}),
        "purchasing_offcut_withdraw": ("post", f"/purchasing/offcuts/{cut}/withdraw/", {}),
        "purchasing_offcut_photo": ("get", f"/purchasing/offcuts/{cut}/photo/", {}),
        "purchasing_supplier": ("get", f"/purchasing/suppliers/{sid}/", {}),
        "purchasing_price_import": ("post", f"/purchasing/suppliers/{sid}/import/", {}),
        "purchasing_order": ("get", f"/purchasing/orders/{oid}/", {}),
        "purchasing_order_confirm": ("post", f"/purchasing/orders/{oid}/confirm/", {}),
        "purchasing_order_place": ("post", f"/purchasing/orders/{oid}/place/", {}),
        "purchasing_order_cancel": ("post", f"/purchasing/orders/{oid}/cancel/", {}),
        "purchasing_share_adjust": ("post", f"/purchasing/shares/{share}/adjust/", {"sheets": 1}),
        "purchasing_share_receive": (
            "post",
            f"/purchasing/shares/{share}/receive/",
            {"quantity": 1},
        ),
        "api:claim_offcut": ("post", f"/api/purchasing/offcuts/{cut}/claim", {}),
        "api:supplier_prices": ("get", f"/api/purchasing/suppliers/{sid}/prices", {}),
        "api:import_price_list": ("post", f"/api/purchasing/suppliers/{sid}/price-list", {}),
        "api:get_purchase_order": ("get", f"/api/purchasing/orders/{oid}", {}),
        "api:confirm_purchase_order": ("post", f"/api/purchasing/orders/{oid}/confirm", {}),
        "api:place_purchase_order": ("post", f"/api/purchasing/orders/{oid}/place", {}),
        "api:cancel_purchase_order": ("post", f"/api/purchasing/orders/{oid}/cancel", {}),
        "api:adjust_share": ("post", f"/api/purchasing/shares/{share}", {"sheets": 1}),
        "api:receive_share": ("post", f"/api/purchasing/shares/{share}/receipts", {"quantity": 1}),
    }


def call(client, method: str, url: str, body: dict):  # type: ignore[no-untyped-def]
    if method == "get":
        return client.get(url)
    # As tests/shops/test_access.call sends them: JSON to the API, a form to pages.
    if url.startswith("/api/"):
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


def test_every_purchasing_route_with_an_object_id_has_a_case_here(trio, clients):  # type: ignore[no-untyped-def]
    from purchasing.api import router
    from purchasing.urls import urlpatterns
    from tests.portal.test_isolation import routes_with_object_ids

    pages = {p.name for p in urlpatterns if "<" in str(p.pattern)}
    api = {f"api:{op.view_func.__name__}" for path, view in router.path_operations.items()
           for op in view.operations if "{" in path}  # fmt: skip
    mine = routes_with_object_ids() & (pages | api)
    assert len(mine) == 20
    assert mine <= set(object_urls(trio, clients))


def test_charlie_gets_404_on_every_purchasing_object_and_changes_nothing(trio, clients):  # type: ignore[no-untyped-def]
    urls = object_urls(trio, clients)
    for name, (method, url, body) in urls.items():
        got = call(clients["charlie"], method, url, body)
        assert got.status_code == 404, f"{name} {url} answered {got.status_code}"
    po = PurchaseOrder.objects.get()
    assert po.status == "draft" and po.sheets == 17
    assert Offcut.objects.get().status == "available"
    assert Supplier.objects.get().price_lists.count() == 1


def test_charlie_and_a_lead_firm_see_nothing_in_purchasing_lists(trio, clients):  # type: ignore[no-untyped-def]
    object_urls(trio, clients)
    lists = ["/api/purchasing/stock", "/api/purchasing/offcuts", "/api/purchasing/suppliers",
             "/api/purchasing/orders"]  # fmt: skip
    for name in ("charlie", "alice"):
        for url in lists:
            assert clients[name].get(url).json() == [], (name, url)
        demand = clients[name].get("/api/purchasing/demand").json()
        assert demand["rows"] == [] and demand["totals"] == []
    for url in ("/purchasing/", "/purchasing/offcuts/", "/purchasing/orders/"):
        page = clients["charlie"].get(url).content.decode()
        for org in (trio.kaga, trio.noto, trio.hakusan):
            assert org.name not in page, (url, org.name)
    # Charlie coordinates his own group: his suppliers page lists none of ours.
    assert "北陸鋼材" not in clients["charlie"].get("/purchasing/suppliers/").content.decode()
    assert clients["carol"].get("/purchasing/suppliers/").status_code == 403


def test_a_member_never_sees_another_members_prices_or_customers(trio, clients, hana_client):  # type: ignore[no-untyped-def]
    object_urls(trio, clients)
    oid = PurchaseOrder.objects.get().pk
    hana_order = hana_client.get(f"/api/purchasing/orders/{oid}").json()
    assert [s["shop_id"] for s in hana_order["splits"]] == [trio.hakusan.pk]
    page = hana_client.get(f"/purchasing/orders/{oid}/").content.decode()
    assert trio.noto.name not in page and trio.kaga.name not in page
    assert "22,485" in page and "76,450" in page  # her part, the group's total
    assert "26,982" not in page and "26,983" not in page  # the others' parts
    demand_page = hana_client.get("/purchasing/?start=2030-03-04&end=2030-03-17").content.decode()
    assert 'data-testid="demand-row"' in demand_page
    assert trio.noto.name not in demand_page
    assert trio.works[2].buyer.name not in demand_page  # customers are never named here
    # Hana's order list has the order (she has a part); the lead firm's has none.
    assert [o["id"] for o in hana_client.get("/api/purchasing/orders").json()] == [oid]
    # Another member's share is not hers to read or adjust.
    noto_share = PurchaseShare.objects.get(order_id=oid, shop=trio.noto).pk
    assert (
        hana_client.post(f"/purchasing/shares/{noto_share}/adjust/", {"sheets": 0}).status_code
        == 404
    )
