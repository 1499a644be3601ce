"""Signing in and out, the language, accepting an invitation, and the user's API keys."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenancy import actions as tenancy_actions
from tenancy.context import Actor, client_ip
from tenancy.middleware import membership_of, membership_or_403
from tenancy.permissions import Capability, require

from . import actions, ratelimit, selectors
from .forms import AcceptInvitationForm, LoginForm, TokenForm
from .models import ApiToken, User


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
                actions.record_login(
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
                actions.record_login(Actor.from_request(request), succeeded=True, email=email)
                response = redirect(_safe_next(request, request.GET.get("next"), "dashboard"))
                if user.language:
                    response.set_cookie("django_language", user.language, samesite="Lax")
                return response
    return render(request, "auth/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("language", "")
    if lang not in {"ja", "en"}:
        lang = "ja"
    response = redirect(_safe_next(request, request.POST.get("next"), "/"))
    response.set_cookie("django_language", lang, samesite="Lax", max_age=365 * 24 * 3600)
    if request.user.is_authenticated:
        actions.do_set_language(lang, acting=Actor.from_request(request))
    translation.activate(lang)
    return response


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
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        require(m, Capability.WRITE)
        if form.is_valid():
            secret = actions.do_create_api_token(
                form.cleaned_data["name"], acting=Actor.from_request(request)
            ).secret
            form = TokenForm()
    tokens = selectors.api_tokens(request.user)
    return render(
        request, "account/tokens.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = selectors.api_tokens(request.user).get(pk=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    actions.do_revoke_api_token(token, acting=Actor.from_request(request))
    return redirect("api_tokens")
