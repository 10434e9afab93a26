"""The sandbox's records (documents, webhook settings, port-in requests and their numbers) and
the plain values passed between validation and the state machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from bot.porting.statuses import NumberStatus, RequestStatus, WebhookEvent

from .number_rules import NumberProfile, Reason

WebhookType = Literal["PORT_IN", "PORT_OUT"]
WEBHOOK_TYPES: tuple[WebhookType, ...] = ("PORT_IN", "PORT_OUT")


@dataclass
class SimDocument:
    sid: str
    account_sid: str
    document_type: str
    friendly_name: str | None
    mime_type: str
    size: int
    date_created: datetime
    status: str = "uploaded"  # GUESS: the docs do not list document status values
    version: int = 1


def _target_created(
    old_url: str | None, old_created: datetime | None, new_url: str | None, now: datetime
) -> datetime | None:
    """A target keeps its creation date while its URL is unchanged."""
    if old_url == new_url:
        return old_created
    return now if new_url else None


@dataclass
class WebhookSettings:
    port_in_target_url: str | None = None
    port_out_target_url: str | None = None
    notifications_of: list[str] = field(default_factory=list)
    port_in_date_created: datetime | None = None
    port_out_date_created: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.port_in_target_url is None and self.port_out_target_url is None

    def wants(self, event: WebhookEvent) -> bool:
        # An empty list means "send everything" (reference §4.1).
        return not self.notifications_of or event.value in self.notifications_of

    def replaced(
        self,
        port_in_target_url: str | None,
        port_out_target_url: str | None,
        notifications_of: list[str],
        now: datetime,
    ) -> WebhookSettings:
        """A POST replaces the whole configuration; creation dates survive for unchanged URLs."""
        return WebhookSettings(
            port_in_target_url=port_in_target_url,
            port_out_target_url=port_out_target_url,
            notifications_of=list(notifications_of),
            port_in_date_created=_target_created(
                self.port_in_target_url, self.port_in_date_created, port_in_target_url, now
            ),
            port_out_date_created=_target_created(
                self.port_out_target_url, self.port_out_date_created, port_out_target_url, now
            ),
        )

    def remove(self, webhook_type: WebhookType) -> None:
        """Drop one target; with none left, the event filter goes too."""
        if webhook_type == "PORT_IN":
            self.port_in_target_url = self.port_in_date_created = None
        else:
            self.port_out_target_url = self.port_out_date_created = None
        if self.empty:
            self.notifications_of = []


@dataclass
class SimNumber:
    sid: str
    request_sid: str
    account_sid: str
    phone_number: str
    number_type: str
    country: str | None
    pin: str | None
    portable: bool
    not_portability_reason: str | None
    not_portability_reason_code: int | None
    planned_rejection: int | None  # what the losing carrier will answer, decided at create
    date_created: datetime
    last_updated: datetime
    status: NumberStatus = NumberStatus.IN_REVIEW
    rejection_reason: str | None = None
    rejection_reason_code: int | None = None
    port_date: datetime | None = None
    # Bumped on every status change; a scheduled job for an older version is stale.
    version: int = 0


@dataclass
class SimRequest:
    sid: str
    account_sid: str
    losing_carrier_information: dict[str, Any]
    documents: list[str]
    notification_emails: list[str] | None
    target_port_in_date: date | None
    target_port_in_time_range_start: str | None
    target_port_in_time_range_end: str | None
    bundle_sid: str | None
    portability_advance_carrier: str | None
    auto_cancel_approval_numbers: str | None
    support_ticket_id: int
    date_created: datetime
    last_updated: datetime
    signature_token: str
    numbers: list[SimNumber] = field(default_factory=list)
    status: RequestStatus = RequestStatus.IN_REVIEW
    order_cancellation_reason: str | None = None
    signature_request_url: str | None = None
    loa_sent_at: datetime | None = None
    signed_at: datetime | None = None
    cancel_requested: bool = False
    expired: bool = False

    def number(self, number_sid: str) -> SimNumber | None:
        return next((n for n in self.numbers if n.sid == number_sid), None)


@dataclass
class PlannedNumber:
    phone_number: str
    pin: str | None
    profile: NumberProfile
    # A reason that makes the number not portable; it is accepted and canceled in review.
    not_portable: Reason | None


@dataclass
class CreatePlan:
    """A validated create body (see :mod:`bot.sandbox.validation`)."""

    account_sid: str
    documents: list[str]
    losing_carrier_information: dict[str, Any]
    numbers: list[PlannedNumber]
    notification_emails: list[str] | None = None
    target_port_in_date: date | None = None
    target_port_in_time_range_start: str | None = None
    target_port_in_time_range_end: str | None = None
    bundle_sid: str | None = None
    portability_advance_carrier: str | None = None
    auto_cancel_approval_numbers: str | None = None


@dataclass
class PortabilityAnswer:
    profile: NumberProfile
    reason: Reason | None
    account_sid: str | None
