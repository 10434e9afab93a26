"""A manual port moved step by step through its board, through the real Bolt app: each step
recorded (audit) and announced, the fee quote's deadline across Thanksgiving and a weekend,
each reminder sent once and none once the step moved on, a double click, a rejection with
its fix and a resubmission, added documents, /port-status. The desk's clock is injected."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot import work
from bot.desk.manual_steps import ManualMove
from bot.slack.ids import Action, Callback
from bot.slack.ids import ManualField as M
from bot.store import outbox
from tests.conftest import Bot
from tests.fakes.slack_requests import slash_command, view_submission
from tests.manual_forms import (
    attach,
    board,
    buttons,
    current,
    date_state,
    move_action,
    press,
    quote_state,
    reason_state,
    replies,
    set_clock,
    start_port,
    step,
    ticket_state,
)

NY = ZoneInfo("America/New_York")


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), NY)


def epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


@pytest.fixture
def bot_settings() -> dict:
    return {"porting_timezone": "America/New_York"}


def count(bot: Bot, port, says: str) -> int:  # type: ignore[no-untyped-def]
    return sum(says in r for r in replies(bot, port))


async def reminders_at(bot: Bot, now: datetime) -> int:
    set_clock(bot, now)
    planned = await bot.desk.manual.queue_reminders(now)
    await bot.settle()
    return planned


async def test_every_step_with_its_deadlines_and_reminders(bot: Bot) -> None:
    set_clock(bot, at("2026-11-23", 9))
    port = await start_port(bot)

    await press(bot, port, Action.MANUAL_SUBMIT)
    opened = bot.slack.calls_to("views.open")[-1].args["view"]
    assert opened["callback_id"] == Callback.MANUAL_STEP
    assert M.TICKET in json.dumps(opened)
    await step(bot, port, ManualMove.SUBMIT, ticket_state("88123"))
    port = await current(bot, port.id)
    assert "step 2 of 6: waiting for Twilio's fee quote" in board(bot, port)
    assert "ticket 88123" in board(bot, port)
    assert count(bot, port, "submitted the request to Twilio support (ticket 88123)") == 1
    assert buttons(bot, port)[0] == Action.MANUAL_QUOTE

    # The quote came on Tuesday before Thanksgiving at 10:00: 3 business days are Wed, Fri
    # and Mon (Thursday is a holiday, then a weekend): taken as accepted Mon Nov 30, 10:00.
    set_clock(bot, at("2026-11-24", 10, 30))
    await step(bot, port, ManualMove.QUOTE, quote_state("GBP 120", at("2026-11-24", 10)))
    port = await current(bot, port.id)
    deadline = at("2026-11-30", 10)
    assert port.quote_deadline == deadline
    (said,) = [r for r in replies(bot, port) if "fee quote: *GBP 120*" in r]
    assert f"<!date^{epoch(deadline)}^" in said and "2026-11-30 15:00 UTC" in said
    assert "I'll remind you one business day before" in said
    assert "Twilio takes the fee quote as accepted" in board(bot, port)

    # No reminder before its day (the holiday eve, the holiday); Friday at 10:00, once.
    assert await reminders_at(bot, at("2026-11-25", 10)) == 0
    assert await reminders_at(bot, at("2026-11-26", 10)) == 0
    assert await reminders_at(bot, at("2026-11-27", 10)) == 1
    assert await reminders_at(bot, at("2026-11-27", 14)) == 1  # planned again: same key
    assert count(bot, port, "still unanswered") == 1
    reminder = next(r for r in replies(bot, port) if "still unanswered" in r)
    assert "<@U123>" in reminder and "GBP 120" in reminder and "ticket 88123" in reminder

    set_clock(bot, at("2026-11-27", 15))
    await press(bot, port, Action.MANUAL_ACCEPT)
    port = await current(bot, port.id)
    assert "step 3 of 6: waiting for Twilio's approval" in board(bot, port)
    assert port.approval_due == at("2026-11-30", 15)
    assert count(bot, port, "accepted the fee quote (GBP 120)") == 1
    # The step moved on: a quote reminder still queued (a slow worker) is dropped, not sent.
    stale = work.ManualReminder(manual_id=port.id, reminder="quote_due", due_day=date(2026, 11, 27))
    async with bot.runtime.db.session() as s:
        await outbox.add(s, stale)  # key taken: nothing
        late = work.ManualReminder(
            manual_id=port.id, reminder="quote_due", due_day=date(2026, 11, 28)
        )
        await outbox.add(s, late)
        await s.commit()
    await bot.settle()
    assert count(bot, port, "still unanswered") == 1
    assert await reminders_at(bot, at("2026-11-30", 14)) == 0

    # Twilio approves within 1 business day of the accepted quote: Monday 15:00; a nudge then.
    assert await reminders_at(bot, at("2026-11-30", 15)) == 1
    assert count(bot, port, "should have been approved") == 1

    set_clock(bot, at("2026-11-30", 16))
    await press(bot, port, Action.MANUAL_APPROVE)
    port = await current(bot, port.id)
    assert "step 4 of 6: waiting for the losing carrier" in board(bot, port)
    assert await reminders_at(bot, at("2026-12-01", 10)) == 0  # approved: no more nudges

    await press(bot, port, Action.MANUAL_PORT_DATE)
    await step(bot, port, ManualMove.PORT_DATE, date_state(date(2026, 12, 8)))
    port = await current(bot, port.id)
    assert "step 5 of 6: approved, port date set" in board(bot, port)
    assert count(bot, port, "Configure them in Twilio before then") == 1

    assert await reminders_at(bot, at("2026-12-04", 10)) == 0
    assert await reminders_at(bot, at("2026-12-07", 9)) == 1
    assert count(bot, port, "port tomorrow") == 1
    prep = next(r for r in replies(bot, port) if "port tomorrow" in r)
    assert "keep the account with the current carrier open" in prep.lower()

    await press(bot, port, Action.MANUAL_COMPLETE)
    port = await current(bot, port.id)
    assert "step 6 of 6: completed" in board(bot, port)
    assert buttons(bot, port) == []
    assert await reminders_at(bot, at("2026-12-07", 10)) == 0

    history = await bot.desk.manual.history(port.id)
    assert [h.action for h in history] == [
        "manual.started",
        "manual.submit",
        "manual.quote",
        "manual.accept",
        "manual.approve",
        "manual.port_date",
        "manual.complete",
    ]
    assert all(h.user_id == "U123" and h.outcome == "ok" for h in history)
    assert "ticket 88123" in (history[1].detail or "")


async def test_a_double_click_moves_once(bot: Bot) -> None:
    port = await start_port(bot)
    await step(bot, port, ManualMove.SUBMIT, ticket_state())
    port = await current(bot, port.id)
    await step(bot, port, ManualMove.QUOTE, quote_state())
    before = port = await current(bot, port.id)
    url = bot.slack.response_url("board")
    await press(bot, port, Action.MANUAL_ACCEPT, url=url)
    await press(bot, port, Action.MANUAL_ACCEPT, url=url)  # the same board, clicked again
    port = await current(bot, port.id)
    assert count(bot, port, "accepted the fee quote") == 1
    (answer,) = bot.slack.responses_to("board")
    assert "has moved on" in answer.body["text"] and "step 3 of 6" in answer.body["text"]
    # A modal drawn on the old version (a corrected quote) is refused in the modal.
    body = await step(bot, before, ManualMove.QUOTE, quote_state("GBP 99"))
    assert body["response_action"] == "update" and "has moved on" in json.dumps(body)
    assert [h.action for h in await bot.desk.manual.history(port.id)].count("manual.accept") == 1


async def test_rejected_with_its_fix_then_submitted_again(bot: Bot) -> None:
    port = await start_port(bot)
    await step(bot, port, ManualMove.SUBMIT, ticket_state())
    port = await current(bot, port.id)
    missing = await step(bot, port, ManualMove.REJECT, reason_state("nonsense"))
    assert missing["response_action"] == "errors" and M.REASON in missing["errors"]
    await step(bot, port, ManualMove.REJECT, reason_state("address", "Postcode mismatch"))
    port = await current(bot, port.id)
    said = next(r for r in replies(bot, port) if "Twilio rejected the port" in r)
    assert "<@U123>" in said and "Address or ZIP/postcode not as on the carrier's record" in said
    assert "Customer Service Record" in said and "Postcode mismatch" in said
    assert "contact the current carrier" in said
    shown = board(bot, port)
    assert "rejected: fix it and submit again" in shown and "Submitted again…" in shown

    await step(bot, port, ManualMove.SUBMIT, ticket_state("88124"))
    port = await current(bot, port.id)
    assert "step 2 of 6" in board(bot, port) and port.rejection is None
    assert count(bot, port, "submitted the request again to Twilio support (ticket 88124)") == 1


async def test_cancel_closes_it_and_stops_reminders(bot: Bot) -> None:
    set_clock(bot, at("2026-11-23", 9))
    port = await start_port(bot)
    await step(bot, port, ManualMove.SUBMIT, ticket_state())
    port = await current(bot, port.id)
    await step(bot, port, ManualMove.QUOTE, quote_state("GBP 120", at("2026-11-23", 9)))
    port = await current(bot, port.id)
    await press(bot, port, move_action(ManualMove.CANCEL))
    port = await current(bot, port.id)
    assert port.closed and buttons(bot, port) == []
    assert count(bot, port, "canceled this manual port. If the request was sent") == 1
    assert await reminders_at(bot, at("2026-11-25", 10)) == 0
    assert await bot.desk.manual.open_ports() == []


async def test_documents_added_later_go_into_the_thread(bot: Bot) -> None:
    port = await start_port(bot)
    assert "Outstanding: LOA · CSR · bill" in board(bot, port)
    await press(bot, port, Action.MANUAL_ADD_DOCUMENTS)
    opened = bot.slack.calls_to("views.open")[-1].args["view"]
    assert opened["callback_id"] == Callback.MANUAL_DOCUMENTS
    csr = attach(bot, "FCSR", "csr.pdf", b"%PDF csr")
    state = {M.CSR: {M.CSR: {"type": "file_input", "files": [csr]}}}
    response = await bot.send(
        view_submission(
            Callback.MANUAL_DOCUMENTS, state, private_metadata=opened["private_metadata"]
        )
    )
    assert response.status_code == 200 and not response.content
    await bot.settle()
    port = await current(bot, port.id)
    assert "Outstanding: LOA · bill" in board(bot, port)
    assert count(bot, port, "added Customer Service Record (CSR)") == 1
    assert any(u.content == b"%PDF csr" for u in bot.slack.uploaded_files)


async def test_port_status_takes_a_manual_port_id(bot: Bot) -> None:
    port = await start_port(bot)
    await step(bot, port, ManualMove.SUBMIT, ticket_state("88123"))
    url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", port.id, response_url=url))
    await bot.settle()
    (answer,) = bot.slack.responses_to("status")
    shown = json.dumps(answer.body, ensure_ascii=False)
    assert "step 2 of 6: waiting for Twilio's fee quote" in shown
    assert "moved it: Submitted to Twilio" in shown and "+44 20 7183 8750" in shown
    assert "Open the thread" in shown and "Customer Service Record (CSR): outstanding" in shown
