"""Re-filing a rejection from its thread, end to end through the real Bolt app, the fake Slack
and the sandbox: Re-file… opens the /port-in form prefilled (what the bot filed, or Twilio's
copy of a request filed elsewhere) with only the rejected numbers; filing cancels them in the
old request first, then files the new one; both threads, the boards, /port-status and the
audit log say so. And Cancel number on a rejection reply."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import SQLModel, col, select

from bot.porting.statuses import NumberStatus
from bot.sandbox import SandboxConfig
from bot.slack.ids import Action
from bot.slack.ids import PortInField as F
from bot.store.models import AuditEntry, RequestState
from tests import bodies
from tests.conftest import Bot
from tests.fakes.slack_requests import slash_command, text_input_state, view_submission
from tests.helpers import file_request
from tests.port_in_forms import (
    ACCOUNT_NUMBER,
    LANDLINE,
    Form,
    account_state,
    file_through_form,
    view_text,
    views_updated,
)
from tests.slack.refile.flow import (
    ADDRESS_REJECTED,
    PIN_REJECTED,
    as_shown,
    block,
    button,
    open_refile,
    opened,
    press,
    rejection_reply,
    replies,
    thread_of,
    until_rejected,
)

CORRECTED = "1 Main St Ste 200"  # the service address as the carrier's CSR has it
ADMIN = "U123"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # The form reads dates on the calendar (bills within 30 days, targets 7 days out): the
    # sandbox starts today so Twilio's dates and the form's agree.
    return SandboxConfig(start_time=datetime.now(UTC).replace(microsecond=0), seed=7)


@pytest.fixture
def bot_settings() -> dict:
    return {"porting_admins": ADMIN}


@pytest.fixture
def twilio_calls(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the bot asks Twilio to create and cancel (kept in test memory only)."""
    twilio = bot.runtime.twilio
    calls: dict[str, list[Any]] = {"create": [], "cancel_number": []}
    create, cancel = twilio.create_port_in, twilio.cancel_number

    async def spy_create(body):  # type: ignore[no-untyped-def]
        calls["create"].append(body.to_twilio_json())
        return await create(body)

    async def spy_cancel(request_sid: str, number_sid: str) -> None:
        calls["cancel_number"].append((request_sid, number_sid))
        await cancel(request_sid, number_sid)

    monkeypatch.setattr(twilio, "create_port_in", spy_create)
    monkeypatch.setattr(twilio, "cancel_number", spy_cancel)
    return calls


async def _audit(bot: Bot, request_sid: str | None = None) -> list[AuditEntry]:
    async with bot.runtime.db.session() as s:
        query = select(AuditEntry).order_by(col(AuditEntry.id))
        if request_sid is not None:
            query = query.where(col(AuditEntry.request_sid) == request_sid)
        return list((await s.exec(query)).all())


def _new_request(bot: Bot, old_sid: str) -> Any:
    (new,) = [r for r in bot.sandbox.state.requests.values() if r.sid != old_sid]
    return new


async def _filed_and_rejected(bot: Bot, numbers: str, rejected: str, **account: Any) -> str:
    """Filed through the form (the bot keeps its details), then the carrier rejects one."""
    await file_through_form(bot, numbers, account=account or None)
    (request,) = bot.sandbox.state.requests.values()
    await until_rejected(bot, request.sid, rejected)
    return request.sid


async def _status_blocks(bot: Bot, sid: str) -> str:
    name = f"status-{sid[-6:]}"
    url = bot.slack.response_url(name)
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    return json.dumps(bot.slack.responses_to(name)[-1].body["blocks"], ensure_ascii=False)


# -- re-file from a request the bot filed ------------------------------------------------------


async def test_refile_a_rejected_number_of_a_request_the_bot_filed(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old = await _filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    reply = rejection_reply(bot, old_thread, "+1 415-555-0154")
    assert "+1 415-555-0101" not in reply.args["text"]

    form, view = await open_refile(bot, old_thread, reply)
    # Prefilled from what was filed, only the rejected number, the rejected field marked.
    assert view["title"]["text"] == "Re-file (1 of 2)"
    assert block(view, F.NUMBERS)["element"]["initial_value"] == ADDRESS_REJECTED
    assert block(view, F.CUSTOMER_NAME)["element"]["initial_value"] == bodies.CUSTOMER_NAME
    assert block(view, F.STREET)["element"]["initial_value"] == bodies.STREET
    assert block(view, F.STREET)["hint"]["text"] == (
        "⚠️ Rejected for INVALID_ADDRESS: enter the service address exactly as on the carrier's CSR."
    )
    assert block(view, F.CUSTOMER_TYPE)["element"]["initial_option"]["value"] == "Business"
    assert block(view, F.REP_EMAIL)["element"]["initial_value"] == bodies.REPRESENTATIVE_EMAIL
    assert block(view, F.CHANNEL)["element"]["initial_conversation"] == old_thread.channel_id
    bill = block(view, F.BILL)
    assert bill["optional"] and "Leave empty to reuse bill.pdf" in bill["hint"]["text"]
    bill_date = (date.today() - timedelta(days=3)).isoformat()
    assert block(view, F.BILL_DATE)["element"]["initial_date"] == bill_date
    intro = view_text(view)
    assert f"Re-filing 1 number of `{old}`" in intro and "INVALID_ADDRESS" in intro
    assert "cancels these numbers in the old request first" in intro
    assert ACCOUNT_NUMBER not in intro

    step1 = await form.submit_details(as_shown(view, **{F.STREET: text_input_state(CORRECTED)}))
    step2 = step1["step2"]
    assert step2["title"]["text"] == "Re-file (2 of 2)"
    assert step2["submit"]["text"] == "Cancel & re-file"
    confirm = view_text(step2)
    assert f"first cancels +1 415-555-0154 in `{old}`" in confirm
    assert "Twilio refuses to port a number that is still in another request" in confirm
    assert "✅ 1 number will be filed: +1 415-555-0154" in confirm

    filed = await form.submit_account(account_state(account=None, pin_all=None))
    assert filed["response_action"] == "update"
    await bot.wait_delivered()

    # Twilio: the number canceled in the old request, then a new request with only it, the
    # corrected address and the bill Twilio already held (not uploaded again).
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.CANCELED
    assert bot.sandbox.number(old, LANDLINE).status != NumberStatus.CANCELED
    new = _new_request(bot, old)
    assert [n.phone_number for n in new.numbers] == [ADDRESS_REJECTED]
    assert new.losing_carrier_information["address"]["street"] == CORRECTED
    assert new.documents == bot.sandbox.request(old).documents
    assert len(bot.sandbox.state.documents) == 1
    assert len(twilio_calls["create"]) == 2 and len(twilio_calls["cancel_number"]) == 1

    # Both threads link to each other.
    new_thread = await thread_of(bot, new.sid)
    old_says = [c.args["text"] for c in replies(bot, old_thread)]
    assert any("🚫 <@U123> canceled +1 415-555-0154." in t for t in old_says)
    refiled = [t for t in old_says if t.startswith("↪️")]
    assert len(refiled) == 1
    assert refiled[0].startswith(f"↪️ <@U123> re-filed +1 415-555-0154 as `{new.sid}` (<")
    new_root = next(
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.ok and c.response_body.get("ts") == new_thread.thread_ts
    )
    assert f"↪️ re-files `{old}`" in json.dumps(new_root.args["blocks"], ensure_ascii=False)
    old_board = [
        c for c in bot.slack.calls_to("chat.update") if c.args["ts"] == old_thread.thread_ts
    ][-1]
    assert f"re-filed as `{new.sid}`" in json.dumps(old_board.args["blocks"], ensure_ascii=False)

    # The submitter is told what happened, in the form and a DM.
    done = view_text(views_updated(bot, form.view_id)[-1])
    assert f"Filed `{new.sid}`" in done
    assert f"It re-files numbers of `{old}`, canceled there first: +1 415-555-0154" in done

    # Audit rows for both actions; /port-status shows the chain both ways.
    old_audit = [(e.action, e.outcome, e.user_id) for e in await _audit(bot, old)]
    assert ("numbers.canceled", "ok", "U123") in old_audit
    assert ("port_in.refiled", "ok", "U123") in old_audit
    (new_filed,) = await _audit(bot, new.sid)
    assert (new_filed.action, new_filed.outcome, new_filed.detail) == (
        "port_in.filed",
        "ok",
        f"re-files {old}",
    )
    assert ADDRESS_REJECTED in new_filed.numbers and LANDLINE not in new_filed.numbers
    new_status = await _status_blocks(bot, new.sid)
    assert f"🔗 Re-filings: `{old}` → *this request*" in new_status
    assert f"re-filing `{old}`" in new_status
    old_status = await _status_blocks(bot, old)
    assert f"🔗 Re-filings: *this request* → `{new.sid}`" in old_status
    assert f"↪️ <@U123> re-filed +1 415-555-0154 as `{new.sid}`" in old_status
    async with bot.runtime.db.session() as s:
        state = await s.get(RequestState, new.sid)
    assert state is not None and state.refile_of == old and state.filed_by == "U123"


# -- re-file from a request filed elsewhere (adopted) ------------------------------------------


async def test_refile_a_request_filed_elsewhere_prefills_from_twilios_copy(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [LANDLINE, ADDRESS_REJECTED])
    old = request.request_sid
    await until_rejected(bot, old, ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    async with bot.runtime.db.session() as s:
        state = await s.get(RequestState, old)
    assert state is not None and state.filed_by is None and state.filed_details is None

    # The board offers Re-file too (every rejected number): the same form.
    board = next(
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.ok and c.response_body.get("ts") == old_thread.thread_ts
    )
    updates = [c for c in bot.slack.calls_to("chat.update") if c.args["ts"] == old_thread.thread_ts]
    await press(bot, old_thread, updates[-1] if updates else board, Action.REFILE)
    view_id, view = opened(bot)
    assert block(view, F.NUMBERS)["element"]["initial_value"] == ADDRESS_REJECTED
    assert block(view, F.CUSTOMER_NAME)["element"]["initial_value"] == bodies.CUSTOMER_NAME
    assert block(view, F.STREET)["element"]["initial_value"] == bodies.STREET
    assert block(view, F.ACCOUNT_PHONE)["element"]["initial_value"] == "+1 415-555-0101"
    assert block(view, F.REP_NAME)["element"]["initial_value"] == bodies.REPRESENTATIVE
    assert "Prefilled from Twilio's copy of the request" in view_text(view)
    bill = block(view, F.BILL)
    assert bill["optional"] and "give the date printed on it" in bill["hint"]["text"]
    assert "initial_date" not in block(view, F.BILL_DATE)["element"]  # Twilio does not say

    refile = Form(bot, view_id, ADMIN, view["private_metadata"])
    typed_date = {
        "type": "datepicker",
        "selected_date": (date.today() - timedelta(days=5)).isoformat(),
    }
    step1 = await refile.submit_details(
        as_shown(view, **{F.STREET: text_input_state(CORRECTED), F.BILL_DATE: typed_date})
    )
    assert step1["step2"]["submit"]["text"] == "Cancel & re-file"
    await refile.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()

    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.CANCELED
    body = twilio_calls["create"][-1]
    assert [n["phone_number"] for n in body["phone_numbers"]] == [ADDRESS_REJECTED]
    assert body["losing_carrier_information"]["address"]["street"] == CORRECTED
    assert body["losing_carrier_information"]["customer_name"] == bodies.CUSTOMER_NAME
    assert body["documents"] == request.documents  # Twilio's bill of the adopted request
    new = _new_request(bot, old)
    refiled = [c.args["text"] for c in replies(bot, old_thread) if c.args["text"].startswith("↪️")]
    assert len(refiled) == 1 and f"as `{new.sid}`" in refiled[0]
    assert [e.action for e in await _audit(bot, old)] == ["numbers.canceled", "port_in.refiled"]


# -- failure after the cancel, then the retry --------------------------------------------------


async def test_a_filing_that_fails_after_the_cancel_keeps_the_form_and_retries_only_the_filing(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old = await _filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    form, view = await open_refile(bot, old_thread, rejection_reply(bot, old_thread, "0154"))
    await form.submit_details(as_shown(view, **{F.STREET: text_input_state(CORRECTED)}))
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
    new = _new_request(bot, old)
    assert [n.phone_number for n in new.numbers] == [ADDRESS_REJECTED]
    assert len(twilio_calls["cancel_number"]) == 1, "the retry did not cancel again"
    assert f"Filed `{new.sid}`" in view_text(views_updated(bot, form.view_id)[-1])
    outcomes = [(e.action, e.outcome) for e in await _audit(bot)]
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
    old = await _filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    form, view = await open_refile(bot, old_thread, rejection_reply(bot, old_thread, "0154"))
    await form.submit_details(as_shown(view, **{F.STREET: text_input_state(CORRECTED)}))
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
    old = await _filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
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


# -- cancel number from a rejection reply --------------------------------------------------------


async def test_cancel_number_from_a_rejection_reply_goes_through_the_confirmation(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old = await _filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    reply = rejection_reply(bot, old_thread, "0154")
    assert button(reply, Action.CANCEL_REJECTED)["text"]["text"] == "Cancel number"
    await press(bot, old_thread, reply, Action.CANCEL_REJECTED)
    view_id, _ = opened(bot)
    confirm = views_updated(bot, view_id, "cancel_confirm")[-1]
    assert f"Cancel 1 number of `{old}`" in view_text(confirm)
    assert "+1 415-555-0154" in view_text(confirm) and "+1 415-555-0101" not in view_text(confirm)
    assert confirm["submit"]["text"] == "Cancel 1 number"
    assert twilio_calls["cancel_number"] == []  # nothing before the confirmation
    await bot.send(
        view_submission(
            "cancel_confirm", {}, view_id=view_id, private_metadata=confirm["private_metadata"]
        )
    )
    await bot.wait_delivered()
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.CANCELED
    assert bot.sandbox.number(old, LANDLINE).status != NumberStatus.CANCELED
    said = [c.args["text"] for c in replies(bot, old_thread)]
    assert any(t.endswith("🚫 <@U123> canceled +1 415-555-0154.") for t in said)
    entry = (await _audit(bot, old))[-1]
    assert (entry.action, entry.outcome) == ("numbers.canceled", "ok")
    assert ADDRESS_REJECTED in entry.numbers

    # Re-file after the cancel: nothing more to cancel, the number is filed again.
    form, view = await open_refile(bot, old_thread, reply)
    step1 = await form.submit_details(as_shown(view, **{F.STREET: text_input_state(CORRECTED)}))
    assert step1["step2"]["submit"]["text"] == "File port-in"
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()
    assert [n.phone_number for n in _new_request(bot, old).numbers] == [ADDRESS_REJECTED]
    assert len(twilio_calls["cancel_number"]) == 1


# -- secrets -------------------------------------------------------------------------------------


async def test_refiling_a_pin_rejection_keeps_pins_and_account_numbers_out_of_everything(
    bot: Bot, twilio_calls: dict[str, list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    new_pin, new_account = "86421357", "ACC99887766"
    old = await _filed_and_rejected(bot, f"{LANDLINE} {PIN_REJECTED}", PIN_REJECTED, pin_all="0000")
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
    await _status_blocks(bot, _new_request(bot, old).sid)
    await _status_blocks(bot, old)

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
