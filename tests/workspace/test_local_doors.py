"""The local workspace refuses other sites: its page and its Web API stand-in answer only
for this machine's names (a DNS-rebinding page sends its own Host), take the bot token only
in the Authorization header or a POST body, and the token is new in every process. In the
page, markup typed by a person or posted by an app is drawn as text and never runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from tests.procs import child_env, free_port, serving_bot
from tests.workspace.conftest import Shots
from tests.workspace.local_bot import LocalBot
from tests.workspace.pages import WorkspacePage

PUBLISHED = "xoxb-local-workspace"  # the token every local workspace accepted before


def _port(local: LocalBot) -> int:
    return int(local.url.rsplit(":", 1)[1])


@pytest.mark.parametrize("path", ["/workspace/", "/workspace/ui/boot", "/workspace/api/auth.test"])
async def test_only_this_machines_names_are_answered(local: LocalBot, path: str) -> None:
    port = _port(local)
    async with httpx.AsyncClient(base_url=local.url) as http:
        for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}"):
            refused = await http.get(path, headers={"Host": host})
            assert refused.status_code == 400, host
            assert "Porting" not in refused.text and "ok" not in refused.text
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
            answered = await http.get(path, headers={"Host": host})
            assert answered.status_code == 200, host


async def test_the_token_goes_in_a_header_or_a_post_body_never_a_query_string(
    local: LocalBot,
) -> None:
    token = local.settings.slack_bot_token
    api = f"{local.url}/workspace/api"
    async with httpx.AsyncClient() as http:
        in_query = await http.get(f"{api}/auth.test", params={"token": token})
        assert in_query.json()["ok"] is False and in_query.json()["error"] == "invalid_auth"
        posted_query = await http.post(f"{api}/auth.test?token={token}")
        assert posted_query.json()["ok"] is False
        header = await http.get(f"{api}/auth.test", headers={"Authorization": f"Bearer {token}"})
        assert header.json()["ok"] is True
        body = await http.post(f"{api}/auth.test", data={"token": token})
        assert body.json()["ok"] is True


async def test_the_token_is_this_processs_own(local: LocalBot) -> None:
    token = local.settings.slack_bot_token
    assert token.startswith("xoxb-local-") and len(token) > 30 and token != PUBLISHED
    api = f"{local.url}/workspace/api"
    async with httpx.AsyncClient() as http:
        for wrong in (PUBLISHED, "xoxb-anything"):
            answer = await http.post(
                f"{api}/auth.test", headers={"Authorization": f"Bearer {wrong}"}
            )
            assert answer.json() == {"ok": False, "error": "invalid_auth"}
    # The page never learns it (it acts through its own routes).
    async with httpx.AsyncClient(base_url=local.url) as http:
        boot = await http.get("/workspace/ui/boot")
        page = await http.get("/workspace/")
    assert token not in boot.text and token not in page.text


async def test_a_python_m_bot_in_local_mode_refuses_other_sites(tmp_path: Path) -> None:
    """The same, against a real ``python -m bot`` with nothing configured."""
    port = free_port()
    async with (
        serving_bot(child_env(PORT=str(port)), tmp_path) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
    ):
        assert (await http.get("/workspace/")).status_code == 200
        rebound = await http.get("/workspace/ui/boot", headers={"Host": f"evil.example:{port}"})
        assert rebound.status_code == 400
        published = await http.post(
            "/workspace/api/auth.test", headers={"Authorization": f"Bearer {PUBLISHED}"}
        )
        assert published.json() == {"ok": False, "error": "invalid_auth"}
        queried = await http.get("/workspace/api/auth.test", params={"token": PUBLISHED})
        assert queried.json()["ok"] is False


# -- the page: markup drawn as text -------------------------------------------------------

TYPED = ["<javascript:alert(1)|x>", "<img src=x onerror=window.pwned=1>"]


async def test_markup_typed_or_posted_shows_as_text_and_nothing_runs(
    browser: Any, local: LocalBot, shots: Shots
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    ws = WorkspacePage(await context.new_page())
    dialogs: list[str] = []
    ws.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    await ws.open(local.url)
    for text in TYPED:
        await ws.send(text)
        await ws.message(text).wait_for()

    # An app's message: a link with a javascript: scheme in mrkdwn, in a button and in
    # rich_text, and an emoji whose name is markup.
    api = local.settings.slack_api_url + "/api/"
    client = AsyncWebClient(token=local.settings.slack_bot_token, base_url=api)
    evil = "<img src=x onerror=window.pwned=2>"
    await client.chat_postMessage(
        channel=local.workspace.porting_channel,
        text="An app's message",
        blocks=[
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "App says <javascript:window.pwned=3|Sign here>",
                },
            },
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "text", "text": "Rich "},
                            {"type": "emoji", "name": evil},
                            {"type": "emoji", "name": "x", "unicode": "zz"},
                            {"type": "link", "url": "javascript:window.pwned=4", "text": "link"},
                        ],
                    }
                ],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open"},
                        "action_id": "open",
                        "url": "javascript:window.pwned=5",
                    }
                ],
            },
        ],
    )
    posted = ws.message("App says")
    await posted.wait_for()
    await posted.locator("text=Sign here").click()
    await posted.locator("text=link").click()
    await posted.get_by_role("button", name="Open").click()
    await shots.take(ws.page, "markup-as-text")

    shown = await ws.main.inner_text()
    for text in TYPED:
        assert text in shown, "typed markup shows as the text typed"
    assert f":{evil}:" in shown and "Rich" in shown
    assert "<javascript:window.pwned=3|Sign here>" in shown
    assert await ws.page.locator("#messages a[href^='javascript']").count() == 0
    assert await ws.page.locator("#messages img[src='x']").count() == 0
    assert await ws.page.evaluate("window.pwned") is None
    assert dialogs == [] and not ws.errors
