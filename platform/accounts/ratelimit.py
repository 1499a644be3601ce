"""Login throttling: failures are counted per account and per address in Redis.

Both keys matter: per account stops guessing one password from many addresses, per
address stops one machine from trying many accounts. A success clears the account key. Counts are plain Redis integers (Django's Redis cache
stores an int as itself), so the cache API reads what INCR wrote.
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
    """Count a failure. INCR and EXPIRE go in one MULTI: INCR makes a missing (or just
    expired) key, so no failure can crash on a key that vanished between two calls, and
    every failure restarts the pause — the lock lifts LOGIN_LOCKOUT_S after the last
    failure, not after the first, so a guesser cannot spend a full allowance at the end
    of one window and another at the start of the next."""
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    with client.pipeline(transaction=True) as pipe:
        for key in (_key("user", email), _key("ip", ip or "-")):
            stored = cache.make_key(key)
            pipe.incr(stored)
            pipe.expire(stored, settings.LOGIN_LOCKOUT_S)
        pipe.execute()


def note_success(email: str) -> None:
    cache.delete(_key("user", email))
