"""Log lines: ``LOG_FORMAT=text`` (the default) or ``json`` (one JSON object a line: time,
level, logger, message, the exception's text), from every logger, uvicorn's access log included.

The work in hand rides along on every line through a context variable, set at the doors
(:func:`context`): the Slack listener's entry (user, channel), a webhook (request and number
SID), the reconcile of a request, an outbox delivery (its key and request), the apology a
person was shown (its ``ERR-…`` reference). Tasks inherit it, so whatever a listener, a fetch
or a delivery logs, however deep, carries its request: one search finds its whole story.

Only those fields are ever added (and a log call's ``extra`` of the same names): never a free
dict that could carry a PIN, an account number, a token or a signing link. The access log
shows paths without their query string (the sandbox's LOA page takes its token there).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

FIELDS = (
    "request_sid",
    "number_sid",
    "slack_user",
    "slack_channel",
    "outbox_key",
    "error_ref",
    "client",  # a webhook's sender, on its refusal
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FORMATS = ("text", "json")

_context: ContextVar[Mapping[str, str]] = ContextVar("log_context", default=MappingProxyType({}))


@contextmanager
def context(**fields: str | None) -> Iterator[None]:
    """Add ``fields`` (names from FIELDS; None skipped) to every line logged inside, by this
    task and the tasks it starts."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: str | None) -> None:
    """Add ``fields`` for the rest of the current task and the tasks it starts from here on:
    for a door that cannot wrap the work in a block (Bolt's middleware returns before its
    listener runs). Each request is served in a task of its own, so nothing outlives it."""
    _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})


def current() -> Mapping[str, str]:
    """The context of the work in hand."""
    return _context.get()


def _fields(record: logging.LogRecord) -> dict[str, str]:
    found = dict(_context.get())
    for name in FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            found[name] = str(value)
    return found


class TextFormatter(logging.Formatter):
    """The classic line, with the context appended: ``… [request_sid=KW… outbox_key=…]``."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields(record)
        if not fields:
            return line
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        head, newline, rest = line.partition("\n")  # before a traceback
        return f"{head} [{extra}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    return JsonFormatter() if log_format == "json" else TextFormatter()


class PathOnly(logging.Filter):
    """uvicorn's access line without the query string (it may hold a token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


def configure(log_format: str, level: str) -> None:
    """One handler on the root logger, on stderr, for every logger: uvicorn's too (it is
    started with ``log_config=None`` so its loggers propagate here)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, PathOnly) for f in access.filters):
        access.addFilter(PathOnly())
