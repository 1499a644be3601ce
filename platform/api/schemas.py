from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import EmailStr


class GroupOut(Schema):
    id: int
    name: str


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    prefecture: str
    group: GroupOut


class MeOut(Schema):
    email: str
    full_name: str
    role: str
    organization: OrganizationOut


class MemberOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    is_active: bool


class InviteIn(Schema):
    email: EmailStr
    role: str


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime
    accept_url: str


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_email: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    ip_address: str | None


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str


class JobOut(Schema):
    id: str
    kind: str
    status: str
    progress_pct: int
    message: str
    result: dict[str, Any]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None
