"""The stamp every outbox post carries in Slack (message metadata holding its outbox key), so
a retry can find a post an earlier attempt made instead of posting it again."""

from __future__ import annotations

from typing import Any

from bot.store.items import Item

METADATA_TYPE = "porting_update"  # Slack message metadata event_type carrying the outbox key


def stamp(item: Item) -> dict[str, Any]:
    return {"event_type": METADATA_TYPE, "event_payload": {"key": item.key}}
