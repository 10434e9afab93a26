"""Cancel number on a rejection reply: the usual confirmation and audit, then a Re-file of
the canceled number cancels nothing more."""

from __future__ import annotations

from typing import Any

from bot.porting.statuses import NumberStatus
from bot.slack.ids import Action
from bot.slack.ids import PortInField as F
from tests.conftest import Bot
from tests.fakes.slack_requests import text_input_state, view_submission
from tests.port_in_forms import (
    LANDLINE,
    account_state,
    view_text,
    views_updated,
)
from tests.slack.refile.flow import (
    ADDRESS_REJECTED,
    CORRECTED,
    as_shown,
    audit,
    button,
    filed_and_rejected,
    new_request,
    open_refile,
    opened,
    press,
    rejection_reply,
    replies,
    thread_of,
)

# -- cancel number from a rejection reply --------------------------------------------------------


async def test_cancel_number_from_a_rejection_reply_goes_through_the_confirmation(
    bot: Bot, twilio_calls: dict[str, list[Any]]
) -> None:
    old = await filed_and_rejected(bot, f"{LANDLINE} {ADDRESS_REJECTED}", ADDRESS_REJECTED)
    old_thread = await thread_of(bot, old)
    reply = rejection_reply(bot, old_thread, "0154")
    assert button(reply, Action.CANCEL_REJECTED)["text"]["text"] == "Cancel number"
    await press(bot, old_thread, reply, Action.CANCEL_REJECTED)
    view_id, _ = opened(bot)
    confirm = views_updated(bot, view_id, "cancel_confirm")[-1]
    assert f"Cancel 1 number of `{old}`" in view_text(confirm)
    assert "+1 415-555-0154" in view_text(confirm) and "+1 415-555-0101" not in view_text(confirm)
    assert confirm["submit"]["text"] == "Cancel 1 number"
    assert twilio_calls["cancel_number"] == []  # nothing before the confirmation
    await bot.send(
        view_submission(
            "cancel_confirm", {}, view_id=view_id, private_metadata=confirm["private_metadata"]
        )
    )
    await bot.wait_delivered()
    assert bot.sandbox.number(old, ADDRESS_REJECTED).status == NumberStatus.CANCELED
    assert bot.sandbox.number(old, LANDLINE).status != NumberStatus.CANCELED
    said = [c.args["text"] for c in replies(bot, old_thread)]
    assert any(t.endswith("🚫 <@U123> canceled +1 415-555-0154.") for t in said)
    entry = (await audit(bot, old))[-1]
    assert (entry.action, entry.outcome) == ("numbers.canceled", "ok")
    assert ADDRESS_REJECTED in entry.numbers

    # Re-file after the cancel: nothing more to cancel, the number is filed again.
    form, view = await open_refile(bot, old_thread, reply)
    step1 = await form.submit_details(as_shown(view, **{F.STREET: text_input_state(CORRECTED)}))
    assert step1["step2"]["submit"]["text"] == "File port-in"
    await form.submit_account(account_state(account=None, pin_all=None))
    await bot.wait_delivered()
    assert [n.phone_number for n in new_request(bot, old).numbers] == [ADDRESS_REJECTED]
    assert len(twilio_calls["cancel_number"]) == 1
