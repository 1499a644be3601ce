"""The notifications page (list, mark read, mark all read) and the preferences page (a
table of kinds × channels). The list updates itself (notifications.js re-reads the
fragment when the socket says something new arrived)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenancy.context import Actor
from tenancy.middleware import membership_or_403

from . import actions, selectors
from .models import Channel, Kind

PAGE_SIZE = 100


def _list_context(request: HttpRequest) -> dict:
    m = membership_or_403(request)
    unread_only = request.GET.get("unread") == "1"
    return {
        "rows": list(selectors.notifications(m, unread=unread_only)[:PAGE_SIZE]),
        "unread_only": unread_only,
    }


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/list.html", _list_context(request))


@login_required
@require_GET
def notification_list_fragment(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_list.html", _list_context(request))


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read; with `open`, go on to what it is about."""
    n = selectors.notification(membership_or_403(request), notification_id)
    actions.do_mark_read(n, acting=Actor.from_request(request))
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        n.link, allowed_hosts={request.get_host()}
    ):
        return redirect(n.link)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = actions.do_mark_all_read(acting=Actor.from_request(request))
    if marked:
        messages.success(request, _("All notifications marked read."))
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    if request.method == "POST":
        # A checkbox not ticked is not sent: every kind × channel is set from the form.
        changes = {
            kind.value: {ch.value: f"{kind.value}.{ch.value}" in request.POST for ch in Channel}
            for kind in Kind
        }
        try:
            actions.do_set_preferences(changes, acting=Actor.from_request(request))
        except ValidationError as exc:
            messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
        else:
            messages.success(request, _("Your notification choices are saved."))
        return redirect("notification_preferences")
    chosen = selectors.preferences(m.user_id)
    rows = [
        {
            "kind": kind.value,
            "label": kind.label,
            "channels": [
                {"name": f"{kind.value}.{ch.value}", "on": chosen[kind.value][ch.value]}
                for ch in Channel
            ],
        }
        for kind in Kind
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "channels": list(Channel), "has_email": bool(m.user.email)},
    )
