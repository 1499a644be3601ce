"""Checks of an operation moved by hand on the Gantt (issue 13, "Moves by hand").

Pure: the caller gathers what the move touches (the target machine's other operations
and breakdowns, the work's neighbouring steps, the shop's open hours) and gets back
every rule the move breaks, each as a sentence a shop owner can act on. No refusal: the
move is sound, and the re-plans keep it where it was put.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Busy:
    """Something that holds the target machine: another operation or a breakdown."""

    start: datetime
    end: datetime
    what: str  # "R-00042-1 bend" or "breakdown"


@dataclass(frozen=True)
class Step:
    """The step before or after the moved one in the same work."""

    start: datetime
    end: datetime
    process: str


def _hm(t: datetime) -> str:
    return timezone.localtime(t).strftime("%m-%d %H:%M")


def refusals(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    open_hours: list[tuple[datetime, datetime]],
    busy: list[Busy],
    before: Step | None,
    after: Step | None,
) -> dict[str, list[str]]:
    """`open_hours`: the shop's open windows around the move (working days' shifts);
    the operation must lie inside one, as the planner places it (an operation never runs
    over a closed hour)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if start < now:
        refuse(
            "start",
            _("An operation cannot be moved into the past (now is %(now)s).") % {"now": _hm(now)},
        )
    if not any(a <= start and end <= b for a, b in open_hours):
        refuse(
            "start",
            _(
                "The shop is closed for part of %(start)s–%(end)s (a day off, a holiday, "
                "a closure or outside its shift): the operation must fit in one shift."
            )
            % {"start": _hm(start), "end": _hm(end)},
        )
    for b in busy:
        if b.start < end and start < b.end:
            refuse(
                "start",
                _("The machine is taken by %(what)s from %(start)s to %(end)s.")
                % {"what": b.what, "start": _hm(b.start), "end": _hm(b.end)},
            )
    if before is not None and start < before.end:
        refuse(
            "start",
            _("It would start before the step before it (%(process)s) ends at %(end)s.")
            % {"process": before.process, "end": _hm(before.end)},
        )
    if after is not None and end > after.start:
        refuse(
            "start",
            _("It would end after the step that follows it (%(process)s) starts at %(start)s.")
            % {"process": after.process, "start": _hm(after.start)},
        )
    return errors
