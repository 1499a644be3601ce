"""Pages. Each view: load through selectors, act through actions, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import actions as account_actions
from accounts import ratelimit
from accounts import selectors as account_selectors
from accounts.models import ApiToken, User
from background import selectors as job_selectors
from background.actions import do_start_job
from kumiai import health, objectstore
from tenancy import actions as tenancy_actions
from tenancy import selectors
from tenancy.context import Actor, client_ip
from tenancy.middleware import membership_of
from tenancy.models import Membership, OrgKind
from tenancy.permissions import Capability, can, require
from tenancy.tasks import EXPORT_KIND, export_audit_csv

from .forms import AcceptInvitationForm, InviteForm, LoginForm, TokenForm


def _membership(request: HttpRequest) -> Membership:
    m = getattr(request, "membership", None)
    if m is None:
        # Signed in but without an active organisation: nothing to show.
        raise PermissionDenied(_("Your account is not active in any organisation."))
    return m


def _safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site: never to another host, a scheme-relative
    `//host`, a `/\\host` that browsers read as one, or a `javascript:` URL."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default if default.startswith("/") else reverse(default)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        if ratelimit.is_locked(email, ip):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            status = 429
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                ratelimit.note_failure(email, ip)
                target = (
                    User.objects.filter(email=email)
                    .select_related("membership__organization")
                    .first()
                )
                membership = getattr(target, "membership", None) if target else None
                account_actions.record_login(
                    Actor(
                        user=None,
                        membership=membership,
                        ip_address=ip,
                        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                    ),
                    succeeded=False,
                    email=email,
                )
                form.add_error(None, _("E-mail or password is wrong."))
                status = 401
            else:
                ratelimit.note_success(email)
                login(request, user)
                request.membership = membership_of(user)  # type: ignore[attr-defined]
                account_actions.record_login(
                    Actor.from_request(request), succeeded=True, email=email
                )
                response = redirect(_safe_next(request, request.GET.get("next"), "dashboard"))
                if user.language:
                    response.set_cookie("django_language", user.language, samesite="Lax")
                return response
    return render(request, "auth/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    m = _membership(request)
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
    m = _membership(request)
    org = selectors.organization(m, org_id)
    return render(request, "org/detail.html", {"org": org, "is_own": org.pk == m.organization_id})


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    m = _membership(request)
    form = InviteForm(request.POST or None)
    issued_link = None
    if request.method == "POST":
        require(m, Capability.MANAGE_MEMBERS)
        if form.is_valid():
            base = request.build_absolute_uri(reverse("accept_invitation_base"))
            try:
                issued = tenancy_actions.do_invite_user(
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
    m = _membership(request)
    require(m, Capability.MANAGE_MEMBERS)
    target = selectors.member(m, member_id)
    try:
        tenancy_actions.do_set_membership_active(
            target, bool(active), acting=Actor.from_request(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("members")


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = tenancy_actions.find_open_invitation(token)
    if invitation is None:
        return render(request, "auth/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = tenancy_actions.do_accept_invitation(
                token,
                form.cleaned_data["full_name"],
                form.cleaned_data["password"],
                acting=Actor.from_request(request),
            )
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard")
    return render(request, "auth/accept_invitation.html", {"form": form, "invitation": invitation})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    m = _membership(request)
    entries = selectors.audit_log(m).select_related("actor")[:200]
    exports = job_selectors.jobs(m).filter(kind=EXPORT_KIND)[:5]
    return render(request, "org/audit.html", {"entries": entries, "exports": exports})


@login_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    m = _membership(request)
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


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: str) -> HttpResponse:
    m = _membership(request)
    job = job_selectors.job(m, job_id)
    key = job.result.get("object_key") if job.is_finished else None
    if not key:
        raise Http404
    response = StreamingHttpResponse(
        objectstore.aiter_object(key), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{job.result.get("filename", "export.csv")}"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    m = _membership(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        require(m, Capability.WRITE)
        if form.is_valid():
            secret = account_actions.do_create_api_token(
                form.cleaned_data["name"], acting=Actor.from_request(request)
            ).secret
            form = TokenForm()
    tokens = account_selectors.api_tokens(request.user)
    return render(
        request, "account/tokens.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = account_selectors.api_tokens(request.user).get(pk=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    account_actions.do_revoke_api_token(token, acting=Actor.from_request(request))
    return redirect("api_tokens")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("language", "")
    if lang not in {"ja", "en"}:
        lang = "ja"
    response = redirect(_safe_next(request, request.POST.get("next"), "/"))
    response.set_cookie("django_language", lang, samesite="Lax", max_age=365 * 24 * 3600)
    if request.user.is_authenticated:
        account_actions.do_set_language(lang, acting=Actor.from_request(request))
    translation.activate(lang)
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    states = health.run_checks()
    ok = all(s.ok for s in states.values())
    body = {
        "status": "ok" if ok else "degraded",
        "components": {name: s.as_dict() for name, s in states.items()},
    }
    return JsonResponse(body, status=200 if ok else 503)
