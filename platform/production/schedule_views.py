"""The shared schedule page (issue 13): a Gantt by shop and machine or by order, and the
lines at risk of finishing late.

The page holds no schedule data itself: its script reads `GET /api/schedule`, so it shows
exactly what that contract gives the caller, and refreshes it live.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenancy.middleware import membership_or_403

# How often the page re-reads the schedule while it has no websocket.
POLL_INTERVAL_S = 10


def _labels() -> dict[str, str]:
    return {
        "all_shops": _("All shops"),
        "all_orders": _("All orders"),
        "late": _("late"),
        "started": _("started"),
        "days_late": _("%(n)s day(s) late"),
        "due": _("Due"),
        "live": _("Live"),
        "polling": _("Refreshing every %(n)s s"),
        "updated": _("Updated %(time)s"),
        "failed": _("Could not load the schedule; retrying."),
        "empty": _("No operations are planned yet."),
        "nothing_matches": _("No operation matches these filters."),
        "no_risk": _("No line is expected to finish after its due date."),
        "shown": _("%(n)s operation(s) shown"),
    }


@login_required
@require_GET
def schedule_page(request: HttpRequest) -> HttpResponse:
    membership_or_403(request)
    now = timezone.localtime()
    offset = now.utcoffset()
    config = {
        "api": "/api/schedule",
        "ws": "/ws/schedule/",
        "poll_s": POLL_INTERVAL_S,
        "lang": (get_language() or "en")[:2],
        # Shop calendars are in the server's time zone: show every user the shop's clock.
        "tz": str(timezone.get_current_timezone()),
        "utc_offset_min": int(offset.total_seconds() // 60) if offset else 0,
        "labels": _labels(),
    }
    return render(request, "production/schedule.html", {"schedule_config": config})
