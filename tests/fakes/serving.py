"""An ASGI app served over real HTTP on ``127.0.0.1`` inside the test's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp


class QuietServer(uvicorn.Server):
    """uvicorn server that leaves signal handlers alone and stops immediately on request."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn would replace pytest's SIGINT handler; tests don't need signals.
        yield

    async def main_loop(self) -> None:
        # uvicorn's loop polls should_exit every 100 ms; an event makes stop() instant.
        await self.stop_requested.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Same steps as uvicorn's shutdown minus its fixed 100 ms sleeps (lifespan is off).
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 2)
        while self.server_state.connections or self.server_state.tasks:
            if loop.time() >= deadline:
                for task in self.server_state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(0.002)
        for server in self.servers:
            await server.wait_closed()


class LocalServer:
    """``app`` on ``host`` at ``port`` (0: a free one, known once started). The app's
    lifespan is the caller's business (run it with ``asgi_lifespan.LifespanManager``)."""

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port: int | None = port or None
        self._wanted = port
        self._server: QuietServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    async def start(self) -> None:
        if self._task is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._wanted))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,  # don't reconfigure logging (keeps caplog and friends intact)
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                sock.close()
                self._task.result()  # re-raise the startup error
                raise RuntimeError("uvicorn exited during startup")
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Shut the server down (idempotent)."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        self._server.stop_requested.set()
        try:
            await self._task
        finally:
            self._server = None
            self._task = None
