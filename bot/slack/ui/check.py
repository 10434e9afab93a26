"""/port-check (pure builders): its modal, the results' blocks, progress and CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.desk.manual.types import group_by_country
from bot.desk.types import CheckResult
from bot.porting.phone import MAX_NUMBERS, display
from bot.porting.reasons import NOT_PORTABLE, Advice, not_portable_advice
from bot.slack.ids import Action, Callback, Input
from bot.slack.ids import Block as BlockId
from bot.slack.ui.fmt import clip, escape, plural
from bot.slack.ui.manual.start_offer import start_buttons

INLINE_LIMIT = 10
MANUAL_PORTING_AVAILABLE = 22133
_INVALID_SHOWN = 15


def check_modal() -> View:
    """/port-check with no numbers: paste up to 1,000 numbers or upload a CSV."""
    return View(
        type="modal",
        callback_id=Callback.CHECK_MODAL,
        title="Check portability",
        submit="Check numbers",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Paste numbers (about 200 fit), or attach a CSV of up to 1,000 numbers. "
                    "Results come to you privately, with a CSV of every number."
                )
            ),
            InputBlock(
                block_id=BlockId.CHECK_TEXT,
                label="Numbers",
                optional=True,
                hint="Separate with commas, spaces or new lines: (415) 555-0100, +14155550101",
                element=PlainTextInputElement(
                    action_id=Input.CHECK_TEXT,
                    multiline=True,
                    max_length=3000,
                    placeholder="(415) 555-0100\n415.555.0101\n+1 415 555 0102",
                ),
            ),
            {
                "type": "input",
                "block_id": BlockId.CHECK_FILE,
                "optional": True,
                "label": {"type": "plain_text", "text": "…or a CSV file"},
                "hint": {
                    "type": "plain_text",
                    "text": "A column named phone, number or e164 is used; otherwise every cell.",
                },
                "element": {
                    "type": "file_input",
                    "action_id": Input.CHECK_FILE,
                    "filetypes": ["csv", "txt"],
                    "max_files": 1,
                },
            },
            ContextBlock(elements=[MarkdownTextObject(text="Nothing is filed with Twilio.")]),
        ],
    )


def _type(result: CheckResult) -> str:
    return (result.number_type or "unknown").lower().replace("_", "-")


def result_line(result: CheckResult) -> str:
    number = f"*{display(result.number)}*"
    if result.error is not None:
        advice = not_portable_advice(result.reason_code)
        code = f"{result.reason_code} " if result.reason_code else ""
        said = escape(result.error)
        return f"⚠️ {number} · could not be checked ({code}{said}). {advice.next_step}"
    if result.portable:
        line = f"✅ {number} · {_type(result)} · portable"
        if result.pin_required:
            line += " · PIN and account number will be needed"
        return line
    advice = not_portable_advice(result.reason_code, result.reason)
    return (
        f"⛔ {number} · {_type(result)} · not portable through the API "
        f"(<{advice.link}|{advice.code} {advice_name(advice)}>): {advice.next_step}"
    )


def advice_name(advice: Advice) -> str:
    """Our name for a reason we know, else Twilio's words, escaped."""
    return advice.name if NOT_PORTABLE.get(advice.code) == advice else escape(advice.name)


def invalid_line(invalid: Sequence[str]) -> str:
    shown = ", ".join(f'"{escape(clip(entry, 40))}"' for entry in invalid[:_INVALID_SHOWN])
    more = f" and {len(invalid) - _INVALID_SHOWN} more" if len(invalid) > _INVALID_SHOWN else ""
    count = len(invalid)
    what = (
        f"{plural(count, 'entry', 'entries', these=True)} as "
        f"{plural(count, 'a phone number', 'phone numbers', bare=True)}"
    )
    return (
        f"I could not read {what}: {shown}{more}. "
        "Use a US number like (415) 555-0100 or E.164 like +14155550100."
    )


def summary_line(results: Sequence[CheckResult]) -> str:
    counts = Counter(r.outcome for r in results)
    pin = sum(1 for r in results if r.portable and r.pin_required)
    parts = [f"✅ {counts['portable']:,} portable"]
    if pin:
        parts[0] += f" ({pin:,} need a PIN and account number)"
    if counts["not_portable"]:
        reasons = Counter(
            advice_name(not_portable_advice(r.reason_code, r.reason))
            for r in results
            if r.outcome == "not_portable"
        )
        detail = ", ".join(f"{name} ×{n:,}" for name, n in reasons.most_common())
        parts.append(f"⛔ {counts['not_portable']:,} not portable ({detail})")
    if counts["error"]:
        parts.append(f"⚠️ {counts['error']:,} could not be checked")
    return " · ".join(parts)


def check_text(results: Sequence[CheckResult], invalid: Sequence[str] = ()) -> str:
    """Fallback text for notifications and screen readers."""
    text = f"Portability of {plural(len(results), 'number')}: {summary_line(results)}"
    if invalid:
        text += f" · {len(invalid)} unreadable"
    return text


def check_blocks(
    results: Sequence[CheckResult],
    invalid: Sequence[str] = (),
    *,
    check_id: str | None = None,
    shared_by: str | None = None,
) -> list[Block]:
    """Results for up to INLINE_LIMIT numbers line by line, more as a summary."""
    blocks: list[Block] = [HeaderBlock(text=f"Portability of {plural(len(results), 'number')}")]
    if len(results) <= INLINE_LIMIT:
        blocks += [SectionBlock(text=MarkdownTextObject(text=result_line(r))) for r in results]
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=summary_line(results))))
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text="Every number is in the CSV file with these results.")
                ]
            )
        )
    if not results and not invalid:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No numbers to check.")))
    if invalid:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=invalid_line(invalid))]))
    if shared_by:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Shared by <@{shared_by}>")]))
    elif check_id:
        buttons = [
            ButtonElement(text="Share in channel", action_id=Action.SHARE_CHECK, value=check_id)
        ]
        portable = sum(1 for r in results if r.portable)
        if portable:
            buttons.append(
                ButtonElement(
                    text=f"Start port-in with {plural(portable, 'portable number')}",
                    action_id=Action.START_PORT_IN,
                    value=check_id,
                    style="primary",
                )
            )
        buttons += start_buttons(group_by_country(manual_numbers(results)), check_id)
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def manual_numbers(results: Sequence[CheckResult]) -> list[str]:
    """The numbers Twilio says port manually (22133): a manual port, or the Console."""
    return [
        r.number
        for r in results
        if not r.portable and r.error is None and r.reason_code == MANUAL_PORTING_AVAILABLE
    ]


def progress_text(done: int, total: int) -> str:
    return f"⏳ Checked {done:,} of {total:,} numbers…"


def progress_blocks(done: int, total: int, results: Sequence[CheckResult] = ()) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=progress_text(done, total)))]
    if results:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=summary_line(results))]))
    return blocks


def too_many_text(count: int) -> str:
    return (
        f"That is {count:,} numbers; one check takes at most {MAX_NUMBERS:,} (Twilio's limit "
        "for a port-in request). Split the list and check each part."
    )


def no_dm_text(count: int, reason: str) -> str:
    """A bulk check whose results had nowhere to go: they live in a DM with the bot."""
    return (
        f"⚠️ I could not open a DM with you for the results of {count:,} numbers ({reason}), "
        f"so I did not check them. Check that the app may message you, then run /port-check "
        f"again — or check at most {INLINE_LIMIT} numbers at a time to get the answer here."
    )


CSV_COLUMNS = (
    "phone_number",
    "portable",
    "number_type",
    "pin_and_account_number_required",
    "not_portable_reason_code",
    "not_portable_reason",
    "next_step",
    "error",
)


def check_csv(results: Sequence[CheckResult]) -> str:
    """One row per number, E.164, for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        advice = None if r.portable else not_portable_advice(r.reason_code, r.reason)
        writer.writerow(
            [
                r.number,
                "yes" if r.portable else ("unknown" if r.error else "no"),
                r.number_type or "",
                "yes" if r.pin_required else "no",
                r.reason_code or "",
                (advice.name if advice and not r.error else r.reason) or "",
                advice.next_step if advice else "",
                r.error or "",
            ]
        )
    return out.getvalue()
