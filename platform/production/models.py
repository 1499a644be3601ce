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
    DONE = "done", _("Done")  # every operation done, not all shipped
    SHIPPED = "shipped", _("Shipped")  # every piece shipped, not all received
    CLOSED = "closed", _("Closed")  # the buyer has received every piece: a past job
    MOVED = "moved", _("Moved to another shop")  # a re-allocation the coordinator approved


# Work a shop still has to make: what its machine plan holds.
OPEN_WORK = (WorkStatus.PLANNED, WorkStatus.STARTED)


class Work(models.Model):
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="work")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=WorkStatus.choices, default=WorkStatus.PLANNED)
    # The date promised to the buyer: the offer's, or a later one the coordinator approved
    # after a disruption (the line's own due date stays on the order line).
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

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
    # Moved by hand on the Gantt: re-plans keep it where it was put, as if started.
    pinned = models.BooleanField(default=False)

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


class Shipment(models.Model):
    """Pieces of a work sent to the buyer (partial or the rest), and the buyer's receipt."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="shipments")
    quantity = models.PositiveIntegerField()
    shipped_at = models.DateTimeField(auto_now_add=True)
    shipped_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)  # carrier, slip number
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "work"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["shipped_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.work.line}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the coordinator")
    APPROVED = "approved", _("Approved")
    DISMISSED = "dismissed", _("Dismissed")
    OBSOLETE = "obsolete", _("No longer needed")  # a later plan makes the date again


class Reallocation(models.Model):
    """A line that can no longer make its promised date at its shop after a disruption,
    with the options: stay at a later date, or move to a shop that can make it (cost
    and date of each). The coordinator approves one."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="reallocations")
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    reason = models.CharField(max_length=300, blank=True)
    expected_date = models.DateField()  # when the shop's new plan finishes the line
    promised_date = models.DateField()  # the promise it breaks
    # [{"kind": "stay"|"move", "shop_id", "shop", "cost_jpy", "finish_date", "makes_due"}]
    options = models.JSONField(default=list)
    recommended = models.PositiveSmallIntegerField(default=0)  # index into options
    chosen = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # The group's coordinator decides; shops and buyers hear the outcome.
    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work"],
                condition=models.Q(status="open"),
                name="one_open_reallocation_per_work",
            )
        ]

    def __str__(self) -> str:
        return f"re-allocation of {self.work.line} ({self.status})"


class CalendarFeed(models.Model):
    """A person's secret iCal address for the due dates they may see. Revoking it ends
    the address; a new one can be made at once."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_feed_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"
