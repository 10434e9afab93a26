"""Thread replies for a change set, and the CSV that follows a long one."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from bot.desk.changes import change_set
from bot.desk.types import NumberChange, RequestUpdate
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.playbooks import PLAYBOOKS
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.slack.carried import NUMBERS_PER_BUTTON, NumbersValue
from bot.slack.ids import Action
from bot.slack.ui import thread_replies
from bot.slack.ui.fmt import INLINE_NUMBERS
from bot.work import ChangeSet
from tests.slack.ui.block_kit import action_ids, block_types, message_problems
from tests.slack.ui.samples import AT, MANY, SID, number, request, update


@pytest.mark.parametrize("count", [1, 9, INLINE_NUMBERS, INLINE_NUMBERS + 1, MANY])
@pytest.mark.parametrize("status", ["in_progress", "action_required", "canceled", "On Hold"])
def test_every_reply_keeps_slacks_limits(count: int, status: str) -> None:
    u = update(count, status, canceled_by={"request": "UCANCEL"})
    text, blocks = thread_replies.update_message(change_set(u, "UFILER"))
    assert message_problems(text, blocks) == []
    types = block_types(blocks)
    assert set(types) <= {"section", "actions"} and types[0] == "section"
    for i, kind in enumerate(types):  # buttons only right under the rejection they act on
        if kind == "actions":
            assert blocks[i - 1].to_dict()["text"]["text"].startswith("❌")


def _rejected(i: int, code: str) -> PortInNumber:
    n = number(i, "rejected")
    n.rejection_reason_code, n.rejection_reason = code, None
    return n


def test_each_rejection_has_refile_and_cancel_buttons_for_its_numbers() -> None:
    group = [_rejected(4, "22154"), _rejected(5, "22154"), _rejected(6, "22155")]
    r = PortInRequest(request_sid=SID, raw_status="action_required", phone_numbers=group)
    changes = [NumberChange(n, NumberStatus.PORT_SUBMITTED, n.status) for n in group]
    u = RequestUpdate(r, RequestStatus.IN_PROGRESS, changes)
    _, blocks = thread_replies.update_message(change_set(u, "UFILER"))
    actions = [b.to_dict() for b in blocks if b.type == "actions"]
    assert len(actions) == 2  # one per reason
    address, pin = ([e for e in a["elements"]] for a in actions)
    assert [e["action_id"] for e in address] == [Action.REFILE, Action.CANCEL_REJECTED]
    assert [e["text"]["text"] for e in address] == ["Re-file 2 numbers…", "Cancel 2 numbers"]
    assert [e["text"]["text"] for e in pin] == ["Re-file…", "Cancel number"]
    value = NumbersValue.model_validate_json(address[0]["value"])
    assert value == NumbersValue(request_sid=SID, numbers=["+14155550004", "+14155550005"])
    assert address[1]["value"] == address[0]["value"]
    assert NumbersValue.model_validate_json(pin[0]["value"]).numbers == ["+14155550006"]


def test_a_rejection_too_big_for_a_button_carries_its_code() -> None:
    group = [_rejected(i, "22154") for i in range(NUMBERS_PER_BUTTON + 1)]
    r = PortInRequest(request_sid=SID, raw_status="action_required", phone_numbers=group)
    changes = [NumberChange(n, NumberStatus.PORT_SUBMITTED, n.status) for n in group]
    u = RequestUpdate(r, None, changes)
    _, blocks = thread_replies.update_message(change_set(u, "UFILER"))
    (actions,) = [b.to_dict() for b in blocks if b.type == "actions"]
    refile, cancel = actions["elements"]
    assert NumbersValue.model_validate_json(refile["value"]) == NumbersValue(
        request_sid=SID, code="22154"
    )
    assert (cancel["action_id"], cancel["value"]) == (Action.CANCEL_NUMBERS, SID)  # choose them


def test_the_old_thread_hears_who_refiled_what_as_what() -> None:
    text = thread_replies.refiled_text("UMARIA", ["+14155550104"], "KW" + "9" * 32, "https://x/p1")
    assert (
        text == f"↪️ <@UMARIA> re-filed +1 415-555-0104 as `KW{'9' * 32}` (<https://x/p1|thread>)."
    )


def test_numbers_with_the_same_outcome_share_a_line() -> None:
    lines = thread_replies.change_lines(change_set(update(18), "UFILER"))
    assert lines[0].startswith("📨 LOA signed")
    rejected = [line for line in lines if line.startswith("❌")]
    assert len(rejected) == 1 and rejected[0].count("+1 415") == 2  # one reason, both numbers
    assert "<@UFILER>" in rejected[0]  # the filer is called on what needs them


def test_who_canceled_is_named_once() -> None:
    canceled = number(7, "canceled")
    u = update(9, "in_progress", old=None, canceled_by={canceled.number_sid or "": "UCANCEL"})
    lines = thread_replies.change_lines(change_set(u))
    assert any(line.startswith("🚫 <@UCANCEL> canceled") for line in lines)
    u = update(9, "canceled", old=RequestStatus.IN_PROGRESS, canceled_by={"request": "UALL"})
    assert thread_replies.change_lines(change_set(u))[0] == "🚫 <@UALL> canceled the request."


def test_a_thousand_changes_are_summarised_and_go_to_a_csv() -> None:
    u = change_set(update(MANY), "UFILER")
    assert thread_replies.needs_csv(u)
    assert not thread_replies.needs_csv(change_set(update(INLINE_NUMBERS)))
    text, _ = thread_replies.update_message(u)
    assert "📎 All 1,000 numbers are in the CSV below." in text
    rows = list(csv.reader(io.StringIO(thread_replies.changes_csv(u))))
    assert rows[0][:3] == ["phone_number", "status", "previous_status"]
    assert len(rows) == MANY + 1 and rows[1][0].startswith("+1")


def test_no_change_no_reply() -> None:
    u = update(0, old=RequestStatus.IN_PROGRESS)
    assert thread_replies.update_message(change_set(u, "UFILER")) == ("", [])


def _loa_sent(filed_by: str | None, status_since: datetime | None = AT) -> ChangeSet:
    u = update(2, "waiting_for_signature", old=RequestStatus.IN_REVIEW)
    lci = u.request.losing_carrier_information
    assert lci is not None
    lci.authorized_representative_email = "jane@acme.example"
    return change_set(u, filed_by, status_since)


def test_loa_sent_names_the_signer_and_the_deadline_and_offers_the_link() -> None:
    text, blocks = thread_replies.update_message(_loa_sent("UFILER"))
    assert message_problems(text, blocks) == []
    deadline = int((AT + timedelta(days=30)).timestamp())
    assert f"<!date^{deadline}^" in text
    assert "*Jane Doe (jane@acme.example)*" in text
    assert "<@UFILER> can get the signing link privately" in text
    assert block_types(blocks)[-1] == "actions" and Action.SIGNATURE_LINK in action_ids(blocks)


def test_loa_sent_for_an_adopted_request_points_at_twilios_email() -> None:
    text, blocks = thread_replies.update_message(_loa_sent(None))
    assert "Twilio's e-mail" in text and "signing link privately" not in text
    assert Action.SIGNATURE_LINK not in action_ids(blocks)


def test_loa_sent_without_a_known_moment_keeps_the_plain_line() -> None:
    text, _ = thread_replies.update_message(_loa_sent("UFILER", status_since=None))
    assert "It expires if not signed in 30 days" in text


def _rejected_update(codes: list[int]) -> RequestUpdate:
    """Numbers just rejected, one per code in ``codes``."""
    r = request(len(codes), "action_required", statuses=("rejected",))
    for n, code in zip(r.phone_numbers, codes, strict=True):
        n.rejection_reason_code, n.rejection_reason = str(code), None
    changes = [
        NumberChange(n, NumberStatus.PORT_SUBMITTED, NumberStatus.PORT_REJECTED)
        for n in r.phone_numbers
    ]
    return RequestUpdate(r, RequestStatus.IN_PROGRESS, changes)


def test_a_rejection_reply_carries_the_whole_playbook_of_each_reason() -> None:
    u = _rejected_update([22154, 22154, 22155])
    lines = thread_replies.change_lines(change_set(u, "UFILER"))
    text = "\n".join(lines)
    address, pin = PLAYBOOKS[22154], PLAYBOOKS[22155]
    assert "❌ <@UFILER> +1 415-555-0000, +1 415-555-0001 rejected: <" in text
    assert address.cause in text and "*Who acts:* the porting desk." in text
    assert "*Next:* re-file with corrected details (service address)." in text
    assert f"1. {address.steps[0]}" in text and f"2. {pin.steps[1]}" in text
    _, blocks = thread_replies.update_message(change_set(u, "UFILER"))
    assert "how_to_fix" not in action_ids(blocks), "nothing left to look up"


def test_more_reasons_than_fit_get_a_line_each_and_how_to_fix() -> None:
    u = _rejected_update([22150, 22151, 22153, 22154, 22158])
    text, blocks = thread_replies.update_message(change_set(u, "UFILER"))
    assert message_problems(text, blocks) == []
    assert text.count("❌") == 5 and "1. " not in text
    assert "*Who acts:* Twilio support. *Next:* contact Twilio support." in text
    ids = action_ids(blocks)
    assert ids[-1] == "how_to_fix" and ids.count("how_to_fix") == 1


def test_back_in_progress_after_the_rejections_were_answered_is_not_the_loa_again() -> None:
    u = update(2, "in_progress", old=RequestStatus.ACTION_REQUIRED)
    text = "\n".join(thread_replies.change_lines(change_set(u, "UFILER")))
    assert "back with the losing carrier" in text and "LOA signed" not in text
    first = update(2, "in_progress", old=RequestStatus.WAITING_FOR_SIGNATURE)
    assert "LOA signed" in "\n".join(thread_replies.change_lines(change_set(first, "UFILER")))
