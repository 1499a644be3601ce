"""Live progress of an allocation run, for the coordinator's organisation only."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from tenancy.middleware import membership_of

from . import selectors
from .actions import channel_group

CLOSE_NOT_FOUND = 4404


class RunProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        event = await self._visible_run_event(run_id)
        if event is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = channel_group(run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "run.update", "run": event})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def run_update(self, message: dict) -> None:
        await self.send_json({"type": "run.update", "run": message["run"]})

    @database_sync_to_async
    def _visible_run_event(self, run_id: int) -> dict | None:
        membership = membership_of(self.scope.get("user"))
        try:
            return selectors.run(membership, run_id).as_event()
        except Http404:
            return None
