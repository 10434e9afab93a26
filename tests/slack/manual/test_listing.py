"""Manual ports in /port-list (their own section, with step, deadline and filer, under the
same filters) and in the store query the digest and App Home read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.desk.manual_steps import ManualMove
from tests.conftest import Bot
from tests.manual_forms import current, quote_state, start_port, step, ticket_state
from tests.slack.test_port_list import ask


def _said(body: dict) -> str:
    return body["text"] + json.dumps(body.get("blocks"), ensure_ascii=False)


async def test_port_list_shows_manual_ports_under_the_same_filters(bot: Bot) -> None:
    port = await start_port(bot)
    await step(bot, port, ManualMove.SUBMIT, ticket_state())
    port = await current(bot, port.id)
    await step(bot, port, ManualMove.QUOTE, quote_state("GBP 120"))

    said = _said(await ask(bot))
    assert "1 manual port" in said and "Acme Ltd" in said and "United Kingdom" in said
    assert "step 2 of 6: fee quote received: accept it" in said
    assert "Twilio takes the fee quote as accepted on" in said and "<@U123>" in said
    assert "needs someone" in said

    assert "Acme Ltd" in _said(await ask(bot, "mine"))
    assert "Acme Ltd" in _said(await ask(bot, "action"))
    assert "Acme Ltd" in _said(await ask(bot, "+44 20 7183 8751"))
    assert "holds +44 20 7183 8751" in _said(await ask(bot, "+44 20 7183 8751"))
    for other in ("signature", "completed", "<@U777>", "+44 20 7000 0000"):
        assert "Acme Ltd" not in _said(await ask(bot, other)), other


async def test_open_manual_ports_for_the_digest_and_home(bot: Bot) -> None:
    first = await start_port(bot)
    await step(bot, first, ManualMove.SUBMIT, ticket_state())
    listed = await bot.desk.open_manual_ports(datetime.now(UTC))
    (item,) = listed
    assert item.port.id == first.id and item.port.filed_by == "U123"
    assert item.port.details.channel_id == "CPORTING" and item.port.thread is not None
    assert item.port.step.value == "submitted" and item.deadline is None
    assert not item.needs_person
