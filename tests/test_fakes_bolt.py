"""Tests for the signed Slack request builders against SignatureVerifier, and a real Bolt
AsyncApp driven with them end to end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack

pytest_plugins = ["tests.fakes.fixtures"]


# ---------------------------------------------------------------------- request builders


def _verify(body: bytes, headers: dict[str, str], secret: str = sr.SIGNING_SECRET) -> bool:
    return SignatureVerifier(secret).is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )


def test_slash_command_is_signed_like_slack() -> None:
    body, headers = sr.slash_command("/port", "check +14155550100", user_id="U7")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert (fields["command"], fields["text"], fields["user_id"]) == (
        "/port",
        "check +14155550100",
        "U7",
    )
    assert _verify(body, headers)
    assert not _verify(body.replace(b"U7", b"U8"), headers)  # tampered body
    assert not _verify(body, headers, secret="other-secret")
    stale_body, stale_headers = sr.slash_command("/port", timestamp=1_600_000_000)
    assert not _verify(stale_body, stale_headers)  # >5 minutes old


def test_interactive_payloads_are_urlencoded_json() -> None:
    state = {"num": {"number": sr.text_input_state("+14155550100")}}
    body, headers = sr.view_submission("port_modal", state, private_metadata='{"id": 1}')
    assert _verify(body, headers)
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["type"] == "view_submission"
    assert payload["view"]["state"]["values"] == state
    assert payload["view"]["private_metadata"] == '{"id": 1}'

    body, headers = sr.event({"type": "app_mention", "text": "hi"}, retry_num=1)
    assert headers["Content-Type"] == "application/json" and _verify(body, headers)
    assert headers["X-Slack-Retry-Num"] == "1"


# ---------------------------------------------------------------------- real Bolt app


@pytest.fixture
def bolt_app(clean_slack_env: None, fake_slack: FakeSlack) -> AsyncApp:
    """A real Bolt AsyncApp wired to the fake, with a few listeners."""
    app = AsyncApp(
        client=AsyncWebClient(token=sr.BOT_TOKEN, base_url=fake_slack.api_url),
        signing_secret=sr.SIGNING_SECRET,
    )

    @app.command("/ping")
    async def ping(ack: Callable[..., Awaitable[None]], command: dict[str, Any], client: Any):
        await ack()
        await client.chat_postMessage(channel=command["channel_id"], text="pong")

    @app.view("port_modal")
    async def submit(ack: Callable[..., Awaitable[None]], view: dict[str, Any]) -> None:
        number = view["state"]["values"]["num"]["number"]["value"]
        if not number.startswith("+"):
            await ack(response_action="errors", errors={"num": "Use E.164"})
            return
        await ack()

    @app.action("approve")
    async def approve(ack: Callable[..., Awaitable[None]], body: dict[str, Any], respond: Any):
        await ack()
        await respond(text=f"approved {body['actions'][0]['value']}")

    @app.shortcut("new_port")
    async def new_port(ack: Callable[..., Awaitable[None]], shortcut: dict[str, Any], client: Any):
        await ack()
        view = {"type": "modal", "callback_id": "port_modal", "title": _plain("Port")}
        await client.views_open(trigger_id=shortcut["trigger_id"], view=view)

    @app.shortcut("port_from_message")
    async def from_message(ack: Callable[..., Awaitable[None]], shortcut: dict[str, Any], say):
        await ack()
        await say(text=f"porting {shortcut['message']['text']}")

    @app.action("refresh")
    async def refresh(ack: Callable[..., Awaitable[None]], body: dict[str, Any], client: Any):
        await ack()
        view = {"type": "modal", "title": _plain("Port"), "blocks": []}  # Slack refuses {}
        await client.views_update(view_id=body["view"]["id"], hash=body["view"]["hash"], view=view)

    @app.event("app_mention")
    async def mention(event: dict[str, Any], say: Any) -> None:
        await say(text="hi", thread_ts=event.get("thread_ts") or event["ts"])

    return app


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


@pytest.fixture
async def http(bolt_app: AsyncApp) -> AsyncIterator[httpx.AsyncClient]:
    """httpx client for a FastAPI app that mounts the Bolt handler at /slack/events."""
    api = FastAPI()
    handler = AsyncSlackRequestHandler(bolt_app)

    @api.post("/slack/events")
    async def slack_events(req: Request) -> Any:
        return await handler.handle(req)

    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as c:
        yield c


async def test_bolt_slash_command_via_fastapi(
    http: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    body, headers = sr.slash_command("/ping", channel_id="C42")
    resp = await http.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 200

    (post,) = await fake_slack.wait_for("chat.postMessage")
    assert (post.args["channel"], post.args["text"]) == ("C42", "pong")
    assert post.token == sr.BOT_TOKEN
    assert fake_slack.calls_to("auth.test")  # Bolt's single-team authorization


async def test_bolt_rejects_bad_signature(http: httpx.AsyncClient, fake_slack: FakeSlack) -> None:
    body, headers = sr.slash_command("/ping", secret="wrong-secret")
    resp = await http.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 401
    assert fake_slack.calls == []


async def test_bolt_view_submission_and_block_action(
    bolt_app: AsyncApp, fake_slack: FakeSlack
) -> None:
    async def dispatch(req: sr.SlackRequest) -> Any:
        return await bolt_app.async_dispatch(AsyncBoltRequest(body=req.text, headers=req.headers))

    bad = sr.view_submission("port_modal", {"num": {"number": sr.text_input_state("415")}})
    resp = await dispatch(bad)
    assert resp.status == 200
    assert json.loads(resp.body) == {"response_action": "errors", "errors": {"num": "Use E.164"}}

    good = sr.view_submission("port_modal", {"num": {"number": sr.text_input_state("+1415")}})
    assert (await dispatch(good)).status == 200

    action = sr.block_actions(
        "approve",
        "req-7",
        channel_id="C1",
        message_ts="1700000000.000100",
        response_url=fake_slack.response_url("btn"),
    )
    assert (await dispatch(action)).status == 200
    (posted,) = await fake_slack.wait_for_response("btn")
    assert posted.body["text"] == "approved req-7"


async def test_bolt_shortcuts_events_and_view_actions(
    http: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    async def post(req: sr.SlackRequest) -> None:
        resp = await http.post("/slack/events", content=req.body, headers=req.headers)
        assert resp.status_code == 200, resp.text

    await post(sr.global_shortcut("new_port", trigger_id="111.222"))
    (opened,) = await fake_slack.wait_for("views.open")
    assert opened.args["trigger_id"] == "111.222"
    assert opened.args["view"]["callback_id"] == "port_modal"

    message = {"text": "+14155550100", "ts": "1700000001.000200", "user": "U5"}
    await post(sr.message_shortcut("port_from_message", message, channel_id="C7"))
    (said,) = await fake_slack.wait_for("chat.postMessage")
    assert (said.args["channel"], said.args["text"]) == ("C7", "porting +14155550100")

    view = sr.modal_view("port_modal", view_id="V77", hash="h-77")
    await post(sr.block_actions("refresh", view=view))
    (updated,) = await fake_slack.wait_for("views.update")
    assert (updated.args["view_id"], updated.args["hash"]) == ("V77", "h-77")

    await post(sr.app_mention("<@UBOT> status", channel_id="C8", thread_ts="1700000000.000001"))
    (reply,) = await fake_slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == "C8"
    )
    assert reply.args["thread_ts"] == "1700000000.000001"
