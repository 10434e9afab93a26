"""Pydantic models for Twilio's Porting API bodies (``twilio_numbers_v1.json``).

Field names follow Twilio's JSON. Twilio names the same thing differently across resources
(``port_in_phone_number_sid`` vs ``phone_number_sid``, ``number_type`` vs
``phone_number_type``); the models accept both spellings and expose one attribute. Unknown
fields are kept (``extra="allow"``) except secrets (PINs), which are dropped on the way in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SecretStr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.porting.sids import validate_sid
from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    WebhookEvent,
    number_status,
    parse_event,
    request_status,
)

_SECRET_KEYS = ("pin", "port_out_pin")

# A light syntactic check; pydantic's EmailStr would need the email-validator package.
_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_EMAIL_PATTERN)]


class TwilioModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_secrets(cls, data: Any) -> Any:
        # Twilio has echoed PINs back in some responses; never keep them in memory models.
        if isinstance(data, dict) and any(k in data for k in _SECRET_KEYS):
            data = {k: v for k, v in data.items() if k not in _SECRET_KEYS}
        return data


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Portability(TwilioModel):
    phone_number: str
    account_sid: str | None = None
    portable: bool | None = None
    pin_and_account_number_required: bool | None = None
    not_portable_reason: str | None = None
    not_portable_reason_code: int | None = None
    number_type: str | None = None
    country: str | None = None
    url: str | None = None

    _code = field_validator("not_portable_reason_code", mode="before")(_int_or_none)


class Address(BaseModel):
    street: str
    street_2: str | None = None
    city: str
    state: str
    zip: str
    country: str = "US"


class LosingCarrierInformation(BaseModel):
    model_config = ConfigDict(extra="allow")

    customer_name: str
    customer_type: str | None = None  # "Business" | "Individual"
    account_number: SecretStr | None = None
    account_telephone_number: str | None = None
    authorized_representative: str
    authorized_representative_email: str
    address_sid: str | None = None
    address: Address | None = None


class PortInNumber(TwilioModel):
    """A phone number inside a port-in request (``PortIn.phone_numbers[]`` or the sub-resource)."""

    phone_number: str
    number_sid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("number_sid", "port_in_phone_number_sid", "phone_number_sid"),
    )
    raw_status: str | None = Field(
        default=None, validation_alias=AliasChoices("raw_status", "port_in_phone_number_status")
    )
    number_type: str | None = Field(
        default=None, validation_alias=AliasChoices("number_type", "phone_number_type")
    )
    portable: bool | None = None
    not_portability_reason: str | None = None
    not_portability_reason_code: int | None = None
    rejection_reason: str | None = None
    rejection_reason_code: int | None = None
    port_date: datetime | None = None
    last_updated: datetime | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "last_updated", "status_last_time_updated_timestamp", "last_date_updated"
        ),
    )

    _codes = field_validator("not_portability_reason_code", "rejection_reason_code", mode="before")(
        _int_or_none
    )

    @property
    def status(self) -> NumberStatus:
        return number_status(self.raw_status)


class PortInRequest(TwilioModel):
    """The PortIn resource (``numbers.v1.porting_port_in``)."""

    request_sid: str = Field(validation_alias=AliasChoices("request_sid", "port_in_request_sid"))
    url: str | None = None
    account_sid: str | None = None
    raw_status: str | None = Field(
        default=None, validation_alias=AliasChoices("raw_status", "port_in_request_status")
    )
    notification_emails: list[str] | None = None
    target_port_in_date: date | None = None
    target_port_in_time_range_start: str | None = None
    target_port_in_time_range_end: str | None = None
    order_cancellation_reason: str | None = None
    losing_carrier_information: LosingCarrierInformation | None = None
    phone_numbers: list[PortInNumber] = Field(default_factory=list)
    documents: list[str] | None = None
    date_created: datetime | None = None
    support_ticket_id: int | None = None
    signature_request_url: str | None = None

    @field_validator("phone_numbers", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or []

    @field_validator("date_created", mode="before")
    @classmethod
    def _bare_date(cls, value: Any) -> Any:
        # Before Sept 2024 Twilio sent a bare date here.
        if isinstance(value, str) and len(value) == 10:
            return value + "T00:00:00Z"
        return value

    @property
    def status(self) -> RequestStatus:
        return request_status(self.raw_status)

    def number(self, number_sid: str) -> PortInNumber | None:
        return next((n for n in self.phone_numbers if n.number_sid == number_sid), None)


class PortInSummary(TwilioModel):
    """One row of the list endpoint (``numbers.v1.port_in_request_list``)."""

    request_sid: str = Field(validation_alias=AliasChoices("request_sid", "port_in_request_sid"))
    raw_status: str | None = Field(
        default=None, validation_alias=AliasChoices("raw_status", "port_in_request_status")
    )
    status_last_updated_timestamp: str | None = None
    phone_numbers_requested: int | None = None
    phone_numbers_ported: int | None = None
    suggested_action: str | None = None

    @property
    def status(self) -> RequestStatus:
        return request_status(self.raw_status)


class PortInNumberCreate(BaseModel):
    phone_number: str
    pin: SecretStr | None = None


class PortInCreate(BaseModel):
    """Body of ``POST /v1/Porting/PortIn`` (``numbers.v1.porting_port_in_create``)."""

    account_sid: str
    documents: list[str] = Field(min_length=1)
    phone_numbers: list[PortInNumberCreate] = Field(min_length=1, max_length=1000)
    losing_carrier_information: LosingCarrierInformation
    notification_emails: list[Email] | None = None
    target_port_in_date: date | None = None
    target_port_in_time_range_start: str | None = None
    target_port_in_time_range_end: str | None = None

    def to_twilio_json(self) -> dict[str, Any]:
        """The JSON Twilio expects, with secrets revealed (only ever sent to Twilio)."""
        body = self.model_dump(mode="json", exclude_none=True)
        for sent, model in zip(body["phone_numbers"], self.phone_numbers, strict=True):
            if model.pin is not None:
                sent["pin"] = model.pin.get_secret_value()
        lci = self.losing_carrier_information
        if lci.account_number is not None:
            body["losing_carrier_information"]["account_number"] = (
                lci.account_number.get_secret_value()
            )
        return body


class WebhookConfiguration(TwilioModel):
    url: str | None = None
    port_in_target_url: str | None = None
    port_out_target_url: str | None = None
    notifications_of: list[str] | None = None
    port_in_target_date_created: datetime | None = None
    port_out_target_date_created: datetime | None = None


class Document(TwilioModel):
    """A document uploaded through ``numbers-upload.twilio.com/v1/Documents``."""

    sid: str
    account_sid: str | None = None
    document_type: str | None = None
    friendly_name: str | None = None
    mime_type: str | None = None
    status: str | None = None
    version: int | None = None


# -- the webhook delivery (reference §4.3) ---------------------------------------------------
# Strict only where a mistake would be stored and then fail every poll: the SIDs, which the
# bot fetches by. Lenient everywhere else: a delivery is a nudge to fetch its request from
# Twilio, so a field it cannot read is set aside (and reported), never a reason to refuse it.

# Body keys read into typed fields that are only informative: unreadable values are set aside.
_WEBHOOK_LENIENT: dict[str, TypeAdapter[Any]] = {
    "status": TypeAdapter(str),
    "raw_status": TypeAdapter(str),
    "phone_number": TypeAdapter(str),
    "rejection_reason": TypeAdapter(str),
    "last_date_updated": TypeAdapter(datetime),
}


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
    _unreadable: dict[str, str] = PrivateAttr(default_factory=dict)

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
                if data.get(key) is None:
                    continue
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
