"""Joint purchasing: material demand, stock, offcuts, supplier price lists, joint orders.

Who sees what (scoping in tenancy.scoping, nothing else decides):
- a shop's stock, its share of a joint order and its split: the shop and the group's
  coordinator ("parties");
- offcuts: the group ("group"); the selectors keep lead firms out;
- suppliers, price lists and joint orders: the coordinator ("organization"); a member
  shop reaches an order only through its own split (selectors.order).

The arithmetic (sheets, breaks, the split to the yen) is quoting/purchasing.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quoting.purchasing import Item, sheet_name
from tenancy.models import Organization
from tenancy.scoping import TenantQuerySet


class SheetFields(models.Model):
    """One kind of sheet: a material, a thickness and a standard size."""

    material = models.CharField(max_length=20)
    thickness_mm = models.FloatField()
    sheet_w_mm = models.PositiveIntegerField()
    sheet_l_mm = models.PositiveIntegerField()

    class Meta:
        abstract = True

    @property
    def item(self) -> Item:
        return Item(self.material, self.thickness_mm, self.sheet_w_mm, self.sheet_l_mm)

    @property
    def sheet_label(self) -> str:
        return sheet_name((self.sheet_w_mm, self.sheet_l_mm))


class Stock(SheetFields):
    """Whole sheets a shop says it holds."""

    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["material", "thickness_mm", "sheet_w_mm", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "material", "thickness_mm", "sheet_w_mm", "sheet_l_mm"],
                name="one_stock_row_per_sheet",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item.label}"


class OffcutStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    CLAIMED = "claimed", _("Claimed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Offcut(models.Model):
    """A remnant a shop offers to the group; the first member to claim it gets it."""

    shop = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    material = models.CharField(max_length=20)
    thickness_mm = models.FloatField()
    width_mm = models.PositiveIntegerField()
    length_mm = models.PositiveIntegerField()
    location = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    photo_key = models.CharField(max_length=300, blank=True)  # in the object store
    photo_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=OffcutStatus.choices, default=OffcutStatus.AVAILABLE
    )
    claimed_by = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "group"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(width_mm__gt=0, length_mm__gt=0, thickness_mm__gt=0),
                name="offcut_size",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="claimed") | models.Q(claimed_by__isnull=False),
                name="claimed_offcut_has_claimant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material} t{self.thickness_mm:g} {self.width_mm}×{self.length_mm}"


class Supplier(models.Model):
    """A steel merchant the coordinator buys from for the group."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    delivery_fee_jpy = models.PositiveIntegerField(default=0)  # per order
    lead_days = models.PositiveSmallIntegerField(default=3)
    contact = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="supplier_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PriceList(models.Model):
    """One import of a supplier's price list; the newest is current, older ones stay."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="price_lists")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    source_name = models.CharField(max_length=200, blank=True)
    is_current = models.BooleanField(default=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"],
                condition=models.Q(is_current=True),
                name="one_current_price_list",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.imported_at:%Y-%m-%d}"


class PriceBreak(SheetFields):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="breaks")
    min_qty = models.PositiveIntegerField()
    max_qty = models.PositiveIntegerField(null=True, blank=True)
    unit_price_jpy = models.PositiveIntegerField()

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "price_list"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["material", "thickness_mm", "sheet_w_mm", "sheet_l_mm", "min_qty"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_qty__gt=0, unit_price_jpy__gt=0), name="break_positive"
            ),
            models.UniqueConstraint(
                fields=[
                    "price_list",
                    "material",
                    "thickness_mm",
                    "sheet_w_mm",
                    "sheet_l_mm",
                    "min_qty",
                ],
                name="one_break_per_minimum",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.item.label} ≥{self.min_qty}: ¥{self.unit_price_jpy}"


class POStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: shops confirm their shares")
    PLACED = "placed", _("Placed with the supplier")
    RECEIVED = "received", _("Received in full")
    CANCELLED = "cancelled", _("Cancelled")


# Orders whose demand counts as covered: it is not ordered again.
LIVE_STATUSES = (POStatus.DRAFT, POStatus.PLACED, POStatus.RECEIVED)
PLACED_STATUSES = (POStatus.PLACED, POStatus.RECEIVED)


class PurchaseOrder(models.Model):
    """The group's joint order to one supplier for a period's demand."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=POStatus.choices, default=POStatus.DRAFT)
    period_start = models.DateField()
    period_end = models.DateField()
    delivery_fee_jpy = models.PositiveIntegerField(default=0)
    # Kept in step with the lines and splits by actions.recompute.
    sheets = models.PositiveIntegerField(default=0)
    total_jpy = models.PositiveIntegerField(default=0)
    alone_jpy = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)

    TENANT_ORG_FIELD = "organization"
    TENANT_VISIBILITY = "organization"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number or self.pk} ({self.supplier})"

    @property
    def saved_jpy(self) -> int:
        return self.alone_jpy - self.total_jpy


class PurchaseLine(SheetFields):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    # The supplier's breaks for this item when the order was made: [[min, unit, max], …];
    # a later import does not re-price an order.
    breaks = models.JSONField(default=list)
    sheets = models.PositiveIntegerField(default=0)
    break_min_qty = models.PositiveIntegerField(default=0)
    unit_price_jpy = models.PositiveIntegerField(default=0)
    total_jpy = models.PositiveIntegerField(default=0)

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "order"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["material", "thickness_mm", "sheet_w_mm", "id"]

    def __str__(self) -> str:
        return f"{self.sheets} × {self.item.label}"


class PurchaseShare(models.Model):
    """One shop's sheets of one line: proposed from its demand, confirmed or adjusted
    by the shop, received in one or more deliveries."""

    line = models.ForeignKey(PurchaseLine, on_delete=models.CASCADE, related_name="shares")
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="shares")
    shop = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    demand_sheets = models.PositiveIntegerField()  # what its demand asked for
    # The demand it covers, by ISO week {"2025-W10": 4}: not ordered again.
    weeks = models.JSONField(default=dict)
    sheets = models.PositiveIntegerField()
    alone_unit_jpy = models.PositiveIntegerField(default=0)
    cost_jpy = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["line_id", "shop_id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "shop"], name="one_share_per_shop_line"),
            models.CheckConstraint(
                condition=models.Q(received__lte=models.F("sheets")), name="received_le_sheets"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheets} × {self.line.item.label} for {self.shop}"

    @property
    def outstanding(self) -> int:
        return self.sheets - self.received


class PurchaseSplit(models.Model):
    """One shop's part of a whole order: its sheets, what it pays (material + its part of
    the delivery charge), what it would have paid alone, and its confirmation."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="splits")
    shop = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sheets = models.PositiveIntegerField(default=0)
    material_jpy = models.PositiveIntegerField(default=0)
    delivery_jpy = models.PositiveIntegerField(default=0)
    alone_jpy = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    TENANT_ORG_FIELD = "shop"
    TENANT_VISIBILITY = "parties"
    TENANT_PARTIES = ("shop",)
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["order_id", "shop__name"]
        constraints = [
            models.UniqueConstraint(fields=["order", "shop"], name="one_split_per_shop_order")
        ]

    def __str__(self) -> str:
        return f"{self.shop} in {self.order}"

    @property
    def total_jpy(self) -> int:
        return self.material_jpy + self.delivery_jpy

    @property
    def saved_jpy(self) -> int:
        return self.alone_jpy - self.total_jpy


class Receipt(models.Model):
    """Sheets of a share delivered to its shop."""

    share = models.ForeignKey(PurchaseShare, on_delete=models.CASCADE, related_name="receipts")
    quantity = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    TENANT_VISIBILITY = "via"
    TENANT_VIA = "share"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="receipt_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.share}"
