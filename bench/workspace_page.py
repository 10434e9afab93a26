"""The local workspace in a real browser (Playwright, Debian's Chromium), against
``python -m bot`` in local mode as a newcomer runs it (no Slack app, no Twilio account):

1. page load → interactive (first channel drawn, push stream open), fresh browser context
   each time (nothing cached);
2. command sent → answer rendered: ``/port-check +14155550100`` typed and Enter pressed, until
   the bot's private answer is on the page (page → signed request to /slack/events → Bolt →
   the sandbox → response_url → workspace → push → page);
3. a 1,000-number request's whole lifecycle with its thread open: every reply the bot posts
   shows, how long after it was posted, and the longest the page's main thread was busy.

Run: python bench/workspace_page.py [loads] [commands] [numbers]
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import Browser, Page, async_playwright

from bench.common import ROOT, free_port, percentile, start_bot, stop_bot
from bot.porting.client import TwilioPortingClient
from bot.sandbox import SANDBOX_ACCOUNT_SID
from bot.workspace.local import PORTING_CHANNEL
from tests.helpers import file_request

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}
REJECTED = ["+14155550153", "+14155550154", "+14155550155", "+14155550156"]

MEASURE_COMMAND = """async (text) => {
  const list = document.getElementById("messages");
  const count = () => list.querySelectorAll(".message.ephemeral").length;
  const before = count();
  const box = document.querySelector("#composer-wrap .composer-input");
  const started = performance.now();
  box.value = text;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  await new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (count() > before) { watch.disconnect(); resolve(); }
    });
    watch.observe(list, { childList: true, subtree: true });
  });
  return performance.now() - started;
}"""

WATCH = """() => {
  window.__seen = {};
  window.__longest = 0;
  window.__gap = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: "longtask", buffered: false });
  let last = performance.now();
  const frame = (now) => {
    window.__gap = Math.max(window.__gap, now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const mark = () => {
    for (const m of document.querySelectorAll("#thread .message[data-ts]")) {
      window.__seen[m.dataset.ts] ??= Date.now();
    }
  };
  const thread = document.getElementById("thread");
  new MutationObserver(mark).observe(thread, { childList: true, subtree: true });
  mark();
  return Date.now();
}"""


async def page_load(browser: Browser, url: str, loads: int) -> list[float]:
    times = []
    for _ in range(loads):
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        await page.goto(url + "/workspace/")
        await page.wait_for_selector("body[data-ready='1'][data-live='1']")
        mark = await page.evaluate(
            "performance.getEntriesByName('workspace-interactive')[0].startTime"
        )
        times.append(float(mark))
        await context.close()
    return times


async def command_latency(browser: Browser, url: str, commands: int) -> list[float]:
    page = await browser.new_page(viewport=VIEWPORT)
    await page.goto(url + "/workspace/")
    await page.wait_for_selector("body[data-ready='1'][data-live='1']")
    for _ in range(3):  # warm-up: Bolt's first auth.test, the first connections
        await page.evaluate(MEASURE_COMMAND, "/port-check +14155550100")
    times = [
        float(await page.evaluate(MEASURE_COMMAND, "/port-check +14155550100"))
        for _ in range(commands)
    ]
    await page.close()
    return times


async def _sandbox_auth(url: str) -> tuple[str, str]:
    """The process's own sandbox credentials, as the page's panel gets them."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        header = (await http.get("/workspace/ui/boot")).json()["sandbox"]["authorization"]
    sid, _, token = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    return sid, token


async def _sim(http: httpx.AsyncClient, method: str, path: str, **body: Any) -> Any:
    response = await http.request(method, f"/sandbox/_sim{path}", json=body or None)
    response.raise_for_status()
    return response.json() if response.content else None


async def _quiet(http: httpx.AsyncClient, sid_root: str, seconds: float = 4.0) -> int:
    """Wait until the bot has no Slack work left and the thread stops growing."""
    last, stable_since = -1, time.monotonic()
    while True:
        ready = (await http.get("/readyz")).json()
        thread = (await http.get(f"/workspace/ui/thread/{PORTING_CHANNEL}/{sid_root}")).json()
        count = len(thread["messages"])
        if count != last or ready["slack_outbox"]["pending"]:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since > seconds:
            return count
        await asyncio.sleep(0.25)


async def lifecycle(browser: Browser, url: str, numbers: int, step_pause: float) -> dict:
    page: Page = await browser.new_page(viewport=VIEWPORT)
    await page.goto(url + "/workspace/")
    await page.wait_for_selector("body[data-ready='1'][data-live='1']")
    auth = await _sandbox_auth(url)
    async with httpx.AsyncClient(base_url=url, auth=auth, timeout=60) as http:
        clock = await _sim(http, "GET", "/clock")
        twilio = TwilioPortingClient(
            http,
            numbers_url=f"{url}/sandbox",
            upload_url=f"{url}/sandbox",
            credentials=auth,
            account_sid=SANDBOX_ACCOUNT_SID,
        )
        sandbox = SimpleNamespace(
            config=SimpleNamespace(account_sid=SANDBOX_ACCOUNT_SID),
            now=datetime.fromisoformat(clock["now"].replace("Z", "+00:00")),
        )
        wanted = REJECTED + [f"+1212555{i:04d}" for i in range(numbers - len(REJECTED))]
        request = await file_request(twilio, sandbox, wanted)  # type: ignore[arg-type]
        sid = request.request_sid
        board = page.locator("#messages .message", has_text=sid)
        started = time.monotonic()
        steps, watching = 0, None
        while (clock := await _sim(http, "GET", "/clock"))["next_due"]:
            due = datetime.fromisoformat(clock["next_due"].replace("Z", "+00:00"))
            now = datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
            await _sim(http, "POST", "/advance", seconds=max(1.0, (due - now).total_seconds()))
            steps += 1
            await asyncio.sleep(step_pause)
            if watching is None and await board.count():
                # Adopted from the sandbox's first webhook: open its thread and watch it.
                root_ts = await board.get_attribute("data-ts")
                await board.hover()
                await board.get_by_role("button", name="Reply in thread").click()
                await page.locator("#thread .message").first.wait_for()
                watching = await page.evaluate(WATCH)
        assert watching is not None, "the request never got its thread"
        held = await _quiet(http, str(root_ts))
        seconds = time.monotonic() - started
        thread = (await http.get(f"/workspace/ui/thread/{PORTING_CHANNEL}/{root_ts}")).json()
    await page.wait_for_function(f"document.querySelectorAll('#thread .message').length >= {held}")
    seen = await page.evaluate("window.__seen")
    delays = [  # replies posted while the page watched: posted → on the page
        seen[m["ts"]] - float(m["ts"]) * 1000
        for m in thread["messages"][1:]
        if m["ts"] in seen and float(m["ts"]) * 1000 >= watching
    ]
    longest = await page.evaluate("window.__longest")
    gap = await page.evaluate("window.__gap")
    await page.close()
    return {
        "steps": steps,
        "seconds": seconds,
        "replies_held": held - 1,
        "replies_shown": len(seen) - 1,
        "measured": len(delays),
        "delay_p50": percentile(delays, 50) if delays else 0.0,
        "delay_max": max(delays) if delays else 0.0,
        "longest_task": longest,
        "frame_gap": gap,
    }


async def main(loads: int = 20, commands: int = 100, numbers: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TWILIO_"))},
            "PYTHONPATH": str(ROOT),
            "PORT": str(port),
            "DATABASE_URL": f"sqlite:///{tmp}/workspace.db",
            "PORTING_SANDBOX_SPEED": "0.001",  # the benchmark moves the sandbox's clock
            "LOG_LEVEL": "WARNING",
        }
        process = await start_bot(env, tmp)
        url = f"http://127.0.0.1:{port}"
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM)
                load = await page_load(browser, url, loads)
                latency = await command_latency(browser, url, commands)
                life = await lifecycle(browser, url, numbers, step_pause=3.0)
                await browser.close()
        finally:
            stop_bot(process)
    print(
        f"page load → interactive, {loads} fresh loads: p50 {percentile(load, 50):.0f} ms, "
        f"max {max(load):.0f} ms (target < 1 s)"
    )
    print(
        f"/port-check sent → answer rendered, {commands} commands: "
        f"p50 {percentile(latency, 50):.0f} ms, p99 {percentile(latency, 99):.0f} ms "
        f"(target p99 < 500 ms)"
    )
    print(
        f"{numbers:,}-number lifecycle ({life['steps']} sandbox steps, {life['seconds']:.0f} s): "
        f"{life['replies_shown']} of {life['replies_held']} thread replies shown, "
        f"posted → on the page ({life['measured']} replies) p50 {life['delay_p50']:.0f} ms, "
        f"max {life['delay_max']:.0f} ms; "
        f"longest main-thread task {life['longest_task']:.0f} ms, longest frame gap "
        f"{life['frame_gap']:.0f} ms"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*args))
