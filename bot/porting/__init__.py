"""Twilio Porting API: client, models, statuses and webhook signatures (knows nothing of Slack)."""
