"""The spec's example responses (read from ``twilio_numbers_v1.json`` at test time) and the
partial copies of them Twilio may send: each field, at any depth, nulled or removed in turn;
and a validator of create bodies against the spec's schema."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path("/work/shared/reference/twilio_numbers_v1.json")

PORT_IN_PATH = "/v1/Porting/PortIn/{PortInRequestSid}"
CREATE_PATH = "/v1/Porting/PortIn"
LIST_PATH = "/v1/Porting/PortIn/PortInRequests"
NUMBER_PATH = "/v1/Porting/PortIn/{PortInRequestSid}/PhoneNumber/{PhoneNumberSid}"

Body = dict[str, Any]
Key = str | int


@cache
def _spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text())


def example(path: str, method: str = "get", name: str | None = None) -> Body:
    """A fresh copy of one example response body of the spec."""
    responses = _spec()["paths"][path][method]["responses"]
    content = next(iter(responses.values()))["content"]["application/json"]
    examples = content["examples"]
    chosen = examples[name] if name else next(iter(examples.values()))
    return copy.deepcopy(chosen["value"])


def port_in() -> Body:
    """The fetched PortIn example (``GET /v1/Porting/PortIn/{sid}``)."""
    return example(PORT_IN_PATH)


def created() -> Body:
    """The example answer to ``POST /v1/Porting/PortIn``."""
    return example(CREATE_PATH, "post")


def list_row() -> Body:
    """The one row of the list example (``readFull``)."""
    return example(LIST_PATH, name="readFull")["port_in_requests"][0]


def number() -> Body:
    """The PhoneNumber sub-resource example."""
    return example(NUMBER_PATH)


@dataclass(frozen=True)
class Mutation:
    """One field of a body nulled or removed."""

    path: tuple[Key, ...]
    how: Literal["null", "removed"]

    @property
    def id(self) -> str:
        return ".".join(str(k) for k in self.path) + ("=null" if self.how == "null" else "-removed")

    def touches(self, *path: Key) -> bool:
        """True when this mutation is at ``path`` or inside it."""
        return self.path[: len(path)] == path

    def apply(self, body: Body) -> Body:
        body = copy.deepcopy(body)
        parent: Any = body
        for key in self.path[:-1]:
            parent = parent[key]
        last = self.path[-1]
        if self.how == "null":
            parent[last] = None
        else:
            del parent[last]
        return body


def _paths(value: Any, prefix: tuple[Key, ...] = ()) -> list[tuple[Key, ...]]:
    found: list[tuple[Key, ...]] = []
    items: list[tuple[Key, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def mutations(body: Body) -> list[Mutation]:
    """Every field of ``body`` (recursively, into objects and list entries) nulled, and
    removed, one at a time. Fields the example already leaves null are only removed."""
    result: list[Mutation] = []
    for path in _paths(body):
        parent: Any = body
        for key in path[:-1]:
            parent = parent[key]
        if parent[path[-1]] is not None:
            result.append(Mutation(path, "null"))
        result.append(Mutation(path, "removed"))
    return result


def create_body_validator() -> jsonschema.Draft202012Validator:
    """Validates a create body against Twilio's OpenAPI schema (``$ref``s followed)."""
    spec = json.loads(SPEC.read_text())
    registry = Registry().with_resource(
        "urn:twilio-numbers-v1", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    schema = {"$ref": "urn:twilio-numbers-v1#/components/schemas/numbers.v1.porting_port_in_create"}
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.FormatChecker()
    )
