"""Handlers of the desk's timed work (``bot.desk.day``): reminders in request threads, each
channel's daily digest (and its CSV), App Home publishes.

Each kind is decided again when delivered, on the store as it is then: a reminder whose
reason went away is dropped (``Delivered()`` with nothing posted), a digest for a channel with
nothing open is not sent, a Home tab always shows the latest agenda.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot import work
from bot.delivered import Delivered, NotYet, real_wait
from bot.slack.delivery.poster import ItemPoster
from bot.slack.delivery.sources import Sources
from bot.slack.ui.digest import digest_message
from bot.slack.ui.home import home_view
from bot.slack.ui.reminders import reminder_message
from bot.store import request_state

log = logging.getLogger(__name__)


async def reminder(reminder: work.Reminder, out: ItemPoster, sources: Sources) -> Delivered:
    desk_day = sources.day()
    thread = await request_state.get_thread(sources.db, reminder.request_sid)
    if thread is None:
        return Delivered()  # reminders are thread replies
    if ts := await out.find_posted(thread.channel_id, thread.thread_ts):
        return Delivered(ts)
    due = await desk_day.reminder(reminder.request_sid, reminder.reminder, reminder.due_day)
    decision = due.decision
    if decision.retry_at is not None:
        raise NotYet(real_wait(decision.retry_at, desk_day.clock(), desk_day.rate))
    if decision.reminder is None:
        log.info("%s dropped: its reason went away or its time passed", out.item.key)
        return Delivered()
    message = reminder_message(decision.reminder, signer=due.signer, ticket=due.ticket)
    return Delivered(
        await out.post(thread.channel_id, thread.thread_ts, message.text, message.blocks)
    )


async def digest(digest: work.Digest, out: ItemPoster, sources: Sources) -> Delivered:
    channel = digest.channel_id
    desk_day = sources.day()
    if ts := await out.find_posted(channel, None):
        return Delivered(ts)  # its CSV, if any, is queued by the attempt that posted
    said = await desk_day.digest(channel, digest.day)
    if said is None:
        return Delivered()
    url = await sources.workspace.get(out.client)
    message = digest_message(said, workspace_url=url)
    ts = await out.post(channel, None, message.text, message.blocks)
    follow_ups: list[work.Work] = []
    if message.csv and message.csv_name:
        csv = work.DigestFile(
            channel_id=channel,
            day=digest.day,
            thread_ts=ts,
            filename=message.csv_name,
            content=message.csv,
        )
        follow_ups.append(csv)
    return Delivered(ts, follow_ups=follow_ups)


async def digest_file(csv: work.DigestFile, out: ItemPoster, sources: Sources) -> Delivered:
    channel, thread_ts, name = csv.channel_id, csv.thread_ts, csv.filename
    if found := await out.find_posted(channel, thread_ts, file_name=name):
        return Delivered(found)
    title = f"Porting digest {csv.day.isoformat()}: every row"
    return Delivered(await out.upload(channel, thread_ts, csv.content, name, title))


async def home(home: work.Home, out: ItemPoster, sources: Sources) -> Delivered:
    agenda, now = await sources.day().home(home.user_id)
    url = await sources.workspace.get(out.client)
    view = home_view(agenda, now=now, workspace_url=url, shown_at=datetime.now(UTC))
    await out.publish(home.user_id, view)
    return Delivered()
