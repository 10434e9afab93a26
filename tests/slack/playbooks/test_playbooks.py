"""Rejection playbooks end to end: a number the sandbox's carrier rejects, with each code it
can produce → the playbook in the thread reply, on the board's *How to fix* (answered
privately) and in /port-status; and the table is complete for those codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.porting.playbooks import (
    PLAYBOOKS,
    REJECTION_CODES,
    Actor,
    FiledField,
    Remedy,
    playbook,
)
from bot.sandbox import REJECTION_REASONS
from bot.sandbox.number_rules import INVALID_PIN, TEST_NUMBERS, Behaviour
from bot.slack.ids import PLAYBOOK_FIELDS
from tests.conftest import Bot
from tests.fakes.slack_requests import block_actions, slash_command
from tests.helpers import file_request

OK = "+14155550101"
# The test numbers the sandbox's losing carrier rejects, by the code it answers with.
REJECTING = {t.code: t.number for t in TEST_NUMBERS if t.behaviour == Behaviour.CARRIER_REJECTS}


def test_every_code_the_sandbox_produces_has_its_own_playbook() -> None:
    assert set(REJECTING) == set(REJECTION_REASONS), "a test number for each code"
    for code, name in REJECTION_REASONS.items():
        p = playbook(code, name)
        assert p.known and p.code == code, code
        assert playbook(None, name) is p, f"{name} is found by its name too"
        assert playbook(str(code)) is p, "Twilio writes codes as strings inside a request"
        assert p.cause and p.steps and p.who in Actor and p.remedy in Remedy
        if p.remedy == Remedy.REFILE and p.field is not None:
            assert p.field_hint and p.name in p.field_hint
    assert set(PLAYBOOKS) == set(REJECTION_CODES), "every code Twilio sends, 22157 included"
    assert set(PLAYBOOK_FIELDS) == set(FiledField), "each field a playbook names is on the form"


@pytest.mark.parametrize(
    ("code", "name"), [(22199, None), (None, None), ("PIN_MISMATCH", None), (None, "ODD")]
)
def test_any_other_code_or_none_gets_the_fallback(code: Any, name: str | None) -> None:
    p = playbook(code, name)
    assert not p.known and p.remedy == Remedy.SUPPORT and p.who == Actor.DESK
    assert "porting@twilio.com" in " ".join(p.steps)
    assert p.title == f"{name or 'REJECTED'} ({code if code is not None else 'no code'})"


def _shown(e164: str) -> str:
    return f"+1 {e164[2:5]}-{e164[5:8]}-{e164[8:]}"


def _board(bot: Bot) -> list[dict[str, Any]]:
    return json.loads(json.dumps(bot.slack.calls_to("chat.update")[-1].args["blocks"]))


def _buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


@pytest.mark.parametrize("code", sorted(REJECTION_REASONS))
async def test_a_rejection_shows_its_playbook_in_the_reply_on_the_board_and_in_status(
    bot: Bot, code: int
) -> None:
    rejected = REJECTING[code]
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK, rejected])
    sid = request.request_sid
    await bot.run_lifecycle()
    p = PLAYBOOKS[code]

    replies = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    (reply,) = [r for r in replies if "rejected:" in r.args["text"]]
    text = reply.args["text"][reply.args["text"].index("❌") :]
    assert text.startswith(f"❌ {_shown(rejected)} rejected: <")
    assert p.title in text and p.cause in text and f"*Who acts:* {p.who.label}." in text
    assert all(f"{i}. {step}" in text for i, step in enumerate(p.steps, start=1))
    assert (p.remedy.label if p.remedy != Remedy.REFILE else "re-file") in text
    assert "+1 415-555-0101" not in text, "the number that ports is not in the rejection"

    buttons = _buttons(_board(bot))
    assert buttons["how_to_fix"] == sid, "the board offers How to fix while a number is rejected"
    url = bot.slack.response_url("fix")
    await bot.send(block_actions("how_to_fix", sid, response_url=url, user_id="UANY"))
    await bot.settle()
    (answer,) = bot.slack.responses_to("fix")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body.get("replace_original") is False, "the board stays"
    shown = json.dumps(answer.body["blocks"], ensure_ascii=False)
    assert p.title in answer.body["text"] and p.steps[-1] in shown

    url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    status = json.dumps(bot.slack.responses_to("status")[0].body["blocks"], ensure_ascii=False)
    assert "*How to fix*" in status and p.cause in status and p.steps[0] in status


async def test_a_mobile_rejected_for_its_pin_points_at_the_pin(bot: Bot) -> None:
    mobile = "+14155550250"
    request = await file_request(bot.runtime.twilio, bot.sandbox, [mobile], pin=INVALID_PIN)
    await bot.run_lifecycle()
    text = "\n".join(c.args["text"] for c in bot.slack.calls_to("chat.postMessage"))
    assert "INVALID_PIN (22155)" in text and "*Who acts:* the customer." in text
    assert "re-file with corrected details (PIN)" in text
    assert request.request_sid


async def test_how_to_fix_on_the_board_gives_every_open_reason_its_steps(bot: Bot) -> None:
    codes = (22153, 22154, 22155, 22156)
    request = await file_request(bot.runtime.twilio, bot.sandbox, [REJECTING[c] for c in codes])
    await bot.run_lifecycle()
    assert _buttons(_board(bot))["how_to_fix"] == request.request_sid
    url = bot.slack.response_url("fix")
    await bot.send(block_actions("how_to_fix", request.request_sid, response_url=url))
    await bot.settle()
    answer = bot.slack.responses_to("fix")[0].body
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "4 rejected numbers" in answer["text"]
    for code in codes:
        p = PLAYBOOKS[code]
        assert p.title in shown and p.steps[0] in shown and p.who.label in shown


async def test_how_to_fix_once_nothing_is_rejected_says_so(bot: Bot) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    url = bot.slack.response_url("fix")
    await bot.send(block_actions("how_to_fix", request.request_sid, response_url=url))
    await bot.settle()
    assert "is rejected right now" in bot.slack.responses_to("fix")[0].body["text"]


async def test_how_to_fix_with_a_value_that_does_not_read_is_a_stale_button(bot: Bot) -> None:
    url = bot.slack.response_url("fix")
    await bot.send(block_actions("how_to_fix", "not-a-sid", response_url=url))
    await bot.settle()
    assert "old message" in json.dumps([r.body for r in bot.slack.responses_to("fix")])
