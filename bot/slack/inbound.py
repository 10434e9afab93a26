"""``POST /slack/events``: what reaches Bolt is signed and shaped like a request Slack sends.

Bolt's FastAPI adapter parses the body before it checks the signature, and a body it cannot
parse raised out of the adapter (a 500 for anyone who can reach the URL, signed or not; so did
an ``X-Slack-Request-Timestamp`` that is not a number). Here the body is decoded, its signature
checked, then parsed and checked against the shapes Slack sends (:mod:`bot.slack.envelope`);
a refusal is a 4xx and one warning line. Bolt still verifies the signature itself.
"""

from __future__ import annotations

import hmac
import logging
import time
from hashlib import sha256

from fastapi import Request, Response
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context

from bot.slack.envelope import Malformed, read
from bot.slack.failures import apology, new_reference

log = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 5 * 60  # Slack's advice, and what Bolt enforces


def signature_problem(secret: str, body: str, timestamp: str | None, signature: str | None) -> str:
    """Why ``signature`` does not sign ``body`` (Slack's ``v0`` scheme), or "" when it does."""
    if not timestamp or not signature:
        return "unsigned"
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return "a timestamp that is not a number"
    if age > MAX_SKEW_SECONDS:
        return "a stale timestamp"
    if not secret:
        return "no SLACK_SIGNING_SECRET to check against"
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), sha256).hexdigest()
    if not hmac.compare_digest(f"v0={digest}", signature):
        return "a wrong signature"
    return ""


class SlackDoor:
    def __init__(self, app: AsyncApp, signing_secret: str) -> None:
        self.app = app
        self.signing_secret = signing_secret

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._refuse(400, "a body that is not UTF-8")
        problem = signature_problem(
            self.signing_secret,
            text,
            request.headers.get("x-slack-request-timestamp"),
            request.headers.get("x-slack-signature"),
        )
        if problem:
            return self._refuse(401, problem)
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip() or None
        try:
            body = read(text, content_type)
        except Malformed as error:
            return self._refuse(400, error.reason, signed=True)
        try:
            bolt_request = AsyncBoltRequest(
                body=text,
                query=str(request.url.query),
                headers=dict(request.headers),
            )
            if bolt_request.body != body:  # a command whose text has the word "payload"
                bolt_request.body = body
                bolt_request.context = build_async_context(AsyncBoltContext({}), body)
            return to_starlette_response(await self.app.async_dispatch(bolt_request))
        except Exception:  # Bolt's own machinery failed on a request the envelope let in
            reference = new_reference()
            log.exception("Slack request failed (%s)", reference, extra={"error_ref": reference})
            return Response(apology(reference), media_type="text/plain; charset=utf-8")

    @staticmethod
    def _refuse(status: int, reason: str, *, signed: bool = False) -> Response:
        what = "a signed Slack request" if signed else "a Slack request"
        log.warning("refused %s: %s", what, reason)
        return Response(
            "unreadable request" if status == 400 else "invalid signature",
            status_code=status,
            media_type="text/plain; charset=utf-8",
        )
