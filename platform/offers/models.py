"""Offers: a published placement in a shop's inbox. The shop accepts, declines with a
reason, or counter-offers price and/or date, which the coordinator accepts or rejects.
An offer opens the drawing to the shop (a grant that ends when it is declined, lapses or
the job closes). Seen by the shop it is made to and by the group's coordinator.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from allocation.models import AllocationRun, ProposedPlacement
from drawings.models import Grant
from orders.models import OrderLine
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    COUNTERED = "countered", _("Counter-offer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Lapsed")
    REJECTED = "rejected", _("Counter-offer rejected")


OPEN_STATUSES = (OfferStatus.OFFERED, OfferStatus.COUNTERED)


class Offer(models.Model):
    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="+")
    placement = models.OneToOneField(
        ProposedPlacement, on_delete=models.PROTECT, related_name="offer"
    )
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="offers")
    shop = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(
        max_length=12, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    price_jpy = models.PositiveIntegerField()  # for the whole line
    due_date = models.DateField()  # the line's due date
    promised_date = models.DateField()  # when the plan has it done
    deadline = models.DateTimeField()  # answer by then, or the line is re-planned
    grant = models.ForeignKey(
        Grant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)  # why declined / rejected
    counter_price_jpy = models.PositiveIntegerField(null=True, blank=True)
    counter_due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # The shop it is made to, and the group's coordinator.
    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open offer per line at a time: a re-plan's offer follows a closed one.
            models.UniqueConstraint(
                fields=["line"],
                condition=models.Q(status__in=["offered", "countered"]),
                name="one_open_offer_per_line",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="offer_deadline")]

    def __str__(self) -> str:
        return f"offer {self.pk}: {self.line} → {self.shop} ({self.status})"

    @property
    def process_labels(self) -> list[str]:
        """The line's processes in the reader's language (shops keeps the one list)."""
        from shops.models import PROCESS_LABELS

        return [str(PROCESS_LABELS.get(p, p)) for p in self.line.processes]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
