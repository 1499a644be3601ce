"""The Celery app. Tasks live in each Django app's tasks.py and take IDs."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings")

app = Celery("kumiai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="kumiai.ping", acks_late=True, time_limit=10, soft_time_limit=8)
def ping() -> str:
    """The health check's round trip through the broker to a worker and back."""
    return "pong"
