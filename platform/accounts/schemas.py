"""Shapes of the account API: who am I, and my API keys."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from tenancy.schemas import OrganizationOut


class MeOut(Schema):
    email: str
    full_name: str
    role: str
    organization: OrganizationOut


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
