"""Go-live and the inventory in Slack: the board's Go live and Go-live profile… buttons, and
Acknowledge on the alert for a number that left the account."""

from bot.slack.golive.listeners import register

__all__ = ["register"]
