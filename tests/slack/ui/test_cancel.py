"""The cancel modals (choose, confirm, outcomes) and their texts."""

from __future__ import annotations

import pytest

from bot.desk.types import CancelOutcome
from bot.porting.errors import TwilioError
from bot.slack.carried import PRIVATE_METADATA_LIMIT, CancelMeta
from bot.slack.ids import Callback, CancelField
from bot.slack.ui import cancel
from tests.slack.ui.block_kit import modal_problems, texts
from tests.slack.ui.samples import MANY, SID, holder, snapshot

OPEN = ("in_review", "submitted", "pending")


def meta(count: int = 0) -> CancelMeta:
    return CancelMeta(request_sid=SID, numbers=[f"+1415{5550000 + i:07d}" for i in range(count)])


@pytest.mark.parametrize("count", [0, 1, 100, 101, MANY])
def test_every_cancel_modal_keeps_slacks_limits(count: int) -> None:
    s = snapshot(count, statuses=OPEN)
    most = meta(cancel.MAX_NUMBERS_PER_CANCEL)
    for view in (
        cancel.choose_view(s),
        cancel.confirm_view(most, s),
        cancel.confirm_view(meta(), s),
        cancel.loaded_view(s, most),
        cancel.loaded_view(s, meta(), choose=True),
        cancel.loading_view(most),
        cancel.canceling_view(most),
    ):
        assert modal_problems(view) == []


def test_the_chooser_offers_a_hundred_and_a_paste_area_for_the_rest() -> None:
    view = cancel.choose_view(snapshot(MANY, statuses=OPEN)).to_dict()
    assert view["callback_id"] == Callback.CANCEL_CHOOSE
    select, paste = view["blocks"][1], view["blocks"][2]
    assert select["block_id"] == CancelField.NUMBERS and select["optional"] is True
    assert len(select["element"]["options"]) == 100
    assert paste["block_id"] == CancelField.PASTE
    few = cancel.choose_view(snapshot(5, statuses=OPEN)).to_dict()
    assert [b.get("block_id") for b in few["blocks"]] == [None, CancelField.NUMBERS]
    assert few["blocks"][1]["optional"] is False


def test_nothing_cancellable_says_so_without_a_form() -> None:
    done = snapshot(4, statuses=("completed", "canceled"))
    view = cancel.choose_view(done).to_dict()
    assert view["callback_id"] == Callback.CANCEL_STATUS and "submit" not in view
    assert "Nothing left to cancel" in texts(view["blocks"])
    assert "nothing is left to cancel" in texts(cancel.loaded_view(done, meta()).blocks)


def test_the_confirmation_names_exactly_what_goes_within_the_metadata_limit() -> None:
    most = meta(cancel.MAX_NUMBERS_PER_CANCEL)
    view = cancel.confirm_view(most, snapshot(3)).to_dict()
    assert view["callback_id"] == Callback.CANCEL_CONFIRM
    assert view["submit"]["text"] == "Cancel 150 numbers"
    assert len(view["private_metadata"]) <= PRIVATE_METADATA_LIMIT
    assert CancelMeta.load(view["private_metadata"]) == most
    assert "+1 415-555-0149" in texts(view["blocks"])  # all 150 listed
    whole = cancel.confirm_view(meta(), snapshot(3, statuses=OPEN)).to_dict()
    assert whole["submit"]["text"] == "Cancel request"


def test_numbers_not_in_the_request_are_left_out_of_the_confirmation() -> None:
    asked = CancelMeta(request_sid=SID, numbers=["+14155550000", "+19995550000"])
    view = cancel.loaded_view(snapshot(2, statuses=OPEN), asked).to_dict()
    assert CancelMeta.load(view["private_metadata"]).numbers == ["+14155550000"]


def test_outcomes_busy_and_refusals_in_plain_words() -> None:
    busy = cancel.busy_text(holder("request.canceled"), "it")
    assert busy.startswith("🚫 <@UOTHER> already canceled the whole request")
    going = cancel.busy_text(holder("numbers.canceled", "in_progress"), "+1 415-555-0100")
    assert going.startswith("⏳ <@UOTHER> is canceling")
    refused = TwilioError(409, 20409, "Port in cannot be canceled in status 'COMPLETED'")
    assert "it is already completed" in cancel.refusal_text(refused, "it")
    assert modal_problems(cancel.status_view(cancel.refusal_text(refused, "x" * 5000))) == []


def test_the_outcome_says_what_went_and_what_did_not() -> None:
    refused = TwilioError(400, 21000, "no")
    outcome = CancelOutcome(
        SID,
        "U1",
        whole_request=False,
        snapshot=snapshot(3),
        canceled=["+14155550000"],
        skipped=[("+14155550001", "it is already Completed")],
        busy=[("+14155550002", holder("numbers.canceled", "in_progress"))],
        failed=[("+14155550003", refused)],
    )
    lines = cancel.outcome_text(outcome).splitlines()
    assert lines[0] == f"🚫 Canceled 1 number of `{SID}`: +1 415-555-0000."
    assert lines[1] == "• +1 415-555-0001 not canceled: it is already Completed."
    assert lines[2].startswith("• +1 415-555-0002: ⏳ <@UOTHER> is canceling it")
    assert lines[3].startswith("• +1 415-555-0003: ⚠️ Twilio refused to cancel it")
    assert lines[-1] == "The request's thread says who canceled what."
    nothing = CancelOutcome(SID, "U1", whole_request=False)
    assert cancel.outcome_text(nothing) == "Nothing was canceled."
    whole = CancelOutcome(SID, "U1", whole_request=True, canceled=["+14155550000"] * MANY)
    assert modal_problems(cancel.status_view(cancel.outcome_text(whole))) == []
