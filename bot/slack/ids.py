"""Every callback_id, action_id and block_id the bot uses, in one place."""

from enum import StrEnum


class Command(StrEnum):
    CHECK = "/port-check"
    STATUS = "/port-status"
    PORT_IN = "/port-in"
    CANCEL = "/port-cancel"


class Callback(StrEnum):
    CHECK_MODAL = "port_check_modal"
    CHECK_SHORTCUT = "port_check_message"


class Action(StrEnum):
    SHARE_CHECK = "share_check"
    FOLLOW = "follow_request"
    REFRESH = "refresh_request"
    NUMBERS_CSV = "numbers_csv"


class Block(StrEnum):
    CHECK_TEXT = "check_text"
    CHECK_FILE = "check_file"


class Input(StrEnum):
    CHECK_TEXT = "numbers"
    CHECK_FILE = "csv"
