"""The bot's one exception root: what a domain error means to whoever catches it.

Every error the bot raises on purpose derives from :class:`PortingBotError` through one of the
meanings below; the specific classes (``TwilioError``, ``FilingFailed``, ``StepConflict``, …)
keep their names where they carry detail. Imports nothing of ours: every layer may use it.
(The sandbox's ``SandboxError`` is Twilio's error as the simulator answers it over HTTP, not
the bot's, so it stands outside.)
"""

from __future__ import annotations


class PortingBotError(Exception):
    """Raised on purpose by the bot."""


class NotFound(PortingBotError):
    """What was asked for is not there (a draft, a saved check, a request the bot never
    followed, an outbox item)."""


class Refused(PortingBotError):
    """The caller may not do this, or the other side said no; asking again the same way will
    not help."""


class Invalid(PortingBotError, ValueError):
    """A value from a person, a setting or a payload that does not parse or does not apply."""


class Conflict(PortingBotError):
    """Something moved under the caller (a newer version, a claim another process holds)."""


class Retryable(PortingBotError):
    """Not done now, may be later (Slack or Twilio unavailable, work waiting on other work)."""
