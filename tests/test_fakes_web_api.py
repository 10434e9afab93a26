"""Tests for the fake Slack Web API against a real slack_sdk AsyncWebClient: calls recorded and
read back, scripted failures and retries, files, response_url posts."""

from __future__ import annotations

import json
from types import SimpleNamespace

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import async_handler, builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
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
