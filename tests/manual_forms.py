"""Drive manual ports like Slack would: the form's state, starting one through the real Bolt
app, pressing its board's buttons and submitting its step modals; and reading its thread from
the fake Slack."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from bot.desk.manual_types import ManualPort
from bot.slack.carried import MOVE_ACTIONS, ManualAt, ManualStepMeta
from bot.slack.ids import Action, Callback
from bot.slack.ids import ManualField as M
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_requests import (
    block_actions,
    select_state,
    text_input_state,
    view_submission,
)

UK = "+442071838750"
UK_2 = "+442071838751"
FRANCE = "+33142685300"
ADDRESS = "1 High Street, London EC1A 1AA, United Kingdom"
LOA = b"%PDF-1.4\n% the LOA for the UK\n"


def attach(bot: Bot, file_id: str, name: str, content: bytes = LOA) -> dict[str, Any]:
    return bot.slack.add_file(file_id, name, content, "application/pdf", "pdf")


def _files(attached: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "file_input", "files": [attached] if attached else []}


def form_state(
    numbers: str,
    *,
    loa: dict[str, Any] | None = None,
    csr: dict[str, Any] | None = None,
    bill: dict[str, Any] | None = None,
    bill_date: date | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The manual-port form filled in; ``overrides`` maps a field (``address``) to a state
    value, or None to leave it out."""
    fields: dict[str, Any] = {
        M.NUMBERS: text_input_state(numbers),
        M.CUSTOMER_TYPE: {**select_state("Business"), "type": "radio_buttons"},
        M.CUSTOMER_NAME: text_input_state("Acme Ltd"),
        M.ADDRESS: text_input_state(ADDRESS),
        M.ADDRESSES: text_input_state(None),
        M.CARRIER: text_input_state("BT"),
        M.LOA: _files(loa),
        M.CSR: _files(csr),
        M.BILL: _files(bill),
        M.BILL_DATE: {
            "type": "datepicker",
            "selected_date": bill_date.isoformat() if bill_date else None,
        },
        M.CHANNEL: {"type": "conversations_select", "selected_conversation": PORTING_CHANNEL},
    }
    for name, value in overrides.items():
        field = M[name.upper()]
        if value is None:
            fields.pop(field, None)
        else:
            fields[field] = value
    return {block: {block: value} for block, value in fields.items()}


async def submit_form(
    bot: Bot, state: dict[str, Any], *, user_id: str = "U123", view_id: str = "VMANUAL"
) -> dict[str, Any]:
    response = await bot.send(
        view_submission(Callback.MANUAL_FORM, state, user_id=user_id, view_id=view_id)
    )
    assert response.status_code == 200
    return response.json() if response.content else {}


async def start_port(bot: Bot, numbers: str = f"{UK}\n{UK_2}", **files: Any) -> ManualPort:
    """A manual port started through the form; returns it once its thread settled."""
    body = await submit_form(bot, form_state(numbers, **files))
    assert body.get("response_action") == "update", body
    await bot.settle()
    (port,) = await bot.desk.manual.open_ports()
    return port


async def current(bot: Bot, manual_id: str) -> ManualPort:
    port = await bot.desk.manual.get(manual_id)
    assert port is not None
    return port


async def press(
    bot: Bot, port: ManualPort, action: str, *, user_id: str = "U123", url: str | None = None
) -> None:
    """Press a board button as the board showed ``port`` (its version)."""
    value = ManualAt(manual_id=port.id, version=port.version).value()
    thread = port.thread
    await bot.send(
        block_actions(
            action,
            value,
            user_id=user_id,
            channel_id=thread.channel_id if thread else PORTING_CHANNEL,
            message_ts=thread.thread_ts if thread else None,
            response_url=url,
        )
    )
    await bot.settle()


async def step(
    bot: Bot, port: ManualPort, move: Any, state: dict[str, Any], *, user_id: str = "U123"
) -> dict[str, Any]:
    """Submit a step's modal for ``port`` as its board showed it."""
    meta = ManualStepMeta(manual_id=port.id, version=port.version, move=move).dump()
    response = await bot.send(
        view_submission(Callback.MANUAL_STEP, state, private_metadata=meta, user_id=user_id)
    )
    assert response.status_code == 200
    await bot.settle()
    return response.json() if response.content else {}


def ticket_state(ticket: str = "88123") -> dict[str, Any]:
    return {M.TICKET: {M.TICKET: text_input_state(ticket)}}


def quote_state(amount: str = "GBP 120", sent: datetime | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {M.QUOTE: {M.QUOTE: text_input_state(amount)}}
    if sent is not None:
        picker = {"type": "datetimepicker", "selected_date_time": int(sent.timestamp())}
        state[M.QUOTE_AT] = {M.QUOTE_AT: picker}
    return state


def date_state(day: date) -> dict[str, Any]:
    return {M.PORT_DATE: {M.PORT_DATE: {"type": "datepicker", "selected_date": day.isoformat()}}}


def reason_state(reason: str, note: str | None = None) -> dict[str, Any]:
    return {
        M.REASON: {M.REASON: {**select_state(reason), "type": "radio_buttons"}},
        M.NOTE: {M.NOTE: text_input_state(note)},
    }


def thread(bot: Bot, port: ManualPort) -> list[dict[str, Any]]:
    """The port's thread as Slack shows it now: the board (edited in place), then replies."""
    assert port.thread is not None
    return bot.slack.state.thread(port.thread.channel_id, port.thread.thread_ts)


def board(bot: Bot, port: ManualPort) -> str:
    return json.dumps(thread(bot, port)[0].get("blocks"), ensure_ascii=False)


def replies(bot: Bot, port: ManualPort) -> list[str]:
    return [
        m.get("text", "") + json.dumps(m.get("blocks") or [], ensure_ascii=False)
        for m in thread(bot, port)[1:]
    ]


def buttons(bot: Bot, port: ManualPort) -> list[str]:
    blocks = thread(bot, port)[0].get("blocks") or []
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def move_action(move: Any) -> str:
    return str(MOVE_ACTIONS[move])


def set_clock(bot: Bot, now: datetime) -> None:
    """The desk's and the deliverer's clock (reminders and deadlines), fixed at ``now``."""
    bot.desk.manual.clock = lambda: now  # the deliverer reads manual ports on it too


def days(n: int) -> timedelta:
    return timedelta(days=n)


__all__ = ["Action"]
