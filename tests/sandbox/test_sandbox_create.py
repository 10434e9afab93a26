"""PortIn create: the 202 response and every validation rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_FOREIGN_ACCOUNT_SID, Sandbox

from .helpers import (
    PDF,
    START,
    TARGET,
    assert_twilio_error,
    create,
    create_body,
    fetch,
    upload_bill,
)

CREATE = "/v1/Porting/PortIn"


async def test_create_response_shape(client: httpx.AsyncClient, sandbox: Sandbox):
    body = await create(
        client,
        [{"phone_number": "+14155550100"}, {"phone_number": "+14155550200", "pin": "1234"}],
        target_port_in_time_range_start="10:00:00-08:00",
        target_port_in_time_range_end="16:00:00-08:00",
    )
    kw = body["port_in_request_sid"]
    assert kw.startswith("KW") and len(kw) == 34
    assert body["port_in_request_status"] == "pending"
    assert body["url"] == f"https://numbers.twilio.com/v1/Porting/PortIn/{kw}"
    assert body["account_sid"] == SANDBOX_ACCOUNT_SID
    assert body["target_port_in_date"] == TARGET.isoformat()
    assert body["target_port_in_time_range_start"] == "10:00:00-08:00"
    assert body["date_created"] == "2026-01-05T15:00:00Z"
    assert body["signature_request_url"] is None
    assert isinstance(body["support_ticket_id"], int)
    assert body["losing_carrier_information"]["customer_name"] == "Acme Plumbing LLC"
    assert body["losing_carrier_information"]["address"]["city"] == "San Francisco"
    assert body["documents"][0].startswith("RD")
    first, mobile = body["phone_numbers"]
    assert first["port_in_phone_number_sid"].startswith("PU")
    assert first["port_in_phone_number_status"] == "In Review"
    assert first["number_type"] == "LOCAL"
    assert mobile["number_type"] == "MOBILE"
    assert first["portable"] is True
    assert "pin" not in mobile  # PINs are not echoed inside PortIn
    fetched = await fetch(client, kw)
    assert fetched["port_in_request_status"] == "In Review"
    # The PhoneNumber sub-resource uses snake-case statuses and its own field names.
    pu = mobile["port_in_phone_number_sid"]
    sub = (await client.get(f"{CREATE}/{kw}/PhoneNumber/{pu}")).json()
    assert sub["port_in_phone_number_status"] == "in_review"
    assert sub["phone_number_sid"] == pu
    assert sub["phone_number_type"] == "MOBILE"
    assert sub["port_out_pin"] == 1234
    assert sub["url"].endswith(f"/PortIn/{kw}/PhoneNumber/{pu}")
    assert len(sandbox.state.requests) == 1


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(body: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node = body
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[leaf]
        else:
            node[leaf] = value

    return apply


_DELETE = object()
LCI = "losing_carrier_information"

CASES: list[tuple[str, Callable[[dict[str, Any]], None], int, int, str]] = [
    ("no account_sid", _set("account_sid", _DELETE), 400, 20001, "account_sid"),
    ("bad account_sid", _set("account_sid", "AC123"), 400, 20001, "account_sid"),
    ("foreign account", _set("account_sid", SANDBOX_FOREIGN_ACCOUNT_SID), 403, 20003, "account"),
    ("no carrier info", _set(LCI, _DELETE), 400, 20001, LCI),
    ("carrier info not object", _set(LCI, "x"), 400, 20001, LCI),
    ("no customer_name", _set(f"{LCI}.customer_name", _DELETE), 400, 20001, "customer_name"),
    ("blank customer_name", _set(f"{LCI}.customer_name", " "), 400, 20001, "customer_name"),
    (
        "no representative",
        _set(f"{LCI}.authorized_representative", _DELETE),
        400,
        20001,
        "authorized_representative",
    ),
    (
        "no representative email",
        _set(f"{LCI}.authorized_representative_email", _DELETE),
        400,
        20001,
        "authorized_representative_email",
    ),
    (
        "bad representative email",
        _set(f"{LCI}.authorized_representative_email", "jane"),
        400,
        20001,
        "authorized_representative_email",
    ),
    ("bad customer_type", _set(f"{LCI}.customer_type", "Corp"), 400, 20001, "customer_type"),
    ("no address at all", _set(f"{LCI}.address", _DELETE), 400, 22171, "address"),
    ("address without city", _set(f"{LCI}.address.city", _DELETE), 400, 20001, "address.city"),
    ("address without zip", _set(f"{LCI}.address.zip", ""), 400, 20001, "address.zip"),
    ("bad address_sid", _set(f"{LCI}.address_sid", "AD12"), 400, 22173, "address_sid"),
    ("no documents", _set("documents", _DELETE), 400, 20001, "documents"),
    ("empty documents", _set("documents", []), 400, 20001, "documents"),
    ("bad document sid", _set("documents", ["XX1"]), 400, 20001, "documents"),
    ("unknown document", _set("documents", ["RD" + "0" * 32]), 400, 20001, "not found"),
    ("no phone_numbers", _set("phone_numbers", _DELETE), 400, 20001, "phone_numbers"),
    ("empty phone_numbers", _set("phone_numbers", []), 400, 20001, "phone_numbers"),
    (
        "1001 numbers",
        _set("phone_numbers", [{"phone_number": f"+1415555{i:04d}"} for i in range(1001)]),
        400,
        20001,
        "1000",
    ),
    ("number missing", _set("phone_numbers", [{"pin": "1"}]), 400, 20001, "phone_number"),
    (
        "not E.164",
        _set("phone_numbers", [{"phone_number": "4155550100"}]),
        400,
        22172,
        "E.164",
    ),
    (
        "several countries",
        _set(
            "phone_numbers", [{"phone_number": "+14155550100"}, {"phone_number": "+442071838750"}]
        ),
        400,
        22172,
        "countries",
    ),
    ("not US", _set("phone_numbers", [{"phone_number": "+442071838750"}]), 400, 22172, "US"),
    ("toll-free", _set("phone_numbers", [{"phone_number": "+18005551212"}]), 400, 22133, "toll"),
    ("invalid number", _set("phone_numbers", [{"phone_number": "+14155550134"}]), 400, 22102, ""),
    (
        "needs more fields",
        _set("phone_numbers", [{"phone_number": "+14155550137"}]),
        400,
        22171,
        "",
    ),
    (
        "duplicate number",
        _set("phone_numbers", [{"phone_number": "+14155550100"}] * 2),
        400,
        20001,
        "twice",
    ),
    (
        "mobile without PIN",
        _set("phone_numbers", [{"phone_number": "+14155550200"}]),
        400,
        22171,
        "pin",
    ),
    (
        "mobile without account number",
        lambda b: (
            _set("phone_numbers", [{"phone_number": "+14155550200", "pin": "1234"}])(b),
            _set(f"{LCI}.account_number", _DELETE)(b),
        ),
        400,
        22171,
        "account_number",
    ),
    (
        "target date 6 days out",
        _set("target_port_in_date", (START.date() + timedelta(days=6)).isoformat()),
        400,
        20001,
        "target_port_in_date",
    ),
    ("target date not a date", _set("target_port_in_date", "14/01/2026"), 400, 20001, "target"),
    (
        "bad time range",
        _set("target_port_in_time_range_start", "10am"),
        400,
        20001,
        "target_port_in_time_range_start",
    ),
    ("bad notification e-mail", _set("notification_emails", ["x"]), 400, 20001, "notification"),
]


@pytest.mark.parametrize(
    ("mutate", "status", "code", "mentions"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
async def test_validation(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    mutate: Callable[[dict[str, Any]], None],
    status: int,
    code: int,
    mentions: str,
):
    rd = await upload_bill(client)
    body = create_body([rd], ["+14155550100"])
    mutate(body)
    response = await client.post(CREATE, json=body)
    error = assert_twilio_error(response, status, code)
    assert mentions.lower() in error["message"].lower()
    assert sandbox.state.requests == {}


async def test_valid_edge_cases(client: httpx.AsyncClient):
    rd = await upload_bill(client)
    body = create_body([rd], ["+14155550101"], target=START.date() + timedelta(days=7))
    body[LCI]["address_sid"] = "AD" + "1" * 32
    del body[LCI]["address"]
    assert (await client.post(CREATE, json=body)).status_code == 202
    no_target = create_body([rd], ["+14155550102"], target=None)
    assert (await client.post(CREATE, json=no_target)).status_code == 202


async def test_document_rules(client: httpx.AsyncClient):
    other = await upload_bill(client, document_type="invoice")
    empty = await upload_bill(client, content=b"")
    for documents in ([other], [empty]):
        response = await client.post(CREATE, json=create_body(documents, ["+14155550100"]))
        assert "utility_bill" in assert_twilio_error(response, 400, 20001)["message"]
    bill = await upload_bill(client, content=PDF)
    ok = await client.post(CREATE, json=create_body([other, bill], ["+14155550100"]))
    assert ok.status_code == 202


async def test_number_already_being_ported(client: httpx.AsyncClient):
    await create(client, ["+14155550110"])
    rd = await upload_bill(client)
    response = await client.post(CREATE, json=create_body([rd], ["+14155550111", "+14155550110"]))
    assert "+14155550110" in assert_twilio_error(response, 400, 22137)["message"]


async def test_body_must_be_json(client: httpx.AsyncClient):
    form = await client.post(CREATE, data={"account_sid": SANDBOX_ACCOUNT_SID})
    assert "application/json" in assert_twilio_error(form, 400, 20001)["message"]
    broken = await client.post(
        CREATE, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert_twilio_error(broken, 400, 20001)
    array = await client.post(CREATE, json=[])
    assert_twilio_error(array, 400, 20001)


async def test_not_portable_numbers_are_accepted_then_canceled_in_review(
    client: httpx.AsyncClient, sandbox: Sandbox
):
    body = await create(client, ["+14155550100", "+14155550132"])
    kw = body["port_in_request_sid"]
    refused = body["phone_numbers"][1]
    assert refused["portable"] is False
    assert refused["not_portability_reason"] == "ALREADY_IN_TWILIO_DIFFERENT_OWNER"
    assert refused["not_portability_reason_code"] == 22132
    await sandbox.advance(sandbox.config.timings.review)
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Waiting for Signature"
    assert [n["port_in_phone_number_status"] for n in port_in["phone_numbers"]] == [
        "Waiting for Signature",
        "Canceled",
    ]


async def test_only_not_portable_numbers_cancel_the_request(
    client: httpx.AsyncClient, sandbox: Sandbox
):
    kw = (await create(client, ["+14155550130"]))["port_in_request_sid"]
    await sandbox.advance(sandbox.config.timings.review)
    port_in = await fetch(client, kw)
    assert port_in["port_in_request_status"] == "Canceled"
    assert port_in["order_cancellation_reason"]
