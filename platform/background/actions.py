"""Creating and advancing background jobs; each change is pushed after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from tenancy import audit
from tenancy.context import Actor

from .models import BackgroundJob, JobStatus


def channel_group(job_id: object) -> str:
    return f"job.{job_id}"


def _push(job: BackgroundJob) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(
            channel_group(job.id), {"type": "job.update", "job": job.as_event()}
        )


def do_start_job(
    kind: str, params: dict[str, Any], *, acting: Actor, enqueue: Callable[[str], object]
) -> BackgroundJob:
    """Create the row and queue its task once the row is committed (never before)."""
    assert acting.membership is not None
    with transaction.atomic():
        job = BackgroundJob.objects.create(
            organization=acting.membership.organization,
            created_by=acting.user,
            kind=kind,
            params=params,
        )
        audit.record(acting, f"job.start.{kind}", job, changes={"params": params})
        job_id = str(job.id)
        transaction.on_commit(lambda: enqueue(job_id))
    return job


def do_report_progress(
    job_id: object, progress_pct: int, message: str = ""
) -> BackgroundJob | None:
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = JobStatus.RUNNING
        job.progress_pct = max(0, min(100, int(progress_pct)))
        job.message = message[:300]
        job.save(update_fields=["status", "progress_pct", "message", "updated_at"])
        transaction.on_commit(lambda: _push(job))
    return job


def do_finish_job(
    job_id: object, *, result: dict[str, Any] | None = None, error: str | None = None
) -> BackgroundJob | None:
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = JobStatus.FAILED if error else JobStatus.SUCCEEDED
        job.progress_pct = job.progress_pct if error else 100
        job.message = (error or "")[:300]
        job.result = result or {}
        job.finished_at = timezone.now()
        job.save()
        transaction.on_commit(lambda: _push(job))
    return job
