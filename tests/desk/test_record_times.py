"""The sync's record of Twilio's timestamps on a request (``facts.record_twilio_times``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.desk.facts import record_twilio_times
from bot.porting.models import PortInNumber, PortInRequest
from bot.store.models import RequestState

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
SID = "KW" + "a" * 32


def request(*stamps: datetime, created: datetime | None = T0) -> PortInRequest:
    return PortInRequest(
        request_sid=SID,
        raw_status="in_progress",
        date_created=created,
        phone_numbers=[
            PortInNumber(number_sid=f"PU{i:032x}", last_updated=s) for i, s in enumerate(stamps)
        ],
    )


def test_first_sight_takes_twilios_moments() -> None:
    state = RequestState(request_sid=SID, status="in_progress")
    now = T0 + timedelta(days=3)
    moved = T0 + timedelta(days=1)
    record_twilio_times(state, request(T0, moved), status_changed=True, now=now)
    assert (state.created_at, state.status_changed_at, state.synced_at) == (T0, moved, now)


def test_a_read_without_a_move_keeps_the_moment_and_marks_the_read() -> None:
    moved = T0 + timedelta(days=1)
    state = RequestState(request_sid=SID, status="in_progress", status_changed_at=moved)
    now = T0 + timedelta(days=4)
    record_twilio_times(state, request(T0 + timedelta(days=2)), status_changed=False, now=now)
    assert state.status_changed_at == moved and state.synced_at == now


def test_a_move_twilios_stamps_do_not_show_is_dated_when_seen() -> None:
    # SQLite hands the stored moment back naive; Twilio's copy has nothing newer than it.
    before = T0 + timedelta(days=1)
    state = RequestState(
        request_sid=SID,
        status="waiting_for_signature",
        status_changed_at=before.replace(tzinfo=None),
    )
    now = T0 + timedelta(days=2)
    record_twilio_times(state, request(T0), status_changed=True, now=now)
    assert state.status_changed_at == now
    # A move whose stamps do show it takes Twilio's moment.
    later = now + timedelta(hours=5)
    record_twilio_times(state, request(later), status_changed=True, now=later + timedelta(hours=1))
    assert state.status_changed_at == later


def test_a_copy_without_timestamps_records_only_the_read() -> None:
    state = RequestState(request_sid=SID, status="in_review")
    record_twilio_times(state, request(created=None), status_changed=True, now=T0)
    assert state.created_at is None and state.status_changed_at is None and state.synced_at == T0
