"""What every group of Porting API calls shares: the transport and the hosts it calls.

``bot.porting.port_in_calls``, ``portability_calls``, ``document_calls`` and ``webhook_calls``
each hold one group as a subclass of :class:`PortingCalls`;
:class:`~bot.porting.client.TwilioPortingClient` is all of them over one
:class:`~bot.porting.transport.TwilioTransport`.
"""

from __future__ import annotations

from bot.porting.transport import TwilioTransport


class PortingCalls:
    """The transport (auth, timeout, retries, errors) and the Numbers and upload hosts."""

    def __init__(self, transport: TwilioTransport, *, numbers_url: str, upload_url: str) -> None:
        self._transport = transport
        self._request = transport.request
        self._numbers_url = numbers_url.rstrip("/")
        self._upload_url = upload_url.rstrip("/")
