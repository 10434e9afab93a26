"""Re-filing safely: a filing that fails after the cancel (the form keeps everything, the
retry only files), Twilio refusing the cancel, a double click, someone not allowed, and the
secrets (asked again, never stored, logged or posted)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlmodel import SQLModel

from bot.porting.statuses import NumberStatus
from bot.slack.ids import Action
from bot.slack.ids import PortInField as F
from tests.conftest import Bot
from tests.fakes.slack_requests import view_submission
from tests.port_in_forms import (
    ACCOUNT_NUMBER,
    LANDLINE,
    account_state,
    view_text,
    views_updated,
)
from tests.slack.refile.flow import (
    ADDRESS_REJECTED,
    PIN_REJECTED,
    as_shown,
    audit,
    block,
    corrected_refile,
    filed_and_rejected,
    new_request,
    open_refile,
    press,
    rejection_reply,
    replies,
    status_blocks,
    thread_of,
)

# -- failure after the cancel, then the retry --------------------------------------------------


async def test_a_filing_that_fails_after_the_cancel_keeps_the_form_and_retries_only_the_filing(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old, old_thread, form = await corrected_refile(bot)
    bot.sandbox.inject_failures(
        1,
        status=400,
        code=20001,
        message="Invalid parameter losing_carrier_information.address",
        match="/v1/Porting/PortIn",
        method="POST",
    )
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()

    shown = views_updated(bot, form.view_id)[-1]
    assert shown["callback_id"] == "port_in_account"  # the form keeps everything
    text = view_text(shown)
    assert "Filing stopped at: Create the port-in request at Twilio" in text
    assert f"+1 415-555-0154 is canceled in `{old}` and *not yet re-filed*" in text
    assert "retries the filing only" in text
    assert shown["submit"]["text"] == "File port-in"  # nothing left to cancel
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.CANCELED
    assert len(bot.sandbox.state.requests) == 1  # not filed
    assert len(twilio_calls["cancel_number"]) == 1
    assert not [c for c in replies(bot, old_thread) if c.args["text"].startswith("↪️")]

    form.private_metadata = shown["private_metadata"]  # File again: a new submission
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()
    new = new_request(bot, old)
    assert [n.phone_number for n in new.numbers] == [ADDRESS_REJECTED]
    assert len(twilio_calls["cancel_number"]) == 1, "the retry did not cancel again"
    assert f"Filed `{new.sid}`" in view_text(views_updated(bot, form.view_id)[-1])
    outcomes = [(e.action, e.outcome) for e in await audit(bot)]
    assert outcomes.count(("numbers.canceled", "ok")) == 1
    assert ("port_in.filed", "failed") in outcomes and outcomes[-2:] == [
        ("port_in.filed", "ok"),
        ("port_in.refiled", "ok"),
    ]
    assert len([c for c in replies(bot, old_thread) if c.args["text"].startswith("↪️")]) == 1


# -- double click, non-admin --------------------------------------------------------------------


async def test_a_double_click_files_once_and_cancels_once(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    _, old_thread, form = await corrected_refile(bot)
    request = form.account_request(account_state(account=None, pin_all=None))
    first, second = await asyncio.gather(bot.send(request), bot.send(request))
    assert any("already being filed" in view_text(r.json()["view"]) for r in (first, second))
    await bot.wait_delivered()
    again = await bot.send(request)  # a replayed payload, later
    assert "already filed as" in view_text(again.json()["view"])
    await bot.wait_delivered()
    assert len(bot.sandbox.state.requests) == 2
    assert len(twilio_calls["create"]) == 2 and len(twilio_calls["cancel_number"]) == 1
    assert len([c for c in replies(bot, old_thread) if c.args["text"].startswith("↪️")]) == 1


async def test_only_porting_admins_may_refile_or_cancel_from_a_rejection(bot: Bot) -> None:
    old = await filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    reply = rejection_reply(bot, old_thread, "0154")
    opened_before = len(bot.slack.calls_to("views.open"))
    url = bot.slack.response_url("member")
    await press(bot, old_thread, reply, Action.REFILE, user_id="UMEMBER", response_url=url)
    await press(bot, old_thread, reply, Action.CANCEL_REJECTED, user_id="UMEMBER", response_url=url)
    refusals = [r.body["text"] for r in bot.slack.responses_to("member")]
    assert len(refusals) == 2
    assert "You can't re-file port-ins" in refusals[0] and "<@U123>" in refusals[0]
    assert "You can't cancel port-ins" in refusals[1]
    assert len(bot.slack.calls_to("views.open")) == opened_before

    # A step submitted by someone not allowed (a forged or stale form) files nothing.
    form, view = await open_refile(bot, old_thread, reply)
    response = await bot.send(
        view_submission(
            "port_in_details",
            as_shown(view),
            view_id=form.view_id,
            user_id="UMEMBER",
            private_metadata=form.private_metadata,
        )
    )
    assert "You can't file port-ins" in view_text(response.json()["view"])
    await bot.settle()
    assert len(bot.sandbox.state.requests) == 1
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.PORT_REJECTED


# -- secrets -------------------------------------------------------------------------------------


async def test_refiling_a_pin_rejection_keeps_pins_and_account_numbers_out_of_everything(
    bot: Bot,
    twilio_calls: dict[str, list[Any]],
    caplog: pytest.LogCaptureFixture,
    log_format: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    new_pin, new_account = "86421357", "ACC99887766"
    old = await filed_and_rejected(bot, f"{LANDLINE} {PIN_REJECTED}", PIN_REJECTED, pin_all="0000")
    old_thread = await thread_of(bot, old)
    form, view = await open_refile(bot, old_thread, rejection_reply(bot, old_thread, "0207"))
    step1 = await form.submit_details(as_shown(view))
    step2 = step1["step2"]
    pin_field = block(step2, F.PIN_ALL)
    assert pin_field["hint"]["text"].startswith("⚠️ Rejected for INVALID_PIN")
    assert "initial_value" not in pin_field["element"]  # asked again, never prefilled
    assert "initial_value" not in block(step2, F.ACCOUNT_NUMBER)["element"]
    # A failed filing first (its error path must not leak either), then the filing.
    bot.sandbox.inject_failures(
        1,
        status=400,
        code=22171,
        message=f"Missing required fields (account {new_account})",
        match="/v1/Porting/PortIn",
        method="POST",
    )
    secrets = account_state(account=new_account, pin_all=new_pin)
    await form.submit_account(secrets)
    await bot.wait_delivered()
    form.private_metadata = views_updated(bot, form.view_id)[-1]["private_metadata"]
    await form.submit_account(secrets)
    await bot.wait_delivered()
    body = twilio_calls["create"][-1]
    assert body["phone_numbers"] == [{"phone_number": PIN_REJECTED, "pin": new_pin}]
    assert body["losing_carrier_information"]["account_number"] == new_account  # Twilio got them
    await status_blocks(bot, new_request(bot, old).sid)
    await status_blocks(bot, old)

    typed = [new_pin, new_account, ACCOUNT_NUMBER]
    dump = []
    async with bot.runtime.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in (await conn.execute(table.select())).all()]
    everything = {"database": "\n".join(dump), "logs": caplog.text, "slack": bot.slack.all_text()}
    for where, text in everything.items():
        for secret in typed:
            assert secret not in text, f"{secret} found in {where}"
    assert "••••57" in everything["slack"] and "••••66" in everything["slack"]  # masked


async def test_twilio_refusing_the_cancel_files_nothing_and_says_so(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old, _, form = await corrected_refile(bot)
    bot.sandbox.inject_failures(
        1, status=400, code=20001, message="Phone number cannot be canceled", method="DELETE"
    )
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()
    shown = views_updated(bot, form.view_id)[-1]
    text = view_text(shown)
    assert "Filing stopped at: Cancel the numbers in the old request" in text
    assert "+1 415-555-0154: Twilio refused: Phone number cannot be canceled" in text
    assert "Nothing was filed" in text and "not yet re-filed" not in text
    assert shown["submit"]["text"] == "Cancel & re-file"  # still to cancel, still to file
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.PORT_REJECTED
    assert len(bot.sandbox.state.requests) == 1 and len(twilio_calls["create"]) == 1
    outcomes = [(e.action, e.outcome) for e in await audit(bot)]
    assert ("numbers.canceled", "refused") in outcomes and ("port_in.filed", "failed") in outcomes

    form.private_metadata = shown["private_metadata"]
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()
    assert [n.phone_number for n in new_request(bot, old).numbers] == [ADDRESS_REJECTED]
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.CANCELED
