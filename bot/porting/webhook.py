"""The body of a Twilio porting webhook delivery (reference §4.3).

Strict only where a mistake would be stored and then fail every poll: the SIDs, which the bot
fetches by. Lenient everywhere else: a delivery is a nudge to fetch its request from Twilio, so a
field it cannot read is set aside (and reported), never a reason to refuse it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from bot.porting.models import _int_or_none
from bot.porting.sids import validate_sid
from bot.porting.statuses import WebhookEvent, parse_event

# Body keys read into typed fields that are only informative: unreadable values are set aside.
_WEBHOOK_LENIENT: dict[str, TypeAdapter[Any]] = {
    "status": TypeAdapter(str),
    "raw_status": TypeAdapter(str),
    "phone_number": TypeAdapter(str),
    "rejection_reason": TypeAdapter(str),
    "last_date_updated": TypeAdapter(datetime),
}


_TEXT = frozenset(
    key for key, adapter in _WEBHOOK_LENIENT.items() if adapter.core_schema["type"] == "str"
)


def _request_sid(value: Any) -> str:
    return validate_sid(value, "KW")


def _number_sid(value: Any) -> str:
    return validate_sid(value, "PU")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


class WebhookPayload(BaseModel):
    """A porting webhook delivery (reference §4.3): the request SID is required and, like the
    number SID when there is one, must be a real SID; anything else unreadable is set aside
    (see :func:`read_webhook` and :func:`oddities`).

    Read straight from the JSON by pydantic-core with no model-level Python validator: this
    is the bot's busiest parse (every webhook), and a wrap validator, which needs the body as
    Python objects first, made it five times slower. Keys it does not name are not kept (a
    PIN Twilio echoed among them goes with them); the receipt stores the raw body anyway.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    request_sid: Annotated[str, BeforeValidator(_request_sid)] = Field(
        validation_alias=AliasChoices("request_sid", "port_in_request_sid")
    )
    number_sid: Annotated[str, BeforeValidator(_number_sid)] | None = Field(
        default=None,
        validation_alias=AliasChoices("number_sid", "port_in_phone_number_sid", "phone_number_sid"),
    )
    phone_number: str | None = None
    raw_status: str | None = Field(
        default=None, validation_alias=AliasChoices("raw_status", "status")
    )
    rejection_reason: str | None = None
    rejection_reason_code: int | None = None
    last_date_updated: datetime | None = None

    _codes = field_validator("rejection_reason_code", mode="before")(_int_or_none)

    @field_validator("number_sid", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @property
    def event(self) -> WebhookEvent | None:
        return parse_event(self.raw_status)

    @property
    def is_number_event(self) -> bool:
        if self.event is not None:
            return self.event.is_number_event
        return self.number_sid is not None


def read_webhook(body: bytes) -> tuple[WebhookPayload, dict[str, str]]:
    """The delivery in ``body`` and the informative fields that could not be read (set
    aside, by key: their values as shown in the log). Raises ``ValidationError`` when the
    body is not a JSON object or its SIDs are missing or malformed.

    A well-formed body is read in one pass; only one that fails it is read again, with each
    unreadable informative field set aside before the SIDs are judged."""
    try:
        return WebhookPayload.model_validate_json(body), {}
    except ValidationError as error:
        first = error
    try:
        data = json.loads(body)
    except ValueError:
        raise first from None
    if not isinstance(data, dict):
        raise first
    unreadable: dict[str, str] = {}
    for key, adapter in _WEBHOOK_LENIENT.items():
        value = data.get(key)
        if value is None or (isinstance(value, str) and key in _TEXT):
            continue  # nothing to read, or text where text is wanted
        try:
            adapter.validate_python(value)
        except ValidationError:
            unreadable[key] = _shown(data.pop(key))
    return WebhookPayload.model_validate(data), unreadable


def oddities(payload: WebhookPayload, unreadable: dict[str, str]) -> list[str]:
    """What was unusual about a delivery, for the log: fields that could not be read (set
    aside), and an event name that is missing or not one we know."""
    odd = [f"unreadable {key} {value}" for key, value in unreadable.items()]
    if payload.raw_status is None:
        if not {"status", "raw_status"} & unreadable.keys():
            odd.append("no event name (status)")
    elif payload.event is None:
        odd.append(f"unknown event {_shown(payload.raw_status)}")
    return odd
