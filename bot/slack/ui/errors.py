"""Plain-words error messages for Slack."""

from __future__ import annotations

from bot.porting.errors import TwilioError


def twilio_error_text(error: TwilioError, doing: str) -> str:
    """What failed, Twilio's code and message, and the link to Twilio's page for it."""
    if error.status == 0:
        return f"⚠️ I could not {doing}: Twilio did not answer ({error.message}). Try again shortly."
    if error.status == 404:
        return f"⚠️ I could not {doing}: Twilio has no such request in this account."
    code = f" {error.code}" if error.code else ""
    link = f" <{error.more_info}|More about{code}>" if error.more_info else ""
    return f"⚠️ I could not {doing}: Twilio said{code}: {error.message}.{link}"
