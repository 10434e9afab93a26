"""Handlers of a request's thread: its root (the first board), change-set replies and their
CSV, board edits, the post-port checklist and the re-filing reply. Each looks for an earlier
attempt's message first (``find_posted``), then posts through the item's poster."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from slack_sdk.models.blocks import Block

from bot import work
from bot.delivered import Delivered, NotYet
from bot.desk.snapshots import load_snapshot
from bot.slack.delivery.poster import ItemPoster
from bot.slack.delivery.sources import Sources
from bot.slack.messages import permalink
from bot.slack.ui import thread_replies
from bot.slack.ui.board import board_blocks, board_text
from bot.slack.ui.reminders import checklist_message
from bot.store import queue, request_state

log = logging.getLogger(__name__)

# How long a re-filing's reply in the old thread waits for the new thread, to link to it.
NEW_THREAD_WAIT = timedelta(minutes=5)
ROOT_WAIT = 2.0  # seconds before work that needs the thread looks for it again


async def root(root: work.Root, out: ItemPoster, sources: Sources) -> Delivered:
    channel = root.channel
    if ts := await out.find_posted(channel, None):
        return Delivered(ts, thread=(channel, ts))
    snapshot = await load_snapshot(sources.db, root.request_sid)
    if snapshot is None:
        log.warning("root for unknown request %s dropped", root.request_sid)
        return Delivered()
    text, blocks = board_text(snapshot), board_blocks(snapshot)
    ts = await out.post(channel, None, text, blocks)
    # A change stored after the root was drawn must still reach the board.
    latest = await load_snapshot(sources.db, root.request_sid)
    redraw = latest is not None and latest.updated_at != snapshot.updated_at
    follow_ups: list[work.Work] = [work.Board(request_sid=root.request_sid)] if redraw else []
    return Delivered(ts, thread=(channel, ts), follow_ups=follow_ups)


async def reply(reply: work.Reply, out: ItemPoster, sources: Sources) -> Delivered:
    follow_ups: list[work.Work] = []
    if thread_replies.needs_csv(reply):
        follow_ups.append(work.File.after(reply))
    text, blocks = thread_replies.update_message(reply)
    return await in_thread(reply.request_sid, out, sources, text, blocks, follow_ups)


async def checklist(checklist: work.Checklist, out: ItemPoster, sources: Sources) -> Delivered:
    message = checklist_message(checklist.ported, checklist.canceled, checklist.mention)
    return await in_thread(checklist.request_sid, out, sources, message.text, message.blocks)


async def in_thread(
    request_sid: str,
    out: ItemPoster,
    sources: Sources,
    text: str,
    blocks: Sequence[Block],
    follow_ups: Sequence[work.Work] = (),
) -> Delivered:
    """Post a reply in the request's thread, once (an earlier attempt that may have reached
    Slack is looked for first)."""
    thread = await request_state.get_thread(sources.db, request_sid)
    if thread is None:
        log.warning("%s for %s without a thread dropped", out.item.kind, request_sid)
        return Delivered()
    if ts := await out.find_posted(thread.channel_id, thread.thread_ts):
        return Delivered(ts, follow_ups=list(follow_ups))
    if not text:
        return Delivered()
    ts = await out.post(thread.channel_id, thread.thread_ts, text, blocks)
    return Delivered(ts, follow_ups=list(follow_ups))


async def file(file: work.File, out: ItemPoster, sources: Sources) -> Delivered:
    thread = await request_state.get_thread(sources.db, file.request_sid)
    if thread is None:
        return Delivered()
    # Stable across attempts, unique per change set: how a retry recognises its upload.
    digest = hashlib.sha256(out.item.key.encode()).hexdigest()[:10]
    name = f"{file.request_sid}-changes-{digest}.csv"
    channel, thread_ts = thread.channel_id, thread.thread_ts
    if found := await out.find_posted(channel, thread_ts, file_name=name):
        return Delivered(found)
    content = thread_replies.changes_csv(file)
    title = f"Numbers changed in {file.request_sid}"
    return Delivered(await out.upload(channel, thread_ts, content, name, title))


async def refiled(refiled: work.Refiled, out: ItemPoster, sources: Sources) -> Delivered:
    """In the old request's thread: who re-filed which numbers as what, linking the new
    thread once it exists (waiting a little for its root, not forever)."""
    db = sources.db
    thread = await request_state.get_thread(db, refiled.request_sid)
    if thread is None:
        return Delivered()  # the old request has no thread to say it in
    new_sid = refiled.new_request_sid
    new_thread = await request_state.get_thread(db, new_sid)
    if new_thread is None and await queue.root_pending(db, new_sid):
        if datetime.now(UTC) - out.item.created_at < NEW_THREAD_WAIT:
            raise NotYet(ROOT_WAIT)
    if ts := await out.find_posted(thread.channel_id, thread.thread_ts):
        return Delivered(ts)
    link = None
    if new_thread is not None:
        link = await permalink(out.client, new_thread.channel_id, new_thread.thread_ts)
    text = thread_replies.refiled_text(refiled.user_id, refiled.numbers, new_sid, link)
    return Delivered(await out.post(thread.channel_id, thread.thread_ts, text))


async def board(board: work.Board, out: ItemPoster, sources: Sources) -> Delivered:
    """Redraw the board from the request as stored now (every board edit, interactive ones
    included, comes through here)."""
    snapshot = await load_snapshot(sources.db, board.request_sid)
    if snapshot is None:
        return Delivered()
    if snapshot.thread is None:
        if await queue.root_pending(sources.db, board.request_sid):
            raise NotYet(ROOT_WAIT)
        return Delivered()  # no thread (no channel): nothing to edit
    channel, ts = snapshot.thread.channel_id, snapshot.thread.thread_ts
    await out.edit(channel, ts, board_text(snapshot), board_blocks(snapshot))
    return Delivered(ts)
