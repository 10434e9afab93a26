"""The go-live modals (pure builders): choose a request's go-live profile, and say why a
departure alert is acknowledged."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.porting.golive import DEPARTURE_ADVICE
from bot.slack.ids import Callback, GoLiveField
from bot.slack.ui.fmt import escape, number_list

NONE_LABEL = "none (leave numbers as Twilio delivers them)"


def profile_view(
    request_sid: str, names: Sequence[str], current: str | None, private_metadata: str
) -> View:
    """Choose the profile the request's numbers get as they port in."""
    options = [Option(value=n, text=n[:75]) for n in names[:99]]
    options.append(Option(value="none", text=NONE_LABEL))
    initial = next((o for o in options if o.value == (current or "none")), options[-1])
    select = StaticSelectElement(
        action_id=GoLiveField.PROFILE, options=options, initial_option=initial
    )
    return View(
        type="modal",
        callback_id=Callback.GOLIVE_PROFILE,
        title="Go-live profile",
        submit="Save",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"How the numbers of `{request_sid}` are set up the moment they port "
                    "in (voice, messaging): the profiles come from PORTING_PROFILES."
                )
            ),
            InputBlock(block_id=GoLiveField.PROFILE, label="Go-live profile", element=select),
        ],
    )


def acknowledge_view(phone_number: str, private_metadata: str) -> View:
    """Why the departure of ``phone_number`` needs nothing more (audited)."""
    why = PlainTextInputElement(
        action_id=GoLiveField.WHY,
        multiline=True,
        min_length=3,
        max_length=500,
        placeholder="e.g. released on purpose: the customer cancelled the line",
    )
    return View(
        type="modal",
        callback_id=Callback.ACKNOWLEDGE,
        title="Acknowledge",
        submit="Acknowledge",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{escape(number_list([phone_number]))}* left the account. "
                    f"{DEPARTURE_ADVICE}"
                )
            ),
            InputBlock(
                block_id=GoLiveField.WHY,
                label="Why does this need nothing more?",
                element=why,
            ),
        ],
    )


def golive_field(block_id: str, profiles: Sequence[str], chosen: str | None) -> Block:
    """The forms' *Go-live profile*: how the numbers are set up the moment they port."""
    options = [Option(value=name, text=name[:75]) for name in profiles[:99]]
    options.append(Option(value="none", text="none: leave them as Twilio delivers them"))
    initial = next((o for o in options if o.value == (chosen or "none")), options[-1])
    return InputBlock(
        block_id=block_id,
        label="Go-live profile",
        element=StaticSelectElement(action_id=block_id, options=options, initial_option=initial),
        hint="Voice and messaging set on each number as it ports in (PORTING_PROFILES).",
    )
