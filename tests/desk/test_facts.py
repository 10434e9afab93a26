"""The desk's facts about a request: when its status changed (Twilio's timestamps, the store),
and the desk policy read from the settings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.desk.facts import DeskPolicy, facts_from_store, status_changed_at
from bot.porting.models import PortInRequest
from bot.porting.statuses import RequestStatus
from bot.settings import Settings
from bot.store.db import Database, create_tables
from bot.store.models import NumberState, RequestState
from tests.desk.schedule_facts import SID, A, B

# -- facts from Twilio's timestamps and the store ----------------------------------------


def test_status_changed_at_prefers_the_webhook_then_the_numbers_then_date_created() -> None:
    request = PortInRequest.model_validate(
        {
            "port_in_request_sid": SID,
            "date_created": "2026-11-01T10:00:00Z",
            "phone_numbers": [
                {"phone_number": A, "status_last_time_updated_timestamp": "2026-11-03T10:00:00Z"},
                {"phone_number": B, "status_last_time_updated_timestamp": "2026-11-04T10:00:00Z"},
            ],
        }
    )
    hook = datetime(2026, 11, 5, 10, tzinfo=UTC)
    assert status_changed_at(request, hook) == hook
    assert status_changed_at(request) == datetime(2026, 11, 4, 10, tzinfo=UTC)
    bare = PortInRequest.model_validate({"port_in_request_sid": SID, "date_created": "2026-11-01"})
    assert status_changed_at(bare) == datetime(2026, 11, 1, tzinfo=UTC)
    assert status_changed_at(PortInRequest(request_sid=SID)) is None


async def test_facts_from_store_reads_sqlite_times_as_utc_and_falls_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Written naive, stored by SQLite without a zone, read back through the UTC column type.
    state = RequestState(
        request_sid=SID,
        status="waiting_for_signature",
        filed_by="U1",
        created_at=datetime(2026, 11, 1, 10),
        status_changed_at=datetime(2026, 11, 2, 10),
    )
    number = NumberState(
        number_sid="PU" + "1" * 32,
        request_sid=SID,
        phone_number=A,
        status="port_pending",
        port_date=datetime(2026, 12, 7),
        twilio_updated_at=datetime(2026, 11, 3, 10),
    )
    db = Database.from_url(f"sqlite:///{tmp_path}/facts.db")
    await create_tables(db.engine)
    async with db.session() as s:
        s.add(state)
        s.add(number)
        await s.commit()
    async with db.session() as s:
        state = await s.get(RequestState, SID)
        number = await s.get(NumberState, "PU" + "1" * 32)
    await db.close()
    assert state is not None and number is not None
    facts = facts_from_store(state, [number])
    assert facts.status == RequestStatus.WAITING_FOR_SIGNATURE
    assert facts.status_since == datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert facts.moved_at == datetime(2026, 11, 3, 10, tzinfo=UTC)
    assert facts.loa_deadline == datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert facts.port_days()[0].day == date(2026, 12, 7)
    state.status_changed_at = None
    assert facts_from_store(state, [number]).status_since == datetime(2026, 11, 3, 10, tzinfo=UTC)
    assert facts_from_store(state, []).status_since == datetime(2026, 11, 1, 10, tzinfo=UTC)


def test_policy_from_settings() -> None:
    s = Settings(
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        porting_sandbox=True,
        porting_loa_remind_days="5,2",
        porting_stale_days=3,
        porting_digest_at="off",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert DeskPolicy.from_settings(s) == DeskPolicy(
        loa_remind_days=(5, 2), stale_days=3, digest_at=None
    )
