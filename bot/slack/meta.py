"""Pydantic models for the ``private_metadata`` of our modals (≤ 3,000 characters, no secrets).

Nothing read back from here is trusted on its own: listeners re-check permissions and re-load
what the ids point to.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, ValidationError

PRIVATE_METADATA_LIMIT = 3000


class ViewMeta(BaseModel):
    def dump(self) -> str:
        text = self.model_dump_json(exclude_defaults=True)
        if len(text) > PRIVATE_METADATA_LIMIT:
            raise ValueError(f"private_metadata is {len(text)} characters (limit 3,000)")
        return text

    @classmethod
    def load(cls, text: str | None) -> Self:
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError:
            return cls.model_validate({})


class PortInMeta(ViewMeta):
    """The /port-in form: where its numbers came from, its draft, which submission this is."""

    check_id: str | None = None  # numbers prefilled from a stored /port-check run
    check_count: int = 0
    draft_id: str | None = None  # set from step 2 on
    attempt: int = 0  # a new attempt after a failed filing gets a new idempotency key


class CancelMeta(ViewMeta):
    """What a cancel modal is about: a whole request, or some of its numbers (E.164)."""

    request_sid: str = ""
    numbers: list[str] = Field(default_factory=list)
