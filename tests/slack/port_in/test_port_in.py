"""/port-in end to end through the real Bolt app: signed view submissions in, the fake Slack's
calls, the sandbox's requests and the database out."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import SQLModel

from bot.store.models import ActionClaim, AuditEntry, PortInDraft, RequestState, RequestThread
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_requests import block_actions, slash_command
from tests.port_in_forms import (
    ACCOUNT_NUMBER,
    LANDLINE,
    MOBILE,
    MOBILE_2,
    NOT_PORTABLE,
    PIN,
    Form,
    account_state,
    bill_file,
    details_state,
    open_form,
    roots,
    today,
    view_text,
    views_updated,
)
from tests.porting.spec_examples import create_body_validator
from tests.slack.port_in.filed import _rows, _sandbox_requests

# -- opening ---------------------------------------------------------------------------------


async def test_port_in_opens_the_form_prefilled_right_after_the_ack(bot: Bot) -> None:
    response = await bot.send(slash_command("/port-in", f"(415) 555-0101, {MOBILE} 12ab"))
    assert response.status_code == 200 and not response.content.strip(b'"')
    await bot.settle()
    (call,) = bot.slack.calls_to("views.open")
    view = call.args["view"]
    assert view["callback_id"] == "port_in_details"
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100
    numbers = next(b for b in view["blocks"] if b.get("block_id") == "pi_numbers")
    assert numbers["element"]["initial_value"] == f"{LANDLINE}\n{MOBILE}"
    text = view_text(view)
    assert "Left out" in text and "12ab" in text
    assert "exactly as the carrier has it" in text and "last 30 days" in text
    channel = next(b for b in view["blocks"] if b.get("block_id") == "pi_channel")
    assert channel["element"]["initial_conversation"] == PORTING_CHANNEL
    assert (
        next(b for b in view["blocks"] if b.get("block_id") == "pi_bill")["element"]["type"]
        == "file_input"
    )


async def test_start_port_in_button_under_check_results_carries_the_portable_numbers(
    bot: Bot,
) -> None:
    url = bot.slack.response_url("check")
    await bot.send(slash_command("/port-check", f"{LANDLINE} {NOT_PORTABLE}", response_url=url))
    await bot.settle()
    blocks = bot.slack.responses_to("check")[0].body["blocks"]
    button = next(
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "start_port_in"
    )
    assert button["text"]["text"] == "Start port-in with 1 portable number"
    await bot.send(block_actions("start_port_in", button["value"], response_url=url))
    await bot.settle()
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    numbers = next(b for b in view["blocks"] if b.get("block_id") == "pi_numbers")
    assert numbers["element"]["initial_value"] == LANDLINE


# -- the happy path --------------------------------------------------------------------------


async def test_happy_path_files_records_opens_thread_and_tells_submitter(
    bot: Bot, sent_bodies: list[dict[str, Any]]
) -> None:
    form, _ = await open_form(bot, f"{LANDLINE} {MOBILE}")
    step1 = await form.submit_details(details_state(bill_file(bot), f"{LANDLINE} {MOBILE}"))
    assert step1["view"]["callback_id"] == "port_in_status"  # "Re-checking…" right away
    step2 = step1["step2"]
    assert step2["callback_id"] == "port_in_account"
    text = view_text(step2)
    assert (
        "2 numbers will be filed" in text
        and "Required: the port-out PIN the losing carrier issued, for +1 415-555-0201" in text
    )
    assert {b.get("block_id") for b in step2["blocks"]} >= {"pi_account_number", "pi_pin_all"}
    assert "Acme Plumbing LLC" in text and "Jane Doe" in text

    ack = await form.submit_account(account_state())
    assert ack["response_action"] == "update" and "Filing" in view_text(ack["view"])
    await bot.settle()

    # Twilio got one request with the PIN on the mobile number only, and a valid body.
    (body,) = sent_bodies
    assert [n["phone_number"] for n in body["phone_numbers"]] == [LANDLINE, MOBILE]
    assert body["phone_numbers"][1]["pin"] == PIN and "pin" not in body["phone_numbers"][0]
    lci = body["losing_carrier_information"]
    assert lci["account_number"] == ACCOUNT_NUMBER and lci["customer_type"] == "Business"
    assert body["target_port_in_date"] == (today() + timedelta(days=14)).isoformat()
    assert body["target_port_in_time_range_start"] in ("10:00:00-08:00", "10:00:00-07:00")
    assert body["notification_emails"] == ["ops@acme.example"]
    assert [e.message for e in create_body_validator().iter_errors(body)] == []
    (request,) = _sandbox_requests(bot)
    assert bot.sandbox.state.documents[body["documents"][0]].document_type == "utility_bill"
    sid = request.sid

    # Recorded with who filed it, audited, the claim done, the draft gone.
    (state,) = await _rows(bot, RequestState)
    assert state.request_sid == sid and state.filed_by == "U123"
    (entry,) = await _rows(bot, AuditEntry)
    assert (entry.action, entry.outcome, entry.request_sid) == ("port_in.filed", "ok", sid)
    assert body["documents"][0] in entry.sids
    (claim,) = await _rows(bot, ActionClaim)
    assert claim.status == "done" and claim.request_sid == sid
    assert await _rows(bot, PortInDraft) == []

    # One thread, in the chosen channel, with a board that says who filed it.
    (root,) = roots(bot)
    assert root.args["channel"] == PORTING_CHANNEL
    board = json.dumps(root.args["blocks"])
    assert sid in board and "<@U123>" in board
    assert "Cancel request" in board and "Cancel numbers" in board
    (thread,) = await _rows(bot, RequestThread)
    assert thread.thread_ts == root.response_body["ts"]

    # The submitter sees the outcome in the modal and in a DM, with a link and masked secrets.
    final = views_updated(bot, form.view_id)[-1]
    assert "Filed" in view_text(final) and sid in view_text(final)
    dm = next(
        c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"].startswith("D")
    )
    assert sid in dm.args["text"] and "open the thread" in dm.args["text"]
    assert "PIN ••••72 on 1 number" in dm.args["text"] and "account ••••23" in dm.args["text"]

    # /port-status shows who filed it.
    url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    assert "Filed by <@U123>" in json.dumps(bot.slack.responses_to("status")[0].body["blocks"])


async def test_secrets_reach_twilio_and_nowhere_else(
    bot: Bot, sent_bodies: list[dict[str, Any]], caplog: pytest.LogCaptureFixture, log_format: str
) -> None:
    caplog.set_level(logging.DEBUG)
    # A failed attempt first (its error path must not leak either), then the filing.
    bot.sandbox.inject_failures(
        1, status=400, code=22171, message="Missing required fields", match="/v1/Porting/PortIn"
    )
    form, _ = await open_form(bot, f"{LANDLINE} {MOBILE} {MOBILE_2}")
    await form.submit_details(
        details_state(bill_file(bot), f"{LANDLINE} {MOBILE} {MOBILE_2} {NOT_PORTABLE}")
    )
    secrets = account_state(pin_all=PIN, pins={MOBILE_2: "55661234"}, drop=True)
    await form.submit_account(secrets)
    await bot.settle()
    assert "Filing stopped" in view_text(views_updated(bot, form.view_id)[-1])
    await form.submit_account(secrets)
    await bot.settle()
    assert len(sent_bodies) == 2 and len(_sandbox_requests(bot)) == 1
    assert sent_bodies[-1]["phone_numbers"][2]["pin"] == "55661234"  # Twilio got them

    # Then people look at it and cancel a number.
    sid = _sandbox_requests(bot)[0].sid
    await bot.send(slash_command("/port-status", sid, response_url=bot.slack.response_url()))
    await bot.send(slash_command("/port-cancel", f"{sid} {MOBILE}"))
    await bot.settle()

    secrets_typed = [PIN, ACCOUNT_NUMBER, "55661234"]
    dump = []
    async with bot.runtime.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in (await conn.execute(table.select())).all()]
    assert len(dump) > 5
    everything = {
        "database": "\n".join(dump),
        "logs": caplog.text,
        "slack": bot.slack.all_text(),
    }
    for where, text in everything.items():
        for secret in secrets_typed:
            assert secret not in text, f"{secret} found in {where}"
    assert "••••72" in everything["slack"]  # the masked form is what people see


# -- idempotency -----------------------------------------------------------------------------


async def test_double_submit_files_one_request(bot: Bot, sent_bodies: list[dict[str, Any]]) -> None:
    form, _ = await open_form(bot)
    await form.submit_details(details_state(bill_file(bot), LANDLINE))
    request = form.account_request(account_state())
    first, second = await asyncio.gather(bot.send(request), bot.send(request))
    texts = sorted(view_text(r.json()["view"]) for r in (first, second))
    assert any("already being filed" in t for t in texts)
    await bot.settle()
    assert len(sent_bodies) == 1 and len(_sandbox_requests(bot)) == 1 and len(roots(bot)) == 1
    # Pressing it again later (a replayed payload) still files nothing new.
    again = await bot.send(request)
    assert "already filed as" in view_text(again.json()["view"])
    await bot.settle()
    assert len(_sandbox_requests(bot)) == 1


async def test_one_number_needing_a_pin_is_asked_in_one_field(bot: Bot) -> None:
    form, _ = await open_form(bot)
    step1 = await form.submit_details(details_state(bill_file(bot), f"{LANDLINE} {MOBILE}"))
    assert not any(str(b.get("block_id")).startswith("pi_pin_1") for b in step1["step2"]["blocks"])
    body = await form.submit_account(account_state(pin_all=None))
    assert set(body["errors"]) == {"pi_pin_all"}
    assert "+1 415-555-0201" in body["errors"]["pi_pin_all"]


async def test_start_port_in_with_more_numbers_than_a_paste_holds(
    bot: Bot, sent_bodies: list[dict[str, Any]]
) -> None:
    numbers = [f"+1212555{i:04d}" for i in range(250)]
    url = bot.slack.response_url("bulk")
    await bot.send(
        slash_command("/port-check", "\n".join(numbers), channel_id="CTEAM", response_url=url)
    )
    await bot.settle()
    final = bot.slack.calls_to("chat.update")[-1].args  # the results in the DM
    button = next(
        e
        for b in final["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "start_port_in"
    )
    assert button["text"]["text"] == "Start port-in with 250 portable numbers"
    await bot.send(block_actions("start_port_in", button["value"], channel_id=final["channel"]))
    await bot.settle()
    call = bot.slack.calls_to("views.open")[-1]
    view = call.args["view"]
    assert "250 portable numbers from your /port-check" in view_text(view)
    field = next(b for b in view["blocks"] if b.get("block_id") == "pi_numbers")
    assert field["optional"] and "initial_value" not in field["element"]

    form = Form(bot, call.response_body["view"]["id"], private_metadata=view["private_metadata"])
    step1 = await form.submit_details(details_state(bill_file(bot), ""))
    assert "250 numbers will be filed" in view_text(step1["step2"])
    await form.submit_account(account_state(pin_all=None))
    await bot.settle()
    assert len(sent_bodies[0]["phone_numbers"]) == 250
    assert len(_sandbox_requests(bot)) == 1
