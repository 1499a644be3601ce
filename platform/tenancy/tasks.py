"""Tenancy's background work: the audit-log export an administrator asks for."""

from __future__ import annotations

import csv
import io

from celery import shared_task
from django.utils import timezone

from background.actions import do_finish_job, do_report_progress
from background.models import BackgroundJob
from background.tasks import JobTask
from kumiai import objectstore

from .models import AuditLog

EXPORT_KIND = "audit_export"
BATCH_ROWS = 500


def export_key(job: BackgroundJob) -> str:
    # Fixed per job: a second run overwrites the same object instead of adding one.
    return f"exports/org-{job.organization_id}/audit-{job.id}.csv"


@shared_task(
    name="tenancy.export_audit_csv", bind=True, base=JobTask, time_limit=600, soft_time_limit=570
)
def export_audit_csv(self, job_id: str) -> None:  # type: ignore[no-untyped-def]
    job = BackgroundJob.objects.filter(pk=job_id, kind=EXPORT_KIND).first()
    if job is None or job.is_finished:
        return  # already done (a re-delivered message) or gone
    # The organisation comes from the job row, never from task arguments.
    rows = AuditLog.objects.filter(organization_id=job.organization_id).order_by("created_at", "id")
    total = rows.count()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object",
            "changes",
            "ip_address",
            "user_agent",
        ]
    )
    done = 0
    do_report_progress(job_id, 0, f"0 / {total}")
    for entry in rows.iterator(chunk_size=BATCH_ROWS):
        writer.writerow(
            [
                entry.created_at.isoformat(),
                entry.actor_email,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.object_repr,
                entry.changes,
                entry.ip_address or "",
                entry.user_agent,
            ]
        )
        done += 1
        if done % BATCH_ROWS == 0:
            do_report_progress(job_id, int(90 * done / max(total, 1)), f"{done} / {total}")
    # Excel in Japan opens UTF-8 CSV correctly only with a BOM.
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    key = export_key(job)
    objectstore.put_bytes(key, data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    do_finish_job(
        job_id,
        result={
            "object_key": key,
            "rows": done,
            "bytes": len(data),
            "filename": f"audit-{stamp}.csv",
        },
    )
