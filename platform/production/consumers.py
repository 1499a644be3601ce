"""The shared schedule, live: a page hears that its view changed and re-reads
/api/schedule (scoped), so nothing is sent that the person may not see."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tenancy.middleware import membership_of

from .actions import channel_group

CLOSE_NOT_FOUND = 4404


class ScheduleConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        org_id = await self._org_id()
        if org_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = channel_group(org_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def schedule_changed(self, message: dict) -> None:
        await self.send_json({"type": "schedule.changed"})

    @database_sync_to_async
    def _org_id(self) -> int | None:
        m = membership_of(self.scope.get("user"))
        if m is None or not m.is_active:
            return None
        return m.organization_id
