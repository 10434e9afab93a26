"""Cancel flows: choosing numbers, the confirmation naming exactly what goes, outcomes, and the
thread reply saying who canceled what (pure builders)."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.desk.records import ActionHolder
from bot.desk.types import CancelOutcome, RequestSnapshot
from bot.porting.errors import TwilioError
from bot.porting.models import PortInNumber
from bot.porting.phone import display
from bot.slack.carried import CancelMeta
from bot.slack.ids import Callback, CancelField
from bot.slack.ui.board import customer
from bot.slack.ui.fmt import clip, escape, number_list, plural, slack_date, url, user
from bot.slack.ui.modals import message_view

# Numbers one confirmation can name (they travel in private_metadata, ≤ 3,000 characters).
MAX_NUMBERS_PER_CANCEL = 150
_SELECT_LIMIT = 100  # options in one select menu
_SHOWN = 30


def cancellable(snapshot: RequestSnapshot) -> list[PortInNumber]:
    # A number Twilio's copy does not name cannot be picked or confirmed by its number.
    return [
        n
        for n in snapshot.request.phone_numbers
        if n.number_sid and n.phone_number and n.status.cancellable
    ]


def _what(meta: CancelMeta) -> str:
    if meta.numbers:
        return plural(len(meta.numbers), "number")
    return f"request {meta.request_sid}"


def loading_view(meta: CancelMeta) -> View:
    return message_view(
        Callback.CANCEL_STATUS,
        "Cancel port-in",
        f"⏳ Looking up `{meta.request_sid}` at Twilio…",
        private_metadata=meta.dump(),
    )


def choose_view(snapshot: RequestSnapshot) -> View:
    """Pick the numbers to cancel (only those that can still be canceled are offered)."""
    r = snapshot.request
    numbers = cancellable(snapshot)
    meta = CancelMeta(request_sid=r.request_sid)
    if not numbers:
        return message_view(
            Callback.CANCEL_STATUS,
            "Cancel numbers",
            f"Nothing left to cancel in `{r.request_sid}` ({customer(r)}): every number is "
            "ported, canceled or being canceled.",
        )
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Which numbers of `{r.request_sid}` ({customer(r)}) should Twilio stop "
                f"porting? {plural(len(numbers), 'number')} can still be canceled. You confirm "
                "on the next screen."
            )
        ),
        InputBlock(
            block_id=CancelField.NUMBERS,
            label="Numbers to cancel",
            optional=len(numbers) > _SELECT_LIMIT,
            element=StaticMultiSelectElement(
                action_id=CancelField.NUMBERS,
                placeholder="Choose numbers",
                options=[
                    Option(
                        value=n.phone_number or "",
                        text=clip(f"{display(n.phone_number or '')} · {n.status_label}", 75),
                    )
                    for n in numbers[:_SELECT_LIMIT]
                ],
            ),
        ),
    ]
    if len(numbers) > _SELECT_LIMIT:
        blocks.append(
            InputBlock(
                block_id=CancelField.PASTE,
                label="…or paste numbers",
                optional=True,
                hint=f"The menu shows the first {_SELECT_LIMIT}; paste others here "
                f"(at most {MAX_NUMBERS_PER_CANCEL} at a time).",
                element=PlainTextInputElement(
                    action_id=CancelField.PASTE, multiline=True, max_length=3000
                ),
            )
        )
    return View(
        type="modal",
        callback_id=Callback.CANCEL_CHOOSE,
        title="Cancel numbers",
        submit="Next",
        close="Back out",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def confirm_view(meta: CancelMeta, snapshot: RequestSnapshot | None = None) -> View:
    """Names exactly what will be canceled; the submit button says it again."""
    sid = meta.request_sid
    who = f" ({customer(snapshot.request)})" if snapshot else ""
    if meta.numbers:
        text = (
            f"Cancel {plural(len(meta.numbers), 'number')} of `{sid}`{who}?\n"
            f"{number_list(meta.numbers, limit=MAX_NUMBERS_PER_CANCEL)}\n\n"
            "Twilio stops porting them; the rest of the request goes on. This can't be undone: "
            "to port a canceled number later, file it again."
        )
        submit = f"Cancel {plural(len(meta.numbers), 'number')}"
        title = "Cancel numbers"
    else:
        going = cancellable(snapshot) if snapshot else []
        listed = number_list([n.phone_number or "" for n in going], limit=_SHOWN) if going else ""
        count = f"{plural(len(going), 'number')} not ported yet: {listed}\n" if going else ""
        text = (
            f"Cancel the whole port-in request `{sid}`{who}?\n{count}\n"
            "Twilio cancels every number that has not ported yet; numbers already ported stay "
            "with Twilio. This can't be undone: to port them later, file a new request."
        )
        submit = "Cancel request"
        title = "Cancel port-in"
    return View(
        type="modal",
        callback_id=Callback.CANCEL_CONFIRM,
        title=title,
        submit=submit,
        close="Keep it",
        private_metadata=meta.dump(),
        blocks=[SectionBlock(text=MarkdownTextObject(text=clip(text)))],
    )


def status_view(text: str) -> View:
    """The cancel modal saying something (no inputs, no submit)."""
    return message_view(Callback.CANCEL_STATUS, "Cancel port-in", text)


def loaded_view(snapshot: RequestSnapshot, meta: CancelMeta, *, choose: bool = False) -> View:
    """Once the request is fetched: the chooser, the confirmation of what can go, or why
    nothing can."""
    r = snapshot.request
    if choose:
        return choose_view(snapshot)
    going = cancellable(snapshot)
    if r.status.terminal or not going:
        return status_view(
            f"`{r.request_sid}` is {escape(r.status_label)}: nothing is left to cancel."
        )
    if meta.numbers:
        can = {n.phone_number for n in going}
        named = [n for n in meta.numbers if n in can]
        if not named:
            return status_view(
                f"None of {number_list(meta.numbers)} can be canceled in `{r.request_sid}`: "
                "they are not in it, or already ported or canceled."
            )
        meta = CancelMeta(request_sid=meta.request_sid, numbers=named)
    return confirm_view(meta, snapshot)


def canceling_view(meta: CancelMeta) -> View:
    return status_view(f"⏳ Canceling {_what(meta)} at Twilio…")


def plain_refusal(error: TwilioError) -> str:
    """Twilio's reason for refusing a cancel, in plain words."""
    state = re.search(r"cannot be canceled in status '([^']+)'", error.message)
    if state:
        status = state.group(1).replace("_", " ").lower()
        return f"it is already {escape(status)}, and Twilio can't cancel it in that state"
    if error.status == 404:
        return "Twilio has no such request or number in this account"
    if error.status == 0:
        return "Twilio did not answer; try again in a minute"
    if error.status in (401, 403):
        return "the bot's Twilio credentials may not cancel it (wrong account?)"
    return escape(error.message.rstrip("."))


def refusal_text(error: TwilioError, what: str) -> str:
    code = f" {error.code}" if error.code else ""
    more = url(error.more_info)
    link = f" <{more}|Twilio{code}>" if more else ""
    return (
        f"⚠️ Twilio refused to cancel {what}: {plain_refusal(error)}.{link}\n"
        f"Twilio's words: “{escape(clip(error.message, 300))}”. Nothing was canceled."
    )


def busy_text(claim: ActionHolder, what: str) -> str:
    """Someone else got there first: who, and whether it is done."""
    if claim.action == "request.canceled":
        what = f"the whole request `{claim.request_sid}`"
    if claim.status == "done":
        return f"🚫 {user(claim.user_id)} already canceled {what} ({slack_date(claim.updated_at)})."
    return f"⏳ {user(claim.user_id)} is canceling {what} right now; nothing more to do."


def outcome_text(outcome: CancelOutcome) -> str:
    """What the person who canceled sees in the modal."""
    lines: list[str] = []
    sid = outcome.request_sid
    if outcome.whole_request:
        lines.append(f"🚫 Canceled request `{sid}`.")
        if outcome.canceled:
            lines.append(f"{plural(len(outcome.canceled), 'number')} canceled or canceling.")
    elif outcome.canceled:
        lines.append(
            f"🚫 Canceled {plural(len(outcome.canceled), 'number')} of `{sid}`: "
            f"{number_list(outcome.canceled)}."
        )
    for number, why in outcome.skipped:
        lines.append(f"• {escape(display(number))} not canceled: {escape(why)}.")
    for number, claim in outcome.busy:
        lines.append(f"• {escape(display(number))}: {busy_text(claim, 'it')}")
    for number, error in outcome.failed:
        lines.append(f"• {escape(display(number))}: {refusal_text(error, 'it')}")
    if outcome.snapshot is not None and outcome.snapshot.thread is not None:
        lines.append("The request's thread says who canceled what.")
    if not lines:
        lines.append("Nothing was canceled.")
    return "\n".join(lines)
