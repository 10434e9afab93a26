"""Block Kit as Slack checks it: the limits real Slack enforces on messages' blocks and on
views, each refusal worded as Slack words it (``[ERROR] … [json-pointer:/blocks/0/text]``).

Limits: https://docs.slack.dev/reference/block-kit/blocks (and its element and composition
pages) and https://docs.slack.dev/reference/views/modal-views.
"""

from __future__ import annotations

import re
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
VIEW_TITLE = 24  # title, submit and close
PRIVATE_METADATA = 3000
ID_LENGTH = 255  # block_id, action_id, callback_id, external_id

_BLOCKS = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
}
_SELECTS = {
    "static_select",
    "multi_static_select",
    "external_select",
    "multi_external_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
}
_INTERACTIVE = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
    *_SELECTS,
}
_INPUTS = {
    "plain_text_input",
    "email_text_input",
    "number_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "timepicker",
    "datetimepicker",
    *_SELECTS,
}
_ACCESSORIES = _INTERACTIVE | {"image"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"[ERROR] {problem} [json-pointer:{path}]")

    def length(self, value: object, path: str, most: int, least: int = 0) -> None:
        if not isinstance(value, str):
            self.fail(path, "must be a string")
        elif len(value) > most:
            self.fail(path, f"must be less than {most + 1} characters")
        elif len(value) < least:
            self.fail(path, f"must be more than {least - 1} characters")

    def text(
        self, obj: object, path: str, most: int, *, plain: bool = False, least: int = 1
    ) -> None:
        if not isinstance(obj, dict):
            self.fail(path, "must provide an object")
            return
        kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            self.fail(path + "/type", f"must be one of {', '.join(kinds)}")
        self.length(obj.get("text"), path + "/text", most, least)

    def ident(self, obj: dict[str, Any], key: str, path: str) -> None:
        if key in obj:
            self.length(obj[key], f"{path}/{key}", ID_LENGTH)

    # -- blocks --------------------------------------------------------------------------

    def blocks(self, blocks: object, path: str, most: int) -> None:
        if not isinstance(blocks, list):
            self.fail(path, "must provide an array")
            return
        if len(blocks) > most:
            self.fail(path, f"no more than {most} items allowed")
        seen: set[str] = set()
        for i, block in enumerate(blocks):
            here = f"{path}/{i}"
            if not isinstance(block, dict):
                self.fail(here, "must provide an object")
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                if block_id in seen:
                    self.fail(here + "/block_id", f"duplicate block_id {block_id!r}")
                seen.add(block_id)
            self.block(block, here)

    def block(self, block: dict[str, Any], path: str) -> None:
        kind = block.get("type")
        if kind not in _BLOCKS:
            self.fail(path + "/type", f"unsupported type {kind!r}")
            return
        self.ident(block, "block_id", path)
        if kind == "section":
            self.section(block, path)
        elif kind == "header":
            self.text(block.get("text"), path + "/text", 150, plain=True)
        elif kind == "context":
            self.context(block, path)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                self.fail(path + "/elements", "must provide between 1 and 25 elements")
                return
            for i, element in enumerate(elements):
                self.element(element, f"{path}/elements/{i}", _INTERACTIVE)
        elif kind == "input":
            self.text(block.get("label"), path + "/label", 2000, plain=True)
            if "hint" in block:
                self.text(block["hint"], path + "/hint", 2000, plain=True)
            if "element" not in block:
                self.fail(path + "/element", "must provide an object")
            else:
                self.element(block["element"], path + "/element", _INPUTS)
        elif kind == "image":
            if "image_url" not in block and "slack_file" not in block:
                self.fail(path + "/image_url", "must provide a string")
            self.length(block.get("alt_text"), path + "/alt_text", 2000, 1)
        elif kind == "markdown":
            self.length(block.get("text"), path + "/text", 12000, 1)

    def section(self, block: dict[str, Any], path: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(path, "must provide either text or fields")
        if "text" in block:
            self.text(block["text"], path + "/text", 3000)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not 1 <= len(fields) <= 10:
                self.fail(path + "/fields", "must provide between 1 and 10 items")
            else:
                for i, item in enumerate(fields):
                    self.text(item, f"{path}/fields/{i}", 2000)
        if "accessory" in block:
            self.element(block["accessory"], path + "/accessory", _ACCESSORIES)

    def context(self, block: dict[str, Any], path: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            self.fail(path + "/elements", "must provide between 1 and 10 elements")
            return
        for i, element in enumerate(elements):
            here = f"{path}/elements/{i}"
            if isinstance(element, dict) and element.get("type") == "image":
                self.length(element.get("alt_text"), here + "/alt_text", 2000, 1)
            else:
                self.text(element, here, 3000)

    # -- elements ------------------------------------------------------------------------

    def element(self, element: object, path: str, allowed: set[str]) -> None:
        if not isinstance(element, dict):
            self.fail(path, "must provide an object")
            return
        kind = element.get("type")
        if kind not in allowed:
            self.fail(path + "/type", f"unsupported type {kind!r} here")
            return
        self.ident(element, "action_id", path)
        if "placeholder" in element:
            self.text(element["placeholder"], path + "/placeholder", 150, plain=True)
        if "confirm" in element:
            self.confirm(element["confirm"], path + "/confirm")
        if kind == "button":
            self.text(element.get("text"), path + "/text", 75, plain=True)
            if "value" in element:
                self.length(element["value"], path + "/value", 2000)
            if "url" in element:
                self.length(element["url"], path + "/url", 3000)
            if element.get("style") not in (None, "primary", "danger"):
                self.fail(path + "/style", "must be one of primary, danger")
        elif kind in ("static_select", "multi_static_select"):
            self.select(element, path)
        elif kind == "overflow":
            self.options(element.get("options"), path + "/options", 5, least=1)
        elif kind in ("checkboxes", "radio_buttons"):
            self.options(element.get("options"), path + "/options", 10, least=1, mrkdwn=True)
        elif kind in ("plain_text_input", "email_text_input", "url_text_input"):
            self.text_input(element, path)
        elif kind == "datepicker" and "initial_date" in element:
            if not _DATE.match(str(element["initial_date"])):
                self.fail(path + "/initial_date", "must be in the format YYYY-MM-DD")
        elif kind == "timepicker" and "initial_time" in element:
            if not _TIME.match(str(element["initial_time"])):
                self.fail(path + "/initial_time", "must be in the format HH:mm")
        elif kind == "file_input":
            max_files = element.get("max_files", 10)
            if not isinstance(max_files, int) or not 1 <= max_files <= 10:
                self.fail(path + "/max_files", "must be between 1 and 10")

    def select(self, element: dict[str, Any], path: str) -> None:
        if "options" in element:
            self.options(element["options"], path + "/options", 100, least=1)
        elif "option_groups" in element:
            groups = element["option_groups"]
            if not isinstance(groups, list) or not 1 <= len(groups) <= 100:
                self.fail(path + "/option_groups", "must provide between 1 and 100 items")
        else:
            self.fail(path + "/options", "must provide options or option_groups")
        values = {o.get("value") for o in element.get("options") or [] if isinstance(o, dict)}
        initial = element.get("initial_options") or (
            [element["initial_option"]] if "initial_option" in element else []
        )
        for i, option in enumerate(initial):
            if not isinstance(option, dict) or option.get("value") not in values:
                self.fail(f"{path}/initial_options/{i}", "must match one of the options")

    def options(
        self, options: object, path: str, most: int, *, least: int = 0, mrkdwn: bool = False
    ) -> None:
        if not isinstance(options, list) or not least <= len(options) <= most:
            self.fail(path, f"must provide between {least} and {most} items")
            return
        for i, option in enumerate(options):
            here = f"{path}/{i}"
            if not isinstance(option, dict):
                self.fail(here, "must provide an object")
                continue
            self.text(option.get("text"), here + "/text", 75, plain=not mrkdwn)
            self.length(option.get("value"), here + "/value", 150, 1)
            if "description" in option:
                self.text(option["description"], here + "/description", 75, plain=not mrkdwn)

    def text_input(self, element: dict[str, Any], path: str) -> None:
        most = element.get("max_length", 3000)
        if not isinstance(most, int) or not 1 <= most <= 3000:
            self.fail(path + "/max_length", "must be between 1 and 3000")
            most = 3000
        least = element.get("min_length", 0)
        if not isinstance(least, int) or not 0 <= least <= 3000:
            self.fail(path + "/min_length", "must be between 0 and 3000")
        if "initial_value" in element:
            self.length(element["initial_value"], path + "/initial_value", most)

    def confirm(self, confirm: object, path: str) -> None:
        if not isinstance(confirm, dict):
            self.fail(path, "must provide an object")
            return
        self.text(confirm.get("title"), path + "/title", 100, plain=True)
        self.text(confirm.get("text"), path + "/text", 300)
        self.text(confirm.get("confirm"), path + "/confirm", 30, plain=True)
        self.text(confirm.get("deny"), path + "/deny", 30, plain=True)


def message_errors(blocks: object) -> list[str]:
    """Why Slack would refuse these blocks in a message (``invalid_blocks``); [] if it takes
    them."""
    checker = _Checker()
    checker.blocks(blocks, "/blocks", MESSAGE_BLOCKS)
    return checker.errors


def view_errors(view: object) -> list[str]:
    """Why Slack would refuse this view (``invalid_arguments``); [] if it takes it."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.fail("/view", "must provide an object")
        return checker.errors
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("/view/type", "must be one of modal, home")
        return checker.errors
    blocks = view.get("blocks", [])
    checker.blocks(blocks, "/view/blocks", VIEW_BLOCKS)
    for key in ("callback_id", "external_id"):
        checker.ident(view, key, "/view")
    if "private_metadata" in view:
        checker.length(view["private_metadata"], "/view/private_metadata", PRIVATE_METADATA)
    if kind == "home":
        for key in ("submit", "close"):
            if key in view:
                checker.fail(f"/view/{key}", "is not allowed in a home view")
        return checker.errors
    checker.text(view.get("title"), "/view/title", VIEW_TITLE, plain=True)
    for key in ("submit", "close"):
        if key in view:
            checker.text(view[key], f"/view/{key}", VIEW_TITLE, plain=True)
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if has_input and "submit" not in view:
        checker.fail("/view/submit", "must provide submit when the view has input blocks")
    return checker.errors
