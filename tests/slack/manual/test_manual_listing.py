"""Manual ports in /port-list (their own section, with step, deadline and filer, under the
same filters) and in the store query the digest and App Home read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.desk.manual.manual_listing import open_manual
from bot.desk.manual.steps import ManualMove
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
    listed = await open_manual(bot.desk.db, datetime.now(UTC))
    (item,) = listed
    assert item.port.id == first.id and item.port.filed_by == "U123"
    assert item.port.details.channel_id == "CPORTING" and item.port.thread is not None
    assert item.port.step.value == "submitted" and item.deadline is None
    assert not item.needs_person


async def test_the_digest_and_app_home_include_manual_ports_with_step_and_deadline(
    bot: Bot,
) -> None:
    """A channel whose only open work is a manual port still gets its digest; the manual
    port's step and deadline are in it, and on the Home of whoever started it."""
    from tests.desk_clock import DeskClock, digests
    from tests.fakes.slack_requests import app_home_opened

    port = await start_port(bot)
    await step(bot, port, ManualMove.SUBMIT, ticket_state())
    port = await current(bot, port.id)
    await step(bot, port, ManualMove.QUOTE, quote_state("GBP 120"))
    await bot.wait_delivered()
    clock = DeskClock(bot, datetime(2026, 11, 3, 9, 5, tzinfo=UTC))  # Tuesday, after 09:00
    clock.skip_seen()
    await bot.send(app_home_opened("U123"))
    (digest,) = digests(await clock.tick())
    assert "1 manual port" in digest.text
    call = next(c for c in bot.slack.calls_to("chat.postMessage") if c.args["text"] == digest.text)
    shown = json.dumps(call.args["blocks"], ensure_ascii=False)
    assert "Manual ports, moved by people* (1)" in shown and "Acme Ltd" in shown
    assert "1: support requests" not in shown
    assert "fee quote received" in shown and "Twilio takes the fee quote as accepted on" in shown
    (home,) = [c.args["view"] for c in bot.slack.calls_to("views.publish")]
    text = json.dumps(home, ensure_ascii=False)
    assert "Manual ports" in text and "Acme Ltd" in text and "needs someone" in text
