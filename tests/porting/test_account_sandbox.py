"""The account's numbers and Messaging Services: the real client against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.porting.account import NumberSettings
from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.sandbox import SANDBOX_ACCOUNT_SID, Sandbox, SandboxConfig, create_sandbox_app
from bot.sandbox.inventory import LEGACY_SERVICE, UNREGISTERED_SERVICE, VERIFIED_SERVICE
from tests.helpers import file_request, sandbox_twilio

Pair = tuple[TwilioPortingClient, Sandbox, list[float]]


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    sandbox = Sandbox(SandboxConfig(start_time=datetime(2026, 11, 2, tzinfo=UTC), seed=5))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_sandbox_app(sandbox))
    ) as http:
        yield sandbox_twilio(http, sleep=sleep), sandbox, slept


async def test_a_number_appears_when_its_port_completes(pair: Pair) -> None:
    client, sandbox, _ = pair
    await file_request(client, sandbox, ["+14155550100"])
    assert await client.numbers.find("+14155550100") is None
    await sandbox.run_until_settled()
    found = await client.numbers.find("+14155550100")
    assert found is not None and found.sid.startswith("PN")
    assert found.voice_url is None


async def test_update_sets_only_what_is_given_and_reads_back(pair: Pair) -> None:
    client, sandbox, _ = pair
    sandbox.state.inventory.arrive("+12025550123", SANDBOX_ACCOUNT_SID, sandbox.now)
    number = await client.numbers.find("+12025550123")
    assert number is not None
    settings = NumberSettings(
        voice_url="https://voice.example/in", status_callback="https://s.example"
    )
    assert settings.differs(number)
    updated = await client.numbers.update(number.sid, settings)
    assert updated.voice_url == "https://voice.example/in" and updated.sms_url is None
    assert not settings.differs(updated)
    with pytest.raises(TwilioError) as bad:
        await client.numbers.update(number.sid, NumberSettings(trunk_sid="TKnot-a-sid"))
    assert bad.value.status == 400 and bad.value.code == 20001


async def test_messaging_service_membership_and_the_21712_conflict(pair: Pair) -> None:
    client, sandbox, _ = pair
    inventory = sandbox.state.inventory
    mine = inventory.arrive("+12025550123", SANDBOX_ACCOUNT_SID, sandbox.now)
    theirs = inventory.arrive("+12025550712", SANDBOX_ACCOUNT_SID, sandbox.now)
    assert theirs.service_sid == LEGACY_SERVICE
    assert await client.numbers.add_to_service(VERIFIED_SERVICE, mine.sid) is True
    assert await client.numbers.add_to_service(VERIFIED_SERVICE, mine.sid) is False  # 21710
    with pytest.raises(TwilioError) as conflict:
        await client.numbers.add_to_service(VERIFIED_SERVICE, theirs.sid)
    assert conflict.value.code == 21712
    assert "another Messaging Service" in conflict.value.message
    assert conflict.value.more_info and conflict.value.more_info.endswith("/21712")


async def test_usa2p_one_service_verified_one_without_a_campaign(pair: Pair) -> None:
    client, _, _ = pair
    verified = await client.numbers.usa2p(VERIFIED_SERVICE)
    assert [c.campaign_status for c in verified] == ["VERIFIED"]
    assert await client.numbers.usa2p(UNREGISTERED_SERVICE) == []
    with pytest.raises(TwilioError) as unknown:
        await client.numbers.usa2p("MG" + "0" * 32)
    assert unknown.value.status == 404


async def test_pages_follow_next_page_uri_and_see_a_number_leave(pair: Pair) -> None:
    client, sandbox, slept = pair
    sandbox.state.inventory.seed(2500, SANDBOX_ACCOUNT_SID, sandbox.now)
    sandbox.inject_failures(1, 429, retry_after=2, match="IncomingPhoneNumbers")
    pages = [page async for page in client.numbers.pages()]
    assert [len(p) for p in pages] == [1000, 1000, 500]
    numbers = {e164 for page in pages for _, e164 in page}
    assert len(numbers) == 2500 and slept == [2]
    sandbox.port_away("+12125000007")
    after = {e164 async for page in client.numbers.pages(page_size=700) for _, e164 in page}
    assert numbers - after == {"+12125000007"}


async def test_paging_rejects_bad_sizes(pair: Pair) -> None:
    client, _, _ = pair
    with pytest.raises(ValueError):
        [p async for p in client.numbers.pages(page_size=1001)]
