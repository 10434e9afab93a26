"""`python -m bot register-webhook` against the sandbox served on a real local port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import httpx
import uvicorn

from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_register_webhook_points_twilio_at_public_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sandbox = Sandbox()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(sandbox.app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        env = {
            "PATH": "/usr/bin:/bin",
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
