"""Offers' background work: offers from a published run, and lapsing deadlines (beat)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


def on_run_published(sender: Any, run_id: int, **kwargs: Any) -> None:
    """A run was published (on commit): its placements become offers at once."""
    from .actions import create_offers

    create_offers(run_id)


@shared_task(name="offers.expire_offers")
def expire_offers() -> int:
    from .actions import expire_offers as expire

    return expire()
