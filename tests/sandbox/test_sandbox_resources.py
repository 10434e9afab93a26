"""List paging and filters, webhook configuration CRUD, and document uploads."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.sandbox import Sandbox

from .helpers import PDF, SandboxFactory, assert_twilio_error, client_for, create

LIST = "/v1/Porting/PortIn/PortInRequests"
HOOK = "/v1/Porting/Configuration/Webhook"
DOCS = "/v1/Documents"


async def test_list_paging_and_filters(client: httpx.AsyncClient, sandbox: Sandbox):
    empty = (await client.get(LIST)).json()
    assert empty == {"port_in_requests": [], "meta": {"next_token": None, "previous_token": None}}
    sids = []
    for i in range(5):
        sids.append((await create(client, [f"+1415555011{i}"], target=None))["port_in_request_sid"])
        await sandbox.advance(timedelta(days=1))  # one request per simulated day
    await client.delete(f"/v1/Porting/PortIn/{sids[4]}")

    seen, token, pages = [], None, 0
    for _ in range(len(sids)):  # two a page: never more pages than requests
        params = {"Size": 2, **({"Token": token} if token else {})}
        page = (await client.get(LIST, params=params)).json()
        pages += 1
        seen += [r["port_in_request_sid"] for r in page["port_in_requests"]]
        if pages == 2:
            assert page["meta"]["previous_token"] == sids[0]
        token = page["meta"]["next_token"]
        if token is None:
            break
    assert (seen, pages) == (sids, 3)
    row = (await client.get(LIST, params={"Size": 1})).json()["port_in_requests"][0]
    assert set(row) == {
        "port_in_request_sid",
        "port_in_request_status",
        "status_last_updated_timestamp",
        "phone_numbers_requested",
        "phone_numbers_ported",
        "suggested_action",
    }

    async def sids_for(**params: str) -> list[str]:
        body = (await client.get(LIST, params=params)).json()
        return [r["port_in_request_sid"] for r in body["port_in_requests"]]

    assert await sids_for(PortInRequestSid=f"{sids[3]},{sids[1]}") == [sids[1], sids[3]]
    assert await sids_for(PortInRequestStatus="Canceled") == [sids[4]]
    assert await sids_for(PortInRequestStatus="canceled") == [sids[4]]
    assert await sids_for(CreatedAfter="2026-01-07") == sids[2:]
    assert await sids_for(CreatedBefore="2026-01-06") == sids[:2]

    for params in (
        {"Size": "0"},
        {"Size": "101"},
        {"Size": "x"},
        {"Token": "KW" + "0" * 32},
        {"PortInRequestSid": "nope"},
        {"PortInRequestStatus": "Bogus"},
        {"CreatedAfter": "yesterday"},
    ):
        assert_twilio_error(await client.get(LIST, params=params), 400, 20001)


async def test_webhook_configuration_crud(client: httpx.AsyncClient, sandbox: Sandbox):
    assert_twilio_error(await client.get(HOOK), 404, 20404)  # GUESS: nothing configured
    created = await client.post(
        HOOK,
        json={
            "port_in_target_url": "https://bot.example/port-in",
            "port_out_target_url": "https://bot.example/port-out",
            "notifications_of": ["PortInCompleted", "PortOutPhoneNumberCompleted"],
        },
    )
    assert created.status_code == 201
    assert created.json() == {
        "url": "https://numbers.twilio.com/v1/Porting/Configuration/Webhook",
        "port_in_target_url": "https://bot.example/port-in",
        "port_out_target_url": "https://bot.example/port-out",
        "notifications_of": ["PortInCompleted", "PortOutPhoneNumberCompleted"],
    }
    fetched = (await client.get(HOOK)).json()
    assert fetched["port_in_target_date_created"] == "2026-01-05T15:00:00Z"
    assert fetched["port_out_target_date_created"] == "2026-01-05T15:00:00Z"

    await sandbox.advance(timedelta(hours=1))
    replaced = await client.post(HOOK, json={"port_in_target_url": "https://bot.example/new"})
    assert replaced.json()["notifications_of"] == []  # POST replaces the whole configuration
    fetched = (await client.get(HOOK)).json()
    assert fetched["port_out_target_url"] is None
    assert fetched["port_in_target_date_created"] == "2026-01-05T16:00:00Z"

    assert (await client.delete(f"{HOOK}/PORT_IN")).status_code == 204
    assert_twilio_error(await client.get(HOOK), 404, 20404)
    assert_twilio_error(await client.delete(f"{HOOK}/PORT_SIDEWAYS"), 400, 20001)

    for bad in (
        {"port_in_target_url": "ftp://x"},
        {"port_in_target_url": "https://x", "notifications_of": ["PortInBogus"]},
        {"port_in_target_url": "https://x", "notifications_of": "PortInCompleted"},
        {"notifications_of": []},
    ):
        assert_twilio_error(await client.post(HOOK, json=bad), 400, 20001)
    form = await client.post(HOOK, data={"port_in_target_url": "https://x"})
    assert_twilio_error(form, 400, 20001)


async def upload(
    client: httpx.AsyncClient,
    content: bytes,
    mime: str = "application/pdf",
    field: str = "File",
    **data: str,
) -> httpx.Response:
    return await client.post(
        DOCS,
        data={"document_type": "utility_bill", **data},
        files={field: ("bill", content, mime)},
    )


async def test_document_upload(client: httpx.AsyncClient):
    response = await upload(client, PDF, friendly_name="Jan bill")
    assert response.status_code == 201
    body = response.json()
    assert body["sid"].startswith("RD") and len(body["sid"]) == 34
    assert body["mime_type"] == "application/pdf"
    assert body["document_type"] == "utility_bill"
    assert body["friendly_name"] == "Jan bill"
    assert body["url"] == f"https://numbers-upload.twilio.com/v1/Documents/{body['sid']}"
    assert (await client.get(f"{DOCS}/{body['sid']}")).json() == body
    assert_twilio_error(await client.get(f"{DOCS}/RD{'0' * 32}"), 404, 20404)

    png = await upload(client, b"\x89PNG\r\n\x1a\n" + b"0" * 10, mime="application/octet-stream")
    assert png.json()["mime_type"] == "image/png"
    declared = await upload(client, b"raw-jpeg-ish", mime="image/jpeg")
    assert declared.json()["mime_type"] == "image/jpeg"


async def test_empty_document_has_empty_mime_type(client: httpx.AsyncClient):
    response = await upload(client, b"")
    assert response.status_code == 201
    assert response.json()["mime_type"] == ""


@pytest.mark.parametrize(
    ("kwargs", "mentions"),
    [
        ({"content": b"hello", "mime": "text/plain"}, "image or a PDF"),
        ({"content": PDF, "field": "file"}, "File"),  # lower-case f is not Twilio's field
    ],
)
async def test_document_rejections(client: httpx.AsyncClient, kwargs: dict, mentions: str):
    body = assert_twilio_error(await upload(client, **kwargs), 400, 20001)
    assert mentions in body["message"]


async def test_document_needs_type_and_multipart(client: httpx.AsyncClient):
    no_type = await client.post(DOCS, files={"File": ("bill.pdf", PDF, "application/pdf")})
    assert "document_type" in assert_twilio_error(no_type, 400, 20001)["message"]
    not_multipart = await client.post(DOCS, json={"document_type": "utility_bill"})
    assert_twilio_error(not_multipart, 400, 20001)


async def test_document_size_limit(client: httpx.AsyncClient, make_sandbox: SandboxFactory):
    limit = 10 * 1024 * 1024
    at_limit = await upload(client, b"%PDF-" + b"0" * (limit - 5))
    assert at_limit.status_code == 201
    over = await upload(client, b"%PDF-" + b"0" * (limit - 4))
    assert "10 MB" in assert_twilio_error(over, 400, 20001)["message"]
    small = await make_sandbox(max_document_bytes=1024)
    async with client_for(small) as other:
        way_over = await upload(other, b"%PDF-" + b"0" * 200_000)  # refused on Content-Length
        assert_twilio_error(way_over, 400, 20001)
