"""Re-filing as people do it: a request whose number the sandbox's carrier rejects, the
rejection reply's buttons, the prefilled form submitted with what Slack shows in it."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from bot.porting.statuses import NumberStatus
from bot.slack.ids import Action
from bot.slack.ids import PortInField as F
from bot.store.models import AuditEntry, RequestThread
from tests.conftest import Bot
from tests.fakes.slack_api import Call
from tests.fakes.slack_requests import block_actions, slash_command, text_input_state
from tests.port_in_forms import LANDLINE, Form, file_through_form

ADDRESS_REJECTED = "+14155550154"  # the carrier rejects it: INVALID_ADDRESS (22154)
NAME_REJECTED = "+14155550153"  # INVALID_END_USER_NAME (22153)
PIN_REJECTED = "+14155550207"  # mobile; filed with PIN 0000 the carrier rejects it (22155)
CORRECTED = "1 Main St Ste 200"  # the service address as the carrier's CSR has it
ADMIN = "U123"  # PORTING_ADMINS in these tests (the forms' default user)


async def until_rejected(bot: Bot, request_sid: str, number: str) -> None:
    """Run the sandbox, a due step at a time, until the carrier rejected ``number``."""
    while bot.sandbox.number(request_sid, number).status != NumberStatus.PORT_REJECTED:
        due = bot.sandbox.state.next_due()
        assert due is not None, f"the sandbox never rejected {number}"
        await bot.sandbox.advance_to(due)
        await bot.settle()
    await bot.wait_delivered()


async def thread_of(bot: Bot, request_sid: str) -> RequestThread:
    async with bot.runtime.db.session() as s:
        thread = await s.get(RequestThread, request_sid)
    assert thread is not None, f"{request_sid} has no thread"
    return thread


def replies(bot: Bot, thread: RequestThread) -> list[Call]:
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == thread.thread_ts and c.ok
    ]


def button(call: Call, action_id: str) -> dict[str, Any]:
    """The element ``action_id`` among a message's buttons."""
    blocks = call.args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {call.args.get('text')!r}")


def rejection_reply(bot: Bot, thread: RequestThread, number_shown: str) -> Call:
    """The thread reply saying ``number_shown`` (``+1 415-555-0154``) was rejected."""
    found = [
        c
        for c in replies(bot, thread)
        if "rejected" in c.args.get("text", "") and number_shown in c.args["text"]
    ]
    assert found, [c.args.get("text") for c in replies(bot, thread)]
    return found[-1]


async def press(
    bot: Bot,
    thread: RequestThread,
    message: Call,
    action_id: str,
    *,
    user_id: str = "U123",
    response_url: str | None = None,
) -> None:
    """Press one of a thread message's buttons, as ``user_id``."""
    element = button(message, action_id)
    await bot.send(
        block_actions(
            action_id,
            element["value"],
            user_id=user_id,
            channel_id=thread.channel_id,
            message_ts=str(message.response_body["ts"]),
            thread_ts=thread.thread_ts,
            response_url=response_url,
        )
    )
    await bot.settle()


def opened(bot: Bot) -> tuple[str, dict[str, Any]]:
    """The modal last opened: its view id (as Slack gave it) and the view."""
    call = bot.slack.calls_to("views.open")[-1]
    return call.response_body["view"]["id"], call.args["view"]


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _state(element: dict[str, Any]) -> dict[str, Any]:
    """What Slack submits for an input element left as the form opened it."""
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input"):
        return {"type": kind, "value": element.get("initial_value")}
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": element.get("initial_options") or []}
    if kind == "file_input":
        return {"type": kind, "files": []}
    raise AssertionError(f"no state for {kind}")


def as_shown(view: dict[str, Any], **changes: dict[str, Any]) -> dict[str, Any]:
    """The view's inputs as they opened (prefilled), with ``changes`` (block id → state value)
    made by the person: what Slack sends on submit."""
    values: dict[str, Any] = {}
    for b in view["blocks"]:
        if b.get("type") != "input":
            continue
        block_id = b["block_id"]
        values[block_id] = {block_id: changes.get(block_id) or _state(b["element"])}
    return values


async def open_refile(bot: Bot, thread: RequestThread, reply: Call) -> tuple[Form, dict[str, Any]]:
    """Press *Re-file…* on a rejection reply; the form it opened."""
    await press(bot, thread, reply, Action.REFILE)
    view_id, view = opened(bot)
    return Form(bot, view_id, "U123", view.get("private_metadata", "")), view


async def audit(bot: Bot, request_sid: str | None = None) -> list[AuditEntry]:
    async with bot.runtime.db.session() as s:
        query = select(AuditEntry).order_by(col(AuditEntry.id))
        if request_sid is not None:
            query = query.where(col(AuditEntry.request_sid) == request_sid)
        return list((await s.exec(query)).all())


def new_request(bot: Bot, old_sid: str) -> Any:
    (new,) = [r for r in bot.sandbox.state.requests.values() if r.sid != old_sid]
    return new


async def filed_and_rejected(bot: Bot, numbers: str, rejected: str, **account: Any) -> str:
    """Filed through the form (the bot keeps its details), then the carrier rejects one."""
    await file_through_form(bot, numbers, account=account or None)
    (request,) = bot.sandbox.state.requests.values()
    await until_rejected(bot, request.sid, rejected)
    return request.sid


async def corrected_refile(bot: Bot) -> tuple[str, RequestThread, Form]:
    """A request whose address number was rejected, its Re-file… form opened from the
    rejection reply and step 1 sent with the corrected address: (old SID, its thread, the
    form at step 2)."""
    old = await filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    form, view = await open_refile(bot, old_thread, rejection_reply(bot, old_thread, "0154"))
    await form.submit_details(as_shown(view, **{F.STREET: text_input_state(CORRECTED)}))
    return old, old_thread, form


async def status_blocks(bot: Bot, sid: str) -> str:
    name = f"status-{sid[-6:]}"
    url = bot.slack.response_url(name)
    await bot.send(slash_command("/port-status", sid, response_url=url))
    await bot.settle()
    return json.dumps(bot.slack.responses_to(name)[-1].body["blocks"], ensure_ascii=False)
