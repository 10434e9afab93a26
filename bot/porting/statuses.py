"""The one place where Twilio's mixed status spellings become enums.

Twilio mixes display names (``In Review``), snake case (``in_review``), short forms
(``pending``) and webhook event names (``PortInPhoneNumberPending``). Everything that reads a
status from Twilio goes through :func:`request_status` or :func:`number_status`.

A status Twilio writes that none of these spellings matches is ``UNKNOWN`` to the code, but
never lost: :func:`stored_status` keeps Twilio's own words (what the store holds), the
``*_label`` functions show them to people, and the ``*_moves_back`` guards order them against
the known ones (an unrecognised status is news, not a step backwards; a missing one is no
news).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar


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


_EVENTS = {event.value.lower(): event for event in WebhookEvent}


def parse_event(raw: str | None) -> WebhookEvent | None:
    if not raw:
        return None
    return _EVENTS.get(raw.strip().lower())


# Listings judge thousands of stored statuses at a time, and there are only a few spellings:
# the parsers are pure, so each spelling is read once.
@functools.lru_cache(maxsize=1024)
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


@functools.lru_cache(maxsize=1024)
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


# -- statuses Twilio writes that the bot does not recognise ------------------------------

STATUS_MAX = 32  # the store's status columns
S = TypeVar("S", RequestStatus, NumberStatus)


def _unrecognised(raw: str | None, status: RequestStatus | NumberStatus) -> str | None:
    """Twilio's own words for a status none of our spellings matches, else None."""
    if status.value != "unknown" or not raw or not raw.strip():
        return None
    if _key(raw) == "unknown":
        return None  # Twilio (or our store) said "unknown": nothing more to show
    return raw.strip()


@functools.lru_cache(maxsize=512)  # listings judge thousands of rows with a handful of words
def request_label(raw: str | None) -> str:
    """A request status as people read it: our label, or Twilio's words when unrecognised."""
    status = request_status(raw)
    return _unrecognised(raw, status) or status.label


@functools.lru_cache(maxsize=512)
def number_label(raw: str | None) -> str:
    """A number status as people read it: our label, or Twilio's words when unrecognised."""
    status = number_status(raw)
    return _unrecognised(raw, status) or status.label


def status_words(status: RequestStatus | NumberStatus, raw: str | None) -> str:
    """A status to keep: the enum value, or Twilio's own words when unrecognised.
    :func:`request_status` / :func:`number_status` read it back as the same status (an
    unrecognised value stays unrecognised)."""
    return _unrecognised(raw, status) or status.value


def stored_status(status: RequestStatus | NumberStatus, raw: str | None) -> str:
    """What the store's status columns keep: :func:`status_words`, clipped to the column."""
    return status_words(status, raw)[:STATUS_MAX]


def request_moves_back(old: str, new: str) -> bool:
    """True when request status ``new`` is an older view than ``old`` (both as stored, see
    :func:`stored_status`): keep ``old``."""
    return _moves_back(REQUEST_RANK, request_status, old, new)


def number_moves_back(old: str, new: str) -> bool:
    """True when number status ``new`` is an older view than ``old`` (both as stored)."""
    return _moves_back(NUMBER_RANK, number_status, old, new)


def _moves_back(
    rank: Mapping[S, int], parse: Callable[[str | None], S], old: str, new: str
) -> bool:
    """The rank guard ("never move a status backwards"), sane for statuses we do not know.

    Known statuses compare by ``rank``. A status Twilio did not give (``unknown``) says
    nothing, so it never replaces another. An unrecognised status is news: it replaces any
    status short of a terminal one, and any status replaces it (we cannot order it).
    """
    old_status, new_status = parse(old), parse(new)
    unknown = parse(None)
    if new_status is unknown:
        if _unrecognised(new, new_status) is None:
            return old_status is not unknown or _unrecognised(old, old_status) is not None
        return old_status.terminal
    if old_status is unknown:
        return False
    return rank[new_status] < rank[old_status]
