"""Plain-words error messages for Slack."""

from __future__ import annotations

from bot.porting.errors import TwilioError
from bot.slack.ui.fmt import escape, url


def twilio_error_text(error: TwilioError, doing: str) -> str:
    """What failed, Twilio's code and message, and the link to Twilio's page for it."""
    if error.status == 0:
        said = escape(error.message)
        return f"⚠️ I could not {doing}: Twilio did not answer ({said}). Try again shortly."
    if error.status == 404:
        return f"⚠️ I could not {doing}: Twilio has no such request in this account."
    code = f" {error.code}" if error.code else ""
    more = url(error.more_info)
    link = f" <{more}|More about{code}>" if more else ""
    return f"⚠️ I could not {doing}: Twilio said{code}: {escape(error.message)}.{link}"
