"""Port-in requests: filing one, reading it and its numbers, listing them page by page, and
canceling a request or one of its numbers (``/v1/Porting/PortIn``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import date

from pydantic import ValidationError

from bot.porting.errors import TwilioError
from bot.porting.models import PortInCreate, PortInNumber, PortInRequest, PortInSummary
from bot.porting.porting_calls import PortingCalls
from bot.porting.sids import validate_sid
from bot.porting.statuses import RequestStatus
from bot.porting.transport import json_or_none, parse_model

# The client's lines go under one name, as the transport's do.
logger = logging.getLogger("bot.porting.client")


class PortInCalls(PortingCalls):
    """Typed calls on port-in requests and their numbers."""

    async def create_port_in(self, request: PortInCreate) -> PortInRequest:
        """Submit a port-in request (expects HTTP 202). Not retried on 5xx or read timeouts."""
        validate_sid(request.account_sid, "AC")
        response = await self._request(
            "POST",
            f"{self._numbers_url}/v1/Porting/PortIn",
            json=request.to_twilio_json(),
            idempotent=False,
        )
        return parse_model(PortInRequest, response)

    async def fetch_port_in(self, request_sid: str) -> PortInRequest:
        response = await self._request("GET", self._port_in_url(request_sid))
        return parse_model(PortInRequest, response, request_sid=request_sid)

    async def cancel_port_in(self, request_sid: str) -> None:
        """Cancel a whole port-in request (HTTP 204)."""
        await self._request("DELETE", self._port_in_url(request_sid))

    async def list_port_ins_page(
        self,
        *,
        status: RequestStatus | str | None = None,
        created_before: date | str | None = None,
        created_after: date | str | None = None,
        request_sids: Sequence[str] | None = None,
        size: int = 100,
        token: str | None = None,
    ) -> tuple[list[PortInSummary], str | None]:
        """One page of the list endpoint: ``(items, next_token)``; next_token None on the last."""
        params = _list_params(status, created_before, created_after, request_sids, size)
        if token is not None:
            params["Token"] = token
        response = await self._request(
            "GET", f"{self._numbers_url}/v1/Porting/PortIn/PortInRequests", params=params
        )
        body = json_or_none(response)
        if not isinstance(body, dict):
            raise TwilioError(response.status_code, None, "Twilio returned a non-JSON list page")
        rows = body.get("port_in_requests") or []
        if not isinstance(rows, list):
            raise TwilioError(
                response.status_code,
                None,
                "Twilio returned a port-in list page without a list of requests",
            )
        items = []
        for row in rows:
            try:
                items.append(PortInSummary.model_validate(row))
            except ValidationError:
                # A row without a SID names no request; the rest of the page still counts.
                logger.warning("skipped a port-in list row Twilio sent without a request SID")
        meta = body.get("meta") or {}
        return items, meta.get("next_token") or None

    async def list_port_ins(
        self,
        *,
        status: RequestStatus | str | None = None,
        created_before: date | str | None = None,
        created_after: date | str | None = None,
        request_sids: Sequence[str] | None = None,
        size: int = 100,
    ) -> AsyncIterator[PortInSummary]:
        """Every matching port-in request, following ``meta.next_token`` until it is null."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            items, next_token = await self.list_port_ins_page(
                status=status,
                created_before=created_before,
                created_after=created_after,
                request_sids=request_sids,
                size=size,
                token=token,
            )
            for item in items:
                yield item
            if next_token is None or next_token in seen:  # guard against a token loop
                return
            seen.add(next_token)
            token = next_token

    async def fetch_number(self, request_sid: str, number_sid: str) -> PortInNumber:
        response = await self._request("GET", self._number_url(request_sid, number_sid))
        return parse_model(PortInNumber, response, number_sid=number_sid)

    async def cancel_number(self, request_sid: str, number_sid: str) -> None:
        """Cancel one phone number of a port-in request (HTTP 204)."""
        await self._request("DELETE", self._number_url(request_sid, number_sid))

    def _port_in_url(self, request_sid: str) -> str:
        return f"{self._numbers_url}/v1/Porting/PortIn/{validate_sid(request_sid, 'KW')}"

    def _number_url(self, request_sid: str, number_sid: str) -> str:
        number_sid = validate_sid(number_sid, "PU")
        return f"{self._port_in_url(request_sid)}/PhoneNumber/{number_sid}"


def _date_param(value: date | str | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else value


def _status_param(value: RequestStatus | str | None) -> str | None:
    if value is None:
        return None
    return value.twilio_name if isinstance(value, RequestStatus) else value


def _list_params(
    status: RequestStatus | str | None,
    created_before: date | str | None,
    created_after: date | str | None,
    request_sids: Sequence[str] | None,
    size: int,
) -> dict[str, str]:
    if not 1 <= size <= 100:
        raise ValueError(f"Invalid page size {size}: expected 1..100")
    params = {"Size": str(size)}
    optional = {
        "PortInRequestStatus": _status_param(status),
        "CreatedBefore": _date_param(created_before),
        "CreatedAfter": _date_param(created_after),
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    if request_sids:
        params["PortInRequestSid"] = ",".join(validate_sid(s, "KW") for s in request_sids)
    return params
