"""A small group ready to allocate: two shops with capabilities and machines (made
straight in the database), cost profiles, and an analysed drawing of Alice's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from drawings.models import Drawing
from tests.drawings.dxf_files import plate
from tests.drawings.test_upload_and_analysis import profiles, wait_finished  # noqa: F401


def capable(org, processes, hours_per_day=8.0):  # type: ignore[no-untyped-def]
    from shops.models import Machine, ShopCapability

    ShopCapability.objects.update_or_create(
        shop=org,
        defaults={
            "processes": list(processes),
            "materials": ["SPCC", "SECC", "SUS304", "A5052", "SS400"],
            "thickness_min_mm": 0.5,
            "thickness_max_mm": 12.0,
            "max_part_long_mm": 3000,
            "max_part_short_mm": 1500,
            "hours_per_shift": hours_per_day,
            "shifts_per_day": 1,
            "weekly_days_off": [],  # works every day: the tests' dates never hit a day off
            "observes_public_holidays": False,
        },
    )
    for p in processes:
        Machine.objects.get_or_create(shop=org, name=f"{p}-1", defaults={"process": p})


@pytest.fixture
def group_ready(world, profiles):  # type: ignore[no-untyped-def]  # noqa: F811
    capable(world.shop, ("laser",))
    capable(world.coordinator, ("laser", "bend"))
    return world


@pytest.fixture
def drawing(group_ready, clients, celery_worker):  # type: ignore[no-untyped-def]
    got = clients["alice"].post(
        "/api/drawings",
        {
            "file": SimpleUploadedFile("BR-100.dxf", plate()),
            "part_number": "BR-100",
            "material": "SPCC",
            "thickness_mm": "1.6",
        },
    )
    d = Drawing.objects.get(pk=got.json()["id"])
    assert wait_finished(d.current_revision_id).status == "analysed"
    return d


def due(days: int = 20) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def order(client, drawing, *lines):  # type: ignore[no-untyped-def]
    body = {
        "lines": [
            {
                "drawing": drawing.pk,
                "material": "SPCC",
                "thickness_mm": 1.6,
                "quantity": 10,
                "due_date": due(),
                **line,
            }
            for line in lines
        ]
    }
    got = client.post("/api/orders", body, content_type="application/json")
    assert got.status_code == 201, got.content
    return got.json()["id"]
