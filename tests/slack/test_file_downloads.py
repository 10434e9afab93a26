"""Slack file downloads send the bot token only to Slack's file host (or SLACK_API_URL's
origin): a payload naming a file elsewhere, or Slack's download redirecting elsewhere, never
gets a request from the bot, and the person is told the file is not one the bot may fetch.
The "elsewhere" is a real HTTP server on this machine that records what reaches it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.slack.files import FileHosts
from bot.slack.ids import Action, Callback
from bot.slack.ids import ManualField as M
from bot.slack.ids import PortInField as F
from bot.store.models import PortInDraft
from tests.conftest import Bot
from tests.fakes.serving import LocalServer
from tests.fakes.slack_api import FILE_DOWNLOAD, Reply
from tests.fakes.slack_requests import message_shortcut, view_submission
from tests.manual_forms import UK, form_state, press, start_port, submit_form
from tests.port_in_forms import LANDLINE, details_state, open_form
from tests.slack.port_in.filed import _rows


class Foreign:
    """A site that is not Slack, on this machine: it answers every GET and remembers it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

        async def anything(request: Request) -> PlainTextResponse:
            self.seen.append(dict(request.headers))
            return PlainTextResponse("phone\n+14155550100\n")

        self.server = LocalServer(Starlette(routes=[Route("/{path:path}", anything)]))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/files/numbers.csv"


@pytest.fixture
async def foreign() -> AsyncIterator[Foreign]:
    site = Foreign()
    await site.server.start()
    try:
        yield site
    finally:
        await site.server.stop()


def _file(url: str, name: str = "numbers.csv", **extra: Any) -> dict[str, Any]:
    return {
        "id": "FFOREIGN",
        "name": name,
        "filetype": "csv",
        "mimetype": "text/csv",
        "size": 30,
        "url_private": url,
        "url_private_download": url,
        **extra,
    }


def test_where_the_token_may_go() -> None:
    hosts = FileHosts("http://127.0.0.1:8000/workspace")
    assert hosts.allows("https://files.slack.com/files-pri/T1-F1/bill.pdf")
    assert hosts.allows("http://127.0.0.1:8000/workspace/files-pri/T1-F1/bill.pdf")
    for url in (
        "http://files.slack.com/files-pri/T1-F1/bill.pdf",  # not https
        "https://files.slack.com.evil.example/bill.pdf",
        "https://evil.example/files.slack.com/bill.pdf",
        "https://files.slack.com:8443/bill.pdf",
        "http://127.0.0.1:8001/workspace/files-pri/T1-F1/bill.pdf",  # another port
        "https://127.0.0.1:8000/bill.pdf",  # another scheme
        "javascript:alert(1)",
        "",
    ):
        assert not hosts.allows(url), url
    assert not FileHosts().allows("http://127.0.0.1:8000/workspace/files-pri/T1-F1/bill.pdf")


async def test_a_shortcut_on_a_message_with_a_foreign_file_sends_no_token(
    bot: Bot, foreign: Foreign
) -> None:
    url = bot.slack.response_url("sc")
    message = {"text": "check these", "files": [_file(foreign.url)]}
    await bot.send(message_shortcut("port_check_message", message, response_url=url))
    await bot.settle()
    (answer,) = bot.slack.responses_to("sc")
    assert "not one I may download" in answer.body["text"]
    assert answer.body.get("response_type") == "ephemeral"
    assert foreign.seen == []


async def test_slacks_download_redirecting_elsewhere_is_not_followed(
    bot: Bot, foreign: Foreign
) -> None:
    file = bot.slack.add_file("F1", "numbers.csv", b"phone\n+14155550100\n", "text/csv", "csv")
    bot.slack.script(FILE_DOWNLOAD, Reply("", status=302, headers={"location": foreign.url}))
    url = bot.slack.response_url("sc")
    await bot.send(
        message_shortcut("port_check_message", {"text": "", "files": [file]}, response_url=url)
    )
    await bot.settle()
    (first,) = bot.slack.downloads
    assert first.authorized  # Slack's own host got the token…
    assert foreign.seen == []  # …the place it redirected to got nothing at all
    (answer,) = bot.slack.responses_to("sc")
    assert "not one I may download" in answer.body["text"]


async def test_a_port_check_modal_with_a_foreign_csv_says_so_in_a_dm(
    bot: Bot, foreign: Foreign
) -> None:
    state = {"check_file": {"csv": {"type": "file_input", "files": [_file(foreign.url)]}}}
    response = await bot.send(view_submission("port_check_modal", state))
    assert response.status_code == 200
    await bot.settle()
    said = [str(c.args.get("text")) for c in bot.slack.calls_to("chat.postMessage")]
    assert any("not one I may download" in text for text in said), said
    assert foreign.seen == []


async def test_a_port_in_bill_from_elsewhere_is_a_field_error(bot: Bot, foreign: Foreign) -> None:
    form, _ = await open_form(bot)
    bill = _file(foreign.url, "bill.pdf", filetype="pdf", mimetype="application/pdf", id="FB")
    body = await form.submit_details(details_state(bill, LANDLINE))
    assert body["response_action"] == "errors"
    assert "files.slack.com" in body["errors"][F.BILL] and "Upload it" in body["errors"][F.BILL]
    assert await _rows(bot, PortInDraft) == []
    assert foreign.seen == []


async def test_a_manual_ports_documents_from_elsewhere_are_field_errors(
    bot: Bot, foreign: Foreign
) -> None:
    loa = _file(foreign.url, "loa.pdf", filetype="pdf", mimetype="application/pdf", id="FL")
    body = await submit_form(bot, form_state(UK, loa=loa))
    assert body["response_action"] == "errors"
    assert "files.slack.com" in body["errors"][M.LOA]
    assert await bot.desk.manual.open_ports() == []

    port = await start_port(bot)  # documents added later: the same refusal
    await press(bot, port, Action.MANUAL_ADD_DOCUMENTS)
    opened = bot.slack.calls_to("views.open")[-1].args["view"]
    csr = _file(foreign.url, "csr.pdf", filetype="pdf", mimetype="application/pdf", id="FC")
    state = {M.CSR: {M.CSR: {"type": "file_input", "files": [csr]}}}
    response = await bot.send(
        view_submission(
            Callback.MANUAL_DOCUMENTS, state, private_metadata=opened["private_metadata"]
        )
    )
    assert response.json()["response_action"] == "errors"
    assert "files.slack.com" in response.json()["errors"][M.CSR]
    await bot.settle()
    assert foreign.seen == []
