"""The shared schedule, live: a page hears that its view changed and re-reads
/api/schedule (scoped), so nothing is sent that the person may not see."""

from __future__ import annotations

from tenancy.consumers import OrganizationChannelConsumer

from .actions import channel_group


class ScheduleConsumer(OrganizationChannelConsumer):
    channel_group = staticmethod(channel_group)

    async def schedule_changed(self, message: dict) -> None:
        await self.send_json({"type": "schedule.changed"})
