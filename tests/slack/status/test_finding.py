"""Finding a request by what people know, through the real Bolt app: /port-status with a
number (the open request that holds it first, then the latest), with a customer's name, with
something it cannot read; /port-list with a number only a completed request held."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import Bot
from tests.desk_rows import VIEWER, Row, seed
from tests.fakes.slack_requests import slash_command

NUMBER = "+14155550100"
_names = itertools.count(1)


async def _status(bot: Bot, text: str) -> tuple[str, list[dict[str, Any]]]:
    """``/port-status text``: the ack's text, then the answers at its response_url."""
    name = f"status-{next(_names)}"
    response = await bot.send(
        slash_command("/port-status", text, response_url=bot.slack.response_url(name))
    )
    assert response.status_code == 200
    await bot.settle()
    return response.text, [r.body for r in bot.slack.responses_to(name)]


def _said(bodies: list[dict[str, Any]]) -> str:
    return "\n".join(f"{b['text']}\n{b.get('blocks')}" for b in bodies)


async def test_a_number_answers_with_the_open_request_that_holds_it_then_the_latest(
    bot: Bot,
) -> None:
    sids = await seed(
        bot,
        Row("Oldco", "canceled", VIEWER, days_ago=20, numbers=(NUMBER,)),
        Row("Nowco", "in_progress", VIEWER, days_ago=2, numbers=(NUMBER,)),
        Row("Thenco", "completed", VIEWER, days_ago=5, numbers=("+14155550111",)),
        Row("Latco", "canceled", VIEWER, days_ago=3, numbers=("+14155550111",)),
    )
    # Any format; the open request answers, though a closed one held it later.
    ack, bodies = await _status(bot, "(415) 555-0100")
    assert "not a port-in request SID" not in ack
    assert len(bodies) == 1 and sids["Nowco"] in _said(bodies), _said(bodies)
    assert sids["Oldco"] not in _said(bodies)
    # With no open one, the latest filed.
    _, bodies = await _status(bot, "415 555 0111")
    assert sids["Latco"] in _said(bodies) and sids["Thenco"] not in _said(bodies)
    # Nobody holds it: said, with where to look.
    _, bodies = await _status(bot, "+1 415 555 0199")
    assert "No port-in request holds +1 415-555-0199" in _said(bodies)


async def test_a_customer_name_lists_its_requests(bot: Bot) -> None:
    await seed(
        bot,
        Row("Acme Corp", "in_progress", VIEWER),
        Row("ACME West", "completed", VIEWER, days_ago=4),
        Row("Bolt", "in_review", VIEWER),
    )
    ack, bodies = await _status(bot, "acme")
    assert not ack
    said = _said(bodies)
    assert "Acme Corp" in said and "ACME West" in said and "Bolt" not in said
    assert "2 requests" in said
    _, bodies = await _status(bot, "Nobody & Sons")
    assert "No request for a customer named “Nobody &amp; Sons”" in _said(bodies)


async def test_an_unreadable_argument_says_what_is_accepted_and_points_to_port_list(
    bot: Bot,
) -> None:
    for text in ("KW123", "415-555-01", "#!?"):
        ack, bodies = await _status(bot, text)
        assert bodies == []
        assert "phone number" in ack and "customer's name" in ack and "`KW…`" in ack, ack
        assert "/port-list" in ack


async def test_port_list_for_a_completed_number_says_which_request_held_it(bot: Bot) -> None:
    sids = await seed(bot, Row("Echo", "completed", VIEWER, days_ago=3, numbers=(NUMBER,)))
    name = "list"
    await bot.send(
        slash_command("/port-list", "(415) 555-0100", response_url=bot.slack.response_url(name))
    )
    await bot.settle()
    (answer,) = bot.slack.responses_to(name)
    said = f"{answer.body['text']}\n{answer.body['blocks']}"
    assert "No open request holds +1 415-555-0100" in said
    assert "Echo" in said and sids["Echo"] in said and "Completed" in said
    assert "found" not in answer.body["text"]


async def test_port_list_all_says_what_became_of_a_closed_requests_numbers(bot: Bot) -> None:
    from sqlalchemy import update

    from bot.store.models import NumberState, RequestState

    numbers = ("+14155550121", "+14155550122", "+14155550123")
    sids = await seed(
        bot,
        Row("Acme", "completed", VIEWER, days_ago=3, numbers=numbers),
        Row("Acme again", "canceled", VIEWER, days_ago=5, numbers=("+14155550124",)),
    )
    async with bot.runtime.db.session() as s:
        again = RequestState.request_sid == sids["Acme again"]  # type: ignore[arg-type]
        await s.exec(update(RequestState).where(again).values(customer_name="Acme"))
        canceled = NumberState.phone_number.in_(numbers[1:])  # type: ignore[attr-defined]
        await s.exec(update(NumberState).where(canceled).values(status="canceled"))
        await s.commit()
    name = "all"
    await bot.send(slash_command("/port-list", "all", response_url=bot.slack.response_url(name)))
    await bot.settle()
    (answer,) = bot.slack.responses_to(name)
    said = str(answer.body["blocks"])
    assert "1 number ported · 2 canceled" in said and "3 numbers" not in said
    assert "1 number canceled" in said
    # Two rows for one customer are told apart by their request.
    assert sids["Acme"] in said and sids["Acme again"] in said
