"""Live progress of one background job, for its owner organisation only."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from tenancy.middleware import membership_of

from . import selectors
from .actions import channel_group

# Close codes in the 4000 range are ours: the browser shows them, nothing retries on them.
CLOSE_NOT_FOUND = 4404


class JobProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        job_id = self.scope["url_route"]["kwargs"]["job_id"]
        event = await self._visible_job_event(job_id)
        if event is None:
            # Same answer for "not yours" and "does not exist", as on every page.
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = channel_group(job_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "job.update", "job": event})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def job_update(self, message: dict) -> None:
        await self.send_json({"type": "job.update", "job": message["job"]})

    @database_sync_to_async
    def _visible_job_event(self, job_id: str) -> dict | None:
        membership = membership_of(self.scope.get("user"))
        try:
            return selectors.job(membership, job_id).as_event()
        except Http404:
            return None
