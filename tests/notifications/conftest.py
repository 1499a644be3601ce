"""Carol's shop gets a second member (Sam, an estimator) so "the shop's members" is more
than one person, and the coordinator a second (Cody), likewise; and an offer to the shop."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def sam(world):  # type: ignore[no-untyped-def]
    from tenancy.actions import add_member
    from tenancy.context import Actor
    from tenancy.models import Role

    return add_member(
        world.shop, "sam@shop.example", "Sam", Role.ESTIMATOR, PASSWORD, acting=Actor.system("t")
    )


@pytest.fixture
def cody(world):  # type: ignore[no-untyped-def]
    from tenancy.actions import add_member
    from tenancy.context import Actor
    from tenancy.models import Role

    return add_member(
        world.coordinator,
        "cody@kaga.example",
        "Cody",
        Role.VIEWER,
        PASSWORD,
        acting=Actor.system("t"),
    )


@pytest.fixture
def chain(world, sam, cody):  # type: ignore[no-untyped-def]
    """(order, line, run, offer): Alice's order line offered to Carol's shop."""
    from tests.orders.rows import make_offer_chain

    return make_offer_chain(world, "NTF-1")
