"""The machine plan page: each machine with the operations planned on it (the shop its
own, the coordinator every shop's, a buyer its orders' operations)."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenancy.middleware import membership_or_403

from . import selectors


@login_required
@require_GET
def machine_plan(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    ops = list(selectors.operations(m)[:2000])
    machines = [(machine, list(rows)) for machine, rows in groupby(ops, key=lambda op: op.machine)]
    waiting = list(selectors.works(m).filter(operations__isnull=True)[:200])
    return render(request, "production/plan.html", {"machines": machines, "waiting": waiting})
