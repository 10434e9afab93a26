"""The workspace's URL, for thread links in /port-list, the digest and App Home."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class WorkspaceUrl:
    """The workspace's URL (``auth.test``'s ``url``), asked once per process: thread links
    are built from it without a ``chat.getPermalink`` per row. A failed ask is retried on the
    next list; until then rows name their request instead of linking."""

    def __init__(self) -> None:
        self._url: str | None = None
        self._lock = asyncio.Lock()

    async def get(self, client: AsyncWebClient) -> str | None:
        if self._url is not None:
            return self._url
        async with self._lock:
            if self._url is None:
                try:
                    answer = await client.auth_test()
                except Exception as error:  # links are a nicety: the list goes out without
                    log.warning("auth.test failed; rows go without thread links: %s", error)
                    return None
                url = answer.get("url")
                self._url = url if isinstance(url, str) and url else None
        return self._url
