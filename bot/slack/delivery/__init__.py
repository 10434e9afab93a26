"""Delivering the outbox's Slack work (``bot.work``): a leaf :class:`~.poster.Poster` (pace,
lease fence, stamp, ``find_posted``) that knows no handler; one handler per kind of work, a
plain function of ``(work, poster, sources)`` in ``threads`` (a request's thread), ``timed``
(reminders, digests, Home) and ``manual`` (a manual port's thread), found by the work's type
in ``registry.HANDLERS``; :class:`~.deliverer.SlackDeliverer` is what the outbox calls.

Handlers never import the outbox's worker (``bot.outbox``; an import-linter contract): they
return :class:`bot.delivered.Delivered` or raise ``NotYet`` / ``DeliveryError`` and the worker
settles the row.
"""
