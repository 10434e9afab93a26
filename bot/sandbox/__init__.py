"""Twilio Porting API sandbox: an in-process simulator for demos (no Twilio account) and tests.

Typical test use::

    sandbox = Sandbox(SandboxConfig(start_time=..., seed=1), http_client=receiver_client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)),
                                 base_url="http://sandbox", auth=(SANDBOX_ACCOUNT_SID,
                                 SANDBOX_AUTH_TOKEN)) as client:
        ...
        await sandbox.advance(timedelta(days=1))   # runs due transitions, delivers webhooks

Layout: ``core`` (the :class:`Sandbox` facade), ``actions`` (what a test or the panel makes
happen), ``ticker`` (the running clock), ``config``, ``clock``, ``data`` (the records), ``state``
(what the account holds, lookups, the event outbox), ``machine`` (status transitions),
``scheduler`` (timed jobs), ``carrier`` (FOC dates), ``portability``, ``paging``,
``number_rules`` (the test-number table), ``validation`` (create bodies), ``resources`` (JSON
bodies), ``webhooks`` (payloads and the sender), ``faults``, ``errors``, and ``api/`` (the
FastAPI app: ``app`` composes the routers ``porting``, ``webhook_config``, ``documents``,
``sim`` and ``loa`` behind the ``guard`` middleware).
"""

from .api.app import create_sandbox_app
from .config import (
    DEFAULT_SPEED,
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    SANDBOX_FOREIGN_ACCOUNT_SID,
    SANDBOX_SUBACCOUNT_SID,
    SandboxConfig,
    Timings,
)
from .core import Sandbox
from .errors import SandboxError, SimulatorError
from .number_rules import (
    REJECTION_REASONS,
    TEST_NUMBERS,
    Behaviour,
    NumberProfile,
    TestNumber,
    classify,
    markdown_table,
)
from .webhooks import Delivery, SimEvent, number_payload, request_payload

__all__ = [
    "DEFAULT_SPEED",
    "REJECTION_REASONS",
    "SANDBOX_ACCOUNT_SID",
    "SANDBOX_AUTH_TOKEN",
    "SANDBOX_FOREIGN_ACCOUNT_SID",
    "SANDBOX_SUBACCOUNT_SID",
    "TEST_NUMBERS",
    "Behaviour",
    "Delivery",
    "NumberProfile",
    "Sandbox",
    "SandboxConfig",
    "SandboxError",
    "SimEvent",
    "SimulatorError",
    "TestNumber",
    "Timings",
    "classify",
    "create_sandbox_app",
    "markdown_table",
    "number_payload",
    "request_payload",
]
