"""Login throttling: failures are counted per account and per address in Redis.

Both keys matter: per account stops guessing one password from many addresses, per
address stops one machine from trying many accounts. A success clears the account key.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def is_locked(email: str, ip: str | None) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    counts = cache.get_many([_key("user", email), _key("ip", ip or "-")])
    # An address gets more tries than an account: an office shares one address.
    return (
        counts.get(_key("user", email), 0) >= limit
        or counts.get(_key("ip", ip or "-"), 0) >= limit * 4
    )


def note_failure(email: str, ip: str | None) -> None:
    for key in (_key("user", email), _key("ip", ip or "-")):
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_S)
        cache.incr(key)


def note_success(email: str) -> None:
    cache.delete(_key("user", email))
