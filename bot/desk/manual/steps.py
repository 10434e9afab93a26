"""How a manual port moves: which move each step allows, what each move records, and the
board's order of buttons. Pure: a port, a move, what the person typed and ``now`` in; the
column values to store out (``bot.desk.manual.ports`` stores them under an optimistic version
check).

Moves follow seed 003: Submitted to Twilio (ticket) → Fee quote received (amount) → Quote
accepted → Approved by Twilio → Port date set (date) → Completed; Rejected (reason) and Cancel
from any open step. A rejected port can be submitted again once fixed; a fee quote or a port
date can be corrected (recorded again); Twilio's approval may arrive on a quote nobody
answered (it was taken as accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.desk.calendar import BusinessCalendar
from bot.desk.manual.schedule import approval_due, quote_deadline
from bot.desk.manual.types import ManualPort, ManualStep, RejectionReason
from bot.errors import Invalid

S = ManualStep


class ManualMove(StrEnum):
    SUBMIT = "submit"
    QUOTE = "quote"
    ACCEPT = "accept"
    APPROVE = "approve"
    PORT_DATE = "port_date"
    COMPLETE = "complete"
    REJECT = "reject"
    CANCEL = "cancel"

    @property
    def label(self) -> str:
        """The board button's text."""
        return _MOVES[self].label

    @property
    def to(self) -> ManualStep:
        return _MOVES[self].to

    @property
    def asks(self) -> str | None:
        """What the person types for it (a modal), or None (a confirmed click)."""
        return _MOVES[self].asks

    @property
    def audit_action(self) -> str:
        return f"manual.{self.value}"

    def allowed_from(self, step: ManualStep) -> bool:
        return step in _MOVES[self].sources


@dataclass(frozen=True)
class _Rule:
    label: str
    to: ManualStep
    sources: frozenset[ManualStep]
    asks: str | None = None  # ticket | quote | port_date | reason


_OPEN = frozenset(s for s in ManualStep if not s.closed)
_MOVES = {
    ManualMove.SUBMIT: _Rule(
        "Submitted to Twilio", S.SUBMITTED, frozenset({S.STARTED, S.REJECTED}), "ticket"
    ),
    ManualMove.QUOTE: _Rule(
        "Fee quote received", S.QUOTED, frozenset({S.SUBMITTED, S.QUOTED}), "quote"
    ),
    ManualMove.ACCEPT: _Rule("Quote accepted", S.ACCEPTED, frozenset({S.QUOTED})),
    ManualMove.APPROVE: _Rule("Approved by Twilio", S.APPROVED, frozenset({S.QUOTED, S.ACCEPTED})),
    ManualMove.PORT_DATE: _Rule(
        "Port date set",
        S.PORT_DATE_SET,
        frozenset({S.ACCEPTED, S.APPROVED, S.PORT_DATE_SET}),
        "port_date",
    ),
    ManualMove.COMPLETE: _Rule("Completed", S.COMPLETED, frozenset({S.APPROVED, S.PORT_DATE_SET})),
    ManualMove.REJECT: _Rule(
        "Rejected",
        S.REJECTED,
        frozenset({S.SUBMITTED, S.QUOTED, S.ACCEPTED, S.APPROVED, S.PORT_DATE_SET}),
        "reason",
    ),
    ManualMove.CANCEL: _Rule("Cancel", S.CANCELED, _OPEN),
}
# The board's buttons for each step, the expected next move first.
_BOARD: dict[ManualStep, tuple[ManualMove, ...]] = {
    S.STARTED: (ManualMove.SUBMIT,),
    S.SUBMITTED: (ManualMove.QUOTE,),
    S.QUOTED: (ManualMove.ACCEPT, ManualMove.APPROVE, ManualMove.QUOTE),
    S.ACCEPTED: (ManualMove.APPROVE, ManualMove.PORT_DATE),
    S.APPROVED: (ManualMove.PORT_DATE, ManualMove.COMPLETE),
    S.PORT_DATE_SET: (ManualMove.COMPLETE, ManualMove.PORT_DATE),
    S.REJECTED: (ManualMove.SUBMIT,),
}


def board_moves(step: ManualStep) -> list[ManualMove]:
    """The moves the board offers at ``step``, in order (Rejected and Cancel last)."""
    if step.closed:
        return []
    moves = list(_BOARD.get(step, ()))
    if ManualMove.REJECT.allowed_from(step):
        moves.append(ManualMove.REJECT)
    moves.append(ManualMove.CANCEL)
    return moves


@dataclass(frozen=True)
class StepInput:
    """What the person gave with a move (each move reads only its own)."""

    ticket: str | None = None
    quote: str | None = None
    quote_at: datetime | None = None  # when Twilio sent the quote (default: now)
    port_date: date | None = None
    reason: RejectionReason | None = None
    note: str | None = None


class MoveRefused(Invalid):
    """The move does not apply at the port's step, or lacks what it needs."""


def apply_move(
    port: ManualPort,
    move: ManualMove,
    given: StepInput,
    *,
    now: datetime,
    calendar: BusinessCalendar,
) -> dict[str, Any]:
    """The columns ``move`` sets on ``port`` at ``now``; raises :class:`MoveRefused`."""
    if not move.allowed_from(port.step):
        raise MoveRefused(f"{move.label} does not apply at {port.step.label}")
    values: dict[str, Any] = {"step": move.to.value}
    if move.to != port.step:
        values["step_changed_at"] = now
    if move == ManualMove.SUBMIT:
        if not given.ticket:
            raise MoveRefused("the ticket number is missing")
        values.update(
            ticket=given.ticket,
            rejection=None,
            rejection_note=None,
            quote=None,
            quote_at=None,
            quote_deadline=None,
            accepted_at=None,
            approval_due=None,
            approved_at=None,
            port_date=None,
        )
    elif move == ManualMove.QUOTE:
        if not given.quote:
            raise MoveRefused("the amount is missing")
        sent = min(given.quote_at or now, now)
        deadline = quote_deadline(sent, calendar)
        values.update(
            quote=given.quote,
            quote_at=sent,
            quote_deadline=deadline,
            # Unanswered, the quote is taken as accepted at the deadline: approval follows.
            approval_due=approval_due(deadline, calendar),
            step_changed_at=now,  # a corrected quote restarts the clock
        )
    elif move == ManualMove.ACCEPT:
        values.update(accepted_at=now, approval_due=approval_due(now, calendar))
    elif move == ManualMove.APPROVE:
        values["approved_at"] = now
        if port.accepted_at is None and port.quote_deadline is not None:
            values["accepted_at"] = min(now, port.quote_deadline)
    elif move == ManualMove.PORT_DATE:
        if given.port_date is None:
            raise MoveRefused("the port date is missing")
        values["port_date"] = given.port_date
        if port.approved_at is None:
            values["approved_at"] = now
    elif move == ManualMove.REJECT:
        if given.reason is None:
            raise MoveRefused("the reason is missing")
        values.update(rejection=given.reason.value, rejection_note=given.note)
    return values
