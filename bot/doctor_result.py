"""What each of the doctor's checks (:mod:`bot.doctor`, :mod:`bot.doctor_slack`) reports: one
line, its status and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warn", "fail", "skip"]
MARKS: dict[Status, str] = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}
SLACK_TIMEOUT = 10  # seconds, per Slack call


@dataclass(frozen=True)
class Result:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        fix = f" → {self.fix}" if self.fix else ""
        return f"[{MARKS[self.status]}] {self.name}: {self.detail}{fix}"


def ok(name: str, detail: str) -> Result:
    return Result(name, "ok", detail)


def fail(name: str, detail: str, fix: str) -> Result:
    return Result(name, "fail", detail, fix)
