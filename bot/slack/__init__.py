"""Slack side of the bot: Bolt listeners, the delivery of outbox work (``delivery``) and
pure Block Kit builders."""
