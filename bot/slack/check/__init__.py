"""/port-check: listeners (``listeners``), running a check and delivering its results
(``runner``), numbers from attached CSV files (``files``)."""

from bot.slack.check.listeners import register

__all__ = ["register"]
