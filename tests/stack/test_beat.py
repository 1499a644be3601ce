"""Celery beat runs under `kumiai run`, supervised like the worker and the web server:
without it scheduled work (the stale-job sweep, offer deadlines) never happens."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]


def test_kumiai_run_starts_beat_beside_the_worker_and_the_web_server(tmp_path):  # type: ignore[no-untyped-def]
    from kumiai.cli import app_children

    children = app_children(host="127.0.0.1", port=8000, concurrency=2, home=tmp_path)
    by_name = {c.name: c.argv for c in children}
    assert set(by_name) == {"worker", "beat", "web"}
    beat = by_name["beat"]
    assert beat[beat.index("-A") + 1] == "kumiai" and "beat" in beat
    assert str(tmp_path / "celerybeat-schedule") in beat, "beat keeps its state with the stack"
    # Solving in the background yields to people waiting on pages.
    assert by_name["worker"][:3] == ["nice", "-n", "10"]
    assert "--workers" not in by_name["web"]
    two = {
        c.name: c.argv
        for c in app_children(
            host="127.0.0.1", port=8000, concurrency=2, home=tmp_path, web_workers=2
        )
    }
    assert two["web"][two["web"].index("--workers") + 1] == "2"


@pytest.mark.django_db(transaction=True)
def test_a_real_beat_process_drives_the_stale_job_sweep(world, celery_worker, tmp_path):  # type: ignore[no-untyped-def]
    """Beat (a real process, as `kumiai run` starts it) sends the sweep to the broker every
    second here; the worker runs it against this test's database and fails the lost job."""
    from django.conf import settings
    from django.utils import timezone

    from background.actions import do_start_job
    from background.models import BackgroundJob, JobStatus
    from background.tasks import STALE_MARGIN_S
    from kumiai.cli import PLATFORM_DIR, app_children, child_env
    from kumiai.stack.supervisor import Child
    from tenancy.context import Actor

    actor = Actor(user=world.alice.user, membership=world.alice)
    lost = do_start_job("audit_export", {}, acting=actor, enqueue=lambda job_id: None)
    too_old = timezone.now() - timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + STALE_MARGIN_S + 1
    )
    BackgroundJob.objects.filter(pk=lost.pk).update(updated_at=too_old)

    beat_argv = {
        c.name: c.argv for c in app_children(host="127.0.0.1", port=0, concurrency=1, home=tmp_path)
    }["beat"]
    beat = Child("beat", beat_argv)
    beat.start(child_env({"KUMIAI_STALE_SWEEP_S": "1"}), PLATFORM_DIR, tmp_path / "logs")
    try:
        wait_until(
            lambda: BackgroundJob.objects.get(pk=lost.pk).status == JobStatus.FAILED,
            dead=lambda: (
                None
                if beat.process is not None and beat.process.poll() is None
                else (tmp_path / "logs" / "beat.log").read_text()
            ),
            poll_s=0.5,
        )
        lost.refresh_from_db()
    finally:
        beat.stop()
    assert lost.status == JobStatus.FAILED and "worker stopped" in lost.message
    assert "fail_stale_jobs" in (tmp_path / "logs" / "beat.log").read_text()


def test_the_default_sweep_runs_every_ten_minutes():  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.CELERY_BEAT_SCHEDULE['fail-stale-jobs']['schedule'])",
        ],
        env={k: v for k, v in os.environ.items() if k != "KUMIAI_STALE_SWEEP_S"},
        cwd=REPO / "platform",
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(out.stdout) == 600.0


def test_make_test_under_ci_fails_when_the_browser_tests_cannot_run(tmp_path):  # type: ignore[no-untyped-def]
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "S3_ENDPOINT", "REDIS_URL"}
    }
    env.update(
        CI="true",
        KUMIAI_CHROMIUM=str(tmp_path / "no-chromium"),
        KUMIAI_NO_BROWSER_INSTALL="1",
        KUMIAI_HOME=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-m", "kumiai.cli", "test", "tests/stack/test_stack.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "browser tests cannot run" in out.stderr
    assert "passed" not in out.stdout, "it must stop before running any test"


def test_any_django_process_sends_tasks_through_the_projects_broker():  # type: ignore[no-untyped-def]
    """Regression: the web process and management commands never imported the Celery
    app, so `.delay()` there went to Celery's default AMQP broker and failed."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from background.tasks import fail_stale_jobs; "
            "print(fail_stale_jobs.app.main, fail_stale_jobs.app.conf.broker_url)",
        ],
        cwd=REPO / "platform",
        capture_output=True,
        text=True,
        check=True,
    )
    main, broker = out.stdout.split()
    assert main == "kumiai"
    assert broker == os.environ["REDIS_URL"]
