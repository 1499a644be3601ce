"""The allocation tests' small group (two capable shops, an analysed drawing), and a line
accepted by the member shop."""

import pytest

from production.models import Operation, Work
from tests.allocation.conftest import drawing, group_ready  # noqa: F401
from tests.drawings.test_upload_and_analysis import profiles  # noqa: F401
from tests.offers.test_offers import publish_to
from tests.waiting import wait_until


@pytest.fixture
def at_member_shop(world, clients, drawing, celery_worker):  # type: ignore[no-untyped-def]  # noqa: F811
    """A laser line accepted by the member shop (which holds the drawing by a grant)."""
    offer = publish_to(world, clients, drawing, world.shop)
    assert clients["carol"].post(f"/api/offers/{offer.pk}/accept").status_code == 200
    op = wait_until(lambda: Operation.objects.filter(work__offer=offer).first(), poll_s=0.3)
    return Work.objects.select_related("offer", "line__order").get(pk=op.work_id)
