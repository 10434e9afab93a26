"""Test doubles for Slack: a fake Web API server and signed request builders."""
