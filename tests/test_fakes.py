"""Tests for the Slack fakes: the fake Web API against a real slack_sdk AsyncWebClient, the
signed request builders against SignatureVerifier, and a real Bolt AsyncApp end to end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import httpx
import pytest
from fastapi import FastAPI, Request
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import async_handler, builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import (
    FILE_DOWNLOAD,
    FakeSlack,
    Reply,
    ratelimited,
    server_error,
    slack_error,
)

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    """A real AsyncWebClient pointed at the fake."""
    return AsyncWebClient(token=sr.BOT_TOKEN, base_url=fake_slack.api_url)


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make slack_sdk's retry handlers sleep ~0 s, recording the durations they asked for."""
    import asyncio

    slept: list[float] = []

    async def fake_sleep(duration: float) -> None:
        slept.append(duration)
        await asyncio.sleep(0)

    # Both modules call ``asyncio.sleep``; swap only their module reference, not asyncio itself.
    shim = SimpleNamespace(sleep=fake_sleep)
    monkeypatch.setattr(builtin_async_handlers, "asyncio", shim)  # rate-limit handler
    monkeypatch.setattr(async_handler, "asyncio", shim)  # base class (server-error handler)
    return slept


# ---------------------------------------------------------------------- Web API basics


async def test_auth_test_and_unknown_method(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    auth = await client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T1")
    assert (await client.api_call("bookmarks.list"))["ok"] is True
    assert [c.method for c in fake_slack.calls] == ["auth.test", "bookmarks.list"]
    assert fake_slack.calls[0].token == sr.BOT_TOKEN


async def test_post_in_thread_and_read_back(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Port* requested"}}]
    parent = await client.chat_postMessage(channel="C1", text="Port requested", blocks=blocks)
    reply = await client.chat_postMessage(channel="C1", text="step 2", thread_ts=parent["ts"])

    assert parent["ok"] and parent["channel"] == "C1"
    assert parent["message"]["blocks"] == blocks
    assert reply["message"]["thread_ts"] == parent["ts"]
    assert float(reply["ts"]) > float(parent["ts"])

    (first, second) = fake_slack.calls_to("chat.postMessage")
    assert first.args["blocks"] == blocks  # decoded back into Python objects
    assert second.args["thread_ts"] == parent["ts"]

    thread = await client.conversations_replies(channel="C1", ts=parent["ts"])
    assert [m["text"] for m in thread["messages"]] == ["Port requested", "step 2"]

    await client.chat_update(channel="C1", ts=parent["ts"], text="Port done")
    link = await client.chat_getPermalink(channel="C1", message_ts=parent["ts"])
    assert link["permalink"] == f"https://fake.slack/archives/C1/p{parent['ts'].replace('.', '')}"
    history = await client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["Port done"]


async def test_form_encoded_args_decode_json_fields(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    # views.open goes out as JSON; force a form post to check JSON-string decoding too.
    await client.api_call(
        "views.open", data={"trigger_id": "t1", "view": json.dumps(view), "n": "1"}
    )
    (call,) = fake_slack.calls_to("views.open")
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.args["view"] == view
    assert call.args["n"] == "1"


async def test_views_echo_id_and_hash(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    view = {"type": "modal", "callback_id": "port", "title": {"type": "plain_text", "text": "P"}}
    opened = await client.views_open(trigger_id="123.456", view=view)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V") and opened["view"]["hash"]
    assert opened["view"]["callback_id"] == "port"
    updated = await client.views_update(view_id=view_id, hash=opened["view"]["hash"], view=view)
    assert updated["view"]["id"] == view_id
    home = await client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    again = await client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert home["view"]["id"] == again["view"]["id"]


async def test_users_channels_usergroups(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("U9", real_name="Ada", is_admin=True, profile={"email": "ada@x.test"})
    fake_slack.add_channel("C9", "porting", is_member=False)
    fake_slack.set_usergroup("S1", ["U1", "U9"])

    user = (await client.users_info(user="U9"))["user"]
    assert (user["real_name"], user["is_admin"], user["profile"]["email"]) == (
        "Ada",
        True,
        "ada@x.test",
    )
    assert (await client.users_info(user="U2"))["user"]["id"] == "U2"
    assert (await client.conversations_info(channel="C9"))["channel"]["is_member"] is False
    await client.conversations_join(channel="C9")
    assert (await client.conversations_info(channel="C9"))["channel"]["is_member"] is True
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U9"]
    with pytest.raises(SlackApiError) as err:
        await client.usergroups_users_list(usergroup="S404")
    assert err.value.response["error"] == "no_such_subteam"


async def test_all_text_finds_nested_strings(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    secret = "AC-secret-auth-token-123"
    blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": f"sid {secret}"}]}]
    await client.chat_postMessage(channel="C1", text="ok", blocks=blocks)
    assert secret in fake_slack.all_text()
    assert sr.BOT_TOKEN not in fake_slack.all_text()
    assert sr.BOT_TOKEN in fake_slack.all_text(include_headers=True)


# ---------------------------------------------------------------------- scripted failures


async def test_scripted_slack_error_is_recorded(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.script("chat.postMessage", slack_error("channel_not_found"))
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C404", text="x")
    assert err.value.response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]  # script consumed
    first, second = fake_slack.calls_to("chat.postMessage")
    assert first.scripted and not first.ok and first.args["channel"] == "C404"
    assert second.ok and not second.scripted


async def test_ratelimited_then_retry_succeeds(
    fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    client = AsyncWebClient(
        token=sr.BOT_TOKEN,
        base_url=fake_slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    fake_slack.script("chat.postMessage", ratelimited(retry_after=1))

    resp = await client.chat_postMessage(channel="C1", text="hello")

    assert resp["ok"]
    limited, retried = fake_slack.calls_to("chat.postMessage")
    assert (limited.response_status, limited.scripted) == (429, True)
    assert limited.response_headers == {"Retry-After": "1"}
    assert limited.response_body == {"ok": False, "error": "ratelimited"}
    assert retried.response_status == 200 and retried.args == limited.args
    assert len(retry_sleeps) == 1 and retry_sleeps[0] >= 1  # Retry-After honoured


async def test_ratelimited_without_retry_handler_raises(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.script("chat.postMessage", ratelimited(retry_after=3))
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "3"


async def test_server_error_scripted(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    fake_slack.script("chat.update", server_error())
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel="C1", ts="1.2", text="x")
    assert err.value.response.status_code == 500
    (call,) = fake_slack.calls_to("chat.update")
    assert call.response_status == 500 and call.scripted


async def test_fail_until_outage_then_recovery(
    fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    client = AsyncWebClient(
        token=sr.BOT_TOKEN,
        base_url=fake_slack.api_url,
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=3)],
    )
    fake_slack.fail_until("*", lambda: len(fake_slack.calls) > 2, server_error(503))

    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]
    assert [c.response_status for c in fake_slack.calls] == [503, 503, 200]
    assert len(retry_sleeps) == 2
    assert (await client.auth_test())["ok"]  # outage is over


# ---------------------------------------------------------------------- files


async def test_files_upload_v2_end_to_end(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    content = b"number,status\n+14155550100,portable\n"
    resp = await client.files_upload_v2(
        channel="C1",
        thread_ts="1700000000.000100",
        content=content,
        filename="check.csv",
        title="Portability check",
        initial_comment="Results attached",
    )
    assert resp["ok"] and resp["file"]["title"] == "Portability check"

    (up,) = fake_slack.uploaded_files
    assert (up.filename, up.title, up.content) == ("check.csv", "Portability check", content)
    assert (up.channel_id, up.thread_ts, up.initial_comment) == (
        "C1",
        "1700000000.000100",
        "Results attached",
    )
    assert [c.method for c in fake_slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    complete = fake_slack.calls_to("files.completeUploadExternal")[0]
    assert complete.args["files"] == [{"id": up.file_id, "title": "Portability check"}]
    assert "+14155550100" in fake_slack.all_text()


async def test_user_file_download_requires_bot_token(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.add_file("F1", "numbers.csv", b"+14155550100\n", "text/csv", "csv")
    info = await client.files_info(file="F1")
    file = info["file"]
    assert (file["name"], file["filetype"], file["size"]) == ("numbers.csv", "csv", 13)
    url = file["url_private_download"]
    assert url.startswith(fake_slack.url)

    async with aiohttp.ClientSession() as http:
        auth = {"Authorization": f"Bearer {sr.BOT_TOKEN}"}
        async with http.get(url, headers=auth) as resp:
            assert resp.status == 200 and resp.content_type == "text/csv"
            assert await resp.read() == b"+14155550100\n"
        async with http.get(url) as resp:  # like Slack: 200 + HTML sign-in page
            assert resp.content_type == "text/html"

    ok, anonymous = fake_slack.downloads
    assert ok.authorized and ok.headers["authorization"] == f"Bearer {sr.BOT_TOKEN}"
    assert not anonymous.authorized
    with pytest.raises(SlackApiError):
        await client.files_info(file="F404")


async def test_download_can_be_scripted(fake_slack: FakeSlack) -> None:
    fake_slack.add_file("F1", "a.pdf", b"%PDF-1.7", "application/pdf")
    fake_slack.script(FILE_DOWNLOAD, Reply("gone", status=404))
    url = f"{fake_slack.url}/files-pri/T1-F1/download/a.pdf"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Authorization": "Bearer xoxb-1"}) as resp:
            assert resp.status == 404
        async with http.get(url, headers={"Authorization": "Bearer xoxb-1"}) as resp:
            assert await resp.read() == b"%PDF-1.7"


# ---------------------------------------------------------------------- response_url


async def test_response_url_posts_are_recorded(fake_slack: FakeSlack) -> None:
    url = fake_slack.response_url("cmd1")
    webhook = AsyncWebhookClient(url)
    await webhook.send(text="working…", response_type="ephemeral")
    await webhook.send(text="done", replace_original=True)

    assert fake_slack.response_count("cmd1") == 2
    assert [r.body["text"] for r in fake_slack.responses_to("cmd1")] == ["working…", "done"]
    assert fake_slack.response_count("other") == 0
    assert "done" in fake_slack.all_text()


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
