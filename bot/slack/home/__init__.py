"""The bot's App Home tab: published when someone opens it or presses Refresh."""

from bot.slack.home.listeners import register

__all__ = ["register"]
