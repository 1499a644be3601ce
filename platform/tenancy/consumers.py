"""The one shape of a live socket that follows an organisation (an inbox, a schedule): the
member joins their own organisation's channel group, never another's, and each message
only tells the page to re-read its (scoped) list. A connection without an active
membership is refused with 4404, like every other socket here."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .middleware import membership_of

CLOSE_NOT_FOUND = 4404


class OrganizationChannelConsumer(AsyncJsonWebsocketConsumer):
    @staticmethod
    def channel_group(org_id: int) -> str:
        """The organisation's group name: each subclass takes its app's own."""
        raise NotImplementedError

    async def connect(self) -> None:
        org_id = await self._org_id()
        if org_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = self.channel_group(org_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    @database_sync_to_async
    def _org_id(self) -> int | None:
        m = membership_of(self.scope.get("user"))
        if m is None or not m.is_active:
            return None
        return m.organization_id
