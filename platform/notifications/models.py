"""Notifications: what happened in the job flow that a person should hear about, kept per
recipient, and each person's choice of how they hear it (in the portal, by e-mail).

A notification stores a message key and its parameters, never rendered text: the list,
the websocket push and the e-mail each render it in their reader's language
(`texts.render`). It is seen by its recipient only: the organisation rule of
tenancy/scoping.py (the recipient's organisation when it was made) plus a recipient
filter in `selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class Kind(models.TextChoices):
    """What a person may choose to hear; one kind may cover a few events."""

    OFFER_MADE = "offer_made", _("An offer made to my shop")
    OFFER_ANSWERED = (
        "offer_answered",
        _("A shop's answer to an offer (accepted, declined, counter)"),
    )
    COUNTER_DECIDED = "counter_decided", _("The coordinator's decision on a counter-offer")
    REPLANNED = "replanned", _("A line re-planned")
    DEADLINE = "deadline", _("An offer's deadline approaching or lapsed")
    RUN_FINISHED = "run_finished", _("An allocation run finished")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the portal")
    EMAIL = "email", _("By e-mail")  # "E-mail" alone reads メールアドレス in the shared catalogue


# Everything in the portal; by e-mail only what needs an answer soon.
DEFAULT_EMAIL = frozenset({Kind.OFFER_MADE, Kind.DEADLINE})


def default_for(kind: str, channel: str) -> bool:
    return channel == Channel.IN_APP or kind in DEFAULT_EMAIL


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The recipient's organisation when it was made: a person moved to another
    # organisation no longer reads what was meant for the old one.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=40)  # a key of texts.MESSAGES
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)  # a path inside the portal
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at=None),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"notification {self.pk} to {self.recipient_id}: {self.message}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def rendered(self) -> tuple[str, str]:
        """(title, body) in the active language."""
        from .texts import render

        return render(self.message, self.params)

    @property
    def title(self) -> str:
        return self.rendered()[0]

    @property
    def body(self) -> str:
        return self.rendered()[1]

    def as_event(self) -> dict[str, object]:
        title, body = self.rendered()
        return {
            "id": self.pk,
            "kind": self.kind,
            "title": title,
            "body": body,
            "link": self.link,
            "created_at": self.created_at.isoformat(),
            "read": self.is_read,
        }


class NotificationPreference(models.Model):
    """One person's choice for one kind; a kind without a row has the defaults. A setting
    of the person, like their language: no tenant data, read only through their own user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: in_app={self.in_app} email={self.email}"


class DeadlineReminder(models.Model):
    """That an offer's deadline reminder went out: the unique key makes a second one
    impossible, whoever runs the sweep and however often. The offer is named by id only
    (notifications never import offers)."""

    offer_id = models.BigIntegerField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"reminder for offer {self.offer_id}"
