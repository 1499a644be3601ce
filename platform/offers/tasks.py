"""Offers' background work: offers from a published run, and lapsing deadlines (beat)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


def on_run_published(sender: Any, run_id: int, **kwargs: Any) -> None:
    """A run was published (on commit): its placements become offers in the worker, so
    the coordinator's publish answers at once (400 offers, with grants and audit rows,
    took 5.5 s in the request: bench/allocation_portal.py)."""
    make_offers.delay(run_id)


@shared_task(name="offers.make_offers", acks_late=True)
def make_offers(run_id: int) -> int:
    """Safe twice: a placement that has its offer is skipped."""
    from .actions import create_offers

    return len(create_offers(run_id))


@shared_task(name="offers.expire_offers")
def expire_offers() -> int:
    from .actions import expire_offers as expire

    return expire()
