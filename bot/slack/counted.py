"""Slack Web API calls counted by method and result, and the client's retries by reason
(``bot.metrics``): the one client class every Slack caller of the bot uses."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot import metrics


class CountedWebClient(AsyncWebClient):
    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            metrics.SLACK_CALLS.labels(api_method, metrics.slack_result(code or "other")).inc()
            raise
        except Exception:  # no answer (timeout, connection): not a cancellation
            metrics.SLACK_CALLS.labels(api_method, "unreachable").inc()
            raise
        metrics.SLACK_CALLS.labels(api_method, "ok").inc()
        return response


class _Counted(AsyncRetryHandler):
    """Retries as ``inner`` does, counting each retry under ``reason``."""

    def __init__(self, inner: AsyncRetryHandler, reason: str) -> None:
        super().__init__(max_retry_count=inner.max_retry_count)
        self.inner = inner
        self.reason = reason

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return await self.inner.can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        method = request.url.rsplit("/", 1)[-1].split("?", 1)[0]
        metrics.SLACK_RETRIES.labels(method, self.reason).inc()
        await self.inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers() -> list[AsyncRetryHandler]:
    """The listeners' client retries: connection errors, rate limits (429: ``Retry-After``
    honoured), Slack's 5xx; each counted."""
    return [
        _Counted(AsyncConnectionErrorRetryHandler(max_retry_count=3), "connection"),
        _Counted(AsyncRateLimitErrorRetryHandler(max_retry_count=8), "rate_limited"),
        _Counted(AsyncServerErrorRetryHandler(max_retry_count=3), "server_error"),
    ]
