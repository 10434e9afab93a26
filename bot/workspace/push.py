"""The page's push channel: every change to the workspace reaches each open tab as a
Server-Sent Event, as it happens (a thread reply, a board edit, a modal update).

Events naming a ``user`` (ephemeral messages, modals, the Home tab) go to that user's tabs
only. A tab that falls behind by :data:`QUEUE_LIMIT` events is told to reload instead of
holding the server's memory.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

QUEUE_LIMIT = 2000
KEEPALIVE_SECONDS = 15.0

JSON = dict[str, Any]


@dataclass(eq=False)
class _Subscriber:
    user: str
    queue: asyncio.Queue[JSON | None] = field(default_factory=asyncio.Queue)


class Hub:
    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()
        self._closed = False

    def publish(self, event: JSON) -> None:
        """Hand ``event`` to every tab that may see it (never blocks)."""
        for sub in list(self._subscribers):
            if event.get("user") not in (None, sub.user):
                continue
            if sub.queue.qsize() >= QUEUE_LIMIT:
                sub.queue.put_nowait({"type": "reload"})
                sub.queue.put_nowait(None)
                self._subscribers.discard(sub)
                continue
            sub.queue.put_nowait(event)

    async def stream(self, user: str) -> AsyncIterator[str]:
        """One tab's event stream, as ``text/event-stream`` chunks, until :meth:`close`."""
        sub = _Subscriber(user)
        self._subscribers.add(sub)
        try:
            yield "retry: 1000\n\n"
            while not self._closed:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if event is None:
                    return
                yield f"data: {json.dumps(event, separators=(',', ':'))}\n\n"
        finally:
            self._subscribers.discard(sub)

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        self._closed = True
        for sub in list(self._subscribers):
            sub.queue.put_nowait(None)
        self._subscribers.clear()

    def __len__(self) -> int:
        return len(self._subscribers)
