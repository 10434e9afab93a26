"""The "How to fix" button: the playbooks of a request's rejected numbers, answered privately."""

from bot.slack.playbooks.listeners import register

__all__ = ["register"]
