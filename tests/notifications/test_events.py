"""Who hears what: each job-flow event, its recipients listed by hand, each person's
channels respected, and nothing the mail server or Redis does reaches the caller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import events
from notifications.models import Notification
from tenancy.context import Actor

pytestmark = pytest.mark.django_db

ALL = ("alice", "bob", "vera", "carol", "sam", "dora", "cody", "charlie")


def heard(world, sam, cody) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Who holds a notification, by persona name: {name: {message, …}}."""
    names = {
        **{n: getattr(world, n).user_id for n in ALL if hasattr(world, n)},
        "sam": sam.user_id,
        "cody": cody.user_id,
    }
    by_user = {uid: name for name, uid in names.items()}
    out: dict[str, set[str]] = {}
    for n in Notification.objects.all():
        out.setdefault(by_user[n.recipient_id], set()).add(n.message)
    return out


def answered(offer, status: str, by, **fields):  # type: ignore[no-untyped-def]
    for name, value in {"status": status, "answered_by": by.user, **fields}.items():
        setattr(offer, name, value)
    offer.save()
    return offer


@pytest.mark.parametrize(
    ("event", "state", "expected"),
    [
        ("offered", {}, {"carol": {"offered"}, "sam": {"offered"}}),
        (
            "accepted",
            {"status": "accepted", "by": "carol"},
            {"dora": {"accepted"}, "cody": {"accepted"}},
        ),
        (
            "declined",
            {"status": "declined", "by": "carol", "reason": "no capacity"},
            {"dora": {"declined"}, "cody": {"declined"}},
        ),
        (
            "countered",
            {"status": "countered", "by": "sam", "counter_price_jpy": 1500},
            {"dora": {"countered"}, "cody": {"countered"}},
        ),
        ("expired", {"status": "expired"}, {"dora": {"expired"}, "cody": {"expired"}}),
        (
            "rejected",
            {"status": "rejected", "by": "dora", "counter_price_jpy": 1500},
            {"carol": {"rejected"}, "sam": {"rejected"}},
        ),
        # The coordinator accepting a counter-offer: the offers app says "accepted".
        (
            "accepted",
            {"status": "accepted", "by": "dora", "counter_due_date": "later"},
            {"carol": {"counter_accepted"}, "sam": {"counter_accepted"}},
        ),
    ],
)
def test_each_offer_event_reaches_exactly_these_people(  # type: ignore[no-untyped-def]
    world, sam, cody, chain, event, state, expected
):
    offer = chain[3]
    state = dict(state)
    if state.get("counter_due_date") == "later":
        state["counter_due_date"] = timezone.localdate() + timedelta(days=30)
    if "status" in state:
        by = state.pop("by", None)
        people = {"carol": world.carol, "sam": sam, "dora": world.dora}
        offer.status = state.pop("status")
        offer.answered_by = people[by].user if by else None
        for name, value in state.items():
            setattr(offer, name, value)
        offer.save()
    events.offer_event(offer, event)
    assert heard(world, sam, cody) == expected


def test_the_person_who_answered_is_not_told_of_their_own_answer(world, sam, cody, chain):  # type: ignore[no-untyped-def]
    # The coordinator's own shop receives offers like any member: Dora answers one.
    offer = chain[3]
    offer.shop = world.coordinator
    answered(offer, "declined", world.dora, reason="busy")
    events.offer_event(offer, "declined")
    assert heard(world, sam, cody) == {"cody": {"declined"}}


def test_a_disabled_member_hears_nothing(world, sam, cody, chain):  # type: ignore[no-untyped-def]
    from tenancy.actions import do_set_membership_active

    do_set_membership_active(sam, False, acting=Actor(world.carol.user, world.carol))
    events.offer_event(chain[3], "offered")
    assert heard(world, sam, cody) == {"carol": {"offered"}}


def test_run_finished_tells_the_coordinator_what_became_of_the_run(world, sam, cody, chain):  # type: ignore[no-untyped-def]
    from allocation.models import AllocationRun

    run = chain[2]
    events.run_finished(run)
    empty = AllocationRun.objects.create(organization=world.coordinator, status="done")
    events.run_finished(empty)
    failed = AllocationRun.objects.create(
        organization=world.coordinator, status="failed", error="solver crashed"
    )
    events.run_finished(failed)
    assert heard(world, sam, cody) == {
        "dora": {"run_done", "run_no_plan", "run_failed"},
        "cody": {"run_done", "run_no_plan", "run_failed"},
    }
    done = Notification.objects.get(recipient=world.dora.user, message="run_done")
    assert done.kind == "run_finished" and done.link == f"/allocation/runs/{run.pk}/"
    assert done.params == {"run": run.pk, "placements": 1}
    assert (
        "solver crashed"
        in Notification.objects.get(recipient=world.dora.user, message="run_failed").body
    )


def test_a_replan_that_published_itself_is_not_a_second_message(world, sam, cody, chain):  # type: ignore[no-untyped-def]
    run = chain[2]
    run.auto_publish, run.reason = True, "declined by 能登レーザー工業: busy"
    run.save()
    events.run_finished(run)
    assert heard(world, sam, cody) == {}
    events.replanned(run, [chain[1]])
    assert heard(world, sam, cody) == {"dora": {"replanned"}, "cody": {"replanned"}}
    n = Notification.objects.get(recipient=world.dora.user)
    assert n.params["lines"] == ["R-90001-1"] and "busy" in n.body


def test_deadline_soon_goes_to_the_shop_once(world, sam, cody, chain):  # type: ignore[no-untyped-def]
    offer = chain[3]
    assert events.deadline_soon(offer) is not None
    assert events.deadline_soon(offer) is None
    assert heard(world, sam, cody) == {"carol": {"deadline_soon"}, "sam": {"deadline_soon"}}


def test_the_text_is_in_the_readers_language(world, sam, cody, chain):  # type: ignore[no-untyped-def]
    from django.utils import translation

    events.offer_event(chain[3], "offered")
    n = Notification.objects.get(recipient=world.carol.user)
    with translation.override("en"):
        assert n.title == "New offer: line R-90001-1"
        assert "¥1,230" in n.body and "NTF-1" in n.body
    with translation.override("ja"):
        assert n.title == "新しい打診：明細 R-90001-1"
        assert "¥1,230" in n.body and "回答期限" in n.body


# -- channels: in the portal and by e-mail --------------------------------------------------
def test_by_default_an_offer_is_mailed_to_the_shop_and_an_answer_is_not_mailed(  # type: ignore[no-untyped-def]
    world, sam, cody, chain, mailoutbox, django_capture_on_commit_callbacks
):
    world.carol.user.language = "ja"
    world.carol.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        events.offer_event(chain[3], "offered")
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@shop.example", "sam@shop.example"]
    to_carol = next(m for m in mailoutbox if m.to == ["carol@shop.example"])
    to_sam = next(m for m in mailoutbox if m.to == ["sam@shop.example"])
    assert to_carol.subject == "[Kumiai] 新しい打診：明細 R-90001-1"
    assert to_sam.subject == "[Kumiai] New offer: line R-90001-1"  # no language: the site's
    assert "/offers/" in to_carol.body and "/notifications/preferences/" in to_carol.body

    mailoutbox.clear()
    answered(chain[3], "accepted", world.carol)
    with django_capture_on_commit_callbacks(execute=True):
        events.offer_event(chain[3], "accepted")
    assert mailoutbox == []
    assert heard(world, sam, cody)["dora"] == {"accepted"}


def test_email_off_sends_no_mail_and_in_app_off_makes_no_row(  # type: ignore[no-untyped-def]
    world, sam, cody, chain, clients, mailoutbox, django_capture_on_commit_callbacks
):
    carol = clients["carol"]
    got = carol.put(
        "/api/notifications/preferences",
        {"offer_made": {"email": False}},
        content_type="application/json",
    )
    assert got.status_code == 200 and got.json()["offer_made"] == {"in_app": True, "email": False}
    from notifications.actions import do_set_preferences

    do_set_preferences({"offer_made": {"in_app": False}}, acting=Actor(sam.user, sam))
    with django_capture_on_commit_callbacks(execute=True):
        events.offer_event(chain[3], "offered")
    assert [m.to for m in mailoutbox] == [["sam@shop.example"]]  # Carol: e-mail off
    assert heard(world, sam, cody) == {"carol": {"offered"}}  # Sam: not in the portal


def test_a_mail_server_that_is_down_does_not_reach_the_caller(  # type: ignore[no-untyped-def]
    world, sam, cody, chain, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        delivery = events.offer_event(chain[3], "offered")
    assert delivery is not None and len(delivery.notifications) == 2
    assert Notification.objects.filter(message="offered").count() == 2  # the rows stand
    assert "could not send 2 notification e-mail(s)" in caplog.text


def test_the_real_offer_actions_and_a_broken_mail_server(  # type: ignore[no-untyped-def]
    world, sam, cody, chain, settings, django_capture_on_commit_callbacks
):
    """An accept whose on-commit hook notifies, with mail down: the accept stands."""
    from django.db import transaction

    from offers.actions import do_accept

    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    offer = chain[3]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            done = do_accept(offer, acting=Actor(world.carol.user, world.carol))
            transaction.on_commit(lambda: events.offer_event(done, "accepted"))
    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert heard(world, sam, cody) == {"dora": {"accepted"}, "cody": {"accepted"}}


def test_redis_down_does_not_reach_the_caller(  # type: ignore[no-untyped-def]
    world, sam, cody, chain, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from channels import layers

    # A real Redis channel layer at an address where nothing listens.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    monkeypatch.setattr(layers.channel_layers, "backends", {})
    with django_capture_on_commit_callbacks(execute=True):
        delivery = events.offer_event(chain[3], "offered")
    assert delivery is not None
    assert Notification.objects.filter(message="offered").count() == 2
    assert "could not push a notification" in caplog.text
