"""Faults with real services: a Celery worker (a real prefork process, not a thread)
killed with SIGKILL in the middle of an analysis loses nothing — the revision still ends
analysed. Killing a pool child makes Celery re-deliver the task at once; killing the
whole worker leaves its message unacknowledged, and the sweeper (Celery beat) re-queues
the revision for the next worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from drawings.models import Drawing, Revision, RevisionStatus
from tests.drawings.dxf_files import plate
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORM = Path(__file__).resolve().parents[2] / "platform"


def db_env() -> dict[str, str]:
    """This test's database, for processes started outside pytest."""
    s = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    )
    env["DJANGO_SETTINGS_MODULE"] = "kumiai.settings"
    env["KUMIAI_ANALYSIS_SWEEP_S"] = "2"
    return env


def start(kind: str, log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "celery", "-A", "kumiai", kind, "--loglevel", "INFO"]
    if kind == "worker":
        argv += [
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--hostname",
            f"faults-{time.time_ns()}@%h",
        ]
    else:
        argv += ["--schedule", str(log.with_suffix(".schedule")), "--pidfile="]
    return subprocess.Popen(
        argv,
        cwd=PLATFORM,
        env=db_env(),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def upload(client) -> Revision:  # type: ignore[no-untyped-def]
    from kumiai.celery import app

    app.control.purge()  # nothing left over from other tests
    got = client.post("/api/drawings", {"file": SimpleUploadedFile("p.dxf", plate())}).json()
    return Revision.objects.get(pk=Drawing.objects.get(pk=got["id"]).current_revision_id)


def analysing(rev: Revision) -> bool:
    rev.refresh_from_db()
    return rev.status == RevisionStatus.ANALYSING and rev.claim_pid is not None


def test_a_killed_pool_child_loses_nothing(world, clients, tmp_path):  # type: ignore[no-untyped-def]
    worker = start("worker", tmp_path / "worker.log")
    try:
        rev = upload(clients["alice"])
        wait_until(lambda: analysing(rev), poll_s=0.02)  # the analysis has started
        child = psutil.Process(rev.claim_pid)
        assert child.ppid() == worker.pid, "the task runs in a pool child of the worker"
        os.kill(rev.claim_pid, signal.SIGKILL)
        wait_until(
            lambda: (
                not psutil.pid_exists(rev.claim_pid)
                or psutil.Process(rev.claim_pid).status() == psutil.STATUS_ZOMBIE
            ),
        )
        wait_until(
            lambda: Revision.objects.get(pk=rev.pk).status == RevisionStatus.ANALYSED,
        )
    finally:
        stop(worker)
    rev.refresh_from_db()
    assert rev.attempts == 2, "one run was killed, the second finished"
    assert rev.parts.count() == 1


def test_a_killed_worker_loses_nothing(world, clients, tmp_path):  # type: ignore[no-untyped-def]
    first = start("worker", tmp_path / "first.log")
    beat = start("beat", tmp_path / "beat.log")
    second = None
    try:
        rev = upload(clients["alice"])
        wait_until(lambda: analysing(rev), poll_s=0.02)  # the analysis has started
        stop(first)  # the main process and its pool, with SIGKILL: a machine gone
        second = start("worker", tmp_path / "second.log")
        wait_until(
            lambda: Revision.objects.get(pk=rev.pk).status == RevisionStatus.ANALYSED,
        )
    finally:
        for proc in (first, beat, second):
            if proc is not None:
                stop(proc)
    rev.refresh_from_db()
    assert rev.attempts == 2 and rev.parts.count() == 1
    assert "drawings.sweep_analyses" in (tmp_path / "beat.log").read_text()
