"""Every callback_id, action_id and block_id the bot uses, in one place."""

from enum import StrEnum

from bot.porting.playbooks import FiledField


class Command(StrEnum):
    CHECK = "/port-check"
    STATUS = "/port-status"
    PORT_IN = "/port-in"
    CANCEL = "/port-cancel"
    LIST = "/port-list"


class Callback(StrEnum):
    CHECK_MODAL = "port_check_modal"
    CHECK_SHORTCUT = "port_check_message"
    PORT_IN_DETAILS = "port_in_details"  # step 1: numbers, customer, address, bill, date
    PORT_IN_ACCOUNT = "port_in_account"  # step 2: account number, PINs, dropping numbers
    PORT_IN_STATUS = "port_in_status"  # "Checking…", "Filing…" and outcomes (no submit)
    CANCEL_CHOOSE = "cancel_choose"  # pick the numbers to cancel
    CANCEL_CONFIRM = "cancel_confirm"  # names exactly what will be canceled
    CANCEL_STATUS = "cancel_status"  # "Canceling…" and outcomes (no submit)
    NOTICE = "notice"  # an apology or "this form is old" in place of a modal (no submit)
    MANUAL_FORM = "manual_form"  # a manual port's Step 1: names, numbers, addresses, documents
    MANUAL_STEP = "manual_step"  # a step that asks something (ticket, quote, date, reason)
    MANUAL_DOCUMENTS = "manual_documents"  # documents added later
    ACKNOWLEDGE = "ack_departure_modal"  # why a departure alert is acknowledged
    GOLIVE_PROFILE = "golive_profile_modal"  # a request's go-live profile


class Action(StrEnum):
    SHARE_CHECK = "share_check"
    FOLLOW = "follow_request"
    REFRESH = "refresh_request"
    OPEN_LINK = "open_link"  # a URL button (Open thread): Slack opens it and still tells us
    NUMBERS_CSV = "numbers_csv"
    START_PORT_IN = "start_port_in"
    CANCEL_REQUEST = "cancel_request"
    CANCEL_NUMBERS = "cancel_numbers"
    CANCEL_REJECTED = "cancel_rejected"  # a rejection reply's numbers, straight to confirm
    REFILE = "refile"  # the /port-in form prefilled with a rejection's numbers
    HOME_REFRESH = "home_refresh"  # republish the viewer's App Home
    SIGNATURE_LINK = "signature_link"  # the LOA's signing link, answered to the filer only
    HOW_TO_FIX = "how_to_fix"  # the playbooks of a request's rejected numbers, answered privately
    # Manual ports (numbers the API cannot file): start one, the Console path, the board's steps
    MANUAL_START = "manual_start"
    MANUAL_CONSOLE = "manual_console"
    MANUAL_SUBMIT = "manual_submit"
    MANUAL_QUOTE = "manual_quote"
    MANUAL_ACCEPT = "manual_accept"
    MANUAL_APPROVE = "manual_approve"
    MANUAL_PORT_DATE = "manual_port_date"
    MANUAL_COMPLETE = "manual_complete"
    MANUAL_REJECT = "manual_reject"
    MANUAL_CANCEL = "manual_cancel"
    MANUAL_ADD_DOCUMENTS = "manual_add_documents"
    # Go-live and the inventory (bot.slack.golive)
    GO_LIVE = "go_live"  # apply the request's go-live profile to its ported numbers again
    GOLIVE_PROFILE = "golive_profile"  # the board's choice of profile
    ACKNOWLEDGE_DEPARTURE = "ack_departure"  # a number that left: someone has seen to it


class Block(StrEnum):
    CHECK_TEXT = "check_text"
    CHECK_FILE = "check_file"


class Input(StrEnum):
    CHECK_TEXT = "numbers"
    CHECK_FILE = "csv"


class PortInField(StrEnum):
    """Input blocks of the /port-in form; each block's only element uses the same id."""

    NUMBERS = "pi_numbers"
    CUSTOMER_NAME = "pi_customer_name"
    CUSTOMER_TYPE = "pi_customer_type"
    ACCOUNT_PHONE = "pi_account_phone"
    BTN_STAYS = "pi_btn_stays"  # the BTN is not ported: it stays with the losing carrier
    STREET = "pi_street"
    STREET_2 = "pi_street_2"
    CITY = "pi_city"
    STATE = "pi_state"
    ZIP = "pi_zip"
    COUNTRY = "pi_country"
    REP_NAME = "pi_rep_name"
    REP_EMAIL = "pi_rep_email"
    TARGET_DATE = "pi_target_date"
    TIME_START = "pi_time_start"
    TIME_END = "pi_time_end"
    TIME_ZONE = "pi_time_zone"
    NOTIFY = "pi_notify"
    BILL = "pi_bill"
    BILL_DATE = "pi_bill_date"
    CHANNEL = "pi_channel"
    GOLIVE_PROFILE = "pi_golive_profile"  # how the numbers are set up as they port in
    # step 2
    DROP = "pi_drop"
    ACCOUNT_NUMBER = "pi_account_number"
    PIN_ALL = "pi_pin_all"
    PIN_LIST = "pi_pin_list"


class GoLiveField(StrEnum):
    """Inputs of the go-live modals (block and element share the id)."""

    PROFILE = "gl_profile"
    WHY = "gl_why"


# The /port-in field each rejection playbook points at (``Playbook.field``).
PLAYBOOK_FIELDS: dict[FiledField, PortInField] = {
    FiledField.CUSTOMER_NAME: PortInField.CUSTOMER_NAME,
    FiledField.SERVICE_ADDRESS: PortInField.STREET,
    FiledField.ACCOUNT_NUMBER: PortInField.ACCOUNT_NUMBER,
    FiledField.PIN: PortInField.PIN_ALL,
    FiledField.TARGET_DATE: PortInField.TARGET_DATE,
}

PIN_BLOCK_PREFIX = "pi_pin_"


def pin_block(number: str) -> str:
    """The input block for one number's PIN (``pi_pin_14155550200``)."""
    return PIN_BLOCK_PREFIX + number.lstrip("+")


class CancelField(StrEnum):
    NUMBERS = "cx_numbers"  # multi-select of the request's cancellable numbers
    PASTE = "cx_paste"  # …or pasted numbers (requests with more than a select holds)


class ManualField(StrEnum):
    """Input blocks of the manual-port modals; each block's only element uses the same id."""

    NUMBERS = "mp_numbers"
    CUSTOMER_TYPE = "mp_customer_type"
    CUSTOMER_NAME = "mp_customer_name"
    ADDRESS = "mp_address"
    ADDRESSES = "mp_addresses"  # per-number addresses, where they differ
    CARRIER = "mp_carrier"
    LOA = "mp_loa"
    CSR = "mp_csr"
    BILL = "mp_bill"
    BILL_DATE = "mp_bill_date"
    CHANNEL = "mp_channel"
    GOLIVE_PROFILE = "mp_golive_profile"  # how the numbers are set up once they port
    # the steps
    TICKET = "mp_ticket"
    QUOTE = "mp_quote"
    QUOTE_AT = "mp_quote_at"
    PORT_DATE = "mp_port_date"
    REASON = "mp_reason"
    NOTE = "mp_note"
