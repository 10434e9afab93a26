"""Cancelling from Slack end to end: /port-cancel and the board's buttons, the confirmation,
Twilio's answer, the thread reply, the board and the audit log."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlmodel import select

from bot.desk import NumberChange, RequestUpdate
from bot.desk.changes import change_set
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.slack.ui.thread_replies import change_lines
from bot.store.models import AuditEntry, RequestThread
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_requests import block_actions, slash_command, view_submission
from tests.port_in_forms import LANDLINE, LANDLINE_2, file_through_form, view_text, views_updated


async def _filed(bot: Bot) -> tuple[str, RequestThread]:
    await file_through_form(bot, f"{LANDLINE} {LANDLINE_2}")
    (request,) = bot.sandbox.state.requests.values()
    async with bot.runtime.db.session() as s:
        thread = await s.get(RequestThread, request.sid)
    assert thread is not None
    return request.sid, thread


async def _audit(bot: Bot) -> list[AuditEntry]:
    async with bot.runtime.db.session() as s:
        return list((await s.exec(select(AuditEntry).order_by(AuditEntry.id))).all())


def _opened_view_id(bot: Bot) -> str:
    return bot.slack.calls_to("views.open")[-1].response_body["view"]["id"]


def _replies(bot: Bot, thread: RequestThread) -> list[str]:
    return [
        c.args["text"]
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == thread.thread_ts
    ]


async def _confirm(bot: Bot, view_id: str, *, user_id: str = "U123") -> dict[str, Any]:
    """Press the confirmation's submit button; returns the ack body."""
    confirm = views_updated(bot, view_id, "cancel_confirm")[-1]
    response = await bot.send(
        view_submission(
            "cancel_confirm",
            {},
            view_id=view_id,
            user_id=user_id,
            private_metadata=confirm["private_metadata"],
        )
    )
    return response.json()


@pytest.fixture
def cancel_calls(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Request SIDs of every whole-request cancel the bot sends to Twilio."""
    twilio = bot.runtime.twilio
    original = twilio.cancel_port_in
    calls: list[str] = []

    async def spy(request_sid: str) -> None:
        calls.append(request_sid)
        await original(request_sid)

    monkeypatch.setattr(twilio, "cancel_port_in", spy)
    return calls


async def test_cancel_request_from_the_board(bot: Bot, cancel_calls: list[str]) -> None:
    sid, thread = await _filed(bot)
    await bot.send(
        block_actions(
            "cancel_request", sid, channel_id=thread.channel_id, message_ts=thread.thread_ts
        )
    )
    await bot.settle()
    view_id = _opened_view_id(bot)
    confirm = views_updated(bot, view_id, "cancel_confirm")[-1]
    text = view_text(confirm)
    assert f"Cancel the whole port-in request `{sid}` (Acme Plumbing LLC)?" in text
    assert "+1 415-555-0101" in text and "+1 415-555-0102" in text
    assert confirm["submit"]["text"] == "Cancel request"

    ack = await _confirm(bot, view_id)
    assert ack["response_action"] == "update" and "Canceling" in view_text(ack["view"])
    await bot.settle()

    assert cancel_calls == [sid]
    assert bot.sandbox.request(sid).status in (RequestStatus.CANCELED, RequestStatus.CANCELING)
    cancel_replies = [r for r in _replies(bot, thread) if "anceled" in r]
    assert cancel_replies == [
        "🚫 <@U123> canceled the request.\n🚫 Canceled: +1 415-555-0101, +1 415-555-0102."
    ], "one reply says who canceled and what went"
    board = bot.slack.calls_to("chat.update")[-1]
    assert board.args["ts"] == thread.thread_ts and "Canceled" in board.args["text"]
    assert "Cancel request" not in json.dumps(board.args["blocks"])  # nothing left to cancel
    assert f"Canceled request `{sid}`" in view_text(views_updated(bot, view_id)[-1])
    entry = (await _audit(bot))[-1]
    assert (entry.action, entry.outcome, entry.user_id) == ("request.canceled", "ok", "U123")

    url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    status = json.dumps(bot.slack.responses_to("status")[0].body["blocks"])
    assert "Filed by <@U123>" in status and "<@U123> canceled the request" in status


async def test_port_cancel_command_cancels_only_the_numbers_named(bot: Bot) -> None:
    sid, thread = await _filed(bot)
    await bot.send(slash_command("/port-cancel", f"{sid} (415) 555-0101"))
    await bot.settle()
    view_id = _opened_view_id(bot)
    confirm = views_updated(bot, view_id, "cancel_confirm")[-1]
    assert f"Cancel 1 number of `{sid}`" in view_text(confirm)
    assert "+1 415-555-0102" not in view_text(confirm)
    assert confirm["submit"]["text"] == "Cancel 1 number"

    await _confirm(bot, view_id)
    await bot.settle()
    assert bot.sandbox.number(sid, LANDLINE).status == NumberStatus.CANCELED
    assert bot.sandbox.number(sid, LANDLINE_2).status != NumberStatus.CANCELED
    assert [r for r in _replies(bot, thread) if "anceled" in r] == [
        "🚫 <@U123> canceled +1 415-555-0101."
    ]
    assert "Canceled 1 number" in view_text(views_updated(bot, view_id)[-1])
    entry = (await _audit(bot))[-1]
    assert entry.action == "numbers.canceled" and LANDLINE in entry.numbers
    assert entry.sids != "[]"


async def test_cancel_numbers_button_lets_people_choose(bot: Bot) -> None:
    sid, thread = await _filed(bot)
    await bot.send(
        block_actions(
            "cancel_numbers", sid, channel_id=thread.channel_id, message_ts=thread.thread_ts
        )
    )
    await bot.settle()
    view_id = _opened_view_id(bot)
    chooser = views_updated(bot, view_id, "cancel_choose")[-1]
    options = chooser["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == [LANDLINE, LANDLINE_2]

    empty = await bot.send(
        view_submission(
            "cancel_choose", {}, view_id=view_id, private_metadata=chooser["private_metadata"]
        )
    )
    assert "cx_numbers" in empty.json()["errors"]
    picked = {"type": "multi_static_select", "selected_options": [options[1]]}
    response = await bot.send(
        view_submission(
            "cancel_choose",
            {"cx_numbers": {"cx_numbers": picked}},
            view_id=view_id,
            private_metadata=chooser["private_metadata"],
        )
    )
    confirm = response.json()["view"]
    assert confirm["callback_id"] == "cancel_confirm"
    assert "+1 415-555-0102" in view_text(confirm) and "+1 415-555-0101" not in view_text(confirm)
    await bot.send(
        view_submission(
            "cancel_confirm", {}, view_id=view_id, private_metadata=confirm["private_metadata"]
        )
    )
    await bot.settle()
    assert bot.sandbox.number(sid, LANDLINE_2).status == NumberStatus.CANCELED
    assert "🚫 <@U123> canceled +1 415-555-0102." in _replies(bot, thread)


async def test_twilio_refusal_is_said_in_plain_words(bot: Bot) -> None:
    sid, _ = await _filed(bot)
    await bot.send(slash_command("/port-cancel", sid))
    await bot.settle()
    view_id = _opened_view_id(bot)
    await bot.sandbox.run_until_settled()  # the port completes while the modal is open
    await bot.settle()
    await _confirm(bot, view_id)
    await bot.settle()
    text = view_text(views_updated(bot, view_id)[-1])
    assert f"Twilio refused to cancel request `{sid}`" in text
    assert "it is already completed, and Twilio can't cancel it in that state" in text
    assert "Nothing was canceled" in text
    entry = (await _audit(bot))[-1]
    assert (entry.action, entry.outcome) == ("request.canceled", "refused")


async def test_two_people_cancelling_at_once_cancel_once_and_each_hear_why(
    bot: Bot, cancel_calls: list[str]
) -> None:
    sid, thread = await _filed(bot)
    views = []
    for user in ("U123", "U456"):
        await bot.send(slash_command("/port-cancel", sid, user_id=user))
        await bot.settle()
        views.append((_opened_view_id(bot), user))
    assert views[0][0] != views[1][0]
    confirms = [views_updated(bot, v, "cancel_confirm")[-1] for v, _ in views]
    await asyncio.gather(
        *(
            bot.send(
                view_submission(
                    "cancel_confirm",
                    {},
                    view_id=view_id,
                    user_id=user,
                    private_metadata=confirm["private_metadata"],
                )
            )
            for (view_id, user), confirm in zip(views, confirms, strict=True)
        )
    )
    await bot.settle()
    assert cancel_calls == [sid]
    outcomes = {user: view_text(views_updated(bot, v)[-1]) for v, user in views}
    winner = [u for u, t in outcomes.items() if "Canceled request" in t]
    loser = [u for u, t in outcomes.items() if "is canceling" in t or "already canceled" in t]
    assert len(winner) == 1 and len(loser) == 1
    replies = "\n".join(_replies(bot, thread))
    assert replies.count("canceled the request") == 1
    assert f"<@{winner[0]}> canceled the request" in replies and loser[0] not in replies
    assert [e.outcome for e in await _audit(bot) if e.action == "request.canceled"] == ["ok"]

    # Later attempts are told who did it.
    await bot.send(slash_command("/port-cancel", sid, user_id="U789"))
    await bot.settle()
    later = _opened_view_id(bot)
    assert "nothing is left to cancel" in view_text(views_updated(bot, later)[-1])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Usage"),
        ("KW123", "Usage"),
        ("KW" + "a" * 32 + " 12ab", '"12ab": not a request SID'),
    ],
)
async def test_port_cancel_usage(bot: Bot, text: str, words: str) -> None:
    response = await bot.send(slash_command("/port-cancel", text))
    assert words in response.text
    assert not bot.slack.calls_to("views.open")


async def test_everyone_may_file_when_porting_admins_is_unset_with_a_warning(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    warnings = [r.getMessage() for r in caplog.get_records("setup") if r.levelno == logging.WARNING]
    assert any("PORTING_ADMINS is not set" in w for w in warnings)
    assert PORTING_CHANNEL


def test_thread_lines_say_who_canceled_each_number_and_leave_others_unattributed() -> None:
    def number(sid: str, phone: str, status: str) -> PortInNumber:
        return PortInNumber(number_sid=sid, phone_number=phone, port_in_phone_number_status=status)

    numbers = [
        number("PU1", "+14155550101", "canceled"),
        number("PU2", "+14155550102", "canceling"),
        number("PU3", "+14155550103", "canceled"),  # canceled in the Console: nobody to name
    ]
    request = PortInRequest(request_sid="KW1", raw_status="in_progress", phone_numbers=numbers)
    changes = [NumberChange(n, NumberStatus.PORT_PENDING, n.status) for n in numbers]
    update = RequestUpdate(request, RequestStatus.IN_PROGRESS, changes)
    update.canceled_by = {"PU1": "U1", "PU2": "U2"}
    assert change_lines(change_set(update)) == [
        "⏳ <@U2> is canceling +1 415-555-0102.",
        "🚫 Canceled: +1 415-555-0103.",
        "🚫 <@U1> canceled +1 415-555-0101.",
    ]
