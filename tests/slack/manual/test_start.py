"""Starting a manual port through the real Bolt app and the fake Slack: from /port-check's
results (grouped by country), the form (PO Box refused, missing documents listed), its
thread (board, the ready-to-send support request, the documents copied in); /port-in with
only such numbers or a mix; US toll-free numbers → the Console path."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.slack.ids import Action, Callback
from bot.slack.ids import ManualField as M
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_requests import block_actions, slash_command, text_input_state
from tests.manual_forms import (
    ADDRESS,
    FRANCE,
    UK,
    UK_2,
    attach,
    board,
    form_state,
    replies,
    start_port,
    submit_form,
)
from tests.port_in_forms import today

LANDLINE = "+14155550101"
TOLL_FREE = "+18005550100"


def _buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_uk_numbers_from_port_check_to_a_thread_with_the_support_request(bot: Bot) -> None:
    url = bot.slack.response_url("check")
    await bot.send(
        slash_command("/port-check", f"{UK} {UK_2} {FRANCE} {LANDLINE}", response_url=url)
    )
    await bot.settle()
    blocks = bot.slack.responses_to("check")[0].body["blocks"]
    starts = [b for b in _buttons(blocks) if b["action_id"] == Action.MANUAL_START]
    assert [b["text"]["text"] for b in starts] == [
        "Start manual port · United Kingdom (2)",
        "Start manual port · France (1)",
    ]

    await bot.send(block_actions(Action.MANUAL_START, starts[0]["value"], response_url=url))
    await bot.settle()
    opened = bot.slack.calls_to("views.open")[-1].args["view"]
    assert opened["callback_id"] == Callback.MANUAL_FORM
    numbers = next(b for b in opened["blocks"] if b.get("block_id") == M.NUMBERS)
    assert numbers["element"]["initial_value"] == "+44 20 7183 8750\n+44 20 7183 8751"
    assert "United Kingdom" in json.dumps(opened)

    # A PO Box is refused on the field, before anything is stored.
    refused = await submit_form(
        bot, form_state(f"{UK}\n{UK_2}", address=text_input_state("PO Box 123, London"))
    )
    assert refused["response_action"] == "errors"
    assert "PO Box" in refused["errors"][M.ADDRESS]
    assert await bot.desk.manual.open_ports() == []

    loa = attach(bot, "FLOA", "uk-loa.pdf")
    port = await start_port(bot, f"{UK}\n{UK_2}", loa=loa)
    assert port.thread is not None and port.thread.channel_id == PORTING_CHANNEL
    shown = board(bot, port)
    assert "Manual port · United Kingdom · 2 numbers" in shown
    assert "step 1 of 6: send the request to Twilio support" in shown
    assert "Outstanding: CSR · bill" in shown
    assert "Submitted to Twilio…" in shown and "Add documents…" in shown

    first = replies(bot, port)[0]
    # Every Step 1 item, in order, ready to paste; the attachments; Step 4's warning.
    order = [
        "Business name: Acme Ltd",
        "+44 20 7183 8750",
        "+44 20 7183 8751",
        f"All numbers: {ADDRESS}",
        "Losing carrier: BT",
        "Letter of Authorization (LOA): attached (uk-loa.pdf)",
        "Customer Service Record (CSR): to follow",
        "Most recent bill (within 30 days): to follow",
    ]
    positions = [first.index(part) for part in order]
    assert positions == sorted(positions)
    assert "Outstanding: Customer Service Record (CSR), Most recent bill" in first
    assert "do not close the account with BT" in first
    # The LOA is copied into the thread, downloadable by everyone there.
    (upload,) = [u for u in bot.slack.uploaded_files if u.thread_ts == port.thread.thread_ts]
    assert upload.content == b"%PDF-1.4\n% the LOA for the UK\n"
    assert upload.filename.endswith("uk-loa.pdf")
    # The person who started it hears where the thread is; the audit has it.
    done = bot.slack.calls_to("views.update")[-1].args["view"]
    assert port.id in json.dumps(done) and "Outstanding documents: CSR, bill" in json.dumps(done)
    (entry,) = await bot.desk.manual.history(port.id)
    assert entry.action == "manual.started" and entry.user_id == "U123"


async def test_form_field_errors_name_the_field_and_the_fix(bot: Bot) -> None:
    cases = [
        (form_state(f"{UK} {LANDLINE}"), M.NUMBERS, "/port-in"),
        (form_state(f"{UK} {FRANCE}"), M.NUMBERS, "One country per manual port"),
        (form_state(TOLL_FREE), M.NUMBERS, "Console"),
        (
            form_state(UK, addresses=text_input_state(f"{UK_2}: 2 Low Road")),
            M.ADDRESSES,
            "not among",
        ),
        (
            form_state(UK, addresses=text_input_state(f"{UK}: P.O. Box 9, Leeds")),
            M.ADDRESSES,
            "PO Box",
        ),
        (form_state(UK, carrier=text_input_state(None)), M.CARRIER, "carrier"),
    ]
    for state, field, says in cases:
        body = await submit_form(bot, state)
        assert body["response_action"] == "errors", (field, body)
        assert says in body["errors"][field], (field, body["errors"])
    # A document of the wrong type, and an old bill.
    zipped = bot.slack.add_file("FZIP", "loa.zip", b"PK..", "application/zip", "zip")
    body = await submit_form(bot, form_state(UK, loa=zipped))
    assert "not a PDF or an image" in body["errors"][M.LOA]
    old = today() - timedelta(days=45)
    body = await submit_form(bot, form_state(UK, bill=attach(bot, "FB", "bill.pdf"), bill_date=old))
    assert "last 30 days" in body["errors"][M.BILL_DATE]
    assert await bot.desk.manual.open_ports() == []


async def test_per_number_addresses_go_into_the_request(bot: Bot) -> None:
    other = "2 Low Road, Leeds LS1 1AA, United Kingdom"
    body = await submit_form(
        bot,
        form_state(f"{UK}\n{UK_2}", addresses=text_input_state(f"+44 20 7183 8751: {other}")),
    )
    assert body["response_action"] == "update"
    await bot.settle()
    (port,) = await bot.desk.manual.open_ports()
    first = replies(bot, port)[0]
    assert f"All other numbers: {ADDRESS}" in first
    assert f"+44 20 7183 8751: {other}" in first


async def test_toll_free_from_port_check_gets_the_console_path(bot: Bot) -> None:
    url = bot.slack.response_url("check")
    await bot.send(slash_command("/port-check", TOLL_FREE, response_url=url))
    await bot.settle()
    blocks = bot.slack.responses_to("check")[0].body["blocks"]
    (console,) = [b for b in _buttons(blocks) if b["action_id"] == Action.MANUAL_CONSOLE]
    assert not [b for b in _buttons(blocks) if b["action_id"] == Action.MANUAL_START]
    await bot.send(block_actions(Action.MANUAL_CONSOLE, console["value"], response_url=url))
    await bot.settle()
    said = json.dumps(bot.slack.responses_to("check")[-1].body)
    assert "Port & Host" in said and "Letter of Authorization" in said
    assert "+1 800-555-0100" in said
    assert not bot.slack.calls_to("views.open")


async def test_port_in_with_only_toll_free_answers_with_the_console_path(bot: Bot) -> None:
    url = bot.slack.response_url("pi")
    await bot.send(slash_command("/port-in", TOLL_FREE, response_url=url))
    await bot.settle()
    assert not bot.slack.calls_to("views.open")
    (answer,) = bot.slack.responses_to("pi")
    assert "Port & Host" in json.dumps(answer.body)


async def test_port_in_with_only_international_numbers_opens_the_manual_form(bot: Bot) -> None:
    await bot.send(slash_command("/port-in", f"{UK} {UK_2}"))
    await bot.settle()
    (opened,) = bot.slack.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == Callback.MANUAL_FORM
    assert "+44 20 7183 8751" in json.dumps(opened.args["view"])


async def test_mixed_port_in_files_the_us_numbers_and_offers_the_rest(bot: Bot) -> None:
    url = bot.slack.response_url("pi")
    await bot.send(slash_command("/port-in", f"{LANDLINE} {UK} {TOLL_FREE}", response_url=url))
    await bot.settle()
    (opened,) = bot.slack.calls_to("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == Callback.PORT_IN_DETAILS
    numbers = next(b for b in view["blocks"] if b.get("block_id") == "pi_numbers")
    assert numbers["element"]["initial_value"] == LANDLINE
    assert "cannot file" in json.dumps(view)
    said = [json.dumps(r.body) for r in bot.slack.responses_to("pi")]
    assert any("Port & Host" in s for s in said)  # the toll-free number: the Console
    offer = next(
        r.body for r in bot.slack.responses_to("pi") if "manual_start" in json.dumps(r.body)
    )
    (start,) = [b for b in _buttons(offer["blocks"]) if b["action_id"] == Action.MANUAL_START]
    assert start["text"]["text"] == "Start manual port · United Kingdom (1)"
    # The button carries the numbers: it opens the manual form with them.
    await bot.send(block_actions(Action.MANUAL_START, start["value"], response_url=url))
    await bot.settle()
    manual_view = bot.slack.calls_to("views.open")[-1].args["view"]
    assert manual_view["callback_id"] == Callback.MANUAL_FORM
    assert "+44 20 7183 8750" in json.dumps(manual_view)


async def test_a_document_slack_no_longer_has_is_asked_for_again(bot: Bot) -> None:
    gone = {**attach(bot, "FGONE", "csr.pdf"), "id": "FGONE"}
    del bot.slack.state.files["FGONE"]  # deleted in Slack before the bot could copy it
    port = await start_port(bot, UK, csr=gone)
    said = replies(bot, port)
    assert any("could not copy csr.pdf" in r and "Add documents" in r for r in said)
    assert not [u for u in bot.slack.uploaded_files if u.filename.endswith("csr.pdf")]
    assert not await bot.runtime.outbox.pending()  # given up on, not retried forever


async def test_port_in_with_two_countries_opens_one_and_offers_the_other(bot: Bot) -> None:
    url = bot.slack.response_url("pi")
    await bot.send(slash_command("/port-in", f"{UK} {FRANCE}", response_url=url))
    await bot.settle()
    (opened,) = bot.slack.calls_to("views.open")
    assert "United Kingdom" in json.dumps(opened.args["view"])
    (offer,) = bot.slack.responses_to("pi")
    assert "opened for the numbers from United Kingdom" in offer.body["text"]
    (start,) = _buttons(offer.body["blocks"])
    assert start["text"]["text"] == "Start manual port · France (1)"
