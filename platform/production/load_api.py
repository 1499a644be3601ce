"""The load view's API: planned hours against capacity per shop and week."""

from ninja import Router

router = Router(tags=["production"])
