"""The live inbox: a shop hears its own offers change, the coordinator every offer of its
group. Nothing else is sent on this socket; the page re-reads its list (scoped) on each
event."""

from __future__ import annotations

from tenancy.consumers import OrganizationChannelConsumer

from .actions import channel_group


class OffersConsumer(OrganizationChannelConsumer):
    channel_group = staticmethod(channel_group)

    async def offer_update(self, message: dict) -> None:
        await self.send_json(
            {"type": "offer.update", "event": message["event"], "offer": message["offer"]}
        )
