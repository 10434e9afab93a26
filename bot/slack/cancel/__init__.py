"""/port-cancel and the board's Cancel buttons."""

from bot.slack.cancel.listeners import register

__all__ = ["register"]
