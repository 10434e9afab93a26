"""Settings from the environment and `.env`; every knob has a default or a clear start-up error.

:class:`Settings` is the one object the bot reads them from. Its fields come in groups, one
module each: ``slack_settings`` (the app, the channel, PORTING_ADMINS), ``twilio_settings``
(the account and its hosts), ``desk_settings`` (following requests, the desk's day, go-live) and
``process_settings`` (where it listens, its database, logs and metrics); ``model`` puts them
together and decides the mode (local, the sandbox, or a real deployment); ``rules`` holds the
start-up rules (``Settings.check``).
"""

from bot.settings.model import Settings
from bot.settings.rules import SettingsError
from bot.settings.slack_settings import EVERYONE

__all__ = ["EVERYONE", "Settings", "SettingsError"]
