"""/port-in end to end through the real Bolt app: signed view submissions in, the fake Slack's
calls, the sandbox's requests and the database out."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from bot.store.models import ActionClaim, AuditEntry, PortInDraft, RequestState, RequestThread
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_api import slack_error
from tests.fakes.slack_requests import block_actions, slash_command, text_input_state
from tests.port_in_forms import (
    ACCOUNT_NUMBER,
    LANDLINE,
    MOBILE,
    MOBILE_2,
    NOT_PORTABLE,
    PIN,
    TOLL_FREE,
    Form,
    account_state,
    bill_file,
    details_state,
    file_through_form,
    open_form,
    roots,
    today,
    view_text,
    views_updated,
)
from tests.porting.test_client import create_body_validator


@pytest.fixture
def sent_bodies(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every create body the bot sends to Twilio (kept in test memory only)."""
    twilio = bot.runtime.twilio
    original = twilio.create_port_in
    bodies: list[dict[str, Any]] = []

    async def spy(body):  # type: ignore[no-untyped-def]
        bodies.append(body.to_twilio_json())
        return await original(body)

    monkeypatch.setattr(twilio, "create_port_in", spy)
    return bodies


async def _rows(bot: Bot, model: type[SQLModel]) -> list[Any]:
    async with bot.runtime.db.session() as s:
        return list((await s.exec(select(model))).all())


def _sandbox_requests(bot: Bot) -> list[Any]:
    return list(bot.sandbox.state.requests.values())


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
    assert "2 numbers will be filed" in text and "1 number needs the port-out PIN" in text
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
    bot: Bot, sent_bodies: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
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


# -- validation ------------------------------------------------------------------------------

_OVERSIZED = {
    "id": "FBIG",
    "name": "bill.pdf",
    "filetype": "pdf",
    "mimetype": "application/pdf",
    "size": 11 * 1024 * 1024,
    "url_private_download": "http://127.0.0.1:9/big",
}
_DOCX = {
    **_OVERSIZED,
    "id": "FDOC",
    "name": "bill.docx",
    "filetype": "docx",
    "mimetype": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "size": 1000,
}
_MANY = " ".join(f"+1212555{i:04d}" for i in range(1001))


def _date(days: int) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": (today() + timedelta(days=days)).isoformat()}


@pytest.mark.parametrize(
    ("numbers", "overrides", "block", "words"),
    [
        (LANDLINE, {"target_date": _date(3)}, "pi_target_date", "on or after"),
        (LANDLINE, {"rep_email": text_input_state("jane@acme")}, "pi_rep_email", "not an e-mail"),
        (LANDLINE, {"notify": text_input_state("ops@x.io, nope")}, "pi_notify", "“nope”"),
        (f"{LANDLINE} 12ab", {}, "pi_numbers", "could not read “12ab”"),
        (f"{LANDLINE} {TOLL_FREE}", {}, "pi_numbers", "toll-free"),
        ("+442071838750", {}, "pi_numbers", "US numbers only"),
        (_MANY, {}, "pi_numbers", "at most 1,000"),
        (LANDLINE, {"bill": {"type": "file_input", "files": []}}, "pi_bill", "Attach"),
        (LANDLINE, {"bill": {"type": "file_input", "files": [_OVERSIZED]}}, "pi_bill", "10 MB"),
        (LANDLINE, {"bill": {"type": "file_input", "files": [_DOCX]}}, "pi_bill", "PDF or"),
        (LANDLINE, {"bill_date": _date(-45)}, "pi_bill_date", "last 30 days"),
        (LANDLINE, {"time_end": None}, "pi_time_end", "both ends"),
        (LANDLINE, {"zip": text_input_state("ABCDE")}, "pi_zip", "ZIP"),
        (LANDLINE, {"customer_name": text_input_state("  ")}, "pi_customer_name", "exactly"),
    ],
)
async def test_step_one_errors_land_on_the_field(
    bot: Bot, numbers: str, overrides: dict[str, Any], block: str, words: str
) -> None:
    form, _ = await open_form(bot)
    body = await form.submit_details(details_state(bill_file(bot), numbers, **overrides))
    assert body["response_action"] == "errors"
    assert block in body["errors"], body["errors"]
    assert words in body["errors"][block]
    assert await _rows(bot, PortInDraft) == []


async def test_step_two_errors_missing_pins_and_account_number(bot: Bot) -> None:
    form, _ = await open_form(bot)
    step1 = await form.submit_details(
        details_state(bill_file(bot), f"{LANDLINE} {MOBILE} {MOBILE_2}")
    )
    blocks = {b.get("block_id") for b in step1["step2"]["blocks"]}
    assert {"pi_pin_14155550201", "pi_pin_14155550202"} <= blocks
    body = await form.submit_account(
        account_state(account=None, pin_all=None, pins={MOBILE: "1234"})
    )
    assert body["response_action"] == "errors"
    assert "pi_pin_14155550201" not in body["errors"]
    assert "Missing PIN" in body["errors"]["pi_pin_14155550202"]
    assert "account number" in body["errors"]["pi_account_number"]
    bad = await form.submit_account(account_state(pin_all="12"))
    assert "4 to 15" in bad["errors"]["pi_pin_all"]
    assert _sandbox_requests(bot) == []


# -- not portable ----------------------------------------------------------------------------


async def test_not_portable_numbers_are_listed_with_reasons_and_dropped(
    bot: Bot, sent_bodies: list[dict[str, Any]]
) -> None:
    form, _ = await open_form(bot)
    step1 = await form.submit_details(details_state(bill_file(bot), f"{LANDLINE} {NOT_PORTABLE}"))
    text = view_text(step1["step2"])
    assert "1 number can't be filed now" in text
    assert "+1 415-555-0131" in text and "ALREADY_IN_THE_TARGET_ACCOUNT (22131)" in text
    refused = await form.submit_account(account_state())
    assert "pi_drop" in refused["errors"]
    filed = await form.submit_account(account_state(drop=True))
    assert filed["response_action"] == "update"
    await bot.settle()
    assert [n["phone_number"] for n in sent_bodies[0]["phone_numbers"]] == [LANDLINE]


async def test_nothing_portable_means_nothing_to_file(bot: Bot) -> None:
    form, _ = await open_form(bot)
    step1 = await form.submit_details(details_state(bill_file(bot), NOT_PORTABLE))
    assert step1["step2"]["callback_id"] == "port_in_status"
    assert "None of these numbers can be filed" in view_text(step1["step2"])
    assert "submit" not in step1["step2"]


# -- failures --------------------------------------------------------------------------------


async def test_failed_upload_names_the_step_files_nothing_and_can_be_retried(bot: Bot) -> None:
    bot.sandbox.inject_failures(
        1, status=400, code=20001, message="File must be an image or a PDF", match="/v1/Documents"
    )
    form, _ = await open_form(bot)
    await form.submit_details(details_state(bill_file(bot), LANDLINE))
    await form.submit_account(account_state())
    await bot.settle()
    shown = views_updated(bot, form.view_id)[-1]
    assert shown["callback_id"] == "port_in_account"  # back to step 2, ready to retry
    text = view_text(shown)
    assert "Filing stopped at: Upload the bill to Twilio" in text
    assert "20001" in text and "File must be an image or a PDF" in text
    assert "Nothing was filed" in text
    assert _sandbox_requests(bot) == [] and roots(bot) == []
    assert await _rows(bot, RequestState) == [] and await _rows(bot, ActionClaim) == []
    (entry,) = await _rows(bot, AuditEntry)
    assert entry.outcome == "failed" and "Upload the bill" in (entry.detail or "")

    form.private_metadata = shown["private_metadata"]  # the retry is a new submission
    await form.submit_account(account_state())
    await bot.settle()
    assert len(_sandbox_requests(bot)) == 1 and len(roots(bot)) == 1


async def test_twilio_error_on_create_is_shown_with_code_and_leaves_nothing_half_made(
    bot: Bot,
) -> None:
    bot.sandbox.inject_failures(
        1,
        status=400,
        code=22137,
        message="Port is already in progress with one of your Twilio accounts",
        match="/v1/Porting/PortIn",
    )
    form, _ = await open_form(bot)
    await form.submit_details(details_state(bill_file(bot), LANDLINE))
    await form.submit_account(account_state())
    await bot.settle()
    text = view_text(views_updated(bot, form.view_id)[-1])
    assert "Filing stopped at: Create the port-in request at Twilio" in text
    assert "Twilio said 22137: Port is already in progress" in text
    assert "twilio.com/docs/errors/22137" in text
    assert _sandbox_requests(bot) == [] and roots(bot) == []
    assert await _rows(bot, RequestState) == [] and await _rows(bot, RequestThread) == []


async def test_bill_download_failure_is_the_download_step(bot: Bot) -> None:
    form, _ = await open_form(bot)
    bill = bill_file(bot, content=b"<!DOCTYPE html><html>Sign in to Slack</html>")
    await form.submit_details(details_state(bill, LANDLINE))
    await form.submit_account(account_state())
    await bot.settle()
    text = view_text(views_updated(bot, form.view_id)[-1])
    assert "Filing stopped at: Download the utility bill from Slack" in text
    assert "files:read" in text
    assert bot.sandbox.state.documents == {}


async def test_slack_failure_after_create_is_recorded_then_retried(bot: Bot) -> None:
    bot.slack.script("chat.postMessage", slack_error("internal_error"))
    await file_through_form(bot, LANDLINE)
    (request,) = _sandbox_requests(bot)
    # Recorded before Slack was asked, with who filed it.
    (state,) = await _rows(bot, RequestState)
    assert state.filed_by == "U123"
    assert [e.outcome for e in await _rows(bot, AuditEntry)] == ["ok"]
    dm = next(
        c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"].startswith("D")
    )
    assert request.sid in dm.args["text"] and "could not open its Slack thread" in dm.args["text"]
    # The root stays queued and arrives once Slack answers.
    await bot.slack.wait_until(lambda: len(roots(bot)) == 1, timeout=10, what="the root")
    await bot.settle()
    assert len(roots(bot)) == 1 and len(await _rows(bot, RequestThread)) == 1


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
