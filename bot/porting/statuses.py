"""The one place where Twilio's mixed status spellings become enums.

Twilio mixes display names (``In Review``), snake case (``in_review``), short forms
(``pending``) and webhook event names (``PortInPhoneNumberPending``). Everything that reads a
status from Twilio goes through :func:`request_status` or :func:`number_status`.
"""

from __future__ import annotations

import re
from enum import StrEnum


class RequestStatus(StrEnum):
    IN_REVIEW = "in_review"
    WAITING_FOR_SIGNATURE = "waiting_for_signature"
    IN_PROGRESS = "in_progress"
    ACTION_REQUIRED = "action_required"
    COMPLETED = "completed"
    CANCELING = "canceling"
    CANCELED = "canceled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _REQUEST_LABELS[self]

    @property
    def terminal(self) -> bool:
        return self in (RequestStatus.COMPLETED, RequestStatus.CANCELED, RequestStatus.EXPIRED)

    @property
    def twilio_name(self) -> str:
        """The display form Twilio returns on the PortIn resource."""
        return _REQUEST_TWILIO[self]


class NumberStatus(StrEnum):
    IN_REVIEW = "in_review"
    WAITING_FOR_SIGNATURE = "waiting_for_signature"
    PORT_SUBMITTED = "port_submitted"
    PORT_PENDING = "port_pending"
    PORT_REJECTED = "port_rejected"
    COMPLETED = "completed"
    CANCELING = "canceling"
    CANCELED = "canceled"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _NUMBER_LABELS[self]

    @property
    def terminal(self) -> bool:
        return self in (NumberStatus.COMPLETED, NumberStatus.CANCELED)

    @property
    def cancellable(self) -> bool:
        return self not in (
            NumberStatus.COMPLETED,
            NumberStatus.CANCELING,
            NumberStatus.CANCELED,
        )

    @property
    def twilio_name(self) -> str:
        """The display form Twilio uses inside ``PortIn.phone_numbers``."""
        return _NUMBER_LABELS[self]


_REQUEST_LABELS = {
    RequestStatus.IN_REVIEW: "In Review",
    RequestStatus.WAITING_FOR_SIGNATURE: "Waiting for Signature",
    RequestStatus.IN_PROGRESS: "In Progress",
    RequestStatus.ACTION_REQUIRED: "Action Required",
    RequestStatus.COMPLETED: "Completed",
    RequestStatus.CANCELING: "Canceling",
    RequestStatus.CANCELED: "Canceled",
    RequestStatus.EXPIRED: "Expired",
    RequestStatus.UNKNOWN: "Unknown",
}
_REQUEST_TWILIO = {
    **_REQUEST_LABELS,
    RequestStatus.IN_PROGRESS: "In progress",
}
_NUMBER_LABELS = {
    NumberStatus.IN_REVIEW: "In Review",
    NumberStatus.WAITING_FOR_SIGNATURE: "Waiting for Signature",
    NumberStatus.PORT_SUBMITTED: "Port Submitted",
    NumberStatus.PORT_PENDING: "Port Pending",
    NumberStatus.PORT_REJECTED: "Port Rejected",
    NumberStatus.COMPLETED: "Completed",
    NumberStatus.CANCELING: "Canceling",
    NumberStatus.CANCELED: "Canceled",
    NumberStatus.UNKNOWN: "Unknown",
}

# Progress order: a webhook whose status ranks lower than what we hold is stale (out of order).
# Rejected and pending may alternate (a rejected number can be resubmitted), so they share a rank.
NUMBER_RANK = {
    NumberStatus.UNKNOWN: -1,
    NumberStatus.IN_REVIEW: 0,
    NumberStatus.WAITING_FOR_SIGNATURE: 1,
    NumberStatus.PORT_SUBMITTED: 2,
    NumberStatus.PORT_PENDING: 3,
    NumberStatus.PORT_REJECTED: 3,
    NumberStatus.CANCELING: 4,
    NumberStatus.COMPLETED: 5,
    NumberStatus.CANCELED: 5,
}
REQUEST_RANK = {
    RequestStatus.UNKNOWN: -1,
    RequestStatus.IN_REVIEW: 0,
    RequestStatus.WAITING_FOR_SIGNATURE: 1,
    RequestStatus.IN_PROGRESS: 2,
    RequestStatus.ACTION_REQUIRED: 2,
    RequestStatus.CANCELING: 3,
    RequestStatus.COMPLETED: 4,
    RequestStatus.CANCELED: 4,
    RequestStatus.EXPIRED: 4,
}


class WebhookEvent(StrEnum):
    """Porting webhook event names (``status`` of a delivery)."""

    WAITING_FOR_SIGNATURE = "PortInWaitingForSignature"
    IN_PROGRESS = "PortInInProgress"
    COMPLETED = "PortInCompleted"
    ACTION_REQUIRED = "PortInActionRequired"
    CANCELED = "PortInCanceled"
    EXPIRED = "PortInExpired"
    NUMBER_WAITING_FOR_SIGNATURE = "PortInPhoneNumberWaitingForSignature"
    NUMBER_SUBMITTED = "PortInPhoneNumberSubmitted"
    NUMBER_PENDING = "PortInPhoneNumberPending"
    NUMBER_COMPLETED = "PortInPhoneNumberCompleted"
    NUMBER_REJECTED = "PortInPhoneNumberRejected"
    NUMBER_CANCELED = "PortInPhoneNumberCanceled"

    @property
    def is_number_event(self) -> bool:
        return self.value.startswith("PortInPhoneNumber")


ALL_PORT_IN_EVENTS: tuple[str, ...] = tuple(e.value for e in WebhookEvent)
# The event names Twilio's API reference lists for ``notifications_of`` (the examples of
# ``numbers.v1.porting_webhook_configuration``; reference §4.1). Twilio refuses a name it does
# not know, so a registration subscribes only to these (bot.porting.registration).
# PortInPhoneNumberCanceled is not among them: only third-party code mentions it.
TWILIO_WEBHOOK_EVENTS: tuple[str, ...] = (
    "PortInWaitingForSignature",
    "PortInInProgress",
    "PortInCompleted",
    "PortInActionRequired",
    "PortInCanceled",
    "PortInExpired",
    "PortInPhoneNumberWaitingForSignature",
    "PortInPhoneNumberSubmitted",
    "PortInPhoneNumberPending",
    "PortInPhoneNumberCompleted",
    "PortInPhoneNumberRejected",
    "PortOutPhoneNumberCompleted",
)

_REQUEST_EVENT_STATUS = {
    WebhookEvent.WAITING_FOR_SIGNATURE: RequestStatus.WAITING_FOR_SIGNATURE,
    WebhookEvent.IN_PROGRESS: RequestStatus.IN_PROGRESS,
    WebhookEvent.COMPLETED: RequestStatus.COMPLETED,
    WebhookEvent.ACTION_REQUIRED: RequestStatus.ACTION_REQUIRED,
    WebhookEvent.CANCELED: RequestStatus.CANCELED,
    WebhookEvent.EXPIRED: RequestStatus.EXPIRED,
}
_NUMBER_EVENT_STATUS = {
    WebhookEvent.NUMBER_WAITING_FOR_SIGNATURE: NumberStatus.WAITING_FOR_SIGNATURE,
    WebhookEvent.NUMBER_SUBMITTED: NumberStatus.PORT_SUBMITTED,
    WebhookEvent.NUMBER_PENDING: NumberStatus.PORT_PENDING,
    WebhookEvent.NUMBER_COMPLETED: NumberStatus.COMPLETED,
    WebhookEvent.NUMBER_REJECTED: NumberStatus.PORT_REJECTED,
    WebhookEvent.NUMBER_CANCELED: NumberStatus.CANCELED,
}
REQUEST_STATUS_EVENT = {v: k for k, v in _REQUEST_EVENT_STATUS.items()}
NUMBER_STATUS_EVENT = {v: k for k, v in _NUMBER_EVENT_STATUS.items()}

_NUMBER_ALIASES = {
    "submitted": NumberStatus.PORT_SUBMITTED,
    "pending": NumberStatus.PORT_PENDING,
    "rejected": NumberStatus.PORT_REJECTED,
    "cancelled": NumberStatus.CANCELED,
}
_REQUEST_ALIASES = {
    "pending": RequestStatus.IN_REVIEW,  # the create response says "pending" while Twilio reviews
    "cancelled": RequestStatus.CANCELED,
}


def _key(raw: str) -> str:
    # "In Review" / "in-review" / "InReview" → "in_review"
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", raw.strip())
    return re.sub(r"[\s\-]+", "_", s).lower()


def parse_event(raw: str | None) -> WebhookEvent | None:
    if not raw:
        return None
    for event in WebhookEvent:
        if event.value.lower() == raw.strip().lower():
            return event
    return None


def request_status(raw: str | None) -> RequestStatus:
    """Normalise any spelling of a request status (or a request event name)."""
    if not raw:
        return RequestStatus.UNKNOWN
    event = parse_event(raw)
    if event in _REQUEST_EVENT_STATUS:
        return _REQUEST_EVENT_STATUS[event]
    key = _key(raw)
    if key in _REQUEST_ALIASES:
        return _REQUEST_ALIASES[key]
    try:
        return RequestStatus(key)
    except ValueError:
        return RequestStatus.UNKNOWN


def number_status(raw: str | None) -> NumberStatus:
    """Normalise any spelling of a phone-number status (or a number event name)."""
    if not raw:
        return NumberStatus.UNKNOWN
    event = parse_event(raw)
    if event in _NUMBER_EVENT_STATUS:
        return _NUMBER_EVENT_STATUS[event]
    key = _key(raw)
    if key in _NUMBER_ALIASES:
        return _NUMBER_ALIASES[key]
    try:
        return NumberStatus(key)
    except ValueError:
        return NumberStatus.UNKNOWN
