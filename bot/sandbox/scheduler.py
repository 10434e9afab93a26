"""Timed jobs on the simulated clock: what is due when, in order, and which jobs went stale."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.porting.statuses import RequestStatus


class JobKind(StrEnum):
    REVIEW_DONE = "review_done"
    AUTO_SIGN = "auto_sign"
    LOA_EXPIRY = "loa_expiry"
    CARRIER_RESPONSE = "carrier_response"
    PORT = "port"
    CANCEL_DONE = "cancel_done"


# Request-level jobs only apply while the request is still in this status.
REQUEST_JOB_STATUS = {
    JobKind.REVIEW_DONE: RequestStatus.IN_REVIEW,
    JobKind.AUTO_SIGN: RequestStatus.WAITING_FOR_SIGNATURE,
    JobKind.LOA_EXPIRY: RequestStatus.WAITING_FOR_SIGNATURE,
}


@dataclass(order=True)
class Job:
    due: datetime
    seq: int
    kind: JobKind = field(compare=False)
    request_sid: str = field(compare=False)
    # Number-level jobs name the number and the version it had when they were scheduled.
    number_sid: str | None = field(compare=False, default=None)
    number_version: int = field(compare=False, default=0)


class Scheduler:
    """A heap of jobs by due time; ties run in the order they were scheduled."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._seq = itertools.count()

    def schedule(
        self,
        due: datetime,
        kind: JobKind,
        request_sid: str,
        number: tuple[str, int] | None = None,
    ) -> None:
        """Queue ``kind`` for ``request_sid`` (and ``number``: its SID and version) at ``due``."""
        job = Job(due, next(self._seq), kind, request_sid)
        if number is not None:
            job.number_sid, job.number_version = number
        heapq.heappush(self._jobs, job)

    def next_due(self, live: Callable[[Job], bool]) -> datetime | None:
        """When the next live job is due; jobs that are not ``live`` are dropped on the way."""
        while self._jobs and not live(self._jobs[0]):
            heapq.heappop(self._jobs)
        return self._jobs[0].due if self._jobs else None

    def upcoming(self, live: Callable[[Job], bool]) -> dict[str, Job]:
        """Each request's next live job (by request SID)."""
        first: dict[str, Job] = {}
        for job in sorted(self._jobs):
            if job.request_sid not in first and live(job):
                first[job.request_sid] = job
        return first

    def take(self, pick: Callable[[Job], bool]) -> list[Job]:
        """Every job ``pick`` accepts, off the heap, in due order (to run now, early)."""
        taken = sorted(job for job in self._jobs if pick(job))
        if taken:
            chosen = {id(job) for job in taken}
            self._jobs = [job for job in self._jobs if id(job) not in chosen]
            heapq.heapify(self._jobs)
        return taken

    def shift(self, delta: timedelta) -> None:
        """Every job ``delta`` later (a pause that lasted ``delta``); the order stays."""
        for job in self._jobs:
            job.due += delta

    def pop_due(self, until: datetime) -> Job | None:
        """The earliest job due at or before ``until``, off the heap; None if there is none."""
        if self._jobs and self._jobs[0].due <= until:
            return heapq.heappop(self._jobs)
        return None
