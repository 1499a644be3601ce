"""The organisation's pages: dashboard, organisations of the group, members and
invitations, the audit log. Load through selectors, act through actions, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from background import selectors as job_selectors
from background.actions import do_start_job

from . import actions, selectors
from .context import Actor
from .forms import InviteForm
from .middleware import membership_or_403
from .models import OrgKind
from .permissions import Capability, can, require
from .tasks import EXPORT_KIND, export_audit_csv


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    orgs = selectors.organizations(m)
    context = {
        "organization": m.organization,
        "group": m.organization.group,
        "group_orgs": orgs,
        "counts": {kind: sum(1 for o in orgs if o.kind == kind) for kind in OrgKind.values},
        "colleagues": selectors.members(m).filter(is_active=True).count(),
        "recent_jobs": job_selectors.jobs(m)[:5],
    }
    return render(request, f"dashboard/{m.organization.kind}.html", context)


@login_required
def organization_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    m = membership_or_403(request)
    org = selectors.organization(m, org_id)
    return render(request, "org/detail.html", {"org": org, "is_own": org.pk == m.organization_id})


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    form = InviteForm(request.POST or None)
    issued_link = None
    if request.method == "POST":
        require(m, Capability.MANAGE_MEMBERS)
        if form.is_valid():
            base = request.build_absolute_uri(reverse("accept_invitation_base"))
            try:
                issued = actions.do_invite_user(
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                    acting=Actor.from_request(request),
                    accept_url_base=base,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                issued_link = request.build_absolute_uri(
                    reverse("accept_invitation", args=[issued.token])
                )
                messages.success(
                    request,
                    _("Invitation created for %(email)s.") % {"email": issued.invitation.email},
                )
                form = InviteForm()
    context = {
        "members": selectors.members(m),
        "invitations": selectors.open_invitations(m) if can(m, Capability.MANAGE_MEMBERS) else [],
        "form": form,
        "issued_link": issued_link,
    }
    return render(request, "org/members.html", context)


@login_required
@require_POST
def member_set_active(request: HttpRequest, member_id: int, active: int) -> HttpResponse:
    m = membership_or_403(request)
    require(m, Capability.MANAGE_MEMBERS)
    target = selectors.member(m, member_id)
    try:
        actions.do_set_membership_active(target, bool(active), acting=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("members")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    entries = selectors.audit_log(m).select_related("actor")[:200]
    exports = job_selectors.jobs(m).filter(kind=EXPORT_KIND)[:5]
    return render(request, "org/audit.html", {"entries": entries, "exports": exports})


@login_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    require(m, Capability.VIEW_AUDIT)
    job = do_start_job(
        EXPORT_KIND,
        {},
        acting=Actor.from_request(request),
        enqueue=lambda job_id: export_audit_csv.delay(job_id),
    )
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(job.as_event(), status=202)
    return redirect(f"{reverse('audit_log')}?job={job.id}")
