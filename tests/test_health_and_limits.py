"""Health endpoints, stale webhook reads, and Block Kit limits for large request_state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.desk import RequestSnapshot
from bot.porting.models import PortInRequest
from bot.porting.signature import sign_json
from bot.porting.statuses import NumberStatus
from bot.slack.ui import board, status
from bot.store import request_state
from bot.store.models import WebhookReceipt
from tests.conftest import PUBLIC_URL, Bot
from tests.helpers import file_request


async def test_healthz_and_readyz(bot: Bot) -> None:
    assert (await bot.http.get("/healthz")).json() == {"ok": True}
    ready = await bot.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ok"] is True


async def test_stale_read_never_moves_status_backwards(bot: Bot) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, ["+14155550100"])
    await bot.sandbox.run_until_settled()
    await bot.runtime.desk.requests.follow(request.request_sid)
    await bot.settle()
    _, numbers = await request_state.load_request(bot.runtime.db, request.request_sid)
    assert [n.status for n in numbers] == ["completed"]

    # A late, out-of-order delivery whose re-fetch returns an older view of the request.
    stale = request.model_copy(deep=True)  # as filed: everything In Review
    real_fetch = bot.runtime.twilio.fetch_port_in

    async def stale_fetch(sid: str) -> PortInRequest:
        return stale

    bot.runtime.twilio.fetch_port_in = stale_fetch
    try:
        body = json.dumps(
            {
                "port_in_request_sid": request.request_sid,
                "port_in_phone_number_sid": request.phone_numbers[0].number_sid,
                "phone_number": "+14155550100",
                "status": "PortInPhoneNumberSubmitted",
                "last_date_updated": "2026-11-03T00:00:00Z",
            }
        ).encode()
        url, signature = sign_json(
            bot.sandbox.config.auth_token, f"{PUBLIC_URL}/twilio/porting", body
        )
        posts = len(bot.slack.calls_to("chat.postMessage"))
        response = await bot.http.post(
            url.replace(PUBLIC_URL, ""), content=body, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200
        await bot.settle()
    finally:
        bot.runtime.twilio.fetch_port_in = real_fetch
    state, numbers = await request_state.load_request(bot.runtime.db, request.request_sid)
    assert [n.status for n in numbers] == ["completed"]
    assert state is not None and state.status == "completed"
    assert len(bot.slack.calls_to("chat.postMessage")) == posts


def test_status_view_of_1000_numbers_fits_block_kit_limits() -> None:
    numbers = [
        {
            "phone_number": f"+1212555{i:04d}",
            "port_in_phone_number_sid": f"PU{i:032x}",
            "port_in_phone_number_status": ["Completed", "Port Pending", "Port Rejected"][i % 3],
            "rejection_reason": "INVALID_PIN" if i % 3 == 2 else None,
            "rejection_reason_code": 22155 if i % 3 == 2 else None,
            "port_date": (datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=i % 5)).isoformat(),
        }
        for i in range(1000)
    ]
    request = PortInRequest.model_validate(
        {
            "port_in_request_sid": "KW" + "a" * 32,
            "port_in_request_status": "Action Required",
            "phone_numbers": numbers,
        }
    )
    snapshot = RequestSnapshot(request, None, "U1", datetime(2026, 11, 22, tzinfo=UTC))
    for blocks in (status.status_blocks(snapshot), board.board_blocks(snapshot)):
        dicts = [b.to_dict() for b in blocks]  # slack_sdk validates lengths here
        assert len(dicts) <= 50
        for block in dicts:
            assert len(block.get("text", {}).get("text", "")) <= 3000
    first = str([b.to_dict() for b in status.status_blocks(snapshot)])
    assert "Port Rejected" in first.split("Completed")[0], "rejections are listed first"
    assert "more (use *Numbers as CSV*)" in first
    assert request.number(f"PU{2:032x}").status == NumberStatus.PORT_REJECTED
    assert len(status.numbers_csv(request).splitlines()) == 1001


async def test_webhook_route_refuses_other_methods_and_oversized_bodies(bot: Bot) -> None:
    got = await bot.http.get("/twilio/porting")
    assert got.status_code == 405 and got.headers["allow"] == "POST"
    huge = await bot.http.post("/twilio/porting", content=b"{" + b" " * 70_000 + b"}")
    assert huge.status_code == 413 and huge.text == "body too large"
    unsigned = await bot.http.post("/twilio/porting", content=b'{"port_in_request_sid":"KW1"}')
    assert unsigned.status_code == 403
    for junk in (b"not json", b'["KW1"]', b'{"status":"PortInCompleted"}'):  # signed, unreadable
        full, signature = sign_json(
            bot.settings.twilio_auth_token or "", f"{PUBLIC_URL}/twilio/porting", junk
        )
        answer = await bot.http.post(
            full.removeprefix(PUBLIC_URL), content=junk, headers={"X-Twilio-Signature": signature}
        )
        assert answer.status_code == 400 and answer.text == "unreadable body"
    async with bot.runtime.db.session() as s:
        assert (await s.exec(select(WebhookReceipt))).all() == [], "nothing stored"
    assert (await bot.http.get("/healthz")).json() == {"ok": True}, "other routes still FastAPI's"
