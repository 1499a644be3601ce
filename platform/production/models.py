"""Production work: an accepted offer becomes work at its shop, whose operations are
planned on the shop's machines (scheduling.link + scheduling.machines).

`Work` rather than "job": /api/jobs is the background job. Seen by the shop that holds
it, the buyer whose order it is (dates and shop, for the shared schedule) and the
group's coordinator.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from offers.models import Offer
from orders.models import OrderLine
from shops.models import Machine
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STARTED = "started", _("Started")
    DONE = "done", _("Done")


class Work(models.Model):
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="work")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=WorkStatus.choices, default=WorkStatus.PLANNED)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop", "buyer")
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"work {self.pk}: {self.line} at {self.shop}"


class Operation(models.Model):
    """One process of a work on one machine, planned (or started) in time."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="operations")
    seq = models.PositiveSmallIntegerField()  # 0, 1, … in the order they are done
    process = models.CharField(max_length=20)
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    started = models.BooleanField(default=False)  # a re-plan keeps it where it is
    done = models.BooleanField(default=False)
    done_qty = models.PositiveIntegerField(default=0)
    scrap_qty = models.PositiveIntegerField(default=0)

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "work"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["machine_id", "start"]
        constraints = [models.UniqueConstraint(fields=["work", "seq"], name="one_op_per_step")]

    def __str__(self) -> str:
        return f"{self.work.line} {self.process} on {self.machine}"

    @property
    def process_label(self) -> str:
        """The process's name in the reader's language (shops keeps the one list)."""
        from shops.models import PROCESS_LABELS

        return str(PROCESS_LABELS.get(self.process, self.process))


class Breakdown(models.Model):
    """A machine out of use from `start` to `end`: the shop's plan goes around it."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="+")
    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    reported_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The shop and the group's coordinator.
    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="breakdown_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine} down {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
