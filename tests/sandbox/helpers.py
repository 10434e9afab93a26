"""Shared helpers for the sandbox tests: constants, a webhook receiver, request builders."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from bot.porting.signature import validate_json
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox, create_sandbox_app
from tests.bodies import create_json

START = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)  # a Monday
AUTH = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
HOOK_URL = "http://receiver/hook"
TARGET = START.date() + timedelta(days=9)  # Wednesday 2026-01-14
PDF = b"%PDF-1.4\n% sandbox utility bill\n"

SandboxFactory = Callable[..., Awaitable[Sandbox]]


@dataclass
class Received:
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def valid(self) -> bool:
        return validate_json(
            [SANDBOX_AUTH_TOKEN], self.url, self.body, self.headers.get("x-twilio-signature")
        )


@dataclass
class Receiver:
    """A tiny webhook endpoint; ``statuses`` scripts its answers (then 200)."""

    calls: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = FastAPI()

        @self.app.post("/hook")
        async def hook(request: Request) -> Response:
            self.calls.append(
                Received(str(request.url), dict(request.headers), await request.body())
            )
            return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

    @property
    def events(self) -> list[str]:
        return [c.json["status"] for c in self.calls]


def client_for(sandbox: Sandbox, auth: Any = AUTH) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)),
        base_url="http://sandbox",
        auth=auth,
    )


async def upload_bill(
    client: httpx.AsyncClient, content: bytes = PDF, document_type: str = "utility_bill"
) -> str:
    response = await client.post(
        "/v1/Documents",
        data={"document_type": document_type, "friendly_name": "bill"},
        files={"File": ("bill.pdf", content, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    return response.json()["sid"]


def create_body(
    documents: list[str],
    numbers: list[str] | list[dict[str, Any]],
    target: date | None = TARGET,
    **overrides: Any,
) -> dict[str, Any]:
    return create_json(SANDBOX_ACCOUNT_SID, documents, numbers, target=target, **overrides)


async def create(
    client: httpx.AsyncClient, numbers: list[str] | list[dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    rd = await upload_bill(client)
    response = await client.post("/v1/Porting/PortIn", json=create_body([rd], numbers, **overrides))
    assert response.status_code == 202, response.text
    return response.json()


async def configure_hook(client: httpx.AsyncClient, events: list[str] | None = None) -> None:
    response = await client.post(
        "/v1/Porting/Configuration/Webhook",
        json={"port_in_target_url": HOOK_URL, "notifications_of": events or []},
    )
    assert response.status_code == 201, response.text


async def fetch(client: httpx.AsyncClient, sid: str) -> dict[str, Any]:
    response = await client.get(f"/v1/Porting/PortIn/{sid}")
    assert response.status_code == 200, response.text
    return response.json()


def statuses(port_in: dict[str, Any]) -> dict[str, str]:
    return {n["phone_number"]: n["port_in_phone_number_status"] for n in port_in["phone_numbers"]}


def assert_twilio_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert body["message"]
    return body
