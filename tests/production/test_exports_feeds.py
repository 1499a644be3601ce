"""The shared schedule leaving the portal: CSV and Excel files that hold exactly the
caller's `GET /api/schedule` view, and a per-person iCal feed of due dates at a secret
address that a new address or a revoke ends at once. Charlie (another group) gets
nothing of the group from either; a lead firm gets only its own orders."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation

from production import feeds, ical
from production.models import CalendarFeed, Operation, Work, WorkStatus
from shops.models import PROCESS_LABELS
from tenancy.context import Actor
from tenancy.models import AuditLog, Membership
from tests.conftest import client_for
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

MINUTE = "%Y-%m-%d %H:%M"
# The tests on the group's work run with a real Celery worker: committed transactions.
services = pytest.mark.django_db(transaction=True)


# -- ical: pure text -----------------------------------------------------------------------
def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_text_values_escape_backslash_semicolon_comma_and_newlines():
    assert ical.escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert ical.escape_text("タブ\tは残る\x07") == "タブ\tは残る"  # other controls go


def test_a_long_japanese_summary_folds_within_75_octets_and_unfolds_back():
    summary = ("北陸機器製作所向けブラケット、曲げ；溶接" * 5)[:100]
    assert len(summary) == 100
    line = "SUMMARY:" + ical.escape_text(summary)
    folded = ical.fold(line)
    assert folded.endswith("\r\n") and "\n" not in folded.replace("\r\n", "")
    pieces = folded[:-2].split("\r\n")
    assert len(pieces) > 1
    for i, piece in enumerate(pieces):
        raw = piece.encode("utf-8")
        assert len(raw) <= 75, (i, len(raw))
        raw.decode("utf-8")  # each piece is whole characters
        assert piece.startswith(" ") == (i > 0)
    # Three-octet characters after an 8-octet name: the first piece holds 22 of them.
    assert len(pieces[0].encode()) == 8 + 22 * 3 == 74
    assert unfold(folded) == line + "\r\n"


def test_an_ascii_line_folds_at_exactly_75_octets():
    line = "DESCRIPTION:" + "x" * 200
    pieces = ical.fold(line)[:-2].split("\r\n")
    assert [len(p) for p in pieces] == [75, 75, 64]  # 212 = 75 + 74 + 63, after a space
    assert unfold(ical.fold(line)) == line + "\r\n"
    assert ical.fold("SHORT:1") == "SHORT:1\r\n"


def test_a_calendar_of_all_day_events_is_rfc5545_text():
    stamp = datetime(2025, 3, 4, 0, 30, tzinfo=timezone.get_fixed_timezone(540))
    text = ical.calendar(
        name="納期, 北陸",
        prodid="-//Test//EN",
        events=[
            ical.AllDayEvent(uid="work-7@kumiai", day=date(2025, 12, 31), summary="R-1-1 A;B ×2")
        ],
        stamp=stamp,
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = unfold(text).split("\r\n")[:-1]
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Test//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert "X-WR-CALNAME:納期\\, 北陸" in lines
    event = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT") + 1]
    assert "UID:work-7@kumiai" in event
    assert "DTSTAMP:20250303T153000Z" in event  # 09:00 ahead of UTC
    assert "DTSTART;VALUE=DATE:20251231" in event
    assert "DTEND;VALUE=DATE:20260101" in event  # exclusive: the next day
    assert "SUMMARY:R-1-1 A\\;B ×2" in event
    assert lines[-1] == "END:VCALENDAR"
    with pytest.raises(ValueError):
        ical.calendar(name="x", prodid="p", events=[], stamp=datetime(2025, 1, 1))  # noqa: DTZ001 - refused


def parse_ics(text: str) -> list[dict[str, str]]:
    """Each VEVENT as {property name (parameters dropped): value}."""
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text).split("\r\n"):
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return events


# -- the group's work ----------------------------------------------------------------------
def clone(obj, **changes):  # type: ignore[no-untyped-def]
    """A copy of a row, saved as a new one (made straight in the database)."""
    obj.pk = None
    obj._state.adding = True
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.save()
    return obj


@pytest.fixture
def schedule(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    """Alice's laser-and-bend line at the coordinator's shop, planned on its machines (one
    operation started, 3 done, 1 scrapped); and a copy of it ordered by a second lead firm
    of the group, whose Erin must not see Alice's order nor Alice hers."""
    from allocation.models import ProposedPlacement
    from offers.models import Offer
    from orders.models import Order, OrderLine
    from tenancy.actions import add_member, create_organization
    from tenancy.models import OrgKind, Role

    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser", "bend"])
    line = offer.line
    for q in line.quote:  # the test plate has no bends: give the brake half an hour
        if q.get("shop_id") == world.coordinator.pk:
            q["hours"]["bend"] = 0.5
    line.save(update_fields=["quote"])
    assert clients["dora"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    ops = wait_until(
        lambda: (
            (rows := list(Operation.objects.filter(work__offer=offer).order_by("seq")))
            and len(rows) == 2
            and rows
        ),
        poll_s=0.3,
    )
    got = clients["dora"].post(
        f"/api/operations/{ops[0].pk}/progress",
        {"status": "started", "done_qty": 3, "scrap_qty": 1},
        content_type="application/json",
    )
    assert got.status_code == 200, got.content
    alices = Work.objects.get(offer=offer)

    system = Actor.system("test")
    firm = create_organization(world.group, "富山金型工業", OrgKind.LEAD_FIRM, acting=system)
    erin = add_member(firm, "erin@toyama.example", "Erin", Role.ADMIN, "pw-erin-42", acting=system)
    order = clone(
        Order.objects.get(pk=line.order_id), buyer=firm, number="T-00007", title="治具; 試作, 第2弾"
    )
    erins_line = clone(OrderLine.objects.get(pk=line.pk), order=order, quantity=4)
    placement = clone(ProposedPlacement.objects.get(pk=offer.placement_id), line=erins_line)
    erins_offer = clone(Offer.objects.get(pk=offer.pk), line=erins_line, placement=placement)
    erins = clone(
        Work.objects.get(pk=alices.pk),
        offer=erins_offer,
        line=erins_line,
        buyer=firm,
        due_date=alices.due_date + timedelta(days=3),
    )
    for op in Operation.objects.filter(work=alices):
        clone(op, work=erins, start=op.start + timedelta(hours=1), end=op.end + timedelta(hours=1))
    clients["erin"] = client_for(erin)
    return {"alice": alices, "erin": erins, "erin_membership": erin}


def api_ops(client) -> list[dict]:  # type: ignore[no-untyped-def]
    got = client.get("/api/schedule")
    assert got.status_code == 200
    return got.json()["operations"]


def local(iso: str) -> datetime:
    return timezone.localtime(datetime.fromisoformat(iso)).replace(tzinfo=None, microsecond=0)


def expected_row(o: dict) -> dict:
    op = Operation.objects.get(pk=o["id"])
    yes_no = {True: "yes", False: "no"}
    with translation.override("en"):
        process = str(PROCESS_LABELS[o["process"]])
    return {
        "ID": str(o["id"]),
        "Order": o["order"],
        "Line": o["line"],
        "Part number": o["part_number"],
        "Process": process,
        "Shop": o["shop"],
        "Machine": o["machine"],
        "Start": local(o["start"]).strftime(MINUTE),
        "End": local(o["end"]).strftime(MINUTE),
        "Due date": o["due_date"],
        "Late": yes_no[o["late"]],
        "Started": yes_no[o["started"]],
        "Done": yes_no[o["done"]],
        "Done qty": str(op.done_qty),
        "Scrap qty": str(op.scrap_qty),
    }


def csv_rows(client, query: str = "") -> list[dict]:  # type: ignore[no-untyped-def]
    got = client.get("/schedule/export.csv" + query)
    assert got.status_code == 200
    assert got["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert got["Content-Disposition"] == f'attachment; filename="schedule-{today}.csv"'
    body = got.content
    assert body.startswith("\ufeff".encode())  # the BOM Excel in Japan needs
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client) -> list[dict]:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    got = client.get("/schedule/export.xlsx")
    assert got.status_code == 200
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate().isoformat()
    assert got["Content-Disposition"] == f'attachment; filename="schedule-{today}.xlsx"'
    sheet = load_workbook(io.BytesIO(got.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


# -- exports -------------------------------------------------------------------------------
@services
def test_each_persons_csv_holds_exactly_their_api_view(
    world, clients, schedule, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    for name, orders in (
        ("dora", {"T-00007", schedule["alice"].line.order.number}),
        ("alice", {schedule["alice"].line.order.number}),
        ("bob", {schedule["alice"].line.order.number}),
        ("erin", {"T-00007"}),
    ):
        api = api_ops(clients[name])
        # The session's user and membership, then the operations with what they show.
        with django_assert_max_num_queries(4):
            rows = csv_rows(clients[name])
        assert rows == [expected_row(o) for o in api], name
        assert {r["Order"] for r in rows} == orders, name
        assert len(rows) == 2 * len(orders)
    started = next(r for r in csv_rows(clients["alice"]) if r["Started"] == "yes")
    assert (started["Done qty"], started["Scrap qty"]) == ("3", "1")


@services
def test_each_persons_excel_file_holds_exactly_their_api_view(world, clients, schedule):  # type: ignore[no-untyped-def]
    for name in ("dora", "alice", "erin"):
        api = api_ops(clients[name])
        rows = xlsx_rows(clients[name])
        assert len(rows) == len(api) > 0
        for row, o in zip(rows, api, strict=True):
            want = expected_row(o)
            assert row["ID"] == o["id"]
            for col in ("Order", "Line", "Part number", "Process", "Shop", "Machine"):
                assert row[col] == want[col], (name, col)
            assert row["Start"] == local(o["start"])  # a real date-time cell, local time
            assert row["End"] == local(o["end"])
            assert row["Due date"].date() == date.fromisoformat(o["due_date"])
            assert (row["Late"], row["Started"], row["Done"]) == (
                want["Late"],
                want["Started"],
                want["Done"],
            )
            assert (str(row["Done qty"]), str(row["Scrap qty"])) == (
                want["Done qty"],
                want["Scrap qty"],
            )
    assert not any("price" in str(k).lower() for k in xlsx_rows(clients["dora"])[0])


@services
def test_a_shop_not_party_and_another_groups_user_get_an_empty_export(world, clients, schedule):  # type: ignore[no-untyped-def]
    for name in ("carol", "charlie"):
        assert api_ops(clients[name]) == []
        assert csv_rows(clients[name]) == []
        assert xlsx_rows(clients[name]) == []
        body = clients[name].get("/schedule/export.csv").content.decode("utf-8-sig")
        assert "BR-100" not in body and world.coordinator.name not in body


@services
def test_the_export_takes_the_pages_filters(world, clients, schedule):  # type: ignore[no-untyped-def]
    dora = clients["dora"]
    alices = schedule["alice"]
    # Alice's line made late (due before its operations end), Erin's surely on time.
    today = timezone.localdate()
    Work.objects.filter(pk=alices.pk).update(due_date=today - timedelta(days=1))
    Work.objects.filter(pk=schedule["erin"].pk).update(due_date=today + timedelta(days=3650))
    late = csv_rows(dora, "?late=1")
    assert {r["Line"] for r in late} == {alices.line.label} and len(late) == 2
    assert all(r["Late"] == "yes" for r in late)
    only_t = csv_rows(dora, "?order=T-00007")
    assert {r["Order"] for r in only_t} == {"T-00007"} and len(only_t) == 2
    assert len(csv_rows(dora, "?shop=" + world.coordinator.name)) == 4
    assert csv_rows(dora, "?shop=" + world.shop.name) == []


@pytest.mark.django_db
def test_the_exports_need_a_sign_in(client):  # type: ignore[no-untyped-def]
    for url in ("/schedule/export.csv", "/schedule/export.xlsx"):
        got = client.get(url)
        assert got.status_code == 302 and "login" in got["Location"]


# -- the calendar feed ---------------------------------------------------------------------
def make_feed(client) -> str:  # type: ignore[no-untyped-def]
    """A new address through the page, as its owner gets it: the absolute URL shown."""
    assert client.post("/schedule/calendar/new/").status_code == 302
    page = client.get("/schedule/calendar/").content.decode()
    feed = CalendarFeed.objects.filter(revoked_at=None).latest("created_at")
    url = f"http://testserver/calendar/{feed.token}.ics"
    assert f'value="{url}"' in page and 'data-testid="feed-url"' in page
    return url


def fetch(url: str):  # type: ignore[no-untyped-def]
    return Client().get(url.removeprefix("http://testserver"))  # no session: the token only


@services
def test_the_feed_has_an_all_day_event_on_each_visible_open_works_due_date(
    world, clients, schedule, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    alices, erins = schedule["alice"], schedule["erin"]
    dora_url, alice_url, erin_url = (make_feed(clients[n]) for n in ("dora", "alice", "erin"))
    with django_assert_max_num_queries(2):  # the feed with its member, then the works
        got = fetch(dora_url)
    assert got.status_code == 200 and got["Content-Type"] == "text/calendar; charset=utf-8"
    text = got.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = {e["UID"]: e for e in parse_ics(text)}
    assert set(events) == {f"work-{alices.pk}@kumiai", f"work-{erins.pk}@kumiai"}
    for w in (alices, erins):
        event = events[f"work-{w.pk}@kumiai"]
        assert event["DTSTART"] == w.due_date.strftime("%Y%m%d")
        assert event["DTEND"] == (w.due_date + timedelta(days=1)).strftime("%Y%m%d")
        qty = w.line.quantity
        assert event["SUMMARY"] == (f"{w.line.label} BR-100 ×{qty} · {world.coordinator.name}")
        assert event["DTSTAMP"].endswith("Z")
    erins_event = events[f"work-{erins.pk}@kumiai"]
    assert "治具\\; 試作\\, 第2弾" in erins_event["DESCRIPTION"]  # the order's title, escaped

    assert [e["UID"] for e in parse_ics(fetch(alice_url).content.decode())] == [
        f"work-{alices.pk}@kumiai"
    ]
    assert [e["UID"] for e in parse_ics(fetch(erin_url).content.decode())] == [
        f"work-{erins.pk}@kumiai"
    ]
    # Received by the buyer (a past job): no longer a date to keep.
    Work.objects.filter(pk=erins.pk).update(status=WorkStatus.CLOSED)
    assert [e["UID"] for e in parse_ics(fetch(dora_url).content.decode())] == [
        f"work-{alices.pk}@kumiai"
    ]
    assert parse_ics(fetch(erin_url).content.decode()) == []


@services
def test_a_new_address_or_a_revoke_ends_the_old_one(world, clients, schedule):  # type: ignore[no-untyped-def]
    alice = clients["alice"]
    first = make_feed(alice)
    assert fetch(first).status_code == 200
    second = make_feed(alice)
    assert second != first
    assert fetch(first).status_code == 404
    assert fetch(second).status_code == 200
    assert CalendarFeed.objects.filter(user=world.alice.user, revoked_at=None).count() == 1

    assert alice.post("/schedule/calendar/revoke/").status_code == 302
    assert fetch(second).status_code == 404
    page = alice.get("/schedule/calendar/").content.decode()
    assert 'data-testid="feed-none"' in page and ".ics" not in page
    actions = list(
        AuditLog.objects.filter(actor=world.alice.user, action__startswith="calendar_feed.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["calendar_feed.create", "calendar_feed.create", "calendar_feed.revoke"]
    tokens = CalendarFeed.objects.values_list("token", flat=True)
    logged = str(list(AuditLog.objects.values_list("changes", "object_repr")))
    assert not [t for t in tokens if t in logged]  # the audit log never holds an address


@services
def test_another_groups_feed_never_shows_this_groups_work(world, clients, schedule):  # type: ignore[no-untyped-def]
    got = fetch(make_feed(clients["charlie"]))
    assert got.status_code == 200
    text = got.content.decode()
    assert parse_ics(text) == []
    secrets = ["BR-100", "T-00007", schedule["alice"].line.order.number, world.coordinator.name]
    assert not [s for s in secrets if s in text]
    assert world.other_org.name in text  # its own calendar, empty


@services
def test_a_disabled_members_address_is_a_bare_404(world, clients, schedule):  # type: ignore[no-untyped-def]
    url = make_feed(clients["bob"])
    Membership.objects.filter(pk=world.bob.pk).update(is_active=False)
    got = fetch(url)
    assert got.status_code == 404 and b"BR-100" not in got.content
    Membership.objects.filter(pk=world.bob.pk).update(is_active=True)
    assert fetch(url).status_code == 200
    assert fetch("http://testserver/calendar/not-a-token.ics").status_code == 404


@pytest.mark.django_db
def test_the_feed_page_needs_a_sign_in_and_a_csrf_token(world, client):  # type: ignore[no-untyped-def]
    got = client.get("/schedule/calendar/")
    assert got.status_code == 302 and "/schedule/calendar/" in got["Location"]
    assert client.post("/schedule/calendar/new/").status_code == 302
    assert not CalendarFeed.objects.exists()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.vera.user)
    assert strict.post("/schedule/calendar/new/").status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.django_db
def test_any_member_may_make_an_address_and_only_its_owner_revokes_it(world, clients):  # type: ignore[no-untyped-def]
    vera = clients["vera"]  # a viewer: the address is her own, read-only
    page = vera.get("/schedule/calendar/")
    assert page.status_code == 200 and 'data-testid="feed-none"' in page.content.decode()
    make_feed(vera)
    feed = CalendarFeed.objects.get(user=world.vera.user, revoked_at=None)
    assert len(feed.token) == 43  # secrets.token_urlsafe(32)
    with pytest.raises(PermissionDenied):
        feeds.do_revoke_feed(feed, acting=Actor(world.alice.user, world.alice))
    clients["alice"].post("/schedule/calendar/revoke/")  # Alice has none: nothing happens
    feed.refresh_from_db()
    assert feed.revoked_at is None
