"""One handler per kind of Slack work, found by the work's type. A kind without one here
fails its test (``tests/slack/test_delivery_registry.py``), never silently in production."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot import work
from bot.delivered import Delivered
from bot.slack.delivery import golive, manual, threads, timed
from bot.slack.delivery.poster import ItemPoster
from bot.slack.delivery.sources import Sources

# ``(work, poster, sources) -> Delivered``; the work's type picks the handler.
Handler = Callable[[Any, ItemPoster, Sources], Awaitable[Delivered]]

HANDLERS: dict[type[work.Work], Handler] = {
    work.Root: threads.root,
    work.Reply: threads.reply,
    work.File: threads.file,
    work.Board: threads.board,
    work.Checklist: threads.checklist,
    work.Refiled: threads.refiled,
    work.Reminder: timed.reminder,
    work.Digest: timed.digest,
    work.DigestFile: timed.digest_file,
    work.Home: timed.home,
    work.ManualRoot: manual.root,
    work.ManualReply: manual.reply,
    work.ManualFile: manual.file,
    work.ManualBoard: manual.edit,
    work.ManualReminder: manual.reminder,
    work.GoLive: golive.golive,
    work.Departed: golive.departed,
}
