"""What a member shop can make and what it charges: its cost profile, versioned.

The coordinator's organisation is a shop too (it makes parts). A quote records the
profile version it used, so an old quote can always be explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
