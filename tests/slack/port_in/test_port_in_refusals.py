"""/port-in when it cannot file as asked, through the real Bolt app: field errors on steps one
and two, numbers that are not portable listed and dropped, and a failing step (the upload, the
create at Twilio, the bill download, Slack after the create) named, with nothing half made."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.store.models import ActionClaim, AuditEntry, PortInDraft, RequestState, RequestThread
from tests.conftest import Bot
from tests.fakes.slack_api import slack_error
from tests.fakes.slack_requests import text_input_state
from tests.port_in_forms import (
    LANDLINE,
    MOBILE,
    MOBILE_2,
    NOT_PORTABLE,
    TOLL_FREE,
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
from tests.slack.port_in.filed import _rows, _sandbox_requests

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
    assert refused["errors"]["pi_drop"].startswith("Tick this to file without this number,")
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
