"""The outbox's deliverer (``bot.outbox.Deliverer``): the handler of the item's kind, given
the item's poster and what handlers read."""

from __future__ import annotations

from bot.delivered import Delivered
from bot.slack.delivery.poster import Poster
from bot.slack.delivery.registry import HANDLERS
from bot.slack.delivery.sources import Sources
from bot.store.items import Item


class SlackDeliverer:
    def __init__(self, poster: Poster, sources: Sources) -> None:
        self.poster = poster
        self.sources = sources

    async def deliver(self, item: Item) -> Delivered:
        handler = HANDLERS.get(type(item.work))
        if handler is None:
            raise ValueError(f"no delivery for {item.kind}")  # a new kind without its handler
        return await handler(item.work, self.poster.of(item), self.sources)
