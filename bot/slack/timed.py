"""Delivering the desk's timed work (``bot.desk.day``): reminders in request threads, each
channel's daily digest (and its CSV), App Home publishes. The notifier hands these kinds over
here; every Slack call still goes through its paced, fenced ``call``.

Each kind is decided again when delivered, on the store as it is then: a reminder whose
reason went away is dropped (``Delivered()`` with nothing posted), a digest for a channel with
nothing open is not sent, a Home tab always shows the latest agenda.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Protocol

from bot.desk.agenda import Digest, HomeAgenda
from bot.desk.day import ReminderDue
from bot.outbox import Delivered, NotYet, real_wait
from bot.slack.ui.digest import digest_message
from bot.slack.ui.home import home_view
from bot.slack.ui.reminders import reminder_message
from bot.slack.workspace_url import WorkspaceUrl
from bot.store import items, request_state
from bot.store.items import DigestFilePayload, DigestPayload, HomePayload, Item, ReminderPayload

if TYPE_CHECKING:
    from bot.slack.notifier import SlackNotifier

log = logging.getLogger(__name__)


class DeskDayReads(Protocol):
    """What delivery asks the desk (``bot.desk.day.DeskDay``)."""

    clock: Callable[[], datetime]
    rate: float  # the clock's seconds per real second

    async def reminder(self, request_sid: str, kind: str, due_day: date) -> ReminderDue: ...

    async def digest(self, channel_id: str, day: date) -> Digest | None: ...

    async def home(self, user_id: str) -> tuple[HomeAgenda, datetime]: ...


class TimedDelivery:
    def __init__(self, notifier: SlackNotifier, desk_day: DeskDayReads) -> None:
        self.notifier = notifier
        self.desk_day = desk_day
        self.workspace = WorkspaceUrl()

    async def reminder(self, item: Item, payload: ReminderPayload) -> Delivered:
        thread = await request_state.get_thread(self.notifier.db, payload.request_sid)
        if thread is None:
            return Delivered()  # reminders are thread replies
        if ts := await self.notifier.find_posted(item, thread.channel_id, thread.thread_ts):
            return Delivered(ts)
        due = await self.desk_day.reminder(payload.request_sid, payload.kind, payload.due_day)
        decision = due.decision
        if decision.retry_at is not None:
            now = self.desk_day.clock()
            raise NotYet(real_wait(decision.retry_at, now, self.desk_day.rate))
        if decision.reminder is None:
            log.info("%s dropped: its reason went away or its time passed", item.key)
            return Delivered()
        message = reminder_message(decision.reminder, signer=due.signer, ticket=due.ticket)
        return Delivered(
            await self.notifier.post(
                item, thread.channel_id, thread.thread_ts, message.text, message.blocks
            )
        )

    async def digest(self, item: Item, payload: DigestPayload) -> Delivered:
        channel = payload.channel_id
        if ts := await self.notifier.find_posted(item, channel, None):
            return Delivered(ts)  # its CSV, if any, is queued by the attempt that posted
        digest = await self.desk_day.digest(channel, payload.day)
        if digest is None:
            return Delivered()
        url = await self.workspace.get(self.notifier.client)
        message = digest_message(digest, workspace_url=url)
        ts = await self.notifier.post(item, channel, None, message.text, message.blocks)
        follow_ups = []
        if message.csv and message.csv_name:
            follow_ups.append(
                items.digest_file(channel, payload.day, ts, message.csv_name, message.csv)
            )
        return Delivered(ts, follow_ups=follow_ups)

    async def digest_file(self, item: Item, payload: DigestFilePayload) -> Delivered:
        channel, thread_ts = payload.channel_id, payload.thread_ts
        name = payload.filename
        if found := await self.notifier.find_posted(item, channel, thread_ts, file_name=name):
            return Delivered(found)
        title = f"Porting digest {payload.day.isoformat()}: every row"
        return Delivered(
            await self.notifier.upload(item, channel, thread_ts, payload.content, name, title)
        )

    async def home(self, item: Item, payload: HomePayload) -> Delivered:
        client = self.notifier.client
        agenda, now = await self.desk_day.home(payload.user_id)
        url = await self.workspace.get(client)
        view = home_view(agenda, now=now, workspace_url=url, shown_at=datetime.now(UTC))
        await self.notifier.call(
            f"home:{payload.user_id}",
            client.views_publish,
            fence=item.begin,
            user_id=payload.user_id,
            view=view,
        )
        return Delivered()
