"""A manual port's thread replies (pure): the ready-to-send support request (its first reply),
each step as it moves, documents added, a document that could not be copied in.

The support request lays out seed 003's Step 1 in its order: the owner's or authorized user's
name, each number, the physical service address of each (no PO Box), the LOA, the CSR and the
most recent bill; then its attachments and Step 4's warning not to close the carrier account.
"""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.desk.manual.steps import ManualMove
from bot.desk.manual.types import (
    CARRIER_NOTE,
    DocumentKind,
    ManualDetails,
    ManualPort,
    ManualStep,
    RejectionReason,
)
from bot.porting.phone import display
from bot.slack.ui.fmt import SECTION_TEXT_LIMIT, clip, escape, plural, slack_date, user
from bot.slack.ui.manual.words import carrier, moment, title
from bot.work import ManualReply

Reply = tuple[str, list[Block]]
_KINDS = {k.value: k for k in DocumentKind}
WHERE = (
    "Open a support request with Twilio (Console › Help › Support, or help.twilio.com › "
    "Submit a request), paste the text below and attach the files in this thread."
)
# The request goes in one code block; past this many characters it also goes as a file.
INLINE_REQUEST = SECTION_TEXT_LIMIT - 200


def keep_account(details: ManualDetails) -> str:
    return (
        f"⚠️ Step 4: do not close the account with {escape(details.losing_carrier)}. It must "
        "stay open and active until every number has finished porting to Twilio."
    )


def _document_line(details: ManualDetails, kind: DocumentKind) -> str:
    document = details.document(kind)
    if document is None:
        return f"{kind.label}: to follow"
    dated = f", dated {document.issued_on.isoformat()}" if document.issued_on else ""
    return f"{kind.label}: attached ({document.name}{dated})"


def support_request_text(details: ManualDetails) -> str:
    """The request for Twilio support, plain text, Step 1's items in order."""
    who = "Business name" if details.customer_type == "Business" else "Owner / authorized user"
    numbers = "\n".join(f"   {display(n.number)}" for n in details.numbers)
    differ = [n for n in details.numbers if n.address]
    if differ:
        addresses = [f"   All other numbers: {details.service_address}"]
        addresses += [f"   {display(n.number)}: {n.address}" for n in differ]
    else:
        addresses = [f"   All numbers: {details.service_address}"]
    lines = [
        f"Subject: Port-in request: {plural(len(details.numbers), 'number')} from "
        f"{details.country_name} ({details.losing_carrier})",
        "",
        "Hello Twilio Porting team,",
        "",
        "Please port the numbers below into our Twilio account, following the International "
        "Porting Process.",
        "",
        f"1. {who}: {details.customer_name}",
        f"2. Numbers to port ({len(details.numbers)}):",
        numbers,
        "3. Physical service address (not a PO Box):",
        *addresses,
        f"4. Losing carrier: {details.losing_carrier}",
        f"5. {_document_line(details, DocumentKind.LOA)}",
        f"6. {_document_line(details, DocumentKind.CSR)}",
        f"7. {_document_line(details, DocumentKind.BILL)}",
        "   (the bill shows the account, the owner's name and the address of every number)",
        "",
        f"We will keep the account with {details.losing_carrier} open and active until every "
        "number has ported to Twilio.",
        "",
        "Thank you",
    ]
    return "\n".join(lines)


def request_is_long(details: ManualDetails) -> bool:
    """The request is too long for one message block: it also goes in as a text file."""
    return len(support_request_text(details)) > INLINE_REQUEST


def attachments_line(details: ManualDetails) -> str:
    attached = [f"{d.kind.short} ({escape(d.name)})" for d in details.documents]
    line = (
        "📎 Attachments, copied into this thread below: " + ", ".join(attached)
        if attached
        else "📎 No documents attached yet"
    )
    missing = details.outstanding
    if missing:
        line += (
            ". Outstanding: " + ", ".join(k.label for k in missing) + " — add them with "
            "*Add documents…* on the board before you send the request"
        )
    return line + "."


def started_reply(port: ManualPort) -> Reply:
    """The first reply: the support request, ready to paste into a ticket."""
    d = port.details
    text = (
        f"📝 {user(port.filed_by)} started a manual port ({plural(port.number_count, 'number')}"
        f" from {escape(d.country_name)}). The request for Twilio support is ready to send."
    )
    body = support_request_text(d)
    if request_is_long(d):
        shown = clip(body, INLINE_REQUEST - 120)
        code = f"```{escape(shown)}```\nThe full request is in *support-request.txt* below."
    else:
        code = f"```{escape(body)}```"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"{text}\n{WHERE}"))),
        SectionBlock(text=MarkdownTextObject(text=clip(code))),
        SectionBlock(text=MarkdownTextObject(text=clip(attachments_line(d)))),
        SectionBlock(text=MarkdownTextObject(text=keep_account(d))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Sent it? Press *Submitted to Twilio* on the board with the ticket "
                    "number; each step then gets its deadline and reminders here."
                )
            ]
        ),
    ]
    return text, blocks


def _date(value: date | None) -> str:
    return slack_date(value) if value else "a date not recorded"


def _when(value: datetime | None) -> str:
    return moment(value) if value else "a moment not recorded"


def moved_reply(port: ManualPort, said: ManualReply) -> Reply:
    """A step moved, said with what it recorded then (not what the port holds now)."""
    who = user(said.user_id)
    filer = user(port.filed_by)
    move = ManualMove(said.move or ManualMove.CANCEL)
    again = said.previous == ManualStep.REJECTED.value
    if move == ManualMove.SUBMIT:
        verb = "submitted the request again" if again else "submitted the request"
        lines = [
            f"📨 {who} {verb} to Twilio support (ticket {escape(said.ticket or '?')}). Next, "
            "Twilio answers with the porting fees (Step 2)."
        ]
    elif move == ManualMove.QUOTE:
        lines = [
            f"💷 {who} recorded Twilio's fee quote: *{escape(said.quote or '?')}*. Twilio "
            f"takes it as accepted on *{_when(said.quote_deadline)}* (3 business days after it "
            "sent it) unless you answer: accept or refuse it on the ticket, then press *Quote "
            "accepted* (or *Cancel*).",
            f"{filer} I'll remind you one business day before.",
        ]
    elif move == ManualMove.ACCEPT:
        lines = [
            f"✅ {who} accepted the fee quote ({escape(said.quote or '?')}). Twilio reviews and "
            f"approves within 1 business day: by {_when(said.approval_due)} (Step 3).",
            keep_account(port.details),
        ]
    elif move == ManualMove.APPROVE:
        lines = [
            f"👍 {who}: Twilio approved the porting request. Now the losing carrier approves "
            f"it (Step 4): keep the account with {carrier(port)} open and active until every "
            "number has ported."
        ]
    elif move == ManualMove.PORT_DATE:
        lines = [
            f"📅 {who}: the numbers port on *{_date(said.port_date)}*. Configure them in "
            "Twilio before then (voice and messaging), so service does not break when they "
            f"cut over (Step 5), and keep the account with {carrier(port)} open until they "
            f"have ported. {filer} I'll remind you the business day before."
        ]
    elif move == ManualMove.COMPLETE:
        lines = [
            f"🎉 {who} marked the port completed: the numbers are live with Twilio and its "
            "monthly charge starts (Step 6). Check each is in the Twilio project and set up "
            f"for voice and messaging; only now close the account with {carrier(port)}."
        ]
    elif move == ManualMove.REJECT:
        reason = RejectionReason(said.reason or RejectionReason.OTHER)
        note = f" Twilio said: “{escape(said.note)}”." if said.note else ""
        lines = [
            f"❌ {filer} Twilio rejected the port: *{reason.label}*.{note}",
            f"Fix: {reason.fix} {CARRIER_NOTE}",
            "Once fixed, press *Submitted again…* on the board with the ticket number.",
        ]
    else:
        told = (
            f" If the request was sent, tell Twilio on ticket {escape(said.ticket)}."
            if (said.ticket)
            else ""
        )
        lines = [f"🚫 {who} canceled this manual port.{told}"]
    text = lines[0]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines))))]
    return text, blocks


def documents_reply(port: ManualPort, said: ManualReply) -> Reply:
    added = [_KINDS[k].label for k in said.documents if k in _KINDS]
    missing = port.outstanding
    rest = (
        "Still outstanding: " + ", ".join(k.label for k in missing) + "."
        if missing
        else "Every Step 1 document is attached."
    )
    text = f"📎 {user(said.user_id)} added {', '.join(added) or 'documents'}. {rest}"
    return text, [SectionBlock(text=MarkdownTextObject(text=clip(text)))]


def copy_failed_reply(name: str, why: str) -> Reply:
    text = (
        f"⚠️ I could not copy {escape(name)} into this thread ({escape(why)}). Attach it again with "
        "*Add documents…* on the board."
    )
    return text, [SectionBlock(text=MarkdownTextObject(text=clip(text)))]


def reply_for(port: ManualPort, said: ManualReply) -> Reply:
    if said.event == "started":
        return started_reply(port)
    if said.event == "documents":
        return documents_reply(port, said)
    return moved_reply(port, said)


def file_title(port: ManualPort, kind: str | None) -> str:
    what = _KINDS[kind].label if kind in _KINDS else "Support request"
    return f"{what} · {title(port)}"
