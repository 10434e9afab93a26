"""The base of every kind of Slack work (:class:`Work`: its ``kind``, ``key()``, owner, and
how it is stored and read back), and the keys more than one kind, or the store, look up."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, TypeAdapter

_OBJECT = TypeAdapter(dict[str, Any])  # a stored payload, before its model reads it


def _nonce() -> str:
    return uuid.uuid4().hex


class Work(BaseModel):
    """One piece of Slack work (see the module's docstring)."""

    model_config = ConfigDict(frozen=True, validate_by_name=True)

    KIND: ClassVar[str]  # the ``kind`` literal, on the class
    # Draws the latest state when sent (a board, a Home tab): coalesced to one pending row per
    # key, not ordered with the posts.
    edit: ClassVar[bool] = False
    # A post that keeps its place among its owner's posts (the root, the change replies and
    # what follows them): a later post waits for it. Timed posts (reminders, digests) are not:
    # one that waits or keeps failing holds nothing back.
    ordered: ClassVar[bool] = True
    # The field the row's owner (``outbox.request_sid``) restores, not stored in the payload.
    OWNER_FIELD: ClassVar[str | None] = None

    kind: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["kind"].default
        if isinstance(default, str):
            cls.KIND = default

    def key(self) -> str:
        raise NotImplementedError

    def owner(self) -> str:
        """What the work's rows are ordered under (posts of one owner go out in order)."""
        assert self.OWNER_FIELD is not None
        return str(getattr(self, self.OWNER_FIELD))

    def stored(self) -> str:
        """The payload JSON the outbox row keeps (without what the row itself says)."""
        return self.model_dump_json(by_alias=True, exclude=self._unstored())

    @classmethod
    def restore(cls, payload: str, key: str, owner: str) -> Self:
        """The work a stored row holds (``payload`` as :meth:`stored` wrote it)."""
        data = _OBJECT.validate_json(payload)
        renamed = {
            f.serialization_alias: name
            for name, f in cls.model_fields.items()
            if f.serialization_alias
        }
        if renamed:
            data = {renamed.get(k, k): v for k, v in data.items()}
        if cls.OWNER_FIELD is not None:
            data[cls.OWNER_FIELD] = owner
        return cls.model_validate({**data, **cls._from_key(key), "kind": cls.KIND})

    @classmethod
    def _unstored(cls) -> set[str]:
        return {"kind", *([cls.OWNER_FIELD] if cls.OWNER_FIELD else []), *cls.KEY_FIELDS}

    KEY_FIELDS: ClassVar[tuple[str, ...]] = ()  # fields :meth:`_from_key` restores

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        return {}


def _last_part(key: str) -> str:
    return key.rsplit(":", 1)[-1]


# -- keys shared by more than one kind, or looked up by the store -----------------------------


def root_key(request_sid: str) -> str:
    """A request's thread root: one per request, ever."""
    return f"root:{request_sid}"


def manual_root_key(manual_id: str) -> str:
    """A manual port's thread root (its board): one per port, ever."""
    return f"manual-root:{manual_id}"


def reminder_key(owner: str, kind: str, due_day: date) -> str:
    """A reminder in a request's or a manual port's thread: once per kind and due day (the
    desk's planners key theirs with it, so planning one again finds it)."""
    return f"remind:{owner}:{kind}:{due_day.isoformat()}"


def digest_key(channel_id: str, day: date) -> str:
    return f"digest:{channel_id}:{day.isoformat()}"


def digest_owner(channel_id: str) -> str:
    """What a channel's digest rows are ordered under (they belong to no request)."""
    return f"digest:{channel_id}"


def home_owner(user_id: str) -> str:
    return f"home:{user_id}"
