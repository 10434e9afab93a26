"""/port-in: listeners (``listeners``: opening the form, its two steps, filing) and reading
and validating the form (``form``)."""

from bot.slack.port_in.listeners import register

__all__ = ["register"]
