"""Every kind of Slack work has its one handler (``bot.slack.delivery.registry``), and the
deliverer refuses a kind without one rather than dropping it quietly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import work
from bot.slack.delivery.deliverer import SlackDeliverer
from bot.slack.delivery.poster import Poster
from bot.slack.delivery.registry import HANDLERS
from bot.slack.pacing import ChannelPacer
from bot.store.items import Item


def test_every_kind_of_work_has_a_handler() -> None:
    assert set(HANDLERS) == set(work.KINDS.values())


class Unheard(work.Work):
    kind: str = "unheard"

    def key(self) -> str:
        return "unheard:1"


async def test_a_kind_without_a_handler_is_an_error_not_a_silent_drop() -> None:
    deliverer = SlackDeliverer(Poster(None, ChannelPacer()), None)  # type: ignore[arg-type]
    item = Item(1, "unheard:1", "KW1", Unheard(), 0, False, datetime.now(UTC))
    with pytest.raises(ValueError, match="no delivery for unheard"):
        await deliverer.deliver(item)
