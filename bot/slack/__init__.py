"""Slack side of the bot: Bolt listeners, the thread notifier and pure Block Kit builders."""
