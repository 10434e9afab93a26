"""Slack's Block Kit limits, checked on what a builder returns (no app, no Slack).

:func:`message_problems` and :func:`modal_problems` list every limit a message or a modal
breaks (empty when it keeps them all), so a failing test names what went over and where.
Limits from Slack's Block Kit reference (blocks, block elements, composition objects, views).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACTION_ID = 255
BLOCK_ID = 255
INPUT_LABEL = 2000
INPUT_HINT = 2000
PLACEHOLDER = 150
TEXT_INPUT_MAX_LENGTH = 3000
SELECT_OPTIONS = 100
CHECKBOX_OPTIONS = 10
OPTION_TEXT = 75
OPTION_VALUE = 150
VIEW_TITLE = 24
VIEW_BUTTON = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
MESSAGE_TEXT = 4000  # chat.postMessage's ``text``: Slack truncates longer messages

Json = dict[str, Any]


def as_dicts(blocks: Sequence[Block | Mapping[str, Any]]) -> list[Json]:
    return [dict(b) if isinstance(b, Mapping) else b.to_dict() for b in blocks]


def as_view(view: View | Mapping[str, Any]) -> Json:
    return dict(view) if isinstance(view, Mapping) else view.to_dict()


def message_problems(text: str, blocks: Sequence[Block | Mapping[str, Any]]) -> list[str]:
    """What a message (fallback ``text`` and ``blocks``) does that Slack refuses or cuts."""
    problems: list[str] = []
    if not text.strip():
        problems.append("no fallback text (notifications and screen readers show it)")
    if len(text) > MESSAGE_TEXT:
        problems.append(f"fallback text of {len(text)} characters (> {MESSAGE_TEXT})")
    dicts = as_dicts(blocks)
    if len(dicts) > MESSAGE_BLOCKS:
        problems.append(f"{len(dicts)} blocks in a message (> {MESSAGE_BLOCKS})")
    return problems + _blocks_problems(dicts, modal=False)


def modal_problems(view: View | Mapping[str, Any]) -> list[str]:
    """What a modal view does that ``views.open``/``views.update`` refuse."""
    v = as_view(view)
    problems: list[str] = []
    if v.get("type") != "modal":
        problems.append(f"view type {v.get('type')!r}")
    problems += _limit("callback_id", v.get("callback_id") or "", CALLBACK_ID, required=True)
    problems += _text_limit("title", v.get("title"), VIEW_TITLE, required=True)
    for button in ("submit", "close"):
        problems += _text_limit(button, v.get(button), VIEW_BUTTON)
    problems += _limit("private_metadata", v.get("private_metadata") or "", PRIVATE_METADATA)
    blocks = v.get("blocks") or []
    if not blocks:
        problems.append("a modal without blocks")
    if len(blocks) > MODAL_BLOCKS:
        problems.append(f"{len(blocks)} blocks in a modal (> {MODAL_BLOCKS})")
    if any(b.get("type") == "input" for b in blocks) and not v.get("submit"):
        problems.append("inputs but no submit button")
    return problems + _blocks_problems(blocks, modal=True)


def texts(blocks: Sequence[Block | Mapping[str, Any]]) -> str:
    """Every text the blocks show, one per line (for asserting on what people read)."""
    return "\n".join(_all_texts(as_dicts(blocks)))


def action_ids(blocks: Sequence[Block | Mapping[str, Any]]) -> list[str]:
    """The action_id of every interactive element, in order."""
    return [e["action_id"] for e in _elements(as_dicts(blocks)) if "action_id" in e]


def block_types(blocks: Sequence[Block | Mapping[str, Any]]) -> list[str]:
    return [b["type"] for b in as_dicts(blocks)]


# -- the blocks ------------------------------------------------------------------------------


def _blocks_problems(blocks: list[Json], *, modal: bool) -> list[str]:
    problems: list[str] = []
    ids = Counter(b["block_id"] for b in blocks if b.get("block_id"))
    problems += [f"block_id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    for index, block in enumerate(blocks):
        where = f"block {index} ({block.get('type')})"
        problems += [f"{where}: {p}" for p in _block_problems(block, modal=modal)]
    return problems


def _block_problems(block: Json, *, modal: bool) -> list[str]:
    kind = block.get("type")
    problems = _limit("block_id", block.get("block_id") or "", BLOCK_ID)
    if kind == "section":
        if not block.get("text") and not block.get("fields"):
            problems.append("a section needs text or fields")
        problems += _text_limit("text", block.get("text"), SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            problems.append(f"{len(fields)} fields (> {SECTION_FIELDS})")
        for f in fields:
            problems += _text_limit("field", f, SECTION_FIELD_TEXT)
        if block.get("accessory"):
            problems += _element_problems(block["accessory"])
    elif kind == "header":
        problems += _text_limit("text", block.get("text"), HEADER_TEXT, required=True)
        if (block.get("text") or {}).get("type") != "plain_text":
            problems.append("a header's text must be plain_text")
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > CONTEXT_ELEMENTS:
            problems.append(f"{len(elements)} context elements (1 to {CONTEXT_ELEMENTS})")
        for e in elements:
            problems += _text_limit("element", e, SECTION_TEXT)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > ACTIONS_ELEMENTS:
            problems.append(f"{len(elements)} actions elements (1 to {ACTIONS_ELEMENTS})")
        problems += [p for e in elements for p in _element_problems(e)]
        action = Counter(e.get("action_id") for e in elements if e.get("action_id"))
        problems += [f"action_id {a!r} twice in one block" for a, n in action.items() if n > 1]
    elif kind == "input":
        if not modal:
            problems.append("an input block in a message")
        if not block.get("block_id"):
            problems.append("an input without a block_id (its value could not be read)")
        problems += _text_limit("label", block.get("label"), INPUT_LABEL, required=True)
        problems += _text_limit("hint", block.get("hint"), INPUT_HINT)
        if not block.get("element"):
            problems.append("an input without an element")
        else:
            problems += _element_problems(block["element"])
    elif kind not in ("divider", "image", "rich_text", "file", "video"):
        problems.append(f"unknown block type {kind!r}")
    return problems


def _element_problems(e: Json) -> list[str]:
    kind = e.get("type")
    problems = _limit("action_id", e.get("action_id") or "", ACTION_ID)
    problems += _text_limit("placeholder", e.get("placeholder"), PLACEHOLDER)
    if kind == "button":
        problems += _text_limit("button text", e.get("text"), BUTTON_TEXT, required=True)
        problems += _limit("button value", e.get("value") or "", BUTTON_VALUE)
        problems += _limit("button url", e.get("url") or "", BUTTON_URL)
        if e.get("style") not in (None, "primary", "danger"):
            problems.append(f"button style {e.get('style')!r}")
    elif kind == "plain_text_input":
        most = e.get("max_length", TEXT_INPUT_MAX_LENGTH)
        if most > TEXT_INPUT_MAX_LENGTH:
            problems.append(f"max_length {most} (> {TEXT_INPUT_MAX_LENGTH})")
        if len(e.get("initial_value") or "") > most:
            problems.append(f"initial_value longer than max_length {most}")
    elif kind in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
        options = e.get("options") or []
        most = CHECKBOX_OPTIONS if kind in ("checkboxes", "radio_buttons") else SELECT_OPTIONS
        if not options or len(options) > most:
            problems.append(f"{kind} with {len(options)} options (1 to {most})")
        for o in options:
            problems += _text_limit("option text", o.get("text"), OPTION_TEXT, required=True)
            problems += _limit("option value", o.get("value") or "", OPTION_VALUE, required=True)
        values = Counter(o.get("value") for o in options)
        problems += [f"option value {v!r} twice" for v, n in values.items() if n > 1]
    return problems


def _text_limit(what: str, obj: object, most: int, *, required: bool = False) -> list[str]:
    if obj is None:
        return [f"no {what}"] if required else []
    text = obj.get("text", "") if isinstance(obj, Mapping) else str(obj)
    return _limit(what, text, most, required=required)


def _limit(what: str, text: str, most: int, *, required: bool = False) -> list[str]:
    if required and not text:
        return [f"empty {what}"]
    if len(text) > most:
        return [f"{what} of {len(text)} characters (> {most})"]
    return []


def _elements(blocks: list[Json]) -> Iterator[Json]:
    for b in blocks:
        if b.get("type") == "actions":
            yield from b.get("elements") or []
        for key in ("element", "accessory"):
            if b.get(key):
                yield b[key]


def _all_texts(node: object) -> Iterator[str]:
    if isinstance(node, Mapping):
        if isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            if not isinstance(value, str):
                yield from _all_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _all_texts(item)
