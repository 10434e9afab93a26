"""Who may file and cancel port-ins: PORTING_ADMINS (Slack user IDs and user-group IDs).

Everyone may check portability and look at statuses. User groups are resolved with
``usergroups.users.list`` and cached briefly, so a permission check rarely costs a Slack call.
When PORTING_ADMINS is unset, everyone is allowed (and start-up logs a warning).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.press import Press

log = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 60.0
GROUP_LOOKUP_TIMEOUT = 2.0


class Permissions:
    def __init__(
        self,
        admins: Sequence[str],
        client: AsyncWebClient,
        *,
        ttl: float = GROUP_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = frozenset(a for a in admins if not a.startswith("S"))
        self.groups = tuple(a for a in admins if a.startswith("S"))
        self.client = client
        self.ttl = ttl
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def everyone(self) -> bool:
        return not self.users and not self.groups

    async def allows(self, user_id: str) -> bool:
        """May ``user_id`` file and cancel port-ins?"""
        if self.everyone or user_id in self.users:
            return True
        for group in self.groups:
            if user_id in await self._group_members(group):
                return True
        return False

    def who_can(self) -> str:
        """The people allowed, in Slack mention syntax (``<@U1>, <!subteam^S1>``)."""
        names = [f"<@{u}>" for u in sorted(self.users)]
        names += [f"<!subteam^{g}>" for g in self.groups]
        return ", ".join(names) if names else "everyone"

    def refusal(self, doing: str) -> str:
        """The explanation a refused user gets (names who can)."""
        return (
            f"🔒 You can't {doing}: only {self.who_can()} can file and cancel port-ins "
            "(PORTING_ADMINS). Anyone can run /port-check and /port-status. Ask one of them, "
            "or ask your Slack admin to add you."
        )

    async def refuses(
        self, press: Press, doing: str, *, audit: Callable[[], Awaitable[object]] | None = None
    ) -> bool:
        """True when whoever pressed may not ``doing``: then the refusal is ``audit``-ed, if
        asked, and they are told why, privately."""
        if await self.allows(press.user_id):
            return False
        if audit is not None:
            await audit()
        await press.tell(self.refusal(doing))
        return True

    async def _group_members(self, group: str) -> frozenset[str]:
        cached = self._members.get(group)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        lock = self._locks.setdefault(group, asyncio.Lock())
        async with lock:
            cached = self._members.get(group)
            if cached is not None and cached[0] > self._clock():
                return cached[1]
            try:
                response = await asyncio.wait_for(
                    self.client.usergroups_users_list(usergroup=group),
                    timeout=GROUP_LOOKUP_TIMEOUT,
                )
                members = frozenset(response.get("users") or [])
            except Exception as error:  # fail closed, but keep the last known members
                log.warning("could not list the members of user group %s: %s", group, error)
                return cached[1] if cached is not None else frozenset()
            self._members[group] = (self._clock() + self.ttl, members)
            return members
