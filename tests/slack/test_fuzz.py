"""Generated Slack requests and Twilio webhooks thrown at the real app (hypothesis).

Every request is signed, so it gets past the signature checks and into the parsing and the
listeners. For each one: never a 5xx; no ERROR log record and no traceback; a refused request
(4xx) stored nothing and posted nothing to Slack; ``/readyz`` still answers 200.

One app serves all the examples of a test (its state grows as they run; each check compares
before and after one request).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.porting.signature import sign_json
from bot.slack.ids import Action, Block, Callback, Command, Input
from bot.slack.ids import PortInField as F
from tests.conftest import PUBLIC_URL, Bot
from tests.fakes.slack_requests import (
    SlackRequest,
    block_actions,
    global_shortcut,
    message_shortcut,
    slash_command,
    text_input_state,
    view_submission,
)
from tests.slack.test_bad_input import FORM, signed

# FUZZ_EXAMPLES=2000 for a long run; the default keeps the suite quick.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SID = "KW" + "0" * 32
CHECK_ID = "a" * 32
TABLES = (
    "check_run",
    "port_in_draft",
    "webhook_receipt",
    "request_sync",
    "outbox",
    "audit_entry",
    "action_claim",
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
sids = st.from_regex(r"KW[0-9a-fA-F]{32}", fullmatch=True)
button_values = st.none() | st.text(max_size=80) | sids | st.just(CHECK_ID) | st.just("")


# -- what to check around one request ------------------------------------------------------


async def _stored(bot: Bot) -> dict[str, int]:
    async with bot.runtime.db.engine.connect() as conn:
        return {
            t: (await conn.execute(text(f"SELECT COUNT(*) FROM {t}"))).scalar_one() for t in TABLES
        }


def _posted(bot: Bot) -> int:
    return len([c for c in bot.slack.calls if c.method != "auth.test"]) + len(bot.slack.responses)


def _problems(caplog: pytest.LogCaptureFixture, ignore: tuple[str, ...]) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if (r.levelno >= logging.ERROR or r.exc_info) and not r.name.startswith(ignore)
    ]


async def _check(
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
    send: Callable[[], Any],
    *,
    ignore: tuple[str, ...] = (),
) -> int:
    """Send one request and check what the module docstring promises; returns the status."""
    await bot.settle()
    before, posted = await _stored(bot), _posted(bot)
    caplog.clear()
    response = await send()
    await bot.settle()
    assert response.status_code < 500, response.text
    assert not _problems(caplog, ignore), _problems(caplog, ignore)
    if 400 <= response.status_code < 500:
        assert await _stored(bot) == before
        assert _posted(bot) == posted
    assert (await bot.http.get("/readyz")).status_code == 200
    return response.status_code


# -- Slack ---------------------------------------------------------------------------------


@FUZZ
@given(
    command=st.sampled_from([*Command, "/port-nope"]),
    words=st.text(max_size=200) | st.lists(sids | st.text(max_size=20)).map(" ".join),
)
async def test_commands_with_any_text(
    bot: Bot, caplog: pytest.LogCaptureFixture, command: str, words: str
) -> None:
    url = bot.slack.response_url("fuzz")
    await _check(bot, caplog, lambda: bot.send(slash_command(command, words, response_url=url)))


@FUZZ
@given(action_id=st.sampled_from(list(Action)), value=button_values)
async def test_every_button_with_any_value(
    bot: Bot, caplog: pytest.LogCaptureFixture, action_id: str, value: str | None
) -> None:
    url = bot.slack.response_url("fuzz")
    request = block_actions(action_id, value, channel_id="C1", response_url=url)
    await _check(bot, caplog, lambda: bot.send(request))


metadata = st.text(max_size=60) | st.fixed_dictionaries(
    {},
    optional={
        "check_id": json_values | st.just(CHECK_ID),
        "draft_id": json_values | st.just(CHECK_ID),
        "attempt": json_values,
        "check_count": json_values,
        "request_sid": json_values | sids,
        "numbers": json_values | st.lists(st.just("+14155550100")),
    },
).map(json.dumps)
state_values = st.dictionaries(
    st.sampled_from([Block.CHECK_TEXT, *F, "cx_numbers", "cx_paste"]),
    st.builds(
        lambda block, value: {block: text_input_state(value)},
        st.sampled_from([Input.CHECK_TEXT, *F]),
        st.none() | st.text(max_size=40),
    ),
    max_size=6,
)


@FUZZ
@given(callback_id=st.sampled_from(list(Callback)), meta=metadata, values=state_values)
async def test_every_form_with_any_metadata_and_text(
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
    callback_id: str,
    meta: str,
    values: dict[str, Any],
) -> None:
    request = view_submission(callback_id, values, private_metadata=meta)
    await _check(bot, caplog, lambda: bot.send(request))


def _bases(bot: Bot) -> list[Callable[[], SlackRequest]]:
    url = bot.slack.response_url("fuzz")
    return [
        lambda: block_actions(Action.FOLLOW, SID, channel_id="C1", response_url=url),
        lambda: block_actions(Action.SHARE_CHECK, CHECK_ID, channel_id="C1", response_url=url),
        lambda: view_submission(
            Callback.CHECK_MODAL,
            {Block.CHECK_TEXT: {Input.CHECK_TEXT: text_input_state("+14155550100")}},
        ),
        lambda: view_submission(
            Callback.CANCEL_CHOOSE, private_metadata=f'{{"request_sid":"{SID}"}}'
        ),
        lambda: message_shortcut(
            Callback.CHECK_SHORTCUT, {"text": "+14155550100", "ts": "1.2"}, response_url=url
        ),
        lambda: global_shortcut("nothing"),
    ]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, inner in items:
        found += _paths(inner, (*prefix, key))
    return found


@FUZZ
@given(data=st.data())
async def test_broken_payloads(
    bot: Bot, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    """Real payloads with fields deleted or replaced by any JSON."""
    request = data.draw(st.sampled_from(_bases(bot)))()
    body = json.loads(parse_qs(request.text)["payload"][0])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(body)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    raw = urlencode({"payload": json.dumps(body)}).encode()
    await _check(bot, caplog, lambda: bot.send(signed(raw)))


@FUZZ
@given(
    body=st.binary(max_size=300)
    | st.text(max_size=300).map(str.encode)
    | json_values.map(lambda v: urlencode({"payload": json.dumps(v)}).encode())
    | st.text(max_size=100).map(lambda t: urlencode({"payload": t}).encode())
    | json_values.map(lambda v: json.dumps(v).encode()),
    content_type=st.sampled_from([FORM, "application/json", "text/plain"]),
)
async def test_any_body(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    await _check(bot, caplog, lambda: bot.send(signed(body, content_type)))


# -- Twilio --------------------------------------------------------------------------------

webhook_fields = st.fixed_dictionaries(
    {},
    optional={
        "port_in_request_sid": sids | json_values,
        "request_sid": json_values,
        "port_in_phone_number_sid": st.from_regex(r"PU[0-9a-f]{32}", fullmatch=True) | json_values,
        "phone_number": st.just("+14155550100") | json_values,
        "status": st.sampled_from(["PortInPhoneNumberCompleted", "PortInWaitingForSignature"])
        | json_values,
        "last_date_updated": st.just("2026-11-03T00:00:00Z") | json_values,
        "rejection_reason_code": json_values,
    },
)


@FUZZ
@given(
    body=webhook_fields.map(lambda f: json.dumps(f).encode())
    | st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
)
async def test_signed_webhooks_with_any_fields(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    url, signature = sign_json(bot.sandbox.config.auth_token, f"{PUBLIC_URL}/twilio/porting", body)

    async def send() -> Any:
        return await bot.http.post(
            url.replace(PUBLIC_URL, ""),
            content=body,
            headers={"X-Twilio-Signature": signature, "Content-Type": "application/json"},
        )

    # A request SID that is not a SID is refused with a 400 before anything is stored, so
    # the reconciler never fetches one: no logger is exempt.
    await _check(bot, caplog, send)
