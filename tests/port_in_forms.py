"""Drive the /port-in form like Slack would: view state for each step, and a flow helper that
opens, fills and submits it through the real Bolt app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.slack.ids import PortInField as F
from bot.slack.ids import pin_block
from tests import bodies
from tests.conftest import PORTING_CHANNEL, SANDBOX_START, Bot
from tests.fakes.slack_api import Call
from tests.fakes.slack_requests import (
    select_state,
    slash_command,
    text_input_state,
    view_submission,
)

PIN = "908172"
ACCOUNT_NUMBER = "4417789923"
LANDLINE = "+14155550101"
LANDLINE_2 = "+14155550102"
MOBILE = "+14155550201"
MOBILE_2 = "+14155550202"
NOT_PORTABLE = "+14155550131"  # 22131 ALREADY_IN_THE_TARGET_ACCOUNT
TOLL_FREE = "+18005551212"
BILL = b"%PDF-1.4\n% a utility bill from the losing carrier\n"


def today() -> date:
    """The day the form counts from: the desk's clock is the sandbox's (``SANDBOX_START``, a
    Monday; the default target date two weeks on is a business day)."""
    return SANDBOX_START.date()


def bill_file(bot: Bot, *, file_id: str = "FBILL", content: bytes = BILL) -> dict[str, Any]:
    """A bill the user attached: registered with the fake so the bot can download it."""
    return bot.slack.add_file(file_id, "bill.pdf", content, "application/pdf", "pdf")


def _date(value: date | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value.isoformat() if value else None}


def details_state(
    attached: dict[str, Any] | None, numbers: str, **overrides: Any
) -> dict[str, Any]:
    """Step 1 filled in correctly; ``overrides`` maps a field name (``rep_email``) to a new state
    value, or None to leave the field empty."""
    fields: dict[str, Any] = {
        F.NUMBERS: text_input_state(numbers),
        F.CUSTOMER_NAME: text_input_state(bodies.CUSTOMER_NAME),
        F.CUSTOMER_TYPE: select_state(bodies.CUSTOMER_TYPE),
        F.ACCOUNT_PHONE: text_input_state("(415) 555-0101"),
        F.STREET: text_input_state(bodies.STREET),
        F.STREET_2: text_input_state(None),
        F.CITY: text_input_state(bodies.CITY),
        F.STATE: text_input_state(bodies.STATE),
        F.ZIP: text_input_state(bodies.ZIP),
        F.COUNTRY: text_input_state(bodies.COUNTRY),
        F.REP_NAME: text_input_state(bodies.REPRESENTATIVE),
        F.REP_EMAIL: text_input_state(bodies.REPRESENTATIVE_EMAIL, "email_text_input"),
        F.TARGET_DATE: _date(today() + timedelta(days=14)),
        F.TIME_START: {"type": "timepicker", "selected_time": "10:00"},
        F.TIME_END: {"type": "timepicker", "selected_time": "16:00"},
        F.TIME_ZONE: select_state("America/Los_Angeles"),
        F.NOTIFY: text_input_state(bodies.NOTIFICATION_EMAIL),
        F.BILL: {"type": "file_input", "files": [attached] if attached else []},
        F.BILL_DATE: _date(today() - timedelta(days=3)),
        F.CHANNEL: {"type": "conversations_select", "selected_conversation": PORTING_CHANNEL},
    }
    for name, value in overrides.items():
        field = F[name.upper()]
        if value is None:
            fields.pop(field, None)
        else:
            fields[field] = value
    return {block: {block: value} for block, value in fields.items()}


def account_state(
    *,
    account: str | None = ACCOUNT_NUMBER,
    pin_all: str | None = PIN,
    pins: dict[str, str] | None = None,
    drop: bool = False,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        F.ACCOUNT_NUMBER: {F.ACCOUNT_NUMBER: text_input_state(account)},
        F.PIN_ALL: {F.PIN_ALL: text_input_state(pin_all)},
    }
    for number, pin in (pins or {}).items():
        state[pin_block(number)] = {pin_block(number): text_input_state(pin)}
    if drop:
        option = {"text": {"type": "plain_text", "text": "Drop"}, "value": "drop"}
        state[F.DROP] = {F.DROP: {"type": "checkboxes", "selected_options": [option]}}
    return state


def views_updated(bot: Bot, view_id: str, callback_id: str | None = None) -> list[dict[str, Any]]:
    """The views the bot put in modal ``view_id`` with views.update, oldest first."""
    return [
        c.args["view"]
        for c in bot.slack.calls_to("views.update")
        if c.args.get("view_id") == view_id
        and (callback_id is None or c.args["view"].get("callback_id") == callback_id)
    ]


def view_text(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def roots(bot: Bot, channel: str | None = None) -> list[Call]:
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if not c.args.get("thread_ts")
        and c.ok
        and (channel is None or c.args.get("channel") == channel)
        and not str(c.args.get("channel", "")).startswith("D")
    ]


@dataclass
class Form:
    """One /port-in modal on its way through its steps."""

    bot: Bot
    view_id: str
    user_id: str = "U123"
    private_metadata: str = ""

    async def submit_details(self, state: dict[str, Any]) -> dict[str, Any]:
        """Submit step 1; returns the ack body. On success, waits for step 2 to replace it."""
        response = await self.bot.send(
            view_submission(
                "port_in_details",
                state,
                view_id=self.view_id,
                user_id=self.user_id,
                private_metadata=self.private_metadata,
            )
        )
        assert response.status_code == 200
        body = response.json() if response.content else {}
        if body.get("response_action") == "update":
            await self.bot.settle()
            step2 = views_updated(self.bot, self.view_id)[-1]
            self.private_metadata = step2.get("private_metadata", "")
            body["step2"] = step2
        return body

    async def submit_account(self, state: dict[str, Any]) -> dict[str, Any]:
        response = await self.bot.send(self.account_request(state))
        assert response.status_code == 200
        return response.json() if response.content else {}

    def account_request(self, state: dict[str, Any]):  # type: ignore[no-untyped-def]
        return view_submission(
            "port_in_account",
            state,
            view_id=self.view_id,
            user_id=self.user_id,
            private_metadata=self.private_metadata,
        )


async def open_form(bot: Bot, text: str = "", *, user_id: str = "U123") -> tuple[Form, dict]:
    """Run /port-in; returns the form (with the view id Slack gave) and the view opened."""
    await bot.send(slash_command("/port-in", text, user_id=user_id))
    await bot.settle()
    call = bot.slack.calls_to("views.open")[-1]
    view = call.args["view"]
    view_id = call.response_body["view"]["id"]
    return Form(bot, view_id, user_id, view.get("private_metadata", "")), view


async def file_through_form(
    bot: Bot, numbers: str, *, account: dict[str, Any] | None = None, **details: Any
) -> Form:
    """The happy path: open, fill, re-check, file; returns the form after settling."""
    form, _ = await open_form(bot, numbers)
    body = await form.submit_details(details_state(bill_file(bot), numbers, **details))
    assert body.get("response_action") == "update", body
    filed = await form.submit_account(account_state(**(account or {})))
    assert filed.get("response_action") == "update", filed
    await bot.settle()
    return form
