"""What Slack is told when the sync stores a change: the Slack work it queues in the same
transaction, under the request's row lock, so each change is announced exactly once.

A request seen for the first time (filed in the Console, say) is adopted: its root message, which
draws the current board, and a reply only for what needs someone's action. A followed request
gets one reply per change set (naming who canceled what, from the cancel claims), the post-port
checklist when it completes (``bot.desk.followups``) and an edit of its board.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import work
from bot.desk import followups
from bot.desk.changes import change_set
from bot.desk.types import RequestUpdate
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.store import claims, edits, keys, queue
from bot.store.models import RequestState, RequestThread

log = logging.getLogger(__name__)


async def queue_slack_work(
    s: AsyncSession,
    update: RequestUpdate,
    state: RequestState,
    thread: RequestThread | None,
    now: datetime,
    *,
    channel: str,
    board_seconds: float,
) -> bool:
    """Queue what ``update`` tells Slack (``thread``: the request's, if it has one; ``channel``:
    where an adopted request's thread opens). True when anything was queued."""
    sid = update.request.request_sid
    has_root = thread is not None or await queue.has_pending(s, work.root_key(sid))
    if not has_root and update.first_seen:
        if not channel:
            log.warning("no PORTING_CHANNEL: request %s recorded, thread opens on Follow", sid)
            return False
        # A request the bot never saw (filed in the Console, say) is adopted. Its root
        # draws the current board; a reply follows only for what needs someone's action.
        await queue.add(s, work.Root(request_sid=sid, channel=channel), now)
        if update.number_changes:
            await _queue_reply(s, update, state, now)
        return True
    if not has_root or not update.has_changes:
        return False
    await _queue_reply(s, update, state, now)
    if (checklist := followups.checklist(update, state.filed_by)) is not None:
        await queue.add(s, checklist, now)
    await edits.touch_board(s, sid, board_seconds, now)
    return True


async def _queue_reply(
    s: AsyncSession, update: RequestUpdate, state: RequestState, now: datetime
) -> None:
    update.canceled_by = await _cancelers(s, update)
    change = change_set(update, state.filed_by, state.status_changed_at)
    await queue.add(s, work.Reply.of(change), now)


async def _cancelers(s: AsyncSession, update: RequestUpdate) -> dict[str, str]:
    """Who canceled what in this change set, from the cancel claims (a claim exists only for
    a cancel Twilio accepted or one in progress): ``{"request": user}`` or by number SID."""
    going = (RequestStatus.CANCELING, RequestStatus.CANCELED)
    gone = (NumberStatus.CANCELING, NumberStatus.CANCELED)
    sid = update.request.request_sid
    canceled = {keys.cancel(sid): "request"} if update.request.status in going else {}
    for change in update.number_changes:
        if change.new in gone and change.number.number_sid:
            canceled[keys.cancel(sid, change.number.number_sid)] = change.number.number_sid
    if not canceled:
        return {}
    holders = await claims.holders_in(s, canceled)
    return {canceled[key]: user for key, user in holders.items()}
