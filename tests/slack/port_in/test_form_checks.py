"""The /port-in form catches what carriers reject, before anything is sent: field errors on
the field in the ack of step 1 (or step 2), and warnings in step 2 that do not block filing.
Through the real Bolt app; the desk's clock is the sandbox's (a Monday, Nov 2, 2026)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.store.models import PortInDraft
from tests.conftest import Bot
from tests.fakes.slack_requests import text_input_state
from tests.port_in_forms import (
    LANDLINE,
    LANDLINE_2,
    MOBILE,
    Form,
    account_state,
    bill_file,
    details_state,
    open_form,
    today,
    view_text,
)


def _on(day: date) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": day.isoformat()}


def _text(value: str) -> dict[str, Any]:
    return text_input_state(value)


async def _drafts(bot: Bot) -> list[PortInDraft]:
    async with bot.runtime.db.session() as s:
        return list((await s.exec(select(PortInDraft))).all())


# -- field errors, step 1 ------------------------------------------------------------------

MONDAY = today()  # Nov 2, 2026
ERRORS = [
    # A PO Box is no service address, on either line.
    ({"street": _text("PO Box 4417")}, "pi_street", "A PO Box is not a service address"),
    ({"street": _text("P.O. Box 12")}, "pi_street", "where the lines are installed"),
    ({"street_2": _text("POB 9")}, "pi_street_2", "PO Box"),
    ({"street": _text("Post Office Box 77")}, "pi_street", "PO Box"),
    # The state is a USPS two-letter code; a name gets the code to use.
    ({"state": _text("California")}, "pi_state", "USPS code: CA, not “California”"),
    ({"state": _text("Calif.")}, "pi_state", "“Calif.” is not a US state"),
    ({"state": _text("ZZ")}, "pi_state", "two-letter USPS code"),
    # The ZIP is 5 digits or ZIP+4.
    ({"zip": _text("9410")}, "pi_zip", "5 digits or ZIP+4 (94105 or 94105-1234)"),
    ({"zip": _text("94105-12")}, "pi_zip", "ZIP+4"),
    ({"zip": _text("941051234")}, "pi_zip", "ZIP+4"),
    # The target date: a business day at least 7 days away.
    (
        {"target_date": _on(MONDAY + timedelta(days=3))},
        "pi_target_date",
        "on or after Nov 9, 2026 — 7 days from today; the first business day that works is "
        "Mon, Nov 9, 2026",
    ),
    (
        {"target_date": _on(MONDAY + timedelta(days=6))},
        "pi_target_date",
        "first business day that works is Mon, Nov 9, 2026",
    ),
    (
        {"target_date": _on(date(2026, 11, 14))},
        "pi_target_date",
        "Nov 14, 2026 is a Saturday: carriers port on business days only. Pick a weekday, e.g. "
        "Mon, Nov 16, 2026.",
    ),
    ({"target_date": _on(date(2026, 11, 15))}, "pi_target_date", "is a Sunday"),
    (
        {"target_date": _on(date(2026, 11, 11))},
        "pi_target_date",
        "Nov 11, 2026 is Veterans Day, a US federal holiday: carriers don't port on holidays. "
        "Pick another business day, e.g. Thu, Nov 12, 2026.",
    ),
    (
        {"target_date": _on(date(2026, 11, 26))},
        "pi_target_date",
        "Thanksgiving Day, a US federal holiday",
    ),
    # Christmas on a Friday, then the weekend: the next business day is Monday.
    ({"target_date": _on(date(2026, 12, 25))}, "pi_target_date", "e.g. Mon, Dec 28, 2026"),
    # The bill is from the last 30 days.
    ({"bill_date": _on(MONDAY - timedelta(days=31))}, "pi_bill_date", "last 30 days"),
    ({"bill_date": _on(MONDAY + timedelta(days=1))}, "pi_bill_date", "future"),
    # The account telephone number is a valid US number.
    ({"account_phone": _text("(415) 555-01")}, "pi_account_phone", "not a valid US phone"),
    ({"account_phone": _text("+44 20 7183 8750")}, "pi_account_phone", "not a valid US phone"),
    ({"account_phone": _text("call Jane")}, "pi_account_phone", "billing telephone number"),
]


@pytest.mark.parametrize(("overrides", "block", "words"), ERRORS)
async def test_what_carriers_reject_is_a_field_error_before_anything_is_sent(
    bot: Bot, overrides: dict[str, Any], block: str, words: str
) -> None:
    form, _ = await open_form(bot)
    body = await form.submit_details(details_state(bill_file(bot), LANDLINE, **overrides))
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {block}, body["errors"]
    assert words in body["errors"][block]
    assert await _drafts(bot) == [], "nothing saved"
    assert bot.sandbox.state.requests == {} and bot.sandbox.state.documents == {}


@pytest.mark.parametrize(
    "overrides",
    [
        {"state": _text("ca")},  # a USPS code in small letters is still one
        {"zip": _text("94105-1234")},
        {"street": _text("1 Post Office Square")},  # a street, not a box
        {"street": _text("500 Boxwood Ave")},
        {"target_date": _on(MONDAY + timedelta(days=7))},  # exactly 7 days, a Monday
        {"target_date": _on(date(2026, 11, 27))},  # the day after Thanksgiving is a weekday
        {"bill_date": _on(MONDAY - timedelta(days=30))},
        {"account_phone": _text("+1 415 555 0101")},
    ],
)
async def test_what_carriers_take_goes_through(bot: Bot, overrides: dict[str, Any]) -> None:
    form, _ = await open_form(bot)
    body = await form.submit_details(details_state(bill_file(bot), LANDLINE, **overrides))
    assert body.get("response_action") == "update", body.get("errors")
    (draft,) = await _drafts(bot)
    assert '"state":"CA"' in draft.details, "the state is kept as its USPS code"


async def test_the_form_counts_days_on_the_desks_clock_not_the_machines(bot: Bot) -> None:
    """The sandbox is Twilio: after three simulated weeks, the default target date (two
    weeks after the sandbox's start) is in the past for the form too."""
    await bot.sandbox.advance(timedelta(days=21))
    form, view = await open_form(bot)
    assert "on or after Nov 30" in view_text(view), "the hint counts from the desk's today"
    state = details_state(bill_file(bot), LANDLINE, bill_date=_on(date(2026, 11, 20)))
    body = await form.submit_details(state)
    assert set(body["errors"]) == {"pi_target_date"}
    assert "on or after Nov 30, 2026" in body["errors"]["pi_target_date"]


# -- field errors, step 2 ------------------------------------------------------------------


async def test_a_mobile_number_without_its_pin_is_an_error_on_the_pin(bot: Bot) -> None:
    form, _ = await open_form(bot)
    await form.submit_details(details_state(bill_file(bot), f"{LANDLINE} {MOBILE}"))
    body = await form.submit_account(account_state(pin_all=None))
    assert body["response_action"] == "errors" and set(body["errors"]) == {"pi_pin_all"}
    assert "No PIN for +1 415-555-0201" in body["errors"]["pi_pin_all"]
    assert bot.sandbox.state.requests == {}


async def test_the_bills_age_is_judged_again_when_the_filing_is_sent(bot: Bot) -> None:
    """Step 1 took a bill 29 days old; step 2 is sent two days later: nothing is filed, and
    the form says why (not a half-made request with a bill Twilio refuses)."""
    form, _ = await open_form(bot)
    state = details_state(bill_file(bot), LANDLINE, bill_date=_on(MONDAY - timedelta(days=29)))
    assert (await form.submit_details(state))["response_action"] == "update"
    await bot.sandbox.advance(timedelta(days=2))
    body = await form.submit_account(account_state())
    assert body["response_action"] == "update"
    text = view_text(body["view"])
    assert "Nothing was filed" in text
    assert "This bill is from Oct 4, 2026" in text and "on or after Oct 5, 2026" in text
    await bot.settle()
    assert bot.sandbox.state.requests == {}
    assert bot.sandbox.state.documents == {}, "not even the bill went to Twilio"


# -- warnings, step 2 ----------------------------------------------------------------------


async def _step2(bot: Bot, numbers: str, **overrides: Any) -> tuple[Form, str]:
    form, _ = await open_form(bot)
    body = await form.submit_details(details_state(bill_file(bot), numbers, **overrides))
    assert body.get("response_action") == "update", body.get("errors")
    return form, view_text(body["step2"])


async def test_no_warnings_when_nothing_looks_off(bot: Bot) -> None:
    _, step2 = await _step2(bot, f"{LANDLINE} {LANDLINE_2}")
    assert "Check before filing" not in step2


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"street": _text("Attn: Accounts Payable, 1 Main St")}, "(“Attn”)"),
        ({"street_2": _text("c/o Jane Doe")}, "(“c/o”)"),
        ({"street_2": _text("PMB 114")}, "billing or mailing address"),
    ],
)
async def test_a_billing_looking_service_address_is_a_warning(
    bot: Bot, overrides: dict[str, Any], words: str
) -> None:
    _, step2 = await _step2(bot, LANDLINE, **overrides)
    assert "Check before filing" in step2 and words in step2
    assert "INVALID_ADDRESS" in step2


@pytest.mark.parametrize(
    ("name", "kind", "warned"),
    [
        ("Jane Doe", "Business", True),  # the representative's own name
        ("John Doe", "Business", True),  # the representative's surname
        ("John Q. Public", "Business", True),
        ("Jane Doe", "Individual", False),  # a person's account is in a person's name
        ("Acme Plumbing", "Business", False),
        ("Doe & Sons", "Business", False),
    ],
)
async def test_a_business_named_like_a_person_is_a_warning(
    bot: Bot, name: str, kind: str, warned: bool
) -> None:
    overrides = {"customer_name": _text(name), "customer_type": _select(kind)}
    _, step2 = await _step2(bot, LANDLINE, **overrides)
    assert ("looks like a person's name" in step2) is warned, step2


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value, "text": _plain(value)}}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _ticked(value: str) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [{"value": value, "text": _plain(value)}]}


async def test_a_btn_left_out_and_not_marked_as_staying_is_a_warning_that_does_not_block(
    bot: Bot,
) -> None:
    # The BTN (+1 415-555-0101) is not among the numbers, and nobody said it stays.
    form, step2 = await _step2(bot, LANDLINE_2)
    assert "The account telephone number (BTN) +1 415-555-0101 is not among the numbers" in step2
    assert "not marked as staying" in step2
    filed = await form.submit_account(account_state())
    assert filed["response_action"] == "update", "a warning does not block filing"
    await bot.settle()
    (request,) = bot.sandbox.state.requests.values()
    assert [n.phone_number for n in request.numbers] == [LANDLINE_2]


async def test_a_btn_marked_as_staying_or_being_ported_is_not_warned_about(bot: Bot) -> None:
    _, stays = await _step2(bot, LANDLINE_2, btn_stays=_ticked("stays"))
    assert "(BTN)" not in stays
    _, ported = await _step2(bot, f"{LANDLINE} {LANDLINE_2}")
    assert "(BTN)" not in ported


async def test_the_btn_checkbox_is_on_the_form(bot: Bot) -> None:
    _, view = await open_form(bot)
    block = next(b for b in view["blocks"] if b.get("block_id") == "pi_btn_stays")
    assert block["optional"] is True and block["element"]["type"] == "checkboxes"
    state = next(b for b in view["blocks"] if b.get("block_id") == "pi_state")
    assert "USPS" in json.dumps(state)


async def test_step_two_pin_field_says_it_is_required_and_for_which_number(bot: Bot) -> None:
    form, _ = await open_form(bot)
    body = await form.submit_details(details_state(bill_file(bot), f"{LANDLINE} {MOBILE}"))
    (pin,) = [b for b in body["step2"]["blocks"] if b.get("block_id") == "pi_pin_all"]
    assert pin["label"]["text"] == "PIN for +1 415-555-0201"
    assert not pin.get("optional"), "Slack would show it as (optional)"
    assert "Required" in pin["hint"]["text"] and "below" not in pin["hint"]["text"]
    said = view_text(body["step2"])
    assert "Required: the port-out PIN the losing carrier issued, for +1 415-555-0201" in said
    assert "+1 415-555-0101 (" not in said
