"""`python -m bot register-webhook` against the sandbox served on a real local port, and against
a tiny fake Twilio that refuses an event name the sandbox accepts."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.porting.statuses import ALL_PORT_IN_EVENTS, TWILIO_WEBHOOK_EVENTS
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox, create_sandbox_app
from tests.procs import ROOT, free_port


def test_register_webhook_points_twilio_at_public_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sandbox = Sandbox()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_sandbox_app(sandbox), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):  # 10 s at most
            if server.started:
                break
            time.sleep(0.02)
        assert server.started, "the sandbox server did not start"
        url = f"http://127.0.0.1:{port}"
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),  # this checkout's bot, not whichever copy pip installed
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
            "TWILIO_NUMBERS_URL": url,
            "TWILIO_UPLOAD_URL": url,
            "PUBLIC_URL": "https://porting-bot.example.com",
        }
        result = subprocess.run(
            [sys.executable, "-m", "bot", "register-webhook"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        printed = json.loads(result.stdout)
        assert printed["port_in_target_url"] == "https://porting-bot.example.com/twilio/porting"
        assert "PortInPhoneNumberRejected" in printed["notifications_of"]
        # Only names Twilio's API reference lists are sent; what was left out is said.
        assert printed["notifications_of"] == [
            *(e for e in ALL_PORT_IN_EVENTS if e in TWILIO_WEBHOOK_EVENTS),
            "PortOutPhoneNumberCompleted",
        ]
        # Both targets: port-outs (where Twilio sends them) feed the departure alert.
        assert printed["port_out_target_url"] == "https://porting-bot.example.com/twilio/port-out"
        assert "PortInPhoneNumberCanceled" not in printed["notifications_of"]
        assert "not subscribed to PortInPhoneNumberCanceled" in result.stderr
        held = httpx.get(
            f"{url}/v1/Porting/Configuration/Webhook",
            auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
        ).json()
        assert held["port_in_target_url"] == printed["port_in_target_url"]

        env["TWILIO_AUTH_TOKEN"] = "wrong"
        refused = subprocess.run(
            [sys.executable, "-m", "bot", "register-webhook"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1
        assert "20003" in refused.stderr
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):  # 10 s at most
            if server.started:
                break
            time.sleep(0.02)
        assert server.started, "the sandbox server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_register_webhook_leaves_out_an_event_twilio_refuses_by_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Twilio answers 400 naming PortInExpired (which the sandbox accepts): the registration is
    sent again without it, succeeds and says so."""
    posted: list[list[str]] = []
    held: dict = {}

    async def webhook(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse(held)
        body = await request.json()
        posted.append(body["notifications_of"])
        if "PortInExpired" in body["notifications_of"]:
            return JSONResponse(
                {
                    "code": 20001,
                    "message": "Invalid notifications_of value: PortInExpired",
                    "more_info": "https://www.twilio.com/docs/errors/20001",
                    "status": 400,
                },
                status_code=400,
            )
        held.update(body, url=str(request.url))
        return JSONResponse(held, status_code=201)

    app = Starlette(
        routes=[Route("/v1/Porting/Configuration/Webhook", webhook, methods=["GET", "POST"])]
    )
    with serving(app) as url:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "register-webhook"],
            cwd=tmp_path,
            env={
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(ROOT),
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
                "TWILIO_NUMBERS_URL": url,
                "TWILIO_UPLOAD_URL": url,
                "PUBLIC_URL": "https://porting-bot.example.com",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert len(posted) == 2 and "PortInExpired" in posted[0]
    assert posted[1] == [e for e in posted[0] if e != "PortInExpired"]
    printed = json.loads(result.stdout)
    assert printed["notifications_of"] == posted[1]
    assert "Twilio refused PortInExpired (20001" in result.stderr
    assert "subscribed without it" in result.stderr
