"""TwilioPortingClient when Twilio fails (recording httpx.MockTransport, no network): error
bodies mapped to TwilioError, retries with backoff and Retry-After."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError, TwilioUnavailable
from bot.porting.transport import backoff_delay, parse_retry_after
from tests.bodies import ACCOUNT_NUMBER, PIN
from tests.porting.client_bodies import NUMBER_BODY, PORT_IN_BODY, port_in_create
from tests.porting.client_fakes import BASIC, KW, PASSWORD, PU, FakeTwilio, reply, twilio_error

# --------------------------------------------------------------------------- error mapping


async def test_classic_error_body(make: Callable[..., TwilioPortingClient]) -> None:
    fake = FakeTwilio(twilio_error(404, 20404, f"The requested resource {KW} was not found"))
    with pytest.raises(TwilioError) as info:
        await make(fake).fetch_port_in(KW)
    error = info.value
    assert not isinstance(error, TwilioUnavailable)
    assert error.status == 404
    assert error.code == 20404
    assert error.message == f"The requested resource {KW} was not found"
    assert error.more_info == "https://www.twilio.com/docs/errors/20404"


async def test_rfc9457_error_body(make: Callable[..., TwilioPortingClient]) -> None:
    problem = {
        "type": "https://www.twilio.com/docs/api/errors/22137",
        "title": "Port in progress",
        "status": 409,
        "code": 22137,
        "detail": "Port is already in progress with one of your Twilio accounts",
        "instance": "/v1/Porting/PortIn",
    }
    fake = FakeTwilio(
        httpx.Response(
            409, content=json.dumps(problem), headers={"Content-Type": "application/problem+json"}
        )
    )
    with pytest.raises(TwilioError) as info:
        await make(fake).create_port_in(port_in_create())
    error = info.value
    assert error.status == 409
    assert error.code == 22137
    assert error.message == "Port is already in progress with one of your Twilio accounts"
    assert error.more_info == "https://www.twilio.com/docs/api/errors/22137"


async def test_html_error_body(make: Callable[..., TwilioPortingClient]) -> None:
    html = httpx.Response(
        502, text="<html><body>Bad Gateway</body></html>", headers={"Content-Type": "text/html"}
    )
    fake = FakeTwilio(html)
    with pytest.raises(TwilioError) as info:
        await make(fake, max_retries=2).fetch_port_in(KW)
    assert info.value.status == 502
    assert info.value.code is None
    assert "502" in info.value.message
    assert len(fake.requests) == 3  # retried: 502 on a GET


async def test_success_with_non_json_body_is_an_error(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(httpx.Response(200, text="oops"))
    with pytest.raises(TwilioError, match="non-JSON"):
        await make(fake).fetch_port_in(KW)


async def test_success_with_wrong_shape_is_an_error(
    make: Callable[..., TwilioPortingClient],
) -> None:
    fake = FakeTwilio(reply(200, {"unexpected": True}))
    with pytest.raises(TwilioError, match="Unexpected PortInRequest"):
        await make(fake).fetch_port_in(KW)


# --------------------------------------------------------------------------- retries


async def test_429_retry_after_seconds_honoured(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        reply(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "3"}),
        reply(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "1.5"}),
        reply(200, PORT_IN_BODY),
    )
    result = await make(fake).fetch_port_in(KW)
    assert result.request_sid == KW
    assert sleeps == [3.0, 1.5]
    assert len(fake.requests) == 3


async def test_retry_after_http_date_capped_at_backoff_max(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    fake = FakeTwilio(reply(503, None, {"Retry-After": later}), reply(200, PORT_IN_BODY))
    await make(fake, backoff_max=7.5).fetch_port_in(KW)
    assert sleeps == [7.5]


async def test_retry_after_seconds_capped_at_backoff_max(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(reply(429, None, {"Retry-After": "3600"}), reply(200, PORT_IN_BODY))
    await make(fake).fetch_port_in(KW)
    assert sleeps == [20.0]


async def test_503_retried_with_exponential_backoff_then_success(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        twilio_error(503, 20503, "Service unavailable"),
        twilio_error(500, 20500, "Internal"),
        reply(504),
        reply(200, PORT_IN_BODY),
    )
    result = await make(fake).fetch_port_in(KW)
    assert result.request_sid == KW
    assert sleeps == [0.5, 1.0, 2.0]


async def test_backoff_capped_by_backoff_max(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(reply(503))
    with pytest.raises(TwilioError):
        await make(fake, max_retries=6, backoff_base=1.0, backoff_max=5.0).fetch_port_in(KW)
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


async def test_retries_exhausted_raises_last_error(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(twilio_error(503, 20503, "Service unavailable"))
    with pytest.raises(TwilioError) as info:
        await make(fake).fetch_port_in(KW)
    assert info.value.status == 503 and info.value.code == 20503
    assert len(fake.requests) == 5  # 1 + max_retries (default 4)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 501])
async def test_non_retryable_statuses(
    make: Callable[..., TwilioPortingClient], sleeps: list[float], status: int
) -> None:
    fake = FakeTwilio(twilio_error(status, 20001))
    with pytest.raises(TwilioError):
        await make(fake).fetch_port_in(KW)
    assert len(fake.requests) == 1
    assert sleeps == []


async def test_connection_errors_retried_then_unavailable(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(httpx.ConnectError)
    with pytest.raises(TwilioUnavailable) as info:
        await make(fake).fetch_port_in(KW)
    assert len(fake.requests) == 5
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert info.value.status == 0
    assert "ConnectError" in str(info.value) and "5 attempt" in str(info.value)


async def test_timeouts_on_get_retried_then_success(
    make: Callable[..., TwilioPortingClient], sleeps: list[float]
) -> None:
    fake = FakeTwilio(
        httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ConnectTimeout, reply(200, NUMBER_BODY)
    )
    number = await make(fake).fetch_number(KW, PU)
    assert number.number_sid == PU
    assert len(fake.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


async def test_zero_retries(make: Callable[..., TwilioPortingClient], sleeps: list[float]) -> None:
    fake = FakeTwilio(httpx.ConnectError)
    with pytest.raises(TwilioUnavailable):
        await make(fake, max_retries=0).fetch_port_in(KW)
    assert len(fake.requests) == 1 and sleeps == []


async def test_retry_logging_is_safe(
    make: Callable[..., TwilioPortingClient], caplog: pytest.LogCaptureFixture, log_format: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.porting.client")
    fake = FakeTwilio(reply(429, {"code": 20429}), httpx.ConnectError, reply(202, PORT_IN_BODY))
    await make(fake).create_port_in(port_in_create())

    records = [r for r in caplog.records if r.name == "bot.porting.client"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    first, second = (r.getMessage() for r in records)
    assert "POST /v1/Porting/PortIn" in first and "429" in first and "retry 1/4" in first
    assert "ConnectError" in second and "retry 2/4" in second
    for secret in (PIN, ACCOUNT_NUMBER, PASSWORD, BASIC, "Jane Doe", "jane@acme.example"):
        assert secret not in caplog.text


async def test_retry_log_has_no_query_string(
    make: Callable[..., TwilioPortingClient], caplog: pytest.LogCaptureFixture, log_format: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.porting.client")
    fake = FakeTwilio(reply(503), reply(200, {"port_in_requests": [], "meta": {}}))
    await make(fake).list_port_ins_page(token="secret-token", request_sids=[KW])
    assert "/v1/Porting/PortIn/PortInRequests" in caplog.text
    assert "secret-token" not in caplog.text and KW not in caplog.text


# --------------------------------------------------------------------------- pure helpers


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("5", now) == 5.0
    assert parse_retry_after(" 0.25 ", now) == 0.25
    assert parse_retry_after("-3", now) == 0.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


@given(
    retry=st.integers(min_value=0, max_value=60),
    base=st.floats(min_value=0.01, max_value=5),
    cap=st.floats(min_value=0.01, max_value=60),
    seed=st.integers(),
)
def test_backoff_delay_full_jitter_bounds(retry: int, base: float, cap: float, seed: int) -> None:
    delay = backoff_delay(retry, base, cap, random.Random(seed))
    assert 0.0 <= delay <= min(cap, base * 2**retry)
