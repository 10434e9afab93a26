"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``; ``.ci/run``
installs it; Playwright's own browser download is never used). Screenshots of each step go to
``tests/.artifacts/workspace/<test>/``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.workspace.local_bot import LocalBot, local_bot

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "workspace"


@pytest.fixture
async def local(tmp_path: Path, clean_slack_env: None) -> AsyncIterator[LocalBot]:
    async with local_bot(tmp_path) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's Chromium is not installed: apt-get install -y chromium")
    playwright = pytest.importorskip("playwright.async_api", reason="pip install playwright")
    async with playwright.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


class Shots:
    """Numbered screenshots of one test's steps."""

    def __init__(self, name: str) -> None:
        self.dir = ARTIFACTS / re.sub(r"[^\w-]+", "_", name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.count = 0

    async def take(self, page: Any, step: str) -> Path:
        self.count += 1
        path = self.dir / f"{self.count:02d}-{step}.png"
        await page.screenshot(path=str(path))
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)
