"""A shop keeps its capability, machines and calendar; the coordinator reads them and sets
the shares. Every bad input is named next to its field and saves nothing; every edit is
audited."""

from __future__ import annotations

from datetime import date

import pytest

from shops.models import Closure, Machine, ShopCapability
from tenancy.models import AuditLog
from tests.conftest import client_for
from tests.shops.conftest import CAROL_CAPABILITY

pytestmark = pytest.mark.django_db


def page_post(**changes):  # type: ignore[no-untyped-def]
    """The capability form as Carol fills it in, with `changes`."""
    data = dict(CAROL_CAPABILITY) | {"materials": ", ".join(CAROL_CAPABILITY["materials"])}
    data["observes_public_holidays"] = "on"
    return data | changes


def test_carol_sets_up_her_shop_on_the_page(world, clients):  # type: ignore[no-untyped-def]
    url = f"/shops/{world.shop.pk}/capability/"
    assert 'data-testid="no-capability"' in clients["carol"].get(url).content.decode()
    form = clients["carol"].get(f"{url}edit/")
    # A new capability starts from the materials of the cost profile (the default one,
    # quoting/default_profile.yaml).
    assert form.status_code == 200
    assert form.context["form"].initial["materials"] == "SPCC, SECC, SS400, SUS304, A5052"
    saved = clients["carol"].post(f"{url}edit/", page_post(materials="SPCC、 SUS304"))
    assert saved.status_code == 302 and saved["Location"] == url
    row = ShopCapability.objects.get(shop=world.shop)
    assert (row.processes, row.materials, row.weekly_days_off) == (
        ["laser", "bend"],
        ["SPCC", "SUS304"],
        [6, 7],
    )
    assert (row.thickness_min_mm, row.thickness_max_mm, row.shifts_per_day) == (0.8, 6.0, 2)
    (entry,) = AuditLog.objects.filter(action="shop_capability.saved")
    assert entry.organization == world.shop and entry.actor == world.carol.user
    assert entry.changes["processes"] == {"from": None, "to": ["laser", "bend"]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"weekly_days_off": ["1", "2", "3", "4", "5", "6", "7"]},
            "weekly_days_off",
            "A shop calendar with no working day: every day of the week is a day off.",
        ),
        (
            {"thickness_min_mm": "8", "thickness_max_mm": "6"},
            "thickness_max_mm",
            "The thickest sheet (6 mm) is thinner than the thinnest (8 mm).",
        ),
        (
            {"max_part_long_mm": "1000", "max_part_short_mm": "1250"},
            "max_part_short_mm",
            "The short side (1250 mm) is longer than the long side (1000 mm).",
        ),
        (
            {"hours_per_shift": "10", "shifts_per_day": "3"},
            "shifts_per_day",
            "3 shifts of 10 hours are more than a day's 24 hours.",
        ),
        ({"processes": []}, "processes", "Choose at least one process the shop does."),
        ({"materials": " , "}, "materials", "Name at least one material the shop works."),
    ],
)
def test_a_bad_capability_is_named_next_to_its_field_and_saves_nothing(  # type: ignore[no-untyped-def]
    world, clients, changes, field, message
):
    response = clients["carol"].post(
        f"/shops/{world.shop.pk}/capability/edit/", page_post(**changes)
    )
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert f'data-field="{field}"' in response.content.decode()
    assert not ShopCapability.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="shop_capability").exists()


def test_no_working_day_is_explained_in_japanese(world):  # type: ignore[no-untyped-def]
    client = client_for(world.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    response = client.post(
        f"/shops/{world.shop.pk}/capability/edit/",
        page_post(weekly_days_off=[str(d) for d in range(1, 8)]),
    )
    assert response.status_code == 422
    assert response.context["form"].errors["weekly_days_off"] == [
        "稼働日のない工場カレンダーです：すべての曜日が定休日になっています。"
    ]
    assert not ShopCapability.objects.exists()


def test_the_api_refuses_an_unknown_process_and_no_working_day(world, clients):  # type: ignore[no-untyped-def]
    url = f"/api/shops/{world.shop.pk}/capability"
    carol = clients["carol"]
    body = CAROL_CAPABILITY | {"processes": ["laser", "polish"]}
    response = carol.put(url, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["processes"] == [
        "Unknown process: polish. The processes are: "
        "laser, punch, bend, weld, tap, hardware, paint, plating."
    ]
    body = CAROL_CAPABILITY | {"weekly_days_off": [1, 2, 3, 4, 5, 6, 7]}
    response = carol.put(url, body, content_type="application/json")
    assert response.status_code == 422
    assert "no working day" in response.json()["errors"]["weekly_days_off"][0]
    assert not ShopCapability.objects.exists()


def test_the_api_round_trip_from_defaults_to_a_saved_capability(world, clients):  # type: ignore[no-untyped-def]
    url = f"/api/shops/{world.shop.pk}/capability"
    carol = clients["carol"]
    first = carol.get(url).json()
    assert first["configured"] is False and first["processes"] == ["laser"]
    assert first["weekly_days_off"] == [6, 7] and first["target_share"] == 0.0
    first["processes"] = ["laser", "bend", "tap"]
    saved = carol.put(url, first, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["configured"] is True
    assert saved.json()["processes"] == ["laser", "bend", "tap"]
    # Sent back unchanged, shares are no change: the shop may send the whole document.
    again = carol.put(url, saved.json() | {"shifts_per_day": 2}, content_type="application/json")
    assert again.status_code == 200 and again.json()["shifts_per_day"] == 2
    assert AuditLog.objects.filter(action="shop_capability.saved").count() == 2


def test_only_the_coordinator_sets_the_shares(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    url = f"/api/shops/{world.shop.pk}/capability"
    carol, dora = clients["carol"], clients["dora"]
    refused = carol.put(url, {"target_share": 0.9}, content_type="application/json")
    assert refused.status_code == 403
    # Dora may not change what the shop makes, even with a share change beside it.
    both = dora.put(
        url, {"target_share": 0.4, "processes": ["laser"]}, content_type="application/json"
    )
    assert both.status_code == 403
    row = ShopCapability.objects.get(shop=world.shop)
    assert (row.target_share, row.processes) == (0.3, ["laser", "bend"])
    whole = dora.get(url).json() | {"target_share": 0.4, "min_share": 0.2}
    saved = dora.put(url, whole, content_type="application/json")
    assert saved.status_code == 200
    assert (saved.json()["target_share"], saved.json()["min_share"]) == (0.4, 0.2)
    entry = AuditLog.objects.filter(action="shop_capability.shares").latest("pk")
    assert entry.actor == world.dora.user and entry.organization == world.shop
    assert entry.changes == {
        "target_share": {"from": 0.3, "to": 0.4},
        "min_share": {"from": 0.1, "to": 0.2},
    }


@pytest.mark.parametrize(
    ("shares", "field", "message"),
    [
        (
            {"target_share": 1.5, "min_share": 0.1},
            "target_share",
            "A share is between 0 and 1 (0.25 = 25 %).",
        ),
        (
            {"target_share": 0.3, "min_share": -0.1},
            "min_share",
            "A share is between 0 and 1 (0.25 = 25 %).",
        ),
        (
            {"target_share": 0.2, "min_share": 0.25},
            "min_share",
            "The minimum share (0.25) is above the target share (0.2).",
        ),
    ],
)
def test_bad_shares_are_refused_and_save_nothing(
    world, clients, carol_capability, shares, field, message
):  # type: ignore[no-untyped-def]
    before = AuditLog.objects.count()
    page = clients["dora"].post(f"/shops/{world.shop.pk}/capability/shares/", shares)
    assert page.status_code == 422
    assert page.context["shares_form"].errors[field] == [message]
    api = clients["dora"].put(
        f"/api/shops/{world.shop.pk}/capability", shares, content_type="application/json"
    )
    assert api.status_code == 422 and api.json()["errors"][field] == [message]
    row = ShopCapability.objects.get(shop=world.shop)
    assert (row.target_share, row.min_share) == (0.3, 0.1)
    assert AuditLog.objects.count() == before


def test_shares_before_the_shop_has_a_capability_are_a_conflict(world, clients):  # type: ignore[no-untyped-def]
    response = clients["dora"].put(
        f"/api/shops/{world.shop.pk}/capability",
        {"target_share": 0.2},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "not set up its capability" in response.json()["detail"]
    assert not ShopCapability.objects.exists()


def test_machines_are_added_changed_taken_out_of_use_and_deleted(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    carol = clients["carol"]
    api = f"/api/shops/{world.shop.pk}/machines"
    added = carol.post(
        api,
        {"name": "タレパン", "process": "punch", "speed_factor": 1.2},
        content_type="application/json",
    )
    assert added.status_code == 201
    mid = added.json()["id"]
    changed = carol.put(
        f"{api}/{mid}",
        {"name": "タレパン AE", "process": "punch", "speed_factor": 1.1, "active": True},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["name"] == "タレパン AE"
    # The page takes it out of use.
    off = carol.post(f"/shops/{world.shop.pk}/machines/{mid}/active/", {"active": "0"})
    assert off.status_code == 302
    assert Machine.objects.get(pk=mid).active is False
    listed = {m["name"]: m["active"] for m in carol.get(api).json()}
    assert listed == {"ファイバー 6kW": True, "CO2": True, "ブレーキ": True, "タレパン AE": False}
    assert carol.delete(f"{api}/{mid}").status_code == 204
    assert not Machine.objects.filter(pk=mid).exists()
    actions = list(
        AuditLog.objects.filter(object_id=str(mid), action__startswith="machine.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["machine.added", "machine.changed", "machine.changed", "machine.deleted"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "X", "process": "laser", "speed_factor": 0}, "speed_factor",
         "The speed factor must be greater than 0 (1 = the shop's standard machine)."),
        ({"name": "X", "process": "laser", "speed_factor": -1}, "speed_factor",
         "The speed factor must be greater than 0 (1 = the shop's standard machine)."),
        ({"name": "X", "process": "polish"}, "process",
         "Unknown process: polish. The processes are: laser, punch, bend, weld, tap, hardware, paint, plating."),
        ({"name": "CO2", "process": "laser"}, "name", "The shop already has a machine named CO2."),
    ],
)  # fmt: skip
def test_a_bad_machine_is_refused_and_saves_nothing(
    world, clients, carol_capability, body, field, message
):  # type: ignore[no-untyped-def]
    before = AuditLog.objects.count()
    response = clients["carol"].post(
        f"/api/shops/{world.shop.pk}/machines", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]
    assert Machine.objects.filter(shop=world.shop).count() == 3
    assert AuditLog.objects.count() == before


def test_the_machine_page_names_a_zero_speed(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    response = clients["carol"].post(
        f"/shops/{world.shop.pk}/machines/add/",
        {"name": "遅い", "process": "bend", "speed_factor": "0", "active": "on"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["speed_factor"] == [
        "The speed factor must be greater than 0 (1 = the shop's standard machine)."
    ]
    assert Machine.objects.filter(shop=world.shop).count() == 3


def test_a_closure_that_ends_before_it_starts_is_refused(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    url = f"/shops/{world.shop.pk}/closures/add/"
    response = clients["carol"].post(url, {"start_date": "2026-12-29", "end_date": "2026-12-20"})
    assert response.status_code == 422
    assert response.context["closure_form"].errors["end_date"] == [
        "The closure ends (2026-12-20) before it starts (2026-12-29)."
    ]
    api = clients["carol"].post(
        f"/api/shops/{world.shop.pk}/closures",
        {"start_date": "2026-12-29", "end_date": "2026-12-20"},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert Closure.objects.filter(shop=world.shop).count() == 1


def test_closures_are_added_and_removed_and_audited(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    carol = clients["carol"]
    url = f"/shops/{world.shop.pk}/closures/add/"
    added = carol.post(
        url, {"start_date": "2026-12-29", "end_date": "2027-01-04", "reason": "年末年始"}
    )
    assert added.status_code == 302
    row = Closure.objects.get(shop=world.shop, reason="年末年始")
    assert (row.start_date, row.end_date) == (date(2026, 12, 29), date(2027, 1, 4))
    listed = carol.get(f"/api/shops/{world.shop.pk}/closures").json()
    assert [c["reason"] for c in listed] == ["設備移設", "年末年始"]
    assert carol.post(f"/shops/{world.shop.pk}/closures/{row.pk}/delete/").status_code == 302
    assert not Closure.objects.filter(pk=row.pk).exists()
    entries = AuditLog.objects.filter(object_id=str(row.pk), action__startswith="closure.")
    assert sorted(entries.values_list("action", flat=True)) == ["closure.added", "closure.deleted"]


def test_the_capacity_endpoint_counts_machine_hours_by_day(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    # From Saturday 21 November 2026, 7 days: weekend, 勤労感謝の日, two worked days, and
    # the two days of the move. Lasers 16 × (1.5 + 0.5) = 32 h, brake 16 h a worked day.
    response = (
        clients["dora"].get(f"/api/shops/{world.shop.pk}/capacity?start=2026-11-21&days=7").json()
    )
    assert response["configured"] is True
    assert [d["working"] for d in response["days"]] == [
        False,
        False,
        False,
        True,
        True,
        False,
        False,
    ]
    assert response["days"][2]["holiday"] == "勤労感謝の日"
    assert response["days"][5]["closure"] == "設備移設"
    assert response["capacity_h"] == {
        "laser": [0, 0, 0, 32, 32, 0, 0],
        "bend": [0, 0, 0, 16, 16, 0, 0],
    }
    too_long = clients["dora"].get(f"/api/shops/{world.shop.pk}/capacity?days=400")
    assert too_long.status_code == 422


def test_the_capability_page_draws_four_weeks(world, clients, carol_capability):  # type: ignore[no-untyped-def]
    page = clients["dora"].get(f"/shops/{world.shop.pk}/capability/?start=2026-11-18")
    html = page.content.decode()
    # The page starts on the Monday of the week asked for: 16 November … 13 December.
    assert page.context["start"] == date(2026, 11, 16)
    assert html.count('data-date="') == 28
    assert 'data-date="2026-11-23" data-state="holiday"' in html and "勤労感謝の日" in html
    assert 'data-date="2026-11-26" data-state="closure"' in html
    assert 'data-date="2026-11-28" data-state="off"' in html
    assert 'data-date="2026-11-24" data-state="working"' in html
    # Dora reads; she sets the shares and nothing else.
    assert 'data-testid="read-only"' in html and 'data-testid="shares-form"' in html
    assert "/capability/edit/" not in html and "/machines/add/" not in html


def test_the_capability_page_costs_the_same_queries_for_3_machines_or_13(  # type: ignore[no-untyped-def]
    world, clients, actors, carol_capability, django_assert_num_queries
):
    from shops import actions

    url = f"/shops/{world.shop.pk}/capability/"
    # Session, user, membership; the shop; its capability, machines, closures.
    for who in ("carol", "dora"):
        with django_assert_num_queries(7):
            assert clients[who].get(url).status_code == 200
    for n in range(10):
        actions.do_add_machine(
            world.shop, name=f"ブレーキ {n}", process="bend", speed_factor=1, acting=actors["carol"]
        )
    with django_assert_num_queries(7):
        page = clients["carol"].get(url)
    assert page.content.decode().count('data-testid="machine"') == 13
    # The list of shops: session, user, membership; the shops with their capabilities.
    with django_assert_num_queries(4):
        listed = clients["dora"].get("/shops/")
    assert "Laser cutting, Bending" in listed.content.decode()


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("ja", ["能登レーザー工業 の加工能力とカレンダー", "設備", "勤労感謝の日", "レーザー切断"]),
        (
            "en",
            [
                "Capability and calendar of 能登レーザー工業",
                "Machines",
                "勤労感謝の日",
                "Labor Thanksgiving Day",
            ],
        ),
    ],
)
def test_the_capability_page_speaks_japanese_and_english(world, carol_capability, lang, texts):  # type: ignore[no-untyped-def]
    client = client_for(world.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    page = client.get(f"/shops/{world.shop.pk}/capability/?start=2026-11-16").content.decode()
    for text in texts:
        assert text in page
