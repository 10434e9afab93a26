"""Re-filing rejected numbers from their thread: the Re-file… buttons (``listeners``)."""

from bot.slack.refile.listeners import register

__all__ = ["register"]
