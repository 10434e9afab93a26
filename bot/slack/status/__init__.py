"""/port-status and the buttons on status boards: follow, refresh, numbers as CSV."""

from bot.slack.status.listeners import register

__all__ = ["register"]
