"""Who belongs where: supplier groups, their organisations, memberships, and the audit log.

Tenancy is row-level: every tenant-owned row carries its group and owner organisation,
because lead firms and shops collaborate inside one group (see ARCHITECTURE.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import TenantQuerySet


class SupplierGroup(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    LEAD_FIRM = "lead_firm", _("Lead firm")
    MEMBER_SHOP = "member_shop", _("Member shop")
    COORDINATOR = "coordinator", _("Coordinating shop")


class Organization(models.Model):
    group = models.ForeignKey(SupplierGroup, on_delete=models.PROTECT, related_name="organizations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrgKind.choices)
    prefecture = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Members of a group know each other's organisations; "" = the row is the organisation.
    TENANT_ORG_FIELD = ""
    TENANT_VISIBILITY = "group"
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="org_name_unique_in_group"),
            # One coordinating shop per group: it runs allocation for everyone.
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(kind="coordinator"),
                name="one_coordinator_per_group",
            ),
        ]
        ordering = ["group_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ENGINEER = "engineer", _("Buyer / engineer")
    PROCUREMENT = "procurement", _("Procurement")
    ESTIMATOR = "estimator", _("Estimator / shop manager")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's place: one organisation, one role. Disabling it locks the user out."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def group(self) -> SupplierGroup:
        return self.organization.group


class Invitation(models.Model):
    """An admin's invitation; only a hash of the token is kept."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"


ACTION_LABELS = {
    "notifications.preferences": _("Changed notification choices"),
    "login.success": _("Logged in"),
    "login.failure": _("Failed login"),
    "invitation.create": _("Invited a user"),
    "invitation.accept": _("Accepted an invitation"),
    "membership.create": _("Added a member"),
    "membership.disable": _("Disabled a member"),
    "membership.enable": _("Enabled a member"),
    "membership.role": _("Changed a role"),
    "organization.create": _("Created an organisation"),
    "api_token.create": _("Created an API key"),
    "api_token.revoke": _("Revoked an API key"),
    "job.start.audit_export": _("Exported the audit log"),
    "user.set_language": _("Changed the language"),
    "drawing.upload": _("Uploaded a drawing"),
    "drawing.revise": _("Uploaded a new revision"),
    "drawing.update": _("Edited a drawing"),
    "drawing.view": _("Viewed a drawing"),
    "drawing.download": _("Downloaded a drawing"),
    "drawing.grant": _("Gave a shop access to a drawing"),
    "drawing.revoke": _("Ended a shop's access to a drawing"),
    "revision.analysed": _("Drawing analysed"),
    "revision.failed": _("Drawing analysis failed"),
    "past_jobs.import": _("Imported past jobs"),
    "cost_profile.default": _("Started a cost profile"),
    "cost_profile.edited": _("Edited the cost profile"),
    "cost_profile.calibrated": _("Adopted a calibrated cost profile"),
    "allocation.start": _("Started an allocation run"),
    "allocation.done": _("Allocation run finished"),
    "allocation.publish": _("Published an allocation"),
    "allocation.replan": _("Re-planned lines"),
    "allocation.weights": _("Changed the allocation weights"),
    "order.place": _("Placed an order"),
    "offer.made": _("Made an offer"),
    "offer.accept": _("Accepted an offer"),
    "offer.decline": _("Declined an offer"),
    "offer.counter": _("Made a counter-offer"),
    "offer.counter_accept": _("Accepted a counter-offer"),
    "offer.counter_reject": _("Rejected a counter-offer"),
    "offer.lapse": _("An offer lapsed"),
    "work.made": _("Work made from an accepted offer"),
    "production.replan": _("Machine plan made again"),
    "operation.started": _("Reported an operation started"),
    "operation.done": _("Reported an operation done"),
    "operation.delayed": _("Reported a delay"),
    "operation.move": _("Moved an operation by hand"),
    "machine.breakdown": _("Reported a machine breakdown"),
    "work.ship": _("Shipped pieces"),
    "work.receive": _("Confirmed a delivery"),
    "work.close": _("Closed a job"),
    "reallocation.propose": _("Proposed a re-allocation"),
    "reallocation.approve": _("Approved a re-allocation"),
    "reallocation.dismiss": _("Dismissed a re-allocation"),
    "calendar_feed.create": _("Made a calendar address"),
    "calendar_feed.revoke": _("Revoked a calendar address"),
    "closure.added": _("Added a closure"),
    "closure.deleted": _("Removed a closure"),
    "machine.added": _("Added a machine"),
    "machine.changed": _("Changed a machine"),
    "machine.deleted": _("Removed a machine"),
    "shop_capability.saved": _("Saved the shop's capability"),
    "shop_capability.shares": _("Set fairness targets"),
    "revision.reanalyse": _("Drawing queued for a new analysis"),
    "purchasing.stock.set": _("Declared its stock"),
    "purchasing.offcut.add": _("Offered an offcut"),
    "purchasing.offcut.claim": _("Claimed an offcut"),
    "purchasing.offcut.withdraw": _("Withdrew an offcut"),
    "purchasing.supplier.create": _("Added a supplier"),
    "purchasing.price_list.import": _("Imported a price list"),
    "purchasing.order.create": _("Made joint purchase orders"),
    "purchasing.share.adjust": _("Adjusted a share of a joint order"),
    "purchasing.split.confirm": _("Confirmed a share of a joint order"),
    "purchasing.order.place": _("Placed a joint purchase order"),
    "purchasing.order.cancel": _("Cancelled a joint purchase order"),
    "purchasing.receipt": _("Received sheets of a joint order"),
}


class AuditLog(models.Model):
    """Append-only: who did what to which object, when and from where.

    A database trigger (migration 0002) refuses UPDATE and DELETE, so not even a bug or a
    shell session can rewrite history.
    """

    group = models.ForeignKey(SupplierGroup, on_delete=models.PROTECT, related_name="+", null=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", null=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise RuntimeError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit rows are append-only")

    @property
    def action_label(self) -> str:
        """What a person reads; the stable code stays in `action` (and in exports)."""
        return str(ACTION_LABELS.get(self.action, self.action))
