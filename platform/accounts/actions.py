"""Writes on accounts: API keys, logins. Atomic and audited like every other write."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tenancy import audit
from tenancy.context import Actor
from tenancy.permissions import Capability, require

from .models import ApiToken, User

TOKEN_PREFIX = "kmi_"  # noqa: S105 - a public marker that lets scanners spot leaked keys


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole key; shown to its owner once


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def do_create_api_token(name: str, *, acting: Actor) -> IssuedToken:
    require(acting.membership, Capability.WRITE)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=acting.user,
            name=name.strip()[:100] or "API",
            prefix=secret[:12],
            key_sha256=hash_key(secret),
        )
        audit.record(acting, "api_token.create", token)
    return IssuedToken(token=token, secret=secret)


def do_revoke_api_token(token: ApiToken, *, acting: Actor) -> None:
    if acting.user is None or token.user_id != acting.user.pk:
        raise PermissionError("a token can be revoked only by its owner")
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record(acting, "api_token.revoke", token)


def user_for_key(secret: str):  # type: ignore[no-untyped-def]
    """The active user behind an API key, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=hash_key(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def do_set_language(language: str, *, acting: Actor) -> None:
    """The user's own choice of language, kept for their next sign-in and for mail."""
    if acting.user is None:
        raise PermissionError("only a signed-in user has a language to set")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=acting.user.pk)
        if user.language == language:
            return
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit.record(acting, "user.set_language", user, changes={"language": [before, language]})


def record_login(acting: Actor, *, succeeded: bool, email: str) -> None:
    with transaction.atomic():
        audit.record(
            acting,
            "login.success" if succeeded else "login.failure",
            changes={} if succeeded else {"email": email[:254]},
        )
