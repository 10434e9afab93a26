"""POST /twilio/port-out (Twilio's PORT_OUT webhook target): signed like the port-in ones,
bounded, and fed to the departure alert: once however often Twilio delivers it, and not at all
when a sweep already announced the number's departure."""

from __future__ import annotations

import json

import httpx

from bot.port_out import MAX_BODY, phone_number_of
from bot.porting.signature import sign_json
from tests.conftest import PORTING_CHANNEL, PUBLIC_URL, Bot

NUMBER = "+14155550177"


async def post(bot: Bot, body: bytes, *, signed: bool = True) -> httpx.Response:
    url, signature = sign_json(
        bot.settings.twilio_auth_token or "", f"{PUBLIC_URL}/twilio/port-out", body
    )
    headers = {"X-Twilio-Signature": signature if signed else "bad"}
    return await bot.http.post(url.removeprefix(PUBLIC_URL), content=body, headers=headers)


def _alerts(bot: Bot) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in bot.slack.messages if "has left the account" in m["text"]]


async def test_a_port_out_webhook_is_announced_once(bot: Bot) -> None:
    body = json.dumps(
        {"event_type": "PortOutPhoneNumberCompleted", "phone_number": NUMBER}
    ).encode()
    assert (await post(bot, body, signed=False)).status_code == 403
    assert (await post(bot, b'{"phone_number": "not a number"}')).status_code == 400
    assert (await post(bot, b"x" * (MAX_BODY + 1))).status_code == 413
    await bot.wait_delivered()
    assert _alerts(bot) == [], "nothing refused was stored"

    first = await post(bot, body)
    assert (first.status_code, first.text) == (200, "ok")
    again = await post(bot, body)  # Twilio delivers again
    assert (again.status_code, again.text) == (200, "duplicate")
    await bot.wait_delivered()
    (alert,) = _alerts(bot)
    assert alert["channel"] == PORTING_CHANNEL and "Twilio sent a port-out notice" in alert["text"]
    assert [d.phone_number for d in await bot.desk.inventory.departures()] == [NUMBER]

    # A sweep that then misses it says nothing more.
    await bot.desk.inventory.sweep(force=True)
    await bot.wait_delivered()
    assert len(_alerts(bot)) == 1


def test_the_number_is_read_where_twilio_may_put_it() -> None:
    assert phone_number_of({"data": {"phone_number": NUMBER}}) == NUMBER
    assert phone_number_of({"PhoneNumber": f" {NUMBER} "}) == NUMBER
    assert phone_number_of({"phone_number": 14155550177}) is None
    assert phone_number_of([NUMBER]) is None
