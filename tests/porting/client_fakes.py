"""Shared by the TwilioPortingClient tests: a recording httpx.MockTransport handler, canned
Twilio bodies and the checks every request shares (no network)."""

from __future__ import annotations

import base64
import random
from typing import Any

import httpx

ACCOUNT = "AC" + "0" * 32
SUBACCOUNT = "AC" + "c" * 32
ADDRESS = "AD" + "d" * 32
KW = "KW" + "a" * 32
KW2 = "KW" + "b" * 32
KW3 = "KW" + "e" * 32
PU = "PU" + "f" * 32
RD = "RD" + "1" * 32
USERNAME = "SK" + "9" * 32
PASSWORD = "api-key-secret-value"
TIMEOUT = httpx.Timeout(7.0, connect=3.0)

BASIC = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


# --------------------------------------------------------------------------- fakes


class FakeTwilio:
    """MockTransport handler: replays scripted answers and records every request.

    An answer is an httpx.Response, an httpx exception class (raised with the request), or a
    callable taking the request. The last answer repeats when the script runs out.
    """

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("simulated failure", request=request)
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


class MaxJitter(random.Random):
    """Makes full jitter deterministic: always the upper bound."""

    def uniform(self, a: float, b: float) -> float:
        return b


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def twilio_error(status: int, code: int, message: str = "Boom") -> httpx.Response:
    return reply(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


def assert_common(request: httpx.Request, method: str, host: str, path: str) -> None:
    assert request.method == method
    assert request.url.scheme == "https"
    assert request.url.host == host
    assert request.url.path == path
    assert request.headers["Authorization"] == BASIC
