"""The workspace's Web API refuses what real Slack refuses, with Slack's error names, so a
bot that works against it does not fail on its first day against Slack."""

from __future__ import annotations

import time

import aiohttp
import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.workspace.state import TRIGGER_SECONDS
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def _refused(call, error: str) -> dict:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as raised:
        await call
    assert raised.value.response["error"] == error, raised.value.response.data
    return dict(raised.value.response.data)


async def test_thread_ts_must_be_a_string(client: AsyncWebClient) -> None:
    root = await client.chat_postMessage(channel="C1", text="root")
    # A float loses digits on the way; real Slack then files the reply where nobody sees it.
    await _refused(
        client.chat_postMessage(channel="C1", text="reply", thread_ts=float(root["ts"])),
        "invalid_thread_ts",
    )
    reply = await client.chat_postMessage(channel="C1", text="reply", thread_ts=root["ts"])
    assert reply["message"]["thread_ts"] == root["ts"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_message_content_limits(client: AsyncWebClient) -> None:
    await _refused(client.chat_postMessage(channel="C1"), "no_text")
    await _refused(client.chat_postMessage(channel="C1", text="x" * 40_001), "msg_too_long")
    body = await _refused(
        client.chat_postMessage(channel="C1", text="x", blocks=[_section("x")] * 51),
        "invalid_blocks",
    )
    assert "no more than 50 items" in body["response_metadata"]["messages"][0]
    body = await _refused(
        client.chat_postMessage(channel="C1", text="x", blocks=[_section("y" * 3001)]),
        "invalid_blocks",
    )
    assert "[json-pointer:/blocks/0/text/text]" in body["response_metadata"]["messages"][0]
    button = {"type": "button", "text": _plain("z" * 76), "action_id": "a"}
    await _refused(
        client.chat_postMessage(
            channel="C1", text="x", blocks=[{"type": "actions", "elements": [button]}]
        ),
        "invalid_blocks",
    )
    two = [{**_section("a"), "block_id": "b"}, {**_section("b"), "block_id": "b"}]
    await _refused(client.chat_postMessage(channel="C1", text="x", blocks=two), "invalid_blocks")


async def test_views_are_checked(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    long_title = {"type": "modal", "title": _plain("A title of 25 characters!"), "blocks": []}
    body = await _refused(client.views_open(trigger_id="1.2", view=long_title), "invalid_arguments")
    assert "[json-pointer:/view/title/text]" in body["response_metadata"]["messages"][0]
    field = {
        "type": "input",
        "block_id": "n",
        "label": _plain("Numbers"),
        "element": {"type": "plain_text_input", "action_id": "n"},
    }
    no_submit = {"type": "modal", "title": _plain("Check"), "blocks": [field]}
    await _refused(client.views_open(trigger_id="1.2", view=no_submit), "invalid_arguments")
    await _refused(client.views_open(trigger_id="1.2", view={}), "invalid_arguments")


async def test_modal_stack_triggers_and_hashes(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    view = {"type": "modal", "title": _plain("Step"), "blocks": []}
    trigger = fake_slack.state.issue_trigger("U1")
    opened = (await client.views_open(trigger_id=trigger, view=view))["view"]
    for _ in range(2):
        await client.views_push(trigger_id=fake_slack.state.issue_trigger("U1"), view=view)
    await _refused(
        client.views_push(trigger_id=fake_slack.state.issue_trigger("U1"), view=view),
        "push_limit_reached",
    )
    await _refused(
        client.views_update(view_id=opened["id"], hash="1.stale", view=view), "hash_conflict"
    )
    await client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)

    old = fake_slack.state.issue_trigger("U2")
    user, issued = fake_slack.state.triggers[old]
    fake_slack.state.triggers[old] = (user, issued - TRIGGER_SECONDS - 1)
    await _refused(client.views_open(trigger_id=old, view=view), "expired_trigger_id")

    # A new modal replaces the stack: the old views are gone.
    await client.views_open(trigger_id=fake_slack.state.issue_trigger("U1"), view=view)
    await _refused(client.views_update(view_id=opened["id"], view=view), "not_found")


async def test_messages_that_are_not_there_or_not_the_bots(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    await _refused(client.chat_update(channel="C1", ts="1.000001", text="x"), "message_not_found")
    await _refused(client.chat_delete(channel="C1", ts="1.000001"), "message_not_found")
    await _refused(
        client.chat_getPermalink(channel="C1", message_ts="1.000001"), "message_not_found"
    )
    someone = fake_slack.state.add_message(
        "C1", {"type": "message", "user": "U1", "text": "mine", "ts": fake_slack.state.next_ts()}
    )
    await _refused(
        client.chat_update(channel="C1", ts=someone["ts"], text="x"), "cant_update_message"
    )


async def test_reading_channels_and_metadata(client: AsyncWebClient, fake_slack: FakeSlack) -> None:
    metadata = {"event_type": "porting_update", "event_payload": {"key": "k1"}}
    await client.chat_postMessage(channel="C1", text="x", metadata=metadata)
    plain = await client.conversations_history(channel="C1")
    assert "metadata" not in plain["messages"][0]  # Slack returns it only when asked
    asked = await client.conversations_history(channel="C1", include_all_metadata=True)
    assert asked["messages"][0]["metadata"] == metadata
    await _refused(
        client.chat_postMessage(channel="C1", text="x", metadata={"event_type": "t"}),
        "invalid_metadata_format",
    )

    fake_slack.add_channel("C2", "elsewhere", is_member=False)
    fake_slack.add_channel("G3", "secret", is_private=True, is_member=False)
    await client.chat_postMessage(channel="C2", text="chat:write.public lets the bot post")
    await _refused(client.conversations_history(channel="C2"), "not_in_channel")
    await _refused(client.chat_postMessage(channel="G3", text="x"), "channel_not_found")
    await _refused(
        client.files_upload_v2(channel="C2", content=b"a,b\n", filename="x.csv"),
        "not_in_channel",
    )


async def test_uploads_must_match_what_was_announced(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    ticket = await client.files_getUploadURLExternal(filename="x.csv", length=10)
    async with aiohttp.ClientSession() as http:
        async with http.post(ticket["upload_url"], data=b"too short") as response:
            assert response.status == 400
    await _refused(
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}]), "file_not_found"
    )


async def test_a_response_url_takes_five_posts(fake_slack: FakeSlack) -> None:
    hook = AsyncWebhookClient(fake_slack.response_url("cmd"))
    for n in range(5):
        assert (await hook.send(text=f"post {n}")).status_code == 200
    sixth = await hook.send(text="one too many")
    assert (sixth.status_code, sixth.body) == (404, "used_url")


async def test_calls_need_the_bot_token(fake_slack: FakeSlack) -> None:
    async with httpx.AsyncClient() as http:
        bare = await http.post(fake_slack.api_url + "auth.test")
        wrong = await http.post(
            fake_slack.api_url + "auth.test", headers={"Authorization": "Bearer xoxp-user"}
        )
    assert bare.json()["error"] == "not_authed"
    assert wrong.json()["error"] == "invalid_auth"


def test_ts_are_times_of_posting(fake_slack: FakeSlack) -> None:
    before = time.time()
    first, second = fake_slack.state.next_ts(), fake_slack.state.next_ts()
    assert before <= float(first) < float(second) <= time.time() + 1
