"""One normalisation point for every status spelling Twilio mixes."""

import pytest

from bot.porting.statuses import NumberStatus, RequestStatus, number_status, request_status


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("In Review", RequestStatus.IN_REVIEW),
        ("in_review", RequestStatus.IN_REVIEW),
        ("pending", RequestStatus.IN_REVIEW),
        ("In progress", RequestStatus.IN_PROGRESS),
        ("Waiting for Signature", RequestStatus.WAITING_FOR_SIGNATURE),
        ("Action Required", RequestStatus.ACTION_REQUIRED),
        ("PortInActionRequired", RequestStatus.ACTION_REQUIRED),
        ("portincompleted", RequestStatus.COMPLETED),
        ("Canceled", RequestStatus.CANCELED),
        ("Expired", RequestStatus.EXPIRED),
        ("something new", RequestStatus.UNKNOWN),
        (None, RequestStatus.UNKNOWN),
    ],
)
def test_request_status(raw: str | None, expected: RequestStatus) -> None:
    assert request_status(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("In Review", NumberStatus.IN_REVIEW),
        ("in_review", NumberStatus.IN_REVIEW),
        ("Submitted", NumberStatus.PORT_SUBMITTED),
        ("port_pending", NumberStatus.PORT_PENDING),
        ("Port Pending", NumberStatus.PORT_PENDING),
        ("PortInPhoneNumberPending", NumberStatus.PORT_PENDING),
        ("PortInPhoneNumberRejected", NumberStatus.PORT_REJECTED),
        ("rejected", NumberStatus.PORT_REJECTED),
        ("Completed", NumberStatus.COMPLETED),
        ("Canceling", NumberStatus.CANCELING),
        ("weird", NumberStatus.UNKNOWN),
    ],
)
def test_number_status(raw: str, expected: NumberStatus) -> None:
    assert number_status(raw) == expected
