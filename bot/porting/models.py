"""Pydantic models for Twilio's Porting API bodies (``twilio_numbers_v1.json``).

Field names follow Twilio's JSON. Twilio names the same thing differently across resources
(``port_in_phone_number_sid`` vs ``phone_number_sid``, ``number_type`` vs
``phone_number_type``); the models accept both spellings and expose one attribute. Unknown
fields are kept (``extra="allow"``) except secrets (PINs), which are dropped on the way in.

What we send is validated strictly (``PortInCreate`` and the ``Address`` and
``LosingCarrierInformation`` it holds). What we read is validated leniently: Twilio's copy of a
request filed elsewhere may lack fields the create side requires, or carry a value of another
type, and one such field must not make the whole request unreadable (the sync would fail on
every poll). So every field of a response model is optional and a value that does not fit its
type reads as missing (:data:`LENIENT`); status strings are kept verbatim (``raw_status``) and
normalised only through :mod:`bot.porting.statuses`.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    number_label,
    number_status,
    request_label,
    request_status,
)

log = logging.getLogger(__name__)

# Twilio's Documents API takes files up to 10 MB (reference §5): a bill, an LOA, a manual
# port's documents.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

_SECRET_KEYS = ("pin", "port_out_pin")

# A light syntactic check; pydantic's EmailStr would need the email-validator package.
_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_EMAIL_PATTERN)]


def _missing_if_invalid(
    value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> Any:
    try:
        return handler(value)
    except ValidationError as error:
        # The field's name and what was wrong, never the value (it may be personal data).
        log.warning(
            "Twilio sent an unexpected %s (%s); read as missing",
            info.field_name,
            error.errors()[0]["type"],
        )
        return None


LENIENT = WrapValidator(_missing_if_invalid)
"""On a response field: a value that does not fit the field's type reads as missing (None)."""


def _as_text(value: Any) -> Any:
    # Codes and IDs that Twilio types as a string on one resource and a number on another.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


OptStr = Annotated[str | None, LENIENT]
OptCode = Annotated[str | None, BeforeValidator(_as_text), LENIENT]
OptBool = Annotated[bool | None, LENIENT]
OptDate = Annotated[date | None, LENIENT]


def _utc_if_naive(value: datetime | None) -> datetime | None:
    # Twilio's times are UTC; one written without an offset (or a bare date) is too.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


OptDatetime = Annotated[datetime | None, AfterValidator(_utc_if_naive), LENIENT]
OptStrList = Annotated[list[str] | None, LENIENT]


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
    """The billing address we send (create side: strict)."""

    street: str
    street_2: str | None = None
    city: str
    state: str
    zip: str
    country: str = "US"


class LosingCarrierInformation(BaseModel):
    """The losing-carrier details we send (create side: strict, the spec's required fields)."""

    model_config = ConfigDict(extra="allow")

    customer_name: str
    customer_type: str | None = None  # "Business" | "Individual"
    account_number: SecretStr | None = None
    account_telephone_number: str | None = None
    authorized_representative: str
    authorized_representative_email: str
    address_sid: str | None = None
    address: Address | None = None


class AddressOnFile(BaseModel):
    """The billing address as Twilio returns it (read side: every field may be missing)."""

    model_config = ConfigDict(extra="allow")

    street: OptStr = None
    street_2: OptStr = None
    city: OptStr = None
    state: OptStr = None
    zip: OptStr = None
    country: OptStr = None


class LosingCarrierOnFile(BaseModel):
    """``losing_carrier_information`` as Twilio returns it (read side: every field may be
    missing; ``customer_type`` is kept as Twilio wrote it, even outside the spec's enum)."""

    model_config = ConfigDict(extra="allow")

    customer_name: OptStr = None
    customer_type: OptStr = None
    account_number: Annotated[SecretStr | None, BeforeValidator(_as_text), LENIENT] = None
    account_telephone_number: OptStr = None
    authorized_representative: OptStr = None
    authorized_representative_email: OptStr = None
    address_sid: OptStr = None
    address: Annotated[AddressOnFile | None, LENIENT] = None


class PortInNumber(TwilioModel):
    """A phone number inside a port-in request (``PortIn.phone_numbers[]`` or the sub-resource).

    Read side: every field may be missing. ``raw_status`` is Twilio's status as written
    (:attr:`status` normalises it, :attr:`status_label` shows it); ``rejection_reason_code``
    is kept as Twilio wrote it (a string inside ``phone_numbers[]``, an integer on the
    sub-resource).
    """

    phone_number: OptStr = None
    number_sid: OptStr = Field(
        default=None,
        validation_alias=AliasChoices("number_sid", "port_in_phone_number_sid", "phone_number_sid"),
    )
    raw_status: OptStr = Field(
        default=None, validation_alias=AliasChoices("raw_status", "port_in_phone_number_status")
    )
    number_type: OptStr = Field(
        default=None, validation_alias=AliasChoices("number_type", "phone_number_type")
    )
    portable: OptBool = None
    not_portability_reason: OptStr = None
    not_portability_reason_code: int | None = None
    rejection_reason: OptStr = None
    rejection_reason_code: OptCode = None
    port_date: OptDatetime = None
    last_updated: OptDatetime = Field(
        default=None,
        validation_alias=AliasChoices(
            "last_updated", "status_last_time_updated_timestamp", "last_date_updated"
        ),
    )

    _codes = field_validator("not_portability_reason_code", mode="before")(_int_or_none)

    @property
    def status(self) -> NumberStatus:
        return number_status(self.raw_status)

    @property
    def status_label(self) -> str:
        """The status as people read it (Twilio's own words for one we do not recognise)."""
        return number_label(self.raw_status)


class PortInRequest(TwilioModel):
    """The PortIn resource (``numbers.v1.porting_port_in``), read side.

    Only the SID is required (the client fills it in from the URL it fetched when Twilio's
    body lacks it); everything else may be missing or null.
    """

    request_sid: str = Field(validation_alias=AliasChoices("request_sid", "port_in_request_sid"))
    url: OptStr = None
    account_sid: OptStr = None
    raw_status: OptStr = Field(
        default=None, validation_alias=AliasChoices("raw_status", "port_in_request_status")
    )
    notification_emails: OptStrList = None
    target_port_in_date: OptDate = None
    target_port_in_time_range_start: OptStr = None
    target_port_in_time_range_end: OptStr = None
    order_cancellation_reason: OptStr = None
    losing_carrier_information: Annotated[LosingCarrierOnFile | None, LENIENT] = None
    phone_numbers: list[PortInNumber] = Field(default_factory=list)
    documents: OptStrList = None
    date_created: OptDatetime = None
    support_ticket_id: int | None = None
    signature_request_url: OptStr = None

    _ticket = field_validator("support_ticket_id", mode="before")(_int_or_none)

    @field_validator("phone_numbers", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        # null reads as no numbers; an entry that is not an object cannot name a number.
        if not isinstance(value, list):
            return []
        return [n for n in value if isinstance(n, dict | PortInNumber)]

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

    @property
    def status_label(self) -> str:
        """The status as people read it (Twilio's own words for one we do not recognise)."""
        return request_label(self.raw_status)

    def number(self, number_sid: str) -> PortInNumber | None:
        return next((n for n in self.phone_numbers if n.number_sid == number_sid), None)


class PortInSummary(TwilioModel):
    """One row of the list endpoint (``numbers.v1.port_in_request_list``). The SID is the
    one field the spec marks non-nullable; the rest may be missing."""

    request_sid: str = Field(validation_alias=AliasChoices("request_sid", "port_in_request_sid"))
    raw_status: OptStr = Field(
        default=None, validation_alias=AliasChoices("raw_status", "port_in_request_status")
    )
    status_last_updated_timestamp: OptStr = None
    phone_numbers_requested: int | None = None
    phone_numbers_ported: int | None = None
    suggested_action: OptStr = None

    _counts = field_validator("phone_numbers_requested", "phone_numbers_ported", mode="before")(
        _int_or_none
    )

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
