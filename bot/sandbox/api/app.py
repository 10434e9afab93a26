"""FastAPI app: Twilio's Porting and Documents paths with Twilio's bodies, plus ``/_sim`` admin.

One app serves both hosts (``numbers.twilio.com`` and ``numbers-upload.twilio.com``): point
both base URLs of a client at it. Every ``/v1`` and ``/_sim`` call needs HTTP Basic auth
(account SID + auth token, or the optional API key pair); only ``/v1`` calls see injected
latency, the concurrency cap and scripted failures. A path SID that does not match its
pattern answers 404/20404, as a Twilio route that does not match would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..core import Sandbox
from ..errors import SandboxError, SimulatorError, bad_request, not_found
from . import account, documents, loa, porting, sim, webhook_config
from .guard import Guard

# In this order: the routes of one path pattern must not shadow another's.
_ROUTERS = (
    porting.router,
    account.router,
    webhook_config.router,
    documents.router,
    sim.router,
    loa.router,
)


def _lifespan(
    sandbox: Sandbox, run_clock: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_clock:
            sandbox.start()
        try:
            yield
        finally:
            await sandbox.aclose()

    return lifespan


async def _sandbox_error(_: Request, exc: SandboxError) -> JSONResponse:
    return exc.response()


async def _simulator_error(_: Request, exc: SimulatorError) -> JSONResponse:
    return JSONResponse({"message": exc.message, "status": exc.status}, exc.status)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        return not_found(request.url.path).response()
    if exc.status_code == 405:
        return SandboxError(405, 20004, "Method not allowed").response()
    code = 20001 if exc.status_code < 500 else 20500
    return SandboxError(exc.status_code, code, str(exc.detail)).response()


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    return bad_request(f"Invalid parameters: {exc.errors()}").response()


def create_sandbox_app(sandbox: Sandbox, *, run_clock: bool = False) -> FastAPI:
    """Build the sandbox's ASGI app. ``run_clock`` starts the fast clock with the app's lifespan
    (only for a standalone app: Starlette does not run the lifespan of mounted apps)."""
    app = FastAPI(
        title="Twilio Porting API sandbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan(sandbox, run_clock),
    )
    app.state.sandbox = sandbox  # for the routes' SandboxDep
    app.add_middleware(Guard, sandbox=sandbox)
    app.exception_handler(SandboxError)(_sandbox_error)
    app.exception_handler(SimulatorError)(_simulator_error)
    app.exception_handler(HTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    for router in _ROUTERS:
        app.include_router(router)
    return app
