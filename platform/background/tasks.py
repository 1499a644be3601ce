"""The base of every task that works for a BackgroundJob row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from kumiai.objectstore import ObjectStoreUnavailable

from .actions import do_finish_job
from .models import BackgroundJob, JobStatus


def describe_failure(exc: BaseException, task_id: str) -> str:
    """What the person waiting on the job reads; details stay in the worker log."""
    if isinstance(exc, ObjectStoreUnavailable):
        return "The object store is unavailable; try again later."
    if isinstance(exc, SoftTimeLimitExceeded):
        return "The work took too long and was stopped."
    if isinstance(exc, ConnectionError | OSError):
        return f"A service did not answer ({type(exc).__name__}); try again later."
    return f"Internal error (reference {task_id})."


class JobTask(Task):
    """Its first argument is a BackgroundJob id. Transient faults are retried; the final
    failure is written on the job, so nobody waits on a bar that never moves."""

    abstract = True
    acks_late = True
    autoretry_for = (ConnectionError, OSError)
    retry_backoff = True
    retry_backoff_max = 30
    max_retries = 3

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is not None:
            do_finish_job(job_id, error=describe_failure(exc, task_id))


# A job that has not moved for this long after its task's hard time limit lost its worker
# (killed, machine gone); the message is re-delivered by acks_late, but the row must not
# claim to be running forever if it never is.
STALE_MARGIN_S = 300


@shared_task(name="background.fail_stale_jobs", acks_late=True, time_limit=120, soft_time_limit=100)
def fail_stale_jobs() -> int:
    from django.conf import settings

    cutoff = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + STALE_MARGIN_S)
    stale = BackgroundJob.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING], updated_at__lt=cutoff
    ).values_list("pk", flat=True)
    count = 0
    for job_id in list(stale):
        if do_finish_job(job_id, error="The worker stopped before finishing; start the job again."):
            count += 1
    return count
