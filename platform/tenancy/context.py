"""Who is acting, and from where: passed to every action so the audit row can say it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

    from .models import Membership


@dataclass(frozen=True)
class Actor:
    user: User | None
    membership: Membership | None
    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(
            user=user,  # type: ignore[arg-type]
            membership=getattr(request, "membership", None),
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )

    @classmethod
    def system(cls, reason: str = "system") -> Actor:
        return cls(user=None, membership=None, ip_address=None, user_agent=reason)


def client_ip(request: HttpRequest) -> str | None:
    """The address a login is throttled and audited by.

    Behind our one reverse proxy, REMOTE_ADDR is the proxy; the client is the address the
    proxy saw, which it appends as the LAST X-Forwarded-For entry. Entries before it come
    from the client itself and prove nothing: taking the first would let anyone choose
    their own address (and a fresh login throttle per try).
    """
    from django.conf import settings

    if settings.TRUST_X_FORWARDED_FOR:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if hops and hops[-1]:
            try:
                return str(ipaddress.ip_address(hops[-1]))
            except ValueError:
                pass  # not an address: a misconfigured proxy; fall back to the peer
    return request.META.get("REMOTE_ADDR") or None
