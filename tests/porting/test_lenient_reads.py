"""Twilio is read leniently, what we send is validated strictly: every field of the spec's
example responses nulled or removed in turn still parses (through the real client) and still
draws a status board; unknown statuses and rejection codes are kept as Twilio wrote them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from bot.desk import NumberChange, RequestSnapshot, RequestUpdate
from bot.desk.changes import change_set
from bot.porting.client import TwilioPortingClient
from bot.porting.models import (
    LosingCarrierInformation,
    PortInNumber,
    PortInRequest,
)
from bot.porting.playbooks import playbook
from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    number_label,
    number_moves_back,
    request_label,
    request_moves_back,
    stored_status,
)
from bot.slack.ui import board, status, thread_replies
from tests.porting import spec_examples as spec
from tests.porting.spec_examples import Mutation

KW = "KW" + "a" * 32  # the examples' SIDs
PU = "PU" + "a" * 32
ACCOUNT = "AC" + "a" * 32
NOW = datetime(2026, 11, 2, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
async def client() -> AsyncIterator[Callable[[Handler], TwilioPortingClient]]:
    opened: list[httpx.AsyncClient] = []

    def make(handler: Handler) -> TwilioPortingClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        opened.append(http)
        return TwilioPortingClient(http, credentials=("SK" + "1" * 32, "x"), account_sid=ACCOUNT)

    yield make
    for http in opened:
        await http.aclose()


def answering(body: Any) -> Handler:
    return lambda request: httpx.Response(200, json=body)


def _draw(request: PortInRequest) -> str:
    """Every builder that renders a request: board, /port-status, CSVs, a thread reply."""
    snapshot = RequestSnapshot(request, None, "U1", NOW)
    changes = [NumberChange(n, NumberStatus.IN_REVIEW, n.status) for n in request.phone_numbers]
    change = change_set(RequestUpdate(request, RequestStatus.IN_REVIEW, changes), "U1")
    text, blocks = thread_replies.update_message(change)
    drawn = [
        board.board_text(snapshot),
        str([b.to_dict() for b in board.board_blocks(snapshot)]),
        str([b.to_dict() for b in status.status_blocks(snapshot)]),
        status.numbers_csv(request),
        thread_replies.changes_csv(change),
        text,
        str([b.to_dict() for b in blocks]),
    ]
    return "\n".join(drawn)


PORT_IN_MUTATIONS = spec.mutations(spec.port_in())


@pytest.mark.parametrize("mutation", PORT_IN_MUTATIONS, ids=lambda m: m.id)
async def test_every_partial_fetched_request_parses_and_draws(
    client: Callable[[Handler], TwilioPortingClient], mutation: Mutation
) -> None:
    twilio = client(answering(mutation.apply(spec.port_in())))
    request = await twilio.fetch_port_in(KW)

    assert request.request_sid == KW, "the SID comes from the URL when the body lacks it"
    drawn = _draw(request)
    assert KW in drawn
    if not mutation.touches("losing_carrier_information"):
        assert "Customer name for carrier" in drawn
    if not mutation.touches("phone_numbers"):
        assert "+1 617-555-1212" in drawn and "In Review" in drawn


CREATE_MUTATIONS = [
    m for m in spec.mutations(spec.created()) if not m.touches("port_in_request_sid")
]


@pytest.mark.parametrize("mutation", CREATE_MUTATIONS, ids=lambda m: m.id)
def test_every_partial_create_answer_parses_and_draws(mutation: Mutation) -> None:
    # (Without a SID a create answer names no request: that one stays an error.)
    request = PortInRequest.model_validate(mutation.apply(spec.created()))
    assert KW in _draw(request)


@pytest.mark.parametrize("mutation", spec.mutations(spec.number()), ids=lambda m: m.id)
async def test_every_partial_number_sub_resource_parses_and_draws(
    client: Callable[[Handler], TwilioPortingClient], mutation: Mutation
) -> None:
    twilio = client(answering(mutation.apply(spec.number())))
    n = await twilio.fetch_number(KW, PU)
    assert n.number_sid == PU
    line = status.number_line(n)
    assert line
    if not mutation.touches("phone_number"):
        assert "+1 502-495-3384" in line


@pytest.mark.parametrize("mutation", spec.mutations(spec.list_row()), ids=lambda m: m.id)
async def test_list_rows_with_partial_fields_are_kept_and_rows_without_a_sid_skipped(
    client: Callable[[Handler], TwilioPortingClient], mutation: Mutation
) -> None:
    other = {**spec.list_row(), "port_in_request_sid": "KW" + "b" * 32}
    page = {"port_in_requests": [mutation.apply(spec.list_row()), other], "meta": {}}
    twilio = client(answering(page))
    items, _ = await twilio.list_port_ins_page()
    sids = [i.request_sid for i in items]
    if mutation.touches("port_in_request_sid"):
        assert sids == [other["port_in_request_sid"]], "a row naming no request is skipped"
    else:
        assert sids == [KW, other["port_in_request_sid"]]


async def test_a_body_that_is_no_port_in_is_still_an_error(
    client: Callable[[Handler], TwilioPortingClient],
) -> None:
    # Filling the SID from the URL is for a PortIn body that lacks it, not for any JSON.
    twilio = client(answering({"unexpected": True}))
    with pytest.raises(Exception, match="Unexpected PortInRequest"):
        await twilio.fetch_port_in(KW)


def test_values_of_the_wrong_type_read_as_missing_not_as_a_failure() -> None:
    body = spec.port_in()
    body["date_created"] = "yesterday"
    body["target_port_in_date"] = 20230910
    body["notification_emails"] = "user@domain.com"
    body["losing_carrier_information"]["address"] = "Your Street, City"
    body["phone_numbers"][0]["port_date"] = "soon"
    body["phone_numbers"][0]["portable"] = "maybe"
    body["phone_numbers"].append("not a number object")
    request = PortInRequest.model_validate(body)
    assert request.date_created is None and request.target_port_in_date is None
    assert request.notification_emails is None
    lci = request.losing_carrier_information
    assert lci is not None and lci.address is None and lci.customer_name
    assert len(request.phone_numbers) == 1
    assert request.phone_numbers[0].port_date is None and request.phone_numbers[0].portable is None
    assert KW in _draw(request)


def test_what_we_send_is_still_validated_strictly() -> None:
    lci = spec.port_in()["losing_carrier_information"]
    for field in ("customer_name", "authorized_representative", "authorized_representative_email"):
        with pytest.raises(ValidationError):
            LosingCarrierInformation.model_validate({k: v for k, v in lci.items() if k != field})
    address = {k: v for k, v in lci["address"].items() if k != "zip"}
    with pytest.raises(ValidationError):
        LosingCarrierInformation.model_validate({**lci, "address": address})


# -- rejection codes as Twilio writes them -------------------------------------------------


@pytest.mark.parametrize(
    ("code", "shown"),
    [("22153", "22153"), (22153, "22153"), ("PIN_MISMATCH", "PIN_MISMATCH"), (None, "(no code)")],
)
def test_rejection_codes_are_kept_as_written(code: Any, shown: str) -> None:
    body = spec.port_in()
    body["phone_numbers"][0].update(
        port_in_phone_number_status="Port Rejected",
        rejection_reason="Carrier says no",
        rejection_reason_code=code,
    )
    n = PortInRequest.model_validate(body).phone_numbers[0]
    assert n.rejection_reason_code == (None if code is None else str(code))
    assert shown in status.number_line(n)
    if code == "22153":
        assert playbook(n.rejection_reason_code).known, "known: advised"


# -- statuses Twilio writes that we do not recognise ----------------------------------------


def test_unknown_statuses_are_shown_as_twilio_wrote_them() -> None:
    body = spec.port_in()
    body["port_in_request_status"] = "On Hold"
    body["phone_numbers"][0]["port_in_phone_number_status"] = "Port Held By Carrier"
    request = PortInRequest.model_validate(body)
    assert request.status is RequestStatus.UNKNOWN and request.status_label == "On Hold"
    n = request.phone_numbers[0]
    assert n.status is NumberStatus.UNKNOWN and n.status_label == "Port Held By Carrier"
    drawn = _draw(request)
    assert "Status: *On Hold*" in drawn
    assert "❔ 1 Port Held By Carrier" in drawn
    assert "Twilio now says *Port Held By Carrier* for +1 617-555-1212" in drawn
    assert "Unknown" not in drawn and "None" not in drawn


def test_a_missing_status_reads_unknown_not_none() -> None:
    body = spec.port_in()
    del body["port_in_request_status"]
    del body["phone_numbers"][0]["port_in_phone_number_status"]
    drawn = _draw(PortInRequest.model_validate(body))
    assert "Status: *Unknown*" in drawn and "None" not in drawn


@pytest.mark.parametrize(
    ("raw", "stored", "label"),
    [
        ("In progress", "in_progress", "In Progress"),
        ("pending", "in_review", "In Review"),
        ("On Hold", "On Hold", "On Hold"),
        ("  On Hold ", "On Hold", "On Hold"),
        (None, "unknown", "Unknown"),
        ("unknown", "unknown", "Unknown"),
        ("x" * 40, "x" * 32, "x" * 40),
    ],
)
def test_request_statuses_are_stored_as_enum_values_or_twilios_words(
    raw: str | None, stored: str, label: str
) -> None:
    request = PortInRequest(request_sid=KW, raw_status=raw)
    assert stored_status(request.status, raw) == stored
    assert request_label(raw) == label
    assert request_label(stored) == (label if len(label) <= 32 else stored)


@pytest.mark.parametrize(
    ("old", "new", "back"),
    [
        ("in_progress", "in_review", True),  # a stale read
        ("in_review", "in_progress", False),
        ("in_progress", "unknown", True),  # Twilio did not say: no news
        ("On Hold", "unknown", True),
        ("unknown", "unknown", False),
        ("in_progress", "On Hold", False),  # a status Twilio added is news
        ("On Hold", "in_review", False),  # and we cannot order it against the next one
        ("On Hold", "Held Again", False),
        ("completed", "On Hold", True),  # a terminal status stays
        ("canceled", "Reopened", True),
    ],
)
def test_the_rank_guard_is_sane_for_unknown_request_statuses(
    old: str, new: str, back: bool
) -> None:
    assert request_moves_back(old, new) is back


@pytest.mark.parametrize(
    ("old", "new", "back"),
    [
        ("port_pending", "port_submitted", True),
        ("port_pending", "port_rejected", False),
        ("port_pending", "unknown", True),
        ("port_pending", "Port Held", False),
        ("Port Held", "completed", False),
        ("completed", "Port Held", True),
    ],
)
def test_the_rank_guard_is_sane_for_unknown_number_statuses(old: str, new: str, back: bool) -> None:
    assert number_moves_back(old, new) is back
    assert number_label(new)


def test_a_number_twilio_does_not_name_is_shown_by_its_sid() -> None:
    n = PortInNumber(number_sid=PU, raw_status="Port Pending")
    assert status.number_line(n).startswith(f"number {PU}")
    assert status.number_line(PortInNumber()).startswith("a number Twilio did not name")
