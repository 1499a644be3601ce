"""Shop profiles: Carol keeps her shop's profile, Dora (the coordinator) reads it, Alice
(a lead firm), Erin (another shop of the group) and Charlie (another group) find nothing.

Past jobs are built as rows, the way an import and an analysis leave them: a drawing
with its material and thickness, one current analysed part with its features, and the
job with its price. The prices come from a known profile, so a fit can be checked."""

from __future__ import annotations

import dataclasses
import math

import pytest

from quoting.model import PartFeatures, QuoteRequest, quote
from quoting.profile import CostProfile


def plate(width_mm: float, height_mm: float, holes: int, hole_mm: float) -> PartFeatures:
    """A rectangle with round holes: cut length 2·(w + h) + n·π·d by hand."""
    return PartFeatures(
        cut_length_mm=2 * (width_mm + height_mm) + holes * math.pi * hole_mm,
        pierce_count=1 + holes,
        net_area_mm2=width_mm * height_mm - holes * math.pi * hole_mm**2 / 4,
        size_mm=(float(width_mm), float(height_mm)),
        segments=(
            ("line", width_mm, 0.0),
            ("line", height_mm, 0.0),
            ("line", width_mm, 0.0),
            ("line", height_mm, 0.0),
        )
        + (("circle", math.pi * hole_mm, hole_mm / 2),) * holes,
        holes_mm=(float(hole_mm),) * holes,
    )


# The 100×50 plate with four Ø10 holes: cut length 300 + 40π mm, five pierces.
BRACKET = plate(100, 50, 4, 10)
assert BRACKET.cut_length_mm == pytest.approx(300 + 40 * math.pi)
PARTS = (BRACKET, plate(300, 200, 12, 8), plate(60, 40, 1, 20))
GAUGES = (("SPCC", 1.6), ("SPCC", 3.2), ("SUS304", 2.0), ("A5052", 3.0))
QUANTITIES = (5, 50, 200)


def profile_with_laser_rate_times(factor: float) -> CostProfile:
    document = CostProfile.default().model_dump(mode="json")
    document["laser"]["rate_jpy_h"] *= factor
    return CostProfile.parse(document)


def price_jpy(features: PartFeatures, material: str, t: float, q: int, p: CostProfile) -> float:
    return quote(features, QuoteRequest(material, t, (q,)), p).breaks[0].total_price_jpy


def analysed_drawing(owner, part_number: str, features: PartFeatures, material: str, t: float):  # type: ignore[no-untyped-def]
    """A drawing whose current revision is analysed into one part with these features."""
    from cad.similar.descriptor import SHAPE_DIM, SIZE_DIM, TEXT_DIM
    from drawings.models import Part
    from tests.drawings.rows import make_drawing

    d = make_drawing(
        owner, part_number, kind="dxf", status="analysed", material=material, thickness_mm=t
    )
    rev = d.current_revision
    Part.objects.create(
        drawing=d,
        revision=rev,
        index=0,
        is_current=True,
        summary={},
        features=dataclasses.asdict(features),
        width_mm=features.size_mm[0],
        height_mm=features.size_mm[1],
        net_area_mm2=features.net_area_mm2,
        shape_vec=[0.0] * SHAPE_DIM,
        size_vec=[0.0] * SIZE_DIM,
        text_vec=[0.0] * TEXT_DIM,
        geometry_hash=part_number,
        shape_data=b"",
    )
    return d


def past_job(recorded_by, drawing, quantity: int, unit_price: float, **fields):  # type: ignore[no-untyped-def]
    from datetime import date
    from decimal import Decimal

    from drawings.models import PastJob

    number = drawing.part_number if drawing else fields.pop("part_number", "NO-DRAWING")
    return PastJob.objects.create(
        recorded_by=recorded_by,
        drawing=drawing,
        part_number=number,
        part_number_key=number.lower(),
        order_date=date(2025, 4, 1),
        quantity=quantity,
        unit_price=Decimal(f"{unit_price:.2f}"),
        **fields,
    )


def history_priced_by(world, shop_profile: CostProfile, noise: float = 0.01) -> int:  # type: ignore[no-untyped-def]
    """36 jobs Carol's shop made for Alice's firm, priced by `shop_profile` within ±noise
    (a fixed wobble, as a shop rounds and haggles). Returns how many."""
    n = 0
    for i, features in enumerate(PARTS):
        for material, t in GAUGES:
            d = analysed_drawing(world.lead_firm, f"P{i}-{material}-{t}", features, material, t)
            for q in QUANTITIES:
                wobble = 1 + noise * math.sin(1.7 * n)
                total = price_jpy(features, material, t, q, shop_profile) * wobble
                past_job(world.lead_firm, d, q, total / q, maker=world.shop, buyer=world.lead_firm)
                n += 1
    return n


@pytest.fixture
def actors(world):  # type: ignore[no-untyped-def]
    from tenancy.context import Actor

    return {
        name: Actor(user=getattr(world, name).user, membership=getattr(world, name))
        for name in ("alice", "carol", "dora", "charlie")
    }


@pytest.fixture
def carol_profile(world, actors):  # type: ignore[no-untyped-def]
    from shops.actions import ensure_profile

    return ensure_profile(world.shop, acting=actors["carol"])


@pytest.fixture
def erin(world, password):  # type: ignore[no-untyped-def]
    """Admin of another member shop of the same group."""
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role
    from tests.conftest import client_for

    system = Actor.system("test")
    shop = create_organization(world.group, "白山ベンダー", OrgKind.MEMBER_SHOP, acting=system)
    return client_for(
        add_member(shop, "erin@hakusan.example", "Erin", Role.ADMIN, password, acting=system)
    )


@pytest.fixture
def sam(world, password):  # type: ignore[no-untyped-def]
    """A viewer at Carol's shop: reads the profile, changes nothing."""
    from tenancy.actions import add_member
    from tenancy.context import Actor
    from tenancy.models import Role
    from tests.conftest import client_for

    return client_for(
        add_member(
            world.shop, "sam@shop.example", "Sam", Role.VIEWER, password, acting=Actor.system("t")
        )
    )


# Carol's shop as tests/shops/test_capacity.py's week has it: two shifts of 8 hours,
# weekends off, public holidays observed; two lasers (speed 1.5 and 0.5: 32 h a working
# day) and a brake (16 h); closed 26–27 November 2026.
CAROL_CAPABILITY = {
    "processes": ["laser", "bend"],
    "materials": ["SPCC", "SUS304"],
    "thickness_min_mm": 0.8,
    "thickness_max_mm": 6.0,
    "max_part_long_mm": 2500.0,
    "max_part_short_mm": 1250.0,
    "hours_per_shift": 8.0,
    "shifts_per_day": 2,
    "weekly_days_off": [6, 7],
    "observes_public_holidays": True,
}


@pytest.fixture
def carol_capability(world, actors):  # type: ignore[no-untyped-def]
    """Carol's shop set up through the actions: the capability, three machines, one
    closure, and the coordinator's shares (target 0.3, minimum 0.1)."""
    from datetime import date

    from shops import actions

    carol = actions.CapabilityFields(**CAROL_CAPABILITY)
    row = actions.do_save_capability(world.shop, carol, acting=actors["carol"])
    machines = [
        actions.do_add_machine(
            world.shop, name=name, process=p, speed_factor=f, acting=actors["carol"]
        )
        for name, p, f in (
            ("ファイバー 6kW", "laser", 1.5),
            ("CO2", "laser", 0.5),
            ("ブレーキ", "bend", 1.0),
        )
    ]
    closure = actions.do_add_closure(
        world.shop,
        start_date=date(2026, 11, 26),
        end_date=date(2026, 11, 27),
        reason="設備移設",
        acting=actors["carol"],
    )
    actions.do_set_shares(world.shop, target_share=0.3, min_share=0.1, acting=actors["dora"])
    row.refresh_from_db()
    return {"row": row, "machines": machines, "closure": closure}
