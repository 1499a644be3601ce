"""The shared schedule page (issue 13): a Gantt by shop and machine or by order, the load
per shop and week, and the lines at risk of finishing late.

The page holds no schedule data itself: its script reads `GET /api/schedule` and
`GET /api/schedule/load`, so it shows exactly what those give the caller, and refreshes
them live. Operations are dragged to move them (`POST /api/operations/{id}/move`) only
where the caller may; the endpoint checks again and has the last word.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenancy.middleware import membership_or_403
from tenancy.models import Membership, OrgKind
from tenancy.permissions import Capability, can

from .load import DEFAULT_WEEKS

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
        "pinned": _("moved by hand"),
        "done": _("done"),
        "moving": _("Moving %(line)s …"),
        "moved": _("%(line)s moved."),
        "move_failed": _("The move could not be saved; the operation is back where it was."),
        "move_refused": _("The move was refused: %(reason)s"),
        "move_not_found": _("This operation is no longer in the schedule."),
        "planned_h": _("Planned hours"),
        "capacity_h": _("Capacity hours"),
        "hours": _("%(n)s h"),
        "load_pct": _("%(pct)s of capacity"),
        "week_of": _("week of %(date)s"),
        "week_col": _("%(date)s–"),
        "load_failed": _("Could not load the load view; retrying."),
        "load_empty": _("No shop has planned work in these weeks."),
        "over": _("over capacity"),
    }


def move_rule(m: Membership) -> str:
    """Which operations the page lets the person drag: "any" (the coordinator), "own"
    (a shop: its own machines' work), "none" (a lead firm, or a role that may not write).
    A hint for the page only: the move endpoint decides."""
    if not can(m, Capability.WRITE):
        return "none"
    kind = m.organization.kind
    if kind == OrgKind.COORDINATOR:
        return "any"
    if kind == OrgKind.MEMBER_SHOP:
        return "own"
    return "none"


@login_required
@require_GET
def schedule_page(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    now = timezone.localtime()
    offset = now.utcoffset()
    config = {
        "api": "/api/schedule",
        "load_api": f"/api/schedule/load?weeks={DEFAULT_WEEKS}",
        "move_api": "/api/operations/{id}/move",
        "csrf": get_token(request),
        "org_id": m.organization_id,
        "org": m.organization.name,
        "org_kind": m.organization.kind,
        "move": move_rule(m),
        "ws": "/ws/schedule/",
        "poll_s": POLL_INTERVAL_S,
        "lang": (get_language() or "en")[:2],
        # Shop calendars are in the server's time zone: show every user the shop's clock.
        "tz": str(timezone.get_current_timezone()),
        "utc_offset_min": int(offset.total_seconds() // 60) if offset else 0,
        "labels": _labels(),
    }
    return render(request, "production/schedule.html", {"schedule_config": config})
