"""Shapes of the tenancy API: organisations, members, invitations, the audit log.
`ErrorOut` is the body every API error handler answers with (api/api.py), so the other
apps' routers declare their 403/404/422 answers with it too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import EmailStr


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class GroupOut(Schema):
    id: int
    name: str


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    prefecture: str
    group: GroupOut


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
