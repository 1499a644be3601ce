"""Shared fixtures. The services are real: `kumiai test` starts PostgreSQL, an S3 server
and Redis and passes their addresses in the environment; nothing here mocks them.

People (STYLE.md): Alice (admin of lead firm A), Bob (engineer at A), Vera (viewer at
A), Carol (admin of a member shop in the same group), Dora (admin of the group's
coordinating shop), Charlie (admin in another group, who must get nothing anywhere).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "correct horse battery 42"

# Property tests draw the same examples on every run by default, so a run that lands is
# not decided by luck; `HYPOTHESIS_PROFILE=explore` draws new ones (how the handed-hole
# fault of tests/cad/test_similar_faults.py was found). A fault found is kept as a test.
try:
    from hypothesis import settings as _hypothesis

    _hypothesis.register_profile("repeatable", derandomize=True)
    _hypothesis.register_profile("explore", derandomize=False)
    _hypothesis.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
except ImportError:  # a bare checkout without the dev tools
    pass


SERVICES = ("DATABASE_URL", "S3_ENDPOINT", "REDIS_URL")
# The pure cores' tests need no service and no Django: `pytest tests/cad tests/quoting
# tests/scheduling` runs on a bare checkout.
PURE_CORE_DIRS = ("cad", "quoting", "scheduling")


def _missing_services() -> list[str]:
    return [v for v in SERVICES if not os.environ.get(v)]


def pytest_configure(config: pytest.Config) -> None:
    if _missing_services() or os.environ.get("DJANGO_SETTINGS_MODULE"):
        return
    # Services named by hand (`eval "$(kumiai env)"`): point Django at them too.
    os.environ["DJANGO_SETTINGS_MODULE"] = "kumiai.settings"
    import django

    django.setup()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = _missing_services()
    if not missing:
        return
    tests_dir = Path(__file__).resolve().parent
    needs_services = sorted(
        {
            str(Path(item.path).resolve().relative_to(tests_dir).parts[0])
            for item in items
            if Path(item.path).resolve().relative_to(tests_dir).parts[0] not in PURE_CORE_DIRS
        }
    )
    if needs_services:
        raise pytest.UsageError(
            f"{', '.join(missing)} not set, and tests/{', tests/'.join(needs_services)} need "
            "real services: run the suite with `make test` (or `kumiai test`), which starts "
            "them first. `pytest tests/cad tests/quoting tests/scheduling` needs none."
        )


@dataclass
class World:
    group: object
    other_group: object
    lead_firm: object
    shop: object
    coordinator: object
    other_org: object
    alice: object
    bob: object
    vera: object
    carol: object
    charlie: object
    dora: object


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role, SupplierGroup

    cache.clear()  # login throttling lives in Redis; each test starts with a clean slate
    system = Actor.system("test")
    group = SupplierGroup.objects.create(name="北陸板金グループ", slug="hokuriku")
    other = SupplierGroup.objects.create(name="東海金属", slug="tokai")
    coordinator = create_organization(group, "加賀精密板金", OrgKind.COORDINATOR, acting=system)
    lead = create_organization(group, "北陸機器製作所", OrgKind.LEAD_FIRM, acting=system)
    shop = create_organization(group, "能登レーザー工業", OrgKind.MEMBER_SHOP, acting=system)
    other_org = create_organization(other, "浜松プレス", OrgKind.COORDINATOR, acting=system)
    return World(
        group=group,
        other_group=other,
        lead_firm=lead,
        shop=shop,
        coordinator=coordinator,
        other_org=other_org,
        alice=add_member(lead, "alice@a.example", "Alice", Role.ADMIN, PASSWORD, acting=system),
        bob=add_member(lead, "bob@a.example", "Bob", Role.ENGINEER, PASSWORD, acting=system),
        vera=add_member(lead, "vera@a.example", "Vera", Role.VIEWER, PASSWORD, acting=system),
        carol=add_member(shop, "carol@shop.example", "Carol", Role.ADMIN, PASSWORD, acting=system),
        charlie=add_member(
            other_org, "charlie@other.example", "Charlie", Role.ADMIN, PASSWORD, acting=system
        ),
        dora=add_member(
            coordinator, "dora@kaga.example", "Dora", Role.ADMIN, PASSWORD, acting=system
        ),
    )


def client_for(membership):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    return client


@pytest.fixture
def clients(world):  # type: ignore[no-untyped-def]
    return {
        name: client_for(getattr(world, name))
        for name in ("alice", "bob", "vera", "carol", "charlie", "dora")
    }


@pytest.fixture
def celery_worker(transactional_db):  # type: ignore[no-untyped-def]
    """A real Celery worker, in a thread, consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from kumiai.celery import app

    def close_db(**kwargs):  # type: ignore[no-untyped-def]
        # The worker thread has its own connections; close them so the test database
        # can be flushed and dropped.
        connections.close_all()

    task_postrun.connect(close_db, weak=False)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    task_postrun.disconnect(close_db)
