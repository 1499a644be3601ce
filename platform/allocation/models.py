"""Allocation runs of a group and the placements they propose.

A run is the coordinator's: it reads the group's open lines and every shop's capability
and quote, solves (scheduling.allocation) as a background task with live progress, and
saves its proposal. The coordinator may pin a line to a shop (a new run, re-solved with
the pin and the move penalty against the run before) and publishes a run once. Seen by
the coordinator's organisation only: a shop meets its placements as offers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import OrderLine
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GroupWeights(models.Model):
    """How the coordinator weighs the group's plan. One row per coordinator."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="allocation_weights"
    )
    cost_per_jpy = models.FloatField(default=1.0)
    tardiness_per_day_jpy = models.FloatField(default=5000.0)
    fairness_per_hour_jpy = models.FloatField(default=200.0)
    # Not zero by default: a re-plan moves as little as it can.
    move_per_line_jpy = models.FloatField(default=3000.0)
    time_limit_s = models.FloatField(default=10.0)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"weights of {self.organization}"

    def as_dict(self) -> dict[str, float]:
        return {
            "cost_per_jpy": self.cost_per_jpy,
            "tardiness_per_day_jpy": self.tardiness_per_day_jpy,
            "fairness_per_hour_jpy": self.fairness_per_hour_jpy,
            "move_per_line_jpy": self.move_per_line_jpy,
            "time_limit_s": self.time_limit_s,
        }


class AllocationRun(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # checking, first plan, solving, explaining, saving: what the run is doing now.
    phase = models.CharField(max_length=20, blank=True)
    progress_pct = models.PositiveSmallIntegerField(default=0)
    solver_status = models.CharField(max_length=20, blank=True)
    objective = models.FloatField(null=True, blank=True)
    weights = models.JSONField(default=dict)
    pins = models.JSONField(default=dict, blank=True)  # line id (str) → shop org id
    # A re-plan after a decline or a lapsed offer: only these lines, published at once.
    # Empty: every open line of the group, published by the coordinator.
    lines = models.JSONField(default=list, blank=True)
    auto_publish = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)  # period 0
    periods = models.PositiveIntegerField(default=0)
    explanation = models.JSONField(default=list, blank=True)
    # The best plan so far while solving ({line id: shop id}), for the live page.
    live = models.JSONField(default=dict, blank=True)
    # Seconds spent queued, fetching, solving and saving (the benchmark reads them).
    timings = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"allocation run {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    def as_event(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "status": self.status,
            "phase": self.phase,
            "progress_pct": self.progress_pct,
            "solver_status": self.solver_status,
            "objective": self.objective,
            "live": self.live,
            "explanation": self.explanation,
            "published": self.published_at is not None,
        }


class ProposedPlacement(models.Model):
    """Where a run puts one line: the shop (the first stage's; `stages` holds the route
    of a split line), when it is done, what it costs, and why this shop."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="placements")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    finish_date = models.DateField()
    cost_jpy = models.FloatField()
    late_days = models.PositiveIntegerField(default=0)
    why = models.CharField(max_length=300, blank=True)
    runner_up = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stages = models.JSONField(default=list, blank=True)  # [{processes, shop, date}]
    moved = models.BooleanField(default=False)  # another shop than in the run before
    pinned = models.BooleanField(default=False)

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "run"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["run_id", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="one_placement_per_line")
        ]

    def __str__(self) -> str:
        return f"{self.line} → {self.shop}"
