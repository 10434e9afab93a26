"""The body of a Twilio porting webhook delivery (reference §4.3).

Strict only where a mistake would be stored and then fail every poll: the SIDs, which the bot
fetches by. Lenient everywhere else: a delivery is a nudge to fetch its request from Twilio, so a
field it cannot read is set aside (and reported), never a reason to refuse it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.porting.models import TwilioModel, _int_or_none
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


class WebhookPayload(TwilioModel):
    """A porting webhook delivery (reference §4.3): the request SID is required and, like the
    number SID when there is one, must be a real SID; anything else unreadable is set aside
    (see :attr:`oddities`)."""

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
    # A default, not a default_factory: pydantic inspects a factory's signature on every
    # instance (a fifth of a webhook's parsing); an empty dict default is copied cheaply.
    _unreadable: dict[str, str] = PrivateAttr(default={})

    _codes = field_validator("rejection_reason_code", mode="before")(_int_or_none)

    @field_validator("number_sid", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="wrap")
    @classmethod
    def _set_aside_unreadable(
        cls, data: Any, handler: ModelWrapValidatorHandler[WebhookPayload]
    ) -> WebhookPayload:
        unreadable: dict[str, str] = {}
        if isinstance(data, dict):
            data = dict(data)
            for key, adapter in _WEBHOOK_LENIENT.items():
                value = data.get(key)
                if value is None or (isinstance(value, str) and key in _TEXT):
                    continue  # nothing to read, or text where text is wanted
                try:
                    adapter.validate_python(data[key])
                except ValidationError:
                    unreadable[key] = _shown(data.pop(key))
        payload = handler(data)
        payload._unreadable = unreadable
        return payload

    @property
    def event(self) -> WebhookEvent | None:
        return parse_event(self.raw_status)

    @property
    def is_number_event(self) -> bool:
        if self.event is not None:
            return self.event.is_number_event
        return self.number_sid is not None

    @property
    def oddities(self) -> list[str]:
        """What was unusual about this delivery, for the log: fields that could not be read
        (set aside), and an event name that is missing or not one we know."""
        odd = [f"unreadable {key} {value}" for key, value in self._unreadable.items()]
        if self.raw_status is None:
            if not {"status", "raw_status"} & self._unreadable.keys():
                odd.append("no event name (status)")
        elif self.event is None:
            odd.append(f"unknown event {_shown(self.raw_status)}")
        return odd
