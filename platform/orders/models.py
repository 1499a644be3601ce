"""Requests and orders of a lead firm, and their lines.

A request is an order not placed yet: the buyer sees each line's group quote (every
capable shop's price and earliest date) and places it. A line fixes the drawing's
current revision and part when it is made, so later revisions never change what was
ordered. Scoping (tenancy/scoping.py): an order is seen by the buyer organisation and
the group's coordinator; its lines follow it. Shops meet lines through offers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drawings.models import Drawing, Part, Revision
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class OrderStatus(models.TextChoices):
    REQUEST = "request", _("Request")
    PLACED = "placed", _("Placed")
    CANCELLED = "cancelled", _("Cancelled")


class LineStatus(models.TextChoices):
    OPEN = "open", _("Waiting for allocation")  # placed, no shop holds it
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=30)  # R-00042, per buyer
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=OrderStatus.choices, default=OrderStatus.REQUEST
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(null=True, blank=True)

    # The buyer and the group's coordinator.
    TENANT_ORG_FIELD = "buyer"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("buyer",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "number"], name="order_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField()  # 1, 2, … within the order
    drawing = models.ForeignKey(Drawing, on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    material = models.CharField(max_length=20)
    thickness_mm = models.FloatField()
    processes = models.JSONField()  # in the order they are done; laser first
    quantity = models.PositiveIntegerField()
    due_date = models.DateField()
    splittable = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=LineStatus.choices, default=LineStatus.OPEN)
    # Shops (organisation ids) that declined the line: the allocation never offers it to
    # them again. Written by the offers' actions through orders.actions.
    declined_by = models.JSONField(default=list, blank=True)
    # The group quote when the line was made: per shop its price, hours per process and
    # earliest date, or why it cannot make the part (orders/quotes.py).
    quote = models.JSONField(default=list)

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "order"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["order_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="line_quantity_1"),
            models.CheckConstraint(condition=models.Q(thickness_mm__gt=0), name="line_thickness"),
        ]
        indexes = [models.Index(fields=["status"], name="line_status")]

    def __str__(self) -> str:
        return f"{self.order.number}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.order.number}-{self.number}"

    def offers_from(self) -> list[dict]:
        """The shops that quoted it, cheapest first (refusals left out)."""
        return sorted(
            (q for q in self.quote if not q.get("refused")), key=lambda q: q["total_price_jpy"]
        )
