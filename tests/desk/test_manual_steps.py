"""How a manual port moves (pure): which moves each step allows, in the board's order, and
what each records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from bot.desk.calendar import BusinessCalendar
from bot.desk.manual.steps import ManualMove, MoveRefused, StepInput, apply_move, board_moves
from bot.desk.manual.types import ManualStep, RejectionReason
from tests.slack.ui.test_manual_builders import port

CAL = BusinessCalendar(ZoneInfo("America/New_York"))
NOW = CAL.at(date(2026, 11, 24), time(10))


def test_the_board_offers_the_expected_move_first_then_reject_and_cancel() -> None:
    assert board_moves(ManualStep.STARTED) == [ManualMove.SUBMIT, ManualMove.CANCEL]
    assert board_moves(ManualStep.SUBMITTED) == [
        ManualMove.QUOTE,
        ManualMove.REJECT,
        ManualMove.CANCEL,
    ]
    assert board_moves(ManualStep.QUOTED)[0] == ManualMove.ACCEPT
    assert board_moves(ManualStep.REJECTED) == [ManualMove.SUBMIT, ManualMove.CANCEL]
    assert board_moves(ManualStep.COMPLETED) == board_moves(ManualStep.CANCELED) == []
    for step in ManualStep:
        assert all(move.allowed_from(step) for move in board_moves(step))


def test_each_move_records_what_it_needs() -> None:
    submitted = apply_move(
        port(step=ManualStep.REJECTED, rejection=RejectionReason.PIN),
        ManualMove.SUBMIT,
        StepInput(ticket="88123"),
        now=NOW,
        calendar=CAL,
    )
    assert submitted["step"] == "submitted" and submitted["rejection"] is None
    quote = apply_move(
        port(step=ManualStep.SUBMITTED),
        ManualMove.QUOTE,
        StepInput(quote="GBP 120"),
        now=NOW,
        calendar=CAL,
    )
    assert quote["quote_deadline"] == CAL.at(date(2026, 11, 30), time(10))  # Thanksgiving
    assert quote["approval_due"] == CAL.at(date(2026, 12, 1), time(10))
    quoted = port(step=ManualStep.QUOTED, quote_deadline=quote["quote_deadline"])
    late = quote["quote_deadline"].replace(day=30, hour=20)
    approved = apply_move(quoted, ManualMove.APPROVE, StepInput(), now=late, calendar=CAL)
    assert approved["accepted_at"] == quote["quote_deadline"]  # taken as accepted then
    accepted = apply_move(quoted, ManualMove.ACCEPT, StepInput(), now=NOW, calendar=CAL)
    assert accepted["approval_due"] == CAL.at(date(2026, 11, 25), time(10))
    dated = apply_move(
        replace(quoted, step=ManualStep.APPROVED),
        ManualMove.PORT_DATE,
        StepInput(port_date=date(2026, 12, 8)),
        now=NOW,
        calendar=CAL,
    )
    assert dated["port_date"] == date(2026, 12, 8) and "approved_at" in dated


@pytest.mark.parametrize(
    "step,move,given",
    [
        (ManualStep.STARTED, ManualMove.ACCEPT, StepInput()),  # no quote yet
        (ManualStep.COMPLETED, ManualMove.CANCEL, StepInput()),  # closed
        (ManualStep.STARTED, ManualMove.SUBMIT, StepInput()),  # no ticket
        (ManualStep.SUBMITTED, ManualMove.QUOTE, StepInput()),  # no amount
        (ManualStep.APPROVED, ManualMove.PORT_DATE, StepInput()),  # no date
        (ManualStep.SUBMITTED, ManualMove.REJECT, StepInput()),  # no reason
    ],
)
def test_moves_that_do_not_apply_are_refused(
    step: ManualStep, move: ManualMove, given: StepInput
) -> None:
    with pytest.raises(MoveRefused):
        apply_move(port(step=step), move, given, now=NOW, calendar=CAL)
