"""What a member shop can make and what it charges: its cost profile, versioned, and its
capability (processes, materials, sizes), machines and working calendar.

The coordinator's organisation is a shop too (it makes parts). A quote records the
profile version it used, so an old quote can always be explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quoting.processes import PROCESSES
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class ProfileSource(models.TextChoices):
    DEFAULT = "default", _("Default profile")
    EDITED = "edited", _("Edited")
    CALIBRATED = "calibrated", _("Calibrated from past jobs")


class CostProfileVersion(models.Model):
    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cost_profiles")
    version = models.PositiveIntegerField()
    document = models.JSONField()  # what quoting.profile.CostProfile.parse accepts
    source = models.CharField(max_length=12, choices=ProfileSource.choices)
    note = models.CharField(max_length=300, blank=True)
    # A calibration's fit: factors, old and new error on held-out jobs.
    fit = models.JSONField(default=dict, blank=True)
    is_current = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The shop and the group's coordinator; no lead firm and no other shop sees rates.
    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["shop_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "version"], name="profile_version_unique"),
            models.UniqueConstraint(
                fields=["shop"], condition=models.Q(is_current=True), name="one_current_profile"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop} v{self.version}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A version explains the quotes made with it: it is written once. Only which
        # version is current moves, and actions move it with a queryset update.
        if not self._state.adding:
            raise ValueError("a cost profile version is never changed; save a new one")
        super().save(*args, **kwargs)


# The portal's names of the processes (quoting.processes keeps the one list).
PROCESS_LABELS = {
    "laser": _("Laser cutting"),
    "punch": _("Punching"),
    "bend": _("Bending"),
    "weld": _("Welding"),
    "tap": _("Tapping"),
    "hardware": _("Hardware insertion"),
    "paint": _("Painting"),
    "plating": _("Plating"),
}
assert tuple(PROCESS_LABELS) == PROCESSES, "a process without a label, or a label too many"
PROCESS_CHOICES = [(p, PROCESS_LABELS[p]) for p in PROCESSES]


class ShopCapability(models.Model):
    """What a shop can make and when it works: one row per shop, kept by the shop. The
    fairness shares are the coordinator's, set on the same row."""

    shop = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="capability")
    processes = models.JSONField(default=list)  # names from quoting.processes.PROCESSES
    materials = models.JSONField(default=list)  # material names as the cost profile spells them
    thickness_min_mm = models.FloatField()
    thickness_max_mm = models.FloatField()
    max_part_long_mm = models.FloatField()
    max_part_short_mm = models.FloatField()
    # The working calendar.
    hours_per_shift = models.FloatField(default=8.0)
    shifts_per_day = models.PositiveSmallIntegerField(default=1)
    weekly_days_off = models.JSONField(default=list)  # ISO weekday numbers: 6 = Sat, 7 = Sun
    observes_public_holidays = models.BooleanField(default=True)
    # Of the group's work hours; 0 = no target. Set only by the group's coordinator.
    target_share = models.FloatField(default=0.0)
    min_share = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    # The shop and the group's coordinator; a lead firm and the other shops see nothing.
    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thickness_min_mm__gt=0)
                & models.Q(thickness_min_mm__lte=models.F("thickness_max_mm")),
                name="capability_thickness_range",
            ),
            models.CheckConstraint(
                condition=models.Q(max_part_short_mm__gt=0)
                & models.Q(max_part_short_mm__lte=models.F("max_part_long_mm")),
                name="capability_part_size",
            ),
            models.CheckConstraint(
                condition=models.Q(min_share__gte=0)
                & models.Q(min_share__lte=models.F("target_share"))
                & models.Q(target_share__lte=1),
                name="capability_shares",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_shift__gt=0) & models.Q(shifts_per_day__gte=1),
                name="capability_working_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop}: capability"


class Machine(models.Model):
    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="machines")
    name = models.CharField(max_length=100)
    process = models.CharField(max_length=20, choices=PROCESS_CHOICES)
    speed_factor = models.FloatField(default=1.0)  # 1.0 = the shop's standard machine
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["shop_id", "process", "name"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="machine_name_unique_in_shop"),
            models.CheckConstraint(condition=models.Q(speed_factor__gt=0), name="machine_speed"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.process})"


class Closure(models.Model):
    """A stretch of days the shop does not work (year-end, O-bon, a move), both ends in."""

    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["shop_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="closure_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop}: closed {self.start_date}–{self.end_date}"
