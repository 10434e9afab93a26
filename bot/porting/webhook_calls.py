"""The account's porting webhook configuration: where Twilio posts port-in (and port-out)
events, and which events (``/v1/Porting/Configuration/Webhook``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from bot.porting.models import WebhookConfiguration
from bot.porting.porting_calls import PortingCalls
from bot.porting.statuses import ALL_PORT_IN_EVENTS
from bot.porting.transport import parse_model

WEBHOOK_TYPES = ("PORT_IN", "PORT_OUT")


class WebhookCalls(PortingCalls):
    """Reading, setting and removing the webhook configuration (one per account)."""

    async def fetch_webhook_configuration(self) -> WebhookConfiguration | None:
        """The account's porting webhook configuration, or None when none is set (404)."""
        response = await self._request("GET", self._webhook_url(), tolerate=_is_404)
        if response.status_code == 404:
            return None
        return parse_model(WebhookConfiguration, response)

    async def set_webhook_configuration(
        self,
        port_in_target_url: str,
        notifications_of: Iterable[str] = ALL_PORT_IN_EVENTS,
        port_out_target_url: str | None = None,
    ) -> WebhookConfiguration:
        """Create or overwrite the webhook configuration (JSON body, HTTP 201)."""
        body: dict[str, Any] = {
            "port_in_target_url": port_in_target_url,
            "notifications_of": list(notifications_of),
        }
        if port_out_target_url is not None:
            body["port_out_target_url"] = port_out_target_url
        # An overwrite of the single per-account configuration, hence safe to retry.
        response = await self._request("POST", self._webhook_url(), json=body)
        return parse_model(WebhookConfiguration, response)

    async def delete_webhook_configuration(self, webhook_type: str = "PORT_IN") -> None:
        """Remove one webhook target, ``PORT_IN`` or ``PORT_OUT`` (HTTP 204)."""
        if webhook_type not in WEBHOOK_TYPES:
            raise ValueError(
                f"Invalid webhook type {webhook_type!r}: expected one of {WEBHOOK_TYPES}"
            )
        await self._request("DELETE", f"{self._webhook_url()}/{webhook_type}")

    def _webhook_url(self) -> str:
        return f"{self._numbers_url}/v1/Porting/Configuration/Webhook"


def _is_404(response: httpx.Response) -> bool:
    return response.status_code == 404
