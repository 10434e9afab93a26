"""Names from outside are text, never markup: every builder that shows a value from a person
or from Twilio (names, addresses, e-mails, file names, reasons, notes, Twilio's own words)
is handed markup in every such field at once (hypothesis), and what it builds is compared
with what it builds for a plain name. Nothing of the value may survive as mrkdwn: no
mention (``<!here>``, ``<!channel>``), no link but the bot's own, no ``*`` ``_`` ``~`` or
backtick beyond the bot's own formatting, in the blocks or in the fallback text. (A ``*``
``_`` or ``~`` between two letters or digits, as in ``PIN_MISMATCH``, can neither open nor
close formatting in Slack, so it is not counted.)"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.desk.agenda import agenda, build_digest, build_home
from bot.desk.changes import change_set
from bot.desk.digest_plan import digest_slot
from bot.desk.facts import NumberFacts
from bot.desk.manual.agenda import ManualListed
from bot.desk.manual.schedule import ManualReminder, ManualReminderKind
from bot.desk.manual.types import ManualDocument, ManualStep
from bot.desk.records import AuditRecord
from bot.desk.refile.types import RefilePlan, Rejection
from bot.desk.schedule import ReminderKind
from bot.desk.types import (
    BillNotReadable,
    CancelOutcome,
    CheckResult,
    Draft,
    FiledPortIn,
    FilingFailed,
    FilingStep,
    RequestSnapshot,
    RequestUpdate,
)
from bot.porting.errors import TwilioError
from bot.porting.filing import PortInSecrets
from bot.porting.models import Address, PortInRequest
from bot.slack.carried import CancelMeta, PortInMeta
from bot.slack.list_filter import FilterError
from bot.slack.ui import board, cancel, check, deadlines, errors, playbooks, status, thread_replies
from bot.slack.ui.digest import digest_message
from bot.slack.ui.fmt import escape
from bot.slack.ui.home import home_view
from bot.slack.ui.manual import manual_board, manual_reminders, manual_replies, manual_status
from bot.slack.ui.port_in import account, filing, refile_form
from bot.slack.ui.port_list_answer import filter_error_message, list_message
from bot.slack.ui.reminders import reminder_message
from bot.work import ManualReply
from tests.slack.ui import samples
from tests.slack.ui.test_desk_day_builders import CAL, NOW, POLICY, WORKSPACE, reminder, row
from tests.slack.ui.test_manual_builders import port as manual_port
from tests.slack.ui.test_refile import _source as refile_source

PLAIN = "Acme"
# The pieces a hostile value is made of: Slack's markup and the characters that start it.
PIECES = ["<", ">", "&", "<!here>", "<!channel>", "<https://evil.example|Sign>", "*", "_", "~"]
PIECES += ["`", "```", "Acme", " ", "|"]
hostile = (
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=10)
    .map("".join)
    .filter(lambda v: v.strip() != "")
)
MARKUP = "<>*_~`"
INTRA_WORD = re.compile(r"(?<=[^\W_])[*_~](?=[^\W_])")  # inert in Slack: not formatting

Shown = list[str]  # every mrkdwn text a builder produced, its fallback text included


def mrkdwn(*parts: Any) -> Shown:
    """The mrkdwn texts of messages, blocks and views (plain_text is shown as it is)."""
    found: Shown = []

    def walk(node: Any, top: bool = True) -> None:
        if isinstance(node, Block | View):
            node = node.to_dict()
        if isinstance(node, Mapping):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value, top=False)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value, top)
        elif isinstance(node, str) and top:
            found.append(node)  # a fallback text, or a builder's own mrkdwn string

    for part in parts:
        if hasattr(part, "blocks") and hasattr(part, "text") and not isinstance(part, View):
            walk(part.text)
            walk(part.blocks)
        else:
            walk(part)
    return found


# -- the domain values, every field from outside set to ``v`` -----------------------------


def request(v: str, status: str, number_status: str = "in_review") -> PortInRequest:
    r = samples.request(0, status)
    r.raw_status = status
    lci = r.losing_carrier_information
    assert lci is not None
    lci.customer_name = lci.authorized_representative = lci.authorized_representative_email = v
    r.order_cancellation_reason = v
    numbers = samples.numbers(4, (number_status, "rejected", v, "pending"))
    for n in numbers:
        n.rejection_reason, n.rejection_reason_code = v, None
    r.phone_numbers = numbers
    return r


def snapshot(v: str, status: str) -> RequestSnapshot:
    return RequestSnapshot(
        request(v, status),
        samples.THREAD,
        "UFILER",
        samples.AT,
        status_since=samples.AT,
        suggested_action=v,
    )


def update(v: str, status: str) -> RequestUpdate:
    r = request(v, status)
    changes = [
        samples.NumberChange(n, samples.NumberStatus.IN_REVIEW, n.status, "in_review")
        for n in r.phone_numbers
    ]
    return RequestUpdate(r, samples.RequestStatus.IN_REVIEW, changes)


def error(v: str) -> TwilioError:
    return TwilioError(400, 21000, v, more_info="javascript:alert(1)")


def draft(v: str) -> Draft:
    checks = [
        CheckResult(number="+14155550100", portable=True, number_type="LOCAL"),
        CheckResult(number="+14155550101", reason_code=None, reason=v),
        CheckResult(number="+14155550102", error=v),
    ]
    d = samples.draft(checks)
    details = d.details.model_copy(
        update={
            "customer_name": v,
            "authorized_representative": v,
            "authorized_representative_email": v,
            "address": Address(street=v, street_2=v, city=v, state=v, zip=v),
            "bill": d.details.bill.model_copy(update={"name": v}),
        }
    )
    return replace(d, details=details)


def listed(v: str) -> list[Any]:
    since = NOW - timedelta(days=3)
    return [
        row(i, status, since, customer_name=v, rejected=1 if i == 1 else 0)
        for i, status in enumerate([v, "action_required", "waiting_for_signature"], start=1)
    ]


def manual(v: str, step: ManualStep = ManualStep.STARTED, **changes: Any) -> Any:
    p = manual_port(2, step=step, ticket=v, quote=v, **changes)
    doc = ManualDocument(
        kind=p.details.documents[0].kind,
        file_id="F1",
        name=v,
        mimetype="application/pdf",
        size=10,
        url="https://files.slack.com/F1",
    )
    numbers = [n.model_copy(update={"address": v}) for n in p.details.numbers]
    details = p.details.model_copy(
        update={
            "customer_name": v,
            "service_address": v,
            "losing_carrier": v,
            "numbers": numbers,
            "documents": [doc],
        }
    )
    return replace(p, details=details)


# -- every builder, as it is called -------------------------------------------------------


def _board(v: str) -> Iterator[Any]:
    for said in ("waiting_for_signature", "canceled", v):
        s = snapshot(v, said)
        yield board.board_text(s), board.board_blocks(s)
        yield status_blocks(s, v)
        yield playbooks.how_to_fix_message(s)


def status_blocks(s: RequestSnapshot, v: str) -> list[Block]:
    history = [
        AuditRecord(samples.AT, "U1", "port_in.filed", "ok", detail=v),
        AuditRecord(samples.AT, "U1", "port_in.refiled", "ok", ("+14155550100",), v),
        AuditRecord(samples.AT, "U1", "request.canceled", "refused", detail=v),
        AuditRecord(samples.AT, "U1", "numbers.canceled", "partial", ("+14155550100",), v),
    ]
    return status.status_blocks(s, history=history)


def _thread(v: str) -> Iterator[Any]:
    for said in ("waiting_for_signature", "action_required", v):
        yield thread_replies.update_message(change_set(update(v, said), "UFILER", samples.AT))
    yield deadlines.signature_link_text(None, v), deadlines.signature_not_waiting_text(v)
    yield deadlines.signature_link_text("https://twilio.example/sign?a=1&b=2", v)


def _cancel(v: str) -> Iterator[Any]:
    s = snapshot(v, "in_progress")
    meta = CancelMeta(request_sid=samples.SID, numbers=["+14155550000"])
    yield cancel.choose_view(s), cancel.confirm_view(meta, s), cancel.loaded_view(s, meta)
    yield cancel.loaded_view(snapshot(v, "canceled"), meta)
    yield cancel.refusal_text(error(v), "it"), errors.twilio_error_text(error(v), "look it up")
    outcome = CancelOutcome(
        samples.SID,
        "U1",
        False,
        canceled=["+14155550000"],
        skipped=[("+14155550001", v)],
        failed=[("+14155550002", error(v))],
    )
    yield cancel.outcome_text(outcome)


def _check(v: str) -> Iterator[Any]:
    results = draft(v).checks
    yield check.check_text(results, [v]), check.check_blocks(results, [v])


def _port_in(v: str) -> Iterator[Any]:
    d = draft(v)
    yield account.account_view(d, PortInMeta(draft_id=d.id), warnings=[])
    filed = FiledPortIn(snapshot(v, "in_review"), "RD1", thread_error=v)
    yield filing.filed_text(filed, secrets=PortInSecrets())
    yield filing.failure_banner(FilingFailed(FilingStep.CREATE, v, error(v)))
    yield filing.failure_banner(BillNotReadable(v))


def _refile(v: str) -> Iterator[Any]:
    rejections = (Rejection(None, v, ("+14155550154",)),)
    source = replace(refile_source(), customer=v, rejections=rejections)
    yield refile_form.refile_view(PortInMeta(refile_of=samples.SID), source, today=NOW.date())
    plan = RefilePlan(samples.SID, v, ("+14155550207",), rejections)
    d = draft(v)
    yield refile_form.account_view(d, PortInMeta(draft_id=d.id), plan)
    yield refile_form.account_view(d, PortInMeta(draft_id=d.id), RefilePlan(samples.SID, v, ()))


def _desk(v: str) -> Iterator[Any]:
    rows = listed(v)
    items = agenda(rows, POLICY, CAL, NOW)
    yield list_message(items, asked="open requests", now=NOW, workspace_url=WORKSPACE)
    yield list_message(items, asked="open requests", now=NOW)
    yield filter_error_message(FilterError(v, v))
    slot = digest_slot("C1", date(2026, 12, 4), POLICY, CAL)
    assert slot is not None
    digest = build_digest(slot, rows, rows, POLICY, CAL, NOW)
    assert digest is not None
    yield digest_message(digest, workspace_url=WORKSPACE)
    home = build_home("U1", rows, rows, POLICY, CAL, NOW)
    yield home_view(home, now=NOW, workspace_url=WORKSPACE)
    manual_ports = [ManualListed(manual(v), None, (v,))]
    yield list_message([], asked="open requests", now=NOW, manual=manual_ports)
    yield list_message(items, asked="open requests", now=NOW, manual=manual_ports)


def _reminders(v: str) -> Iterator[Any]:
    loa = reminder(ReminderKind.LOA, deadline=NOW + timedelta(days=3), days_left=3)
    yield reminder_message(loa, signer=v)
    facts = NumberFacts("+14155550100", samples.NumberStatus.PORT_REJECTED, None, None, v)
    action = reminder(ReminderKind.ACTION_REQUIRED, rejections=(facts,), since=NOW)
    yield reminder_message(action)
    yield reminder_message(reminder(ReminderKind.STALE, since=NOW), status_label=v)


def _manual(v: str) -> Iterator[Any]:
    p = manual(v, ManualStep.SUBMITTED)
    yield manual_board.board_text(p), manual_board.board_blocks(p, NOW)
    yield manual_replies.started_reply(p)
    news = ManualReply(
        manual_id="MP1", event="moved", user_id="U9", move="reject", ticket=v, reason="pin", note=v
    )
    yield manual_replies.moved_reply(p, news)
    yield manual_replies.copy_failed_reply(v, v)
    history = [AuditRecord(NOW, "U1", "manual.moved", "ok", detail=v)]
    yield manual_status.manual_status_blocks(p, NOW, history=history)
    for kind in ManualReminderKind:
        r = ManualReminder(
            manual_id=p.id,
            kind=kind,
            due_day=NOW.date(),
            due_at=NOW,
            expires_at=None,
            mention="U123",
            country_name=v,
            number_count=3,
            ticket=v,
            quote=v,
            deadline=NOW,
            port_date=date(2026, 12, 8),
        )
        yield manual_reminders.reminder_message(r)


BUILDERS: dict[str, Callable[[str], Iterator[Any]]] = {
    "board, /port-status, How to fix": _board,
    "thread replies (LOA, rejections, Twilio's words)": _thread,
    "cancel": _cancel,
    "/port-check": _check,
    "/port-in": _port_in,
    "re-filing": _refile,
    "/port-list, digest, App Home": _desk,
    "reminders": _reminders,
    "manual ports": _manual,
}


def shown(builder: Callable[[str], Iterator[Any]], v: str) -> str:
    return "\n".join(text for out in builder(v) for text in mrkdwn(out))


@pytest.mark.parametrize("name", list(BUILDERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=hostile)
def test_no_value_from_outside_survives_as_markup(name: str, value: str) -> None:
    builder = BUILDERS[name]
    plain = INTRA_WORD.sub("", shown(builder, PLAIN))
    text = INTRA_WORD.sub("", shown(builder, value))
    assert "<!here>" not in text and "<!channel>" not in text
    assert "<https://evil.example" not in text and "javascript:" not in text
    # The value adds no markup of its own: the bot's formatting is all there is.
    for ch in MARKUP:
        assert text.count(ch) == plain.count(ch), (ch, value)
    assert text.count("```") == plain.count("```")


def test_the_rule() -> None:
    said = escape("<!channel> *Acme* _x_ ~y~ `z` & <https://evil.example|Sign>")
    assert not set(said) & set(MARKUP)
    assert said.startswith("&lt;!channel&gt; ∗Acme∗ ˍxˍ ∼y∼ ˋzˋ &amp; &lt;https://")
    # Inside a word nothing is formatting: Twilio's codes and e-mails stay as written.
    assert escape("PIN_MISMATCH jane_doe@acme.example 2*3") == (
        "PIN_MISMATCH jane_doe@acme.example 2*3"
    )
    assert escape("a_ _b a`b") == "aˍ ˍb aˋb"


def test_a_twilio_name_reaches_the_board_as_text() -> None:
    s = snapshot("<!channel> Acme", "waiting_for_signature")
    body = json.dumps([b.to_dict() for b in board.board_blocks(s)], ensure_ascii=False)
    assert "&lt;!channel&gt; Acme" in body and "<!channel>" not in body
