"""Starting a manual port from where numbers the API cannot file show up (pure): the buttons
under /port-check results and /port-in's answer (one per country), and the Console path for
US toll-free numbers."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk.manual.types import BILL_MAX_AGE_DAYS, CountryGroup
from bot.slack.carried import ManualStart
from bot.slack.ids import Action
from bot.slack.ui.fmt import clip, number_list, plural

CONSOLE_URL = "https://console.twilio.com/"
TOLL_FREE_HELP = "https://support.twilio.com/hc/en-us/articles/223131767"
MAX_BUTTONS = 5  # countries offered under one answer (25 elements fit; keep it readable)
# Numbers a button can carry itself (a value holds 2,000 characters).
CARRIED_NUMBERS = 100


def start_value(group: CountryGroup, check_id: str | None) -> str | None:
    """The value of a group's button: the stored check's id and the country, else the numbers
    themselves; None when neither fits."""
    if check_id:
        if not group.country:
            return None
        return ManualStart(check_id=check_id, country=group.country).value()
    if len(group.numbers) > CARRIED_NUMBERS:
        return None
    return ManualStart(numbers=list(group.numbers)).value()


def start_buttons(groups: Sequence[CountryGroup], check_id: str | None) -> list[ButtonElement]:
    """*Start manual port · United Kingdom (2)* per country, *Toll-free: file in the
    Console…* for US numbers."""
    buttons: list[ButtonElement] = []
    for group in groups[:MAX_BUTTONS]:
        value = start_value(group, check_id)
        if value is None:
            continue
        if group.console:
            text = f"Toll-free: file in the Console… ({len(group.numbers):,})"
            buttons.append(ButtonElement(text=text, action_id=Action.MANUAL_CONSOLE, value=value))
        else:
            text = f"Start manual port · {group.name} ({len(group.numbers):,})"
            buttons.append(
                ButtonElement(text=text[:75], action_id=Action.MANUAL_START, value=value)
            )
    return buttons


def manual_lines(groups: Sequence[CountryGroup]) -> list[str]:
    lines = []
    for group in groups:
        count = len(group.numbers)
        how = (
            f"file {plural(count, 'it', 'them', bare=True)} in the Twilio Console"
            if group.console
            else f"{plural(count, 'it', 'they', bare=True, verb='ports')} through a request to "
            "Twilio support"
        )
        lines.append(
            f"🌍 {plural(len(group.numbers), 'number')} from {group.name} "
            f"({number_list(list(group.numbers), 5)}): {how}."
        )
    return lines


def manual_offer(
    groups: Sequence[CountryGroup], *, opened: str | None = None
) -> tuple[str, list[Block]]:
    """/port-in's answer for numbers the API cannot file, next to the form it ``opened`` for
    others ("port-in": the API's numbers; else the country whose manual port it opened)."""
    count = sum(len(g.numbers) for g in groups)
    if opened == "port-in":
        head = (
            "The port-in form holds the numbers Twilio's Porting API can file. The other "
            f"{plural(count, 'number')} cannot go through the API (22133 "
            "MANUAL_PORTING_AVAILABLE):"
        )
    elif opened:
        head = (
            f"The manual-port form opened for the numbers from {opened}. Start another "
            "manual port for each other country (each needs its own country's LOA):"
        )
    else:
        head = (
            f"{plural(count, 'number')} cannot go through Twilio's Porting API (22133 "
            "MANUAL_PORTING_AVAILABLE):"
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip("\n".join([head, *manual_lines(groups)]))))
    ]
    buttons = start_buttons(groups, None)
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    if len(buttons) < min(len(groups), MAX_BUTTONS) or len(groups) > MAX_BUTTONS:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Too many to start from here: run /port-check with them, then "
                        "use the buttons under its results."
                    )
                ]
            )
        )
    return head, blocks


def console_message(numbers: Sequence[str]) -> tuple[str, list[Block]]:
    """US toll-free numbers: the Console's port-in, what to prepare and where."""
    head = (
        f"☎️ {plural(len(numbers), 'toll-free number')} ({number_list(list(numbers), 10)}) "
        "can't go through Twilio's Porting API (22133 MANUAL_PORTING_AVAILABLE): file "
        f"{plural(len(numbers), 'it', 'them', bare=True)} as "
        f"a port-in request in the <{CONSOLE_URL}|Twilio Console>, under *Phone Numbers › "
        "Manage › Port & Host*."
    )
    prepare = "\n".join(
        [
            "*Prepare:*",
            "• the numbers, and the name and service address exactly as the current carrier "
            "(the RespOrg) has them",
            "• a Letter of Authorization signed by the owner or an authorized user of the account",
            f"• a recent bill or invoice (within {BILL_MAX_AGE_DAYS} days) from the current "
            "carrier, showing the account and the numbers",
            "• keep the account with the current carrier open until every number has ported",
        ]
    )
    after = (
        f"Toll-free ports take 1–4 weeks; Twilio e-mails when the port date is set. "
        f"<{TOLL_FREE_HELP}|Twilio's toll-free porting article>"
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(head))),
        SectionBlock(text=MarkdownTextObject(text=prepare)),
        ContextBlock(elements=[MarkdownTextObject(text=after)]),
    ]
    return head, blocks
