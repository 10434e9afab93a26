"""Names from outside are text, end to end: a request filed in Twilio's Console (not through
the bot) names its customer ``<!channel> Acme`` and its signer a disguised link; the bot
follows it (sandbox → webhook → bot → fake Slack), and the board and the LOA reply show both
as text: nobody is pinged, no link is drawn in the bot's voice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.porting.models import PortInCreate
from bot.sandbox import SandboxConfig
from tests import bodies
from tests.conftest import PORTING_CHANNEL, SANDBOX_START, Bot
from tests.port_in_forms import LANDLINE

CUSTOMER = "<!channel> Acme"
SIGNER = "<https://evil.example|Sign the LOA here> *now*"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(start_time=SANDBOX_START, seed=7, auto_sign_loa=False)


async def test_a_console_request_named_with_markup_posts_a_board_and_loa_reply_as_text(
    bot: Bot,
) -> None:
    twilio = bot.runtime.twilio
    document = await twilio.upload_document(
        content=b"%PDF-1.4\n", filename="bill.pdf", content_type="application/pdf"
    )
    body = bodies.create_json(
        bot.sandbox.config.account_sid,
        [document.sid],
        [LANDLINE],
        account_telephone_number=LANDLINE,
        target=(bot.sandbox.now + timedelta(days=10)).date(),
    )
    body["losing_carrier_information"].update(
        customer_name=CUSTOMER, authorized_representative=SIGNER
    )
    request = await twilio.create_port_in(PortInCreate.model_validate(body))
    await bot.settle()
    await bot.poll_now()  # a webhook or discovery: either way the bot follows it
    await bot.settle()
    await bot.sandbox.advance(timedelta(hours=5))  # Twilio's review is done: the LOA goes out
    await bot.settle()
    assert bot.sandbox.request(request.request_sid).status == "waiting_for_signature"

    posted = [
        c
        for c in bot.slack.calls
        if c.method in ("chat.postMessage", "chat.update")
        and c.ok
        and c.args.get("channel") == PORTING_CHANNEL
    ]
    boards = [c for c in posted if not c.args.get("thread_ts")]
    replies = [c for c in posted if c.args.get("thread_ts")]
    (loa,) = [c for c in replies if "LOA sent" in str(c.args.get("text"))]
    assert boards and loa
    for call in [*boards, loa]:
        said = f"{call.args.get('text')}\n{call.args.get('blocks')}"
        assert "<!channel>" not in said and "<https://evil.example" not in said
        assert "*now*" not in said
    board = str(boards[-1].args["blocks"])
    assert "&lt;!channel&gt; Acme" in board
    assert "&lt;https://evil.example|Sign the LOA here&gt; ∗now∗" in str(loa.args["text"])
