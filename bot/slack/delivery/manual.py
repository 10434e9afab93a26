"""Handlers of a manual port's thread: its root (the board), replies, the documents copied
into the thread, board edits and reminders.

Documents are downloaded from Slack (they were attached in a modal, where only their uploader
sees them) and uploaded into the thread, so everyone there can download them. A file Slack no
longer has, or one grown too large, gets a reply asking for it again instead of a retry that
could never succeed.
"""

from __future__ import annotations

import logging

import httpx

from bot import work
from bot.delivered import Delivered, DeliveryError, NotYet, real_wait
from bot.desk.manual.schedule import ManualReminderKind, ManualReminderRef
from bot.desk.manual.types import ManualPort
from bot.porting.models import MAX_DOCUMENT_BYTES
from bot.slack.delivery.poster import ItemPoster
from bot.slack.delivery.sources import Sources
from bot.slack.ui.manual import manual_board, manual_reminders, manual_replies
from bot.store import queue, request_state
from bot.store.models import RequestThread

log = logging.getLogger(__name__)

ROOT_WAIT = 2.0  # seconds before work that needs the thread looks for it again


async def root(root: work.ManualRoot, out: ItemPoster, sources: Sources) -> Delivered:
    ports = sources.manual
    if ports is None:
        return _unserved(out)
    channel = root.channel
    if ts := await out.find_posted(channel, None):
        return Delivered(ts, thread=(channel, ts))
    port = await ports.get(root.manual_id)
    if port is None:
        log.warning("root for unknown manual port %s dropped", root.manual_id)
        return Delivered()
    text, blocks = manual_board.board_text(port), manual_board.board_blocks(port, ports.clock())
    ts = await out.post(channel, None, text, blocks)
    return Delivered(ts, thread=(channel, ts))


async def reply(said: work.ManualReply, out: ItemPoster, sources: Sources) -> Delivered:
    port, thread = await _thread(said.manual_id, out, sources)
    if port is None or thread is None:
        return Delivered()
    follow_ups: list[work.Work] = []
    if said.event == "started" and manual_replies.request_is_long(port.details):
        follow_ups.append(work.ManualFile(manual_id=port.id))
    if ts := await out.find_posted(thread.channel_id, thread.thread_ts):
        return Delivered(ts, follow_ups=follow_ups)
    text, blocks = manual_replies.reply_for(port, said)
    ts = await out.post(thread.channel_id, thread.thread_ts, text, blocks)
    return Delivered(ts, follow_ups=follow_ups)


async def file(file: work.ManualFile, out: ItemPoster, sources: Sources) -> Delivered:
    port, thread = await _thread(file.manual_id, out, sources)
    if port is None or thread is None:
        return Delivered()
    name = _file_name(port, file)
    channel, thread_ts = thread.channel_id, thread.thread_ts
    if found := await out.find_posted(channel, thread_ts, file_name=name):
        return Delivered(found)
    if file.file_id is None:
        content = manual_replies.support_request_text(port.details).encode()
    else:
        fetched = await _fetch(file, sources)
        if isinstance(fetched, str):
            text, blocks = manual_replies.copy_failed_reply(file.name, fetched)
            return Delivered(await out.post(channel, thread_ts, text, blocks))
        content = fetched
    title = manual_replies.file_title(port, file.document)
    return Delivered(await out.upload(channel, thread_ts, content, name, title))


async def edit(edit: work.ManualBoard, out: ItemPoster, sources: Sources) -> Delivered:
    port, thread = await _thread(edit.manual_id, out, sources)
    if port is None or thread is None:
        return Delivered()
    assert sources.manual is not None  # _thread found the port
    text, blocks = (
        manual_board.board_text(port),
        manual_board.board_blocks(port, sources.manual.clock()),
    )
    await out.edit(thread.channel_id, thread.thread_ts, text, blocks)
    return Delivered(thread.thread_ts)


async def reminder(due: work.ManualReminder, out: ItemPoster, sources: Sources) -> Delivered:
    ports = sources.manual
    if ports is None:
        return _unserved(out)
    ref = ManualReminderRef(due.manual_id, ManualReminderKind(due.reminder), due.due_day)
    now = ports.clock()
    decision = await ports.decide(ref, now)
    if decision.retry_at is not None:
        rate = sources.desk_day.rate if sources.desk_day is not None else 1.0
        raise NotYet(real_wait(decision.retry_at, now, rate))
    if decision.reminder is None:
        log.info("reminder %s no longer due; dropped", out.item.key)
        return Delivered()
    _, thread = await _thread(due.manual_id, out, sources)
    if thread is None:
        return Delivered()
    if ts := await out.find_posted(thread.channel_id, thread.thread_ts):
        return Delivered(ts)
    text, blocks = manual_reminders.reminder_message(decision.reminder)
    return Delivered(await out.post(thread.channel_id, thread.thread_ts, text, blocks))


# -- helpers ------------------------------------------------------------------------------------


def _unserved(out: ItemPoster) -> Delivered:
    log.warning("manual port work %s without a deliverer dropped", out.item.key)
    return Delivered()


async def _thread(
    manual_id: str, out: ItemPoster, sources: Sources
) -> tuple[ManualPort | None, RequestThread | None]:
    """The port and its thread; waits (NotYet) while its root is still on its way."""
    if sources.manual is None:
        _unserved(out)
        return None, None
    port = await sources.manual.get(manual_id)
    if port is None:
        log.warning("%s for unknown manual port %s dropped", out.item.kind, manual_id)
        return None, None
    thread = await request_state.get_thread(sources.db, manual_id)
    if thread is None:
        if await queue.pending(sources.db, work.manual_root_key(port.id)):
            raise NotYet(ROOT_WAIT)
        log.warning("%s for %s without a thread dropped", out.item.kind, manual_id)
    return port, thread


async def _fetch(file: work.ManualFile, sources: Sources) -> bytes | str:
    """The document's bytes, or why it cannot be had (then retrying will not help)."""
    if sources.download is None or not file.url:
        return "no way to download it"
    try:
        return await sources.download(file.url, MAX_DOCUMENT_BYTES)
    except ValueError as error:
        return str(error)
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        if status in (401, 403, 404, 410):
            return f"Slack answered {status}"
        raise DeliveryError(f"download: HTTP {status}") from error
    except httpx.HTTPError as error:
        raise DeliveryError(f"download: {type(error).__name__}") from error


def _file_name(port: ManualPort, file: work.ManualFile) -> str:
    """Stable across attempts and unique in the thread: how a retry finds its upload."""
    if file.file_id is None:
        return f"support-request-{port.id}.txt"
    return f"{file.document}-{file.file_id}-{file.name}"[:180]
