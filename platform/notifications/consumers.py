"""A person's own notifications, live: one group per user, so a colleague, the
coordinator or another group hears nothing of them. On connecting, the unread count; then
each new notification and each change of the count (read in another tab)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tenancy.middleware import membership_of

from . import selectors
from .actions import user_group

CLOSE_NOT_FOUND = 4404


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        state = await self._state()
        if state is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        user_id, unread = state
        self.group = user_group(user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "notification.unread", "unread": unread})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_new(self, message: dict) -> None:
        await self.send_json(
            {
                "type": "notification.new",
                "notification": message["notification"],
                "unread": message["unread"],
            }
        )

    async def notification_unread(self, message: dict) -> None:
        await self.send_json({"type": "notification.unread", "unread": message["unread"]})

    @database_sync_to_async
    def _state(self) -> tuple[int, int] | None:
        m = membership_of(self.scope.get("user"))
        if m is None or not m.is_active:
            return None
        return m.user_id, selectors.unread_count(m)
