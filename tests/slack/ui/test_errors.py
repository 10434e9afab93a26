"""Twilio's errors in plain words."""

from __future__ import annotations

from bot.porting.errors import TwilioError
from bot.slack.ui.errors import twilio_error_text


def test_twilio_errors_say_what_failed_and_link_twilios_page() -> None:
    said = twilio_error_text(
        TwilioError(400, 21000, "Bad", "https://www.twilio.com/docs/errors/21000"), "look up KW1"
    )
    assert said == (
        "⚠️ I could not look up KW1: Twilio said 21000: Bad. "
        "<https://www.twilio.com/docs/errors/21000|More about 21000>"
    )
    assert "no such request" in twilio_error_text(TwilioError(404, 20404, "nf"), "x")
    assert "did not answer" in twilio_error_text(TwilioError(0, None, "timeout"), "x")
