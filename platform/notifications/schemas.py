"""API shapes of notifications."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    params: dict
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class MarkedOut(Schema):
    marked: int
    unread: int


class ChannelsIn(Schema):
    in_app: bool | None = None
    email: bool | None = None


class ChannelsOut(Schema):
    in_app: bool
    email: bool


class PreferencesIn(Schema):
    """Only the kinds and channels to change; an unknown kind is refused (422)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    offer_made: ChannelsIn | None = None
    offer_answered: ChannelsIn | None = None
    counter_decided: ChannelsIn | None = None
    replanned: ChannelsIn | None = None
    deadline: ChannelsIn | None = None
    run_finished: ChannelsIn | None = None


class PreferencesOut(Schema):
    offer_made: ChannelsOut
    offer_answered: ChannelsOut
    counter_decided: ChannelsOut
    replanned: ChannelsOut
    deadline: ChannelsOut
    run_finished: ChannelsOut
