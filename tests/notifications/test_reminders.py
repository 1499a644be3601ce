"""The deadline reminder sweep: one reminder per unanswered offer whose deadline is near,
never a second, none for an answered offer or a far deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import DeadlineReminder, Notification
from notifications.tasks import deadline_reminders, send_deadline_reminders

pytestmark = pytest.mark.django_db


def test_a_near_deadline_is_reminded_once(  # type: ignore[no-untyped-def]
    world, sam, chain, mailoutbox, django_capture_on_commit_callbacks
):
    offer = chain[3]
    offer.deadline = timezone.now() + timedelta(hours=6)
    offer.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
        assert deadline_reminders.apply().get() == 0  # the beat's task, run here
    assert DeadlineReminder.objects.filter(offer_id=offer.pk).count() == 1
    got = Notification.objects.filter(message="deadline_soon")
    assert sorted(n.recipient.email for n in got) == ["carol@shop.example", "sam@shop.example"]
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@shop.example", "sam@shop.example"]


def test_far_lapsed_and_answered_offers_get_no_reminder(world, sam, chain, settings):  # type: ignore[no-untyped-def]
    offer = chain[3]
    settings.KUMIAI_DEADLINE_REMINDER_HOURS = 12
    offer.deadline = timezone.now() + timedelta(hours=13)
    offer.save()
    assert send_deadline_reminders() == 0
    offer.deadline = timezone.now() - timedelta(minutes=1)  # lapsed: the expiry tells
    offer.save()
    assert send_deadline_reminders() == 0
    offer.deadline, offer.status = timezone.now() + timedelta(hours=1), "countered"
    offer.save()
    assert send_deadline_reminders() == 0
    settings.KUMIAI_DEADLINE_REMINDER_HOURS = 2
    offer.status = "offered"
    offer.save()
    assert send_deadline_reminders() == 1
    assert not Notification.objects.exclude(message="deadline_soon").exists()
