"""The LOA's Signing link button (status boards and the Waiting for Signature reply)."""

from bot.slack.signature.listeners import register

__all__ = ["register"]
