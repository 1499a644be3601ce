"""`GET /api/schedule` reads its rows as plain values (selectors.operation_rows) and
writes them without the schema's validation, for speed; a write's answer makes the same
row from a model (api.operation_out) through ninja's schema and encoder. The two must be
one row: same keys in the same order, same text for every moment and day."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from production import api, selectors
from production.models import Operation
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def as_ninja_writes_it(op: Operation) -> dict:
    row = api.OperationOut.model_validate(api.operation_out(op)).model_dump()
    return json.loads(json.dumps(row, cls=NinjaJSONEncoder))


def test_the_fast_rows_are_the_schema_rows(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]
    offer = publish_to(world, clients, drawing, world.coordinator, processes=["laser"])
    clients["dora"].post(f"/api/offers/{offer.pk}/accept")
    op = wait_until(lambda: Operation.objects.filter(work__offer=offer).first(), poll_s=0.3)
    # A moment with microseconds (a report's "now") that ends after the due day: late.
    due = op.work.due_date
    late_end = timezone.localtime(op.end).replace(
        year=due.year, month=due.month, day=due.day, hour=23, microsecond=654321
    ) + timedelta(days=2)
    Operation.objects.filter(pk=op.pk).update(end=late_end, started=True)
    for name in ("dora", "alice"):
        got = clients[name].get("/api/schedule")
        assert got.status_code == 200 and got["Content-Type"] == "application/json"
        rows = got.json()["operations"]
        want = [as_ninja_writes_it(o) for o in selectors.operations(getattr(world, name))]
        assert rows == want, name
        assert list(rows[0]) == list(api.OperationOut.model_fields), name
        assert rows[0]["late"] is True and rows[0]["end"].endswith(".654Z"), name
