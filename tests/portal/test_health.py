"""/healthz: a real round trip to each component; 200 only when all answer."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from kumiai.env import S3Settings
from kumiai.stack.services import free_port


def test_health_is_200_with_every_component_up(celery_worker):  # type: ignore[no-untyped-def]
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "object_store", "redis", "worker"}
    assert all(c["ok"] for c in body["components"].values())
    detail = body["components"]["database"]["detail"]
    assert detail.startswith("PostgreSQL 18"), detail
    assert "vector 0.8" in detail and "pg_trgm" in detail, detail


def test_a_database_without_a_required_extension_is_not_healthy(celery_worker, monkeypatch):  # type: ignore[no-untyped-def]
    # Dropping pg_trgm would take the drawing library's index with it; an extension this
    # database has never had is the same situation for the check.
    from kumiai import health

    monkeypatch.setattr(health, "REQUIRED_EXTENSIONS", ("vector", "pg_trgm", "kumiai_absent"))
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert "kumiai_absent" in body["components"]["database"]["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_stopped_object_store_is_named_and_pages_still_render(
    world, clients, celery_worker, settings
):  # type: ignore[no-untyped-def]
    # A port with nothing listening is an object store that is down, for real.
    settings.S3 = S3Settings(f"127.0.0.1:{free_port()}", False, "k", "s", "kumiai", "us-east-1")
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert not body["components"]["object_store"]["ok"]
    assert (
        "MaxRetryError" in body["components"]["object_store"]["detail"]
        or "Connection" in body["components"]["object_store"]["detail"]
    )
    assert all(body["components"][c]["ok"] for c in ("database", "redis", "worker"))
    assert clients["alice"].get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_without_a_worker_health_says_the_worker_is_down(settings):  # type: ignore[no-untyped-def]
    from kumiai import health
    from kumiai.celery import app

    app.control.purge()
    state = health._timed("worker", health.check_worker)
    assert not state.ok and "TimeoutError" in state.detail
    app.control.purge()  # drop the unanswered ping so no later worker runs it


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
)
@pytest.mark.django_db
def test_a_stopped_redis_is_named():  # type: ignore[no-untyped-def]
    from kumiai import health

    state = health._timed("redis", health.check_redis)
    assert not state.ok and "Connection" in state.detail
