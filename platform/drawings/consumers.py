"""Live status of a drawing's analysis, for whoever may see the drawing."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from background.consumers import CLOSE_NOT_FOUND
from tenancy.middleware import membership_of

from . import selectors
from .actions import channel_group


class DrawingStatusConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        drawing_id = self.scope["url_route"]["kwargs"]["drawing_id"]
        event = await self._visible_event(drawing_id)
        if event is None:
            await self.close(code=CLOSE_NOT_FOUND)  # "not yours" and "no such" look alike
            return
        self.group = channel_group(drawing_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "revision.update", "revision": event})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def revision_update(self, message: dict) -> None:
        await self.send_json({"type": "revision.update", "revision": message["revision"]})

    @database_sync_to_async
    def _visible_event(self, drawing_id: int) -> dict | None:
        membership = membership_of(self.scope.get("user"))
        try:
            d = selectors.drawing(membership, drawing_id)
        except Http404:
            return None
        rev = d.current_revision
        return rev.as_event() if rev is not None else {"drawing": d.pk, "status": None}
