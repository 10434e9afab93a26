"""/port-check through the real Bolt app: signed requests in, what the fake Slack received out."""

from __future__ import annotations

import csv
import io

from tests.conftest import Bot
from tests.fakes.slack_requests import (
    block_actions,
    message_shortcut,
    slash_command,
    view_submission,
)

PORTABLE = "+14155550100"
MOBILE = "+14155550201"
TOLL_FREE = "+18005550100"


async def test_few_numbers_answered_privately_with_reasons(bot: Bot) -> None:
    url = bot.slack.response_url("check")
    response = await bot.send(
        slash_command(
            "/port-check", f"(415) 555-0100, 415.555.0201 {TOLL_FREE} 12ab", response_url=url
        )
    )
    assert response.status_code == 200
    await bot.settle()
    posts = bot.slack.responses_to("check")
    assert len(posts) == 1
    body = posts[0].body
    assert body["response_type"] == "ephemeral"
    text = str(body["blocks"])
    assert "+1 415-555-0100" in text and "portable" in text
    assert "PIN and account number will be needed" in text
    assert "22133" in text and "MANUAL_PORTING_AVAILABLE" in text
    assert '"12ab"' in text
    assert "Share in channel" in text
    assert body["text"].startswith("Portability of 3 numbers")


async def test_share_in_channel_posts_results(bot: Bot) -> None:
    url = bot.slack.response_url("check")
    await bot.send(slash_command("/port-check", PORTABLE, response_url=url, channel_id="CTEAM"))
    await bot.settle()
    blocks = bot.slack.responses_to("check")[0].body["blocks"]
    check_id = next(e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"])
    # Someone else cannot share it.
    other = bot.slack.response_url("other")
    await bot.send(block_actions("share_check", check_id, user_id="U999", response_url=other))
    await bot.settle()
    assert "Only the person" in bot.slack.responses_to("other")[0].body["text"]
    assert not bot.slack.calls_to("chat.postMessage")

    await bot.send(block_actions("share_check", check_id, user_id="U123", response_url=url))
    await bot.settle()
    post = bot.slack.calls_to("chat.postMessage")[-1]
    assert post.args["channel"] == "CTEAM"
    assert "Shared by <@U123>" in str(post.args["blocks"])
    assert post.args["text"]


async def test_invalid_only_gets_immediate_error(bot: Bot) -> None:
    response = await bot.send(slash_command("/port-check", "hello 12ab"))
    assert response.status_code == 200
    assert '"hello"' in response.text and "could not read" in response.text


async def test_more_than_1000_refused(bot: Bot) -> None:
    numbers = " ".join(f"+1212555{i:04d}" for i in range(1001))
    response = await bot.send(slash_command("/port-check", numbers))
    assert "1,001 numbers" in response.text and "1,000" in response.text
    await bot.settle()
    assert (
        not bot.sandbox.state.portability_checks
        if hasattr(bot.sandbox.state, "portability_checks")
        else True
    )


async def test_no_numbers_opens_modal(bot: Bot) -> None:
    await bot.send(slash_command("/port-check", ""))
    await bot.settle()
    view = bot.slack.calls_to("views.open")[0].args["view"]
    assert view["callback_id"] == "port_check_modal"
    assert {b.get("block_id") for b in view["blocks"]} >= {"check_text", "check_file"}


async def test_modal_empty_submission_gets_field_error(bot: Bot) -> None:
    response = await bot.send(
        view_submission(
            "port_check_modal",
            {"check_text": {"numbers": {"type": "plain_text_input", "value": None}}},
        )
    )
    assert response.json()["response_action"] == "errors"
    assert "check_text" in response.json()["errors"]


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


async def test_bulk_check_progress_summary_and_csv_in_dm(bot: Bot) -> None:
    numbers = [f"+1212555{i:04d}" for i in range(30)] + [TOLL_FREE, MOBILE]
    url = bot.slack.response_url("bulk")
    await bot.send(slash_command("/port-check", "\n".join(numbers), response_url=url))
    await bot.settle()
    assert "DM" in bot.slack.responses_to("bulk")[0].body["text"]
    final = bot.slack.calls_to("chat.update")[-1].args
    assert "32 numbers" in final["text"]
    assert "⛔ 1 not portable (MANUAL_PORTING_AVAILABLE ×1)" in str(final["blocks"])
    upload = bot.slack.uploaded_files[-1]
    rows = _csv_rows(upload.content)
    assert len(rows) == 32
    assert {r["phone_number"] for r in rows} == set(numbers)
    by_number = {r["phone_number"]: r for r in rows}
    assert by_number[TOLL_FREE]["portable"] == "no"
    assert by_number[TOLL_FREE]["not_portable_reason_code"] == "22133"
    assert by_number[MOBILE]["pin_and_account_number_required"] == "yes"


async def test_message_shortcut_reads_text_and_csv(bot: Bot) -> None:
    bot.slack.add_file(
        "F1", "numbers.csv", b"name,phone\nA,415-555-0100\nB,(415) 555-0101\n", "text/csv", "csv"
    )
    file = (await bot.runtime.slack.files_info(file="F1"))["file"]
    url = bot.slack.response_url("sc")
    await bot.send(
        message_shortcut(
            "port_check_message",
            {"text": "please check 212-555-0199", "files": [file]},
            response_url=url,
        )
    )
    await bot.settle()
    body = bot.slack.responses_to("sc")[-1].body
    assert body["text"].startswith("Portability of 3 numbers")
    assert "+1 212-555-0199" in str(body["blocks"])


async def test_message_shortcut_on_prose_checks_the_numbers_and_ignores_the_words(
    bot: Bot,
) -> None:
    url = bot.slack.response_url("prose")
    text = (
        "Numbers from Acme: (415) 555-0100 and +1 415 555 0101, plus 415-555-01 which "
        "looks short. Ticket 4471, due 2026-11-01. Thanks!"
    )
    await bot.send(message_shortcut("port_check_message", {"text": text}, response_url=url))
    await bot.settle()
    body = bot.slack.responses_to("prose")[-1].body
    said = f"{body['text']}\n{body['blocks']}"
    assert body["text"].startswith("Portability of 2 numbers"), body["text"]
    assert "+1 415-555-0100" in said and "+1 415-555-0101" in said
    assert "this entry as a phone number" in said and '"415-555-01"' in said
    for word in ("Numbers", "from", "Acme", "Thanks", "4471", "2026-11-01"):
        assert f'"{word}' not in said, word
