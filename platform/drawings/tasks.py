"""The analysis pipeline: one task per revision, taking its ID.

It claims the revision (a second delivery of the same message, or the sweeper's, finds it
held or finished and does nothing), copies the file to a temporary folder in chunks, runs
the sandboxed analysis while sending heartbeats, and records the result. A worker killed
mid-task loses nothing: the broker redelivers an unacknowledged message (acks_late,
reject_on_worker_lost), and the sweeper re-queues any revision whose run went silent, so
it ends analysed within HEARTBEAT_STALE_S + the sweep period.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.utils import timezone

from kumiai import objectstore

from . import actions, sandbox
from .models import Revision, RevisionStatus

log = logging.getLogger(__name__)

# How often the sweeper looks for analyses that lost their worker (beat schedule).
SWEEP_S = 20
HEARTBEAT_S = 5


def _store_picture(key: str, data: bytes, content_type: str) -> str:
    objectstore.put_bytes(key, data, content_type)
    return key


@shared_task(
    name="drawings.analyse_revision",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(objectstore.ObjectStoreUnavailable, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=30,
    max_retries=5,
    time_limit=sandbox.WALL_S + 60,
    soft_time_limit=sandbox.WALL_S + 30,
)
def analyse_revision(revision_id: int) -> str:
    token = actions.claim_revision(revision_id)
    if token is None:
        return "skipped"
    rev = Revision.objects.select_related("drawing").get(pk=revision_id)
    work = Path(tempfile.mkdtemp(prefix=f"kumiai-rev-{revision_id}-"))
    stop = threading.Event()
    try:
        path = work / "drawing.dxf"
        with open(path, "wb") as f:
            for chunk in objectstore.iter_object(rev.object_key):
                f.write(chunk)
        actions.heartbeat(revision_id, token, 30)

        def beat() -> None:
            progress = 30
            while not stop.wait(HEARTBEAT_S):
                progress = min(progress + 10, 90)
                try:
                    actions.heartbeat(revision_id, token, progress)
                except Exception:  # noqa: BLE001 - a missed heartbeat only delays recovery
                    log.warning("heartbeat of revision %s failed", revision_id, exc_info=True)
                finally:
                    from django.db import connection

                    connection.close()

        beater = threading.Thread(target=beat, daemon=True)
        beater.start()
        out = work / "out"
        out.mkdir()
        result = sandbox.run(
            path,
            out,
            {
                "part_number": rev.drawing.part_number if rev.part_number_source == "form" else "",
                "title": rev.drawing.title,
                "material": rev.drawing.material,
                "thickness_mm": rev.drawing.thickness_mm,
            },
        )
        stop.set()
        beater.join(timeout=HEARTBEAT_S + 5)
        recorded = actions.do_record_analysis(revision_id, token, result, _store_picture)
        return recorded.status if recorded is not None else "gone"
    finally:
        stop.set()
        shutil.rmtree(work, ignore_errors=True)


@shared_task(name="drawings.sweep_analyses", acks_late=True, time_limit=60, soft_time_limit=50)
def sweep_analyses() -> int:
    """Re-queue revisions whose analysis lost its worker: its process on this machine is
    gone, or it has been silent for HEARTBEAT_STALE_S, or its message never arrived
    (queued for longer than that). Claiming is safe twice, so a re-queue of a live run
    does nothing."""
    stale = timezone.now() - timedelta(seconds=actions.HEARTBEAT_STALE_S)
    count = 0
    analysing = Revision.objects.filter(status=RevisionStatus.ANALYSING).only(
        "pk", "heartbeat_at", "claim_host", "claim_pid"
    )
    lost = [
        r.pk
        for r in analysing[:2000]
        if (r.heartbeat_at is None or r.heartbeat_at < stale) or not actions.holder_alive(r)
    ]
    lost += list(
        Revision.objects.filter(status=RevisionStatus.QUEUED, updated_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    for revision_id in lost:
        analyse_revision.delay(revision_id)
        count += 1
    return count


def on_profile_changed(sender, *, group_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """A shop's prices changed: the group's stored quotes are made again, off the request."""
    requote_group.delay(group_id)


@shared_task(name="drawings.requote_group", acks_late=True, time_limit=600, soft_time_limit=570)
def requote_group(group_id: int) -> int:
    """Quote again every drawing of the group that has a material and a thickness. Each
    drawing in its own transaction (the same work twice gives the same rows)."""
    from django.db import transaction

    from .models import Drawing

    ids = list(
        Drawing.objects.filter(owner__group_id=group_id, thickness_mm__isnull=False)
        .exclude(material="")
        .values_list("pk", flat=True)
    )
    for drawing_id in ids:
        with transaction.atomic():
            d = (
                Drawing.objects.select_for_update()
                .select_related("owner__group")
                .get(pk=drawing_id)
            )
            actions.refresh_quotes(d)
    return len(ids)
