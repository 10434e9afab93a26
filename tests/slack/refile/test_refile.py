"""Re-filing a rejection from its thread, end to end through the real Bolt app, the fake Slack
and the sandbox: Re-file… opens the /port-in form prefilled (what the bot filed, or Twilio's
copy of a request filed elsewhere) with only the rejected numbers; filing cancels them in the
old request first, then files the new one; both threads, the boards, /port-status and the
audit log say so."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.porting.statuses import NumberStatus
from bot.slack.ids import Action
from bot.slack.ids import PortInField as F
from bot.store.models import RequestState
from tests import bodies
from tests.conftest import Bot
from tests.fakes.slack_requests import text_input_state
from tests.helpers import file_request
from tests.port_in_forms import (
    ACCOUNT_NUMBER,
    LANDLINE,
    Form,
    account_state,
    today,
    view_text,
    views_updated,
)
from tests.slack.refile.flow import (
    ADDRESS_REJECTED,
    ADMIN,
    CORRECTED,
    as_shown,
    audit,
    block,
    corrected_refile,
    filed_and_rejected,
    new_request,
    open_refile,
    opened,
    press,
    rejection_reply,
    replies,
    status_blocks,
    thread_of,
    until_rejected,
)

# -- re-file from a request the bot filed ------------------------------------------------------


async def test_refile_a_rejected_number_of_a_request_the_bot_filed(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old = await filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
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
    bill_date = (today() - timedelta(days=3)).isoformat()
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
    new = new_request(bot, old)
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
    old_audit = [(e.action, e.outcome, e.user_id) for e in await audit(bot, old)]
    assert ("numbers.canceled", "ok", "U123") in old_audit
    assert ("port_in.refiled", "ok", "U123") in old_audit
    (new_filed,) = await audit(bot, new.sid)
    assert (new_filed.action, new_filed.outcome, new_filed.detail) == (
        "port_in.filed",
        "ok",
        f"re-files {old}",
    )
    assert ADDRESS_REJECTED in new_filed.numbers and LANDLINE not in new_filed.numbers
    new_status = await status_blocks(bot, new.sid)
    assert f"🔗 Re-filings: `{old}` → *this request*" in new_status
    assert f"re-filing `{old}`" in new_status
    old_status = await status_blocks(bot, old)
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
        "selected_date": (today() - timedelta(days=5)).isoformat(),
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
    new = new_request(bot, old)
    refiled = [c.args["text"] for c in replies(bot, old_thread) if c.args["text"].startswith("↪️")]
    assert len(refiled) == 1 and f"as `{new.sid}`" in refiled[0]
    assert [e.action for e in await audit(bot, old)] == ["numbers.canceled", "port_in.refiled"]


async def test_refile_on_a_rejection_already_refiled_answers_with_the_new_request(
    bot: Bot,
) -> None:
    old, old_thread, form = await corrected_refile(bot)
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()
    new = new_request(bot, old)
    new_thread = await thread_of(bot, new.sid)
    opened_before = len(bot.slack.calls_to("views.open"))

    url = bot.slack.response_url("stale")
    reply = rejection_reply(bot, old_thread, "0154")
    await press(bot, old_thread, reply, Action.REFILE, response_url=url)
    assert len(bot.slack.calls_to("views.open")) == opened_before, "no form at the click"
    (answer,) = bot.slack.responses_to("stale")
    text = answer.body["text"]
    assert f"already re-filed as `{new.sid}` (<" in text, text
    assert new_thread.thread_ts.replace(".", "") in text, "a link to the new request's thread"
