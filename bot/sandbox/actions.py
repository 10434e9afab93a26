"""What a test or the panel makes happen in the simulated account, beside time passing: an LOA
signed or left to expire, a number rejected by the losing carrier or resubmitted, a number that
ports away, API calls made to fail.

Each action changes the records through the machine and delivers the webhooks it causes before
it returns; the ``/_sim`` routes call them too.
"""

from __future__ import annotations

from .data import SimNumber, SimRequest
from .errors import SimulatorError, not_found
from .faults import Faults
from .machine import PortingMachine
from .state import PortingState
from .webhooks import WebhookSender


class SandboxActions:
    """The actions of :class:`~bot.sandbox.core.Sandbox`, with the lookups they take and the
    hand-off of the events they cause to the webhook sender."""

    state: PortingState
    machine: PortingMachine
    faults: Faults
    webhooks: WebhookSender

    def request(self, sid: str) -> SimRequest:
        return self.state.get_request(sid, f"/v1/Porting/PortIn/{sid}")

    def number(self, request_sid: str, number: str) -> SimNumber:
        """A number of a request, by PU SID or by E.164."""
        request = self.request(request_sid)
        found = next((n for n in request.numbers if number in (n.sid, n.phone_number)), None)
        if found is None:
            raise not_found(f"/v1/Porting/PortIn/{request_sid}/PhoneNumber/{number}")
        return found

    def dispatch(self) -> None:
        """Hand events produced by the last state change to the webhook sender."""
        hook = self.state.webhook
        for event in self.state.drain():
            if hook.port_in_target_url and hook.wants(event.event):
                self.webhooks.enqueue(event, hook.port_in_target_url)

    async def _act(self) -> None:
        self.dispatch()
        await self.webhooks.flush()

    async def sign_loa(self, request_sid: str) -> SimRequest:
        request = self.request(request_sid)
        self.machine.sign(request)
        await self._act()
        return request

    async def expire_loa(self, request_sid: str) -> SimRequest:
        request = self.request(request_sid)
        self.machine.expire(request)
        await self._act()
        return request

    async def reject_number(self, request_sid: str, number: str, code: int = 22150) -> SimNumber:
        """The losing carrier rejects ``number`` (PU SID or E.164) with a 22150-22159 code."""
        found = self.number(request_sid, number)
        self.machine.reject(self.request(request_sid), found, code)
        await self._act()
        return found

    async def resubmit_number(self, request_sid: str, number: str) -> SimNumber:
        found = self.number(request_sid, number)
        self.machine.resubmit(self.request(request_sid), found)
        await self._act()
        return found

    def port_away(self, phone_number: str) -> None:
        """``phone_number`` ports away to another provider (or is released): it leaves the
        account's numbers, as a port-out nobody here asked for would."""
        self.state.inventory.leave(phone_number)
        self.state.owned.pop(phone_number, None)

    def inject_failures(
        self,
        count: int = 1,
        status: int = 500,
        code: int | None = None,
        *,
        message: str | None = None,
        retry_after: int | None = None,
        match: str | None = None,
        method: str | None = None,
    ) -> None:
        """The next ``count`` API calls (optionally only paths containing ``match``, only with
        HTTP ``method``) fail."""
        if status < 400:
            raise SimulatorError("status must be an HTTP error status", 400)
        self.faults.fail_next(count, status, code, message, retry_after, match, method)
