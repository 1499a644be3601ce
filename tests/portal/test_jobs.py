"""Background work end to end: a real worker, the real object store, progress over a
real websocket (Channels with the Redis layer), and nothing for another tenant."""

from __future__ import annotations

import csv
import io

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from background.models import BackgroundJob, JobStatus
from kumiai import objectstore
from kumiai.asgi import application
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def wait_finished(job_id: str) -> BackgroundJob:
    return wait_until(lambda: (job := BackgroundJob.objects.get(pk=job_id)).is_finished and job)


async def collect(response) -> bytes:  # type: ignore[no-untyped-def]
    """Read a streamed download the way the ASGI server does."""
    return b"".join([chunk async for chunk in response.streaming_content])


def session_headers(client) -> list[tuple[bytes, bytes]]:  # type: ignore[no-untyped-def]
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]


def test_audit_export_writes_every_row_of_the_org_and_only_those(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    from tenancy.models import AuditLog

    response = clients["alice"].post("/org/audit/export/", HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    job = wait_finished(response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.message
    expected = AuditLog.objects.filter(organization=world.lead_firm).count()
    assert job.result["rows"] == expected

    stored = objectstore.get_bytes(job.result["object_key"]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(stored)))
    assert len(rows) == expected
    assert {r["actor"] for r in rows} <= {"", "alice@a.example", "bob@a.example", "vera@a.example"}
    assert not any("charlie" in r["actor"] or "carol" in r["actor"] for r in rows)

    download = clients["alice"].get(f"/jobs/{job.id}/download/")
    assert download.status_code == 200
    assert async_to_sync(collect)(download).decode("utf-8-sig") == stored
    assert clients["charlie"].get(f"/jobs/{job.id}/download/").status_code == 404
    assert clients["carol"].get(f"/api/jobs/{job.id}").status_code == 404


def test_running_the_export_task_twice_changes_nothing(world, clients, celery_worker):  # type: ignore[no-untyped-def]
    from tenancy.tasks import export_audit_csv

    job_id = (
        clients["alice"].post("/org/audit/export/", HTTP_ACCEPT="application/json").json()["id"]
    )
    first = wait_finished(job_id)
    export_audit_csv.apply(args=[job_id])  # a re-delivered message
    again = BackgroundJob.objects.get(pk=job_id)
    assert (again.status, again.result, again.finished_at) == (
        first.status,
        first.result,
        first.finished_at,
    )


def test_websocket_pushes_progress_to_the_owner_and_refuses_charlie(world, clients):  # type: ignore[no-untyped-def]
    from background.actions import do_finish_job, do_report_progress, do_start_job
    from tenancy.context import Actor

    job = do_start_job(
        "audit_export",
        {},
        acting=Actor(user=world.alice.user, membership=world.alice),
        enqueue=lambda job_id: None,
    )

    async def scenario() -> tuple[list[dict], tuple[bool, int | None], tuple[bool, int | None]]:
        from channels.db import database_sync_to_async

        alice = WebsocketCommunicator(
            application, f"/ws/jobs/{job.id}/", headers=session_headers(clients["alice"])
        )
        connected = await alice.connect()
        assert connected[0], connected
        events = [await alice.receive_json_from(timeout=5)]
        await database_sync_to_async(do_report_progress)(job.id, 40, "40 / 100")
        events.append(await alice.receive_json_from(timeout=5))
        await database_sync_to_async(do_finish_job)(job.id, result={"rows": 100})
        events.append(await alice.receive_json_from(timeout=5))
        await alice.disconnect()

        charlie = WebsocketCommunicator(
            application, f"/ws/jobs/{job.id}/", headers=session_headers(clients["charlie"])
        )
        charlie_result = await charlie.connect()
        anonymous = WebsocketCommunicator(
            application, f"/ws/jobs/{job.id}/", headers=[(b"origin", b"http://testserver")]
        )
        anonymous_result = await anonymous.connect()
        return events, charlie_result, anonymous_result

    events, charlie_result, anonymous_result = async_to_sync(scenario)()
    assert [(e["job"]["status"], e["job"]["progress_pct"]) for e in events] == [
        ("queued", 0),
        ("running", 40),
        ("succeeded", 100),
    ]
    assert charlie_result == (False, 4404)
    assert anonymous_result == (False, 4404)


def test_a_failed_task_is_reported_on_the_job_not_lost(world, clients, celery_worker, settings):  # type: ignore[no-untyped-def]
    from kumiai.env import S3Settings
    from kumiai.stack.services import free_port

    # The worker thread reads the same settings: point it at an object store that is down.
    settings.S3 = S3Settings(f"127.0.0.1:{free_port()}", False, "k", "s", "kumiai", "us-east-1")
    from background.actions import do_finish_job

    job_id = (
        clients["alice"].post("/org/audit/export/", HTTP_ACCEPT="application/json").json()["id"]
    )
    job = wait_finished(job_id)
    assert job.status == JobStatus.FAILED, (job.status, job.message)
    assert "object store" in job.message.lower()
    assert do_finish_job(job_id, result={}).status == JobStatus.FAILED  # finished stays finished


def test_a_job_whose_worker_vanished_is_failed_by_the_reaper(world):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from background.actions import do_start_job
    from background.tasks import STALE_MARGIN_S, fail_stale_jobs
    from tenancy.context import Actor

    actor = Actor(user=world.alice.user, membership=world.alice)
    lost = do_start_job("audit_export", {}, acting=actor, enqueue=lambda job_id: None)
    fresh = do_start_job("audit_export", {}, acting=actor, enqueue=lambda job_id: None)
    too_old = timezone.now() - timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + STALE_MARGIN_S + 1
    )
    BackgroundJob.objects.filter(pk=lost.pk).update(updated_at=too_old)

    assert fail_stale_jobs.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == JobStatus.FAILED and "worker stopped" in lost.message
    assert fresh.status == JobStatus.QUEUED
