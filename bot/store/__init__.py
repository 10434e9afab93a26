"""Persistence: the SQLModel tables (``models``, datetimes through ``types.UTCDateTime``) and
every statement the bot runs, one module per thing stored: ``requests`` (request and number
state, threads), ``sync`` (the fetch schedule and the request's row lock), ``outbox`` (the
Slack work queue, with ``items`` and ``keys``), ``claims``, ``drafts``, ``audit``,
``check_runs``, ``receipts`` (webhook receipts, written through the driver) and ``pace``
(shared channel slots). Nothing here knows Slack."""
