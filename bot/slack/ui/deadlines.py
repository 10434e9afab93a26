"""Deadline lines for the status board and the thread, what Twilio says that the board shows
(cancellation reason, support ticket, suggested action), and the LOA's signing link, which is
only ever shown to the person who filed the request (ephemerally), never in the channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import ButtonElement

from bot.desk.facts import PortDay, loa_deadline
from bot.porting.models import PortInRequest
from bot.slack.ids import Action
from bot.slack.ui.fmt import clip, escape, on_day, plural, slack_date, user


def loa_line(signer: str | None, sent_at: datetime) -> str:
    """``✍️ LOA sent to Jane Doe on Nov 2: sign by Dec 2, 10:00 or Twilio cancels it.``"""
    to = f"to *{escape(signer)}* " if signer else ""
    by = slack_date(loa_deadline(sent_at), "{date_short_pretty} {time}")
    return (
        f"✍️ LOA sent {to}{on_day(sent_at)}: it must be signed by {by}, or Twilio "
        "cancels the request."
    )


def signer_of(request: PortInRequest) -> str | None:
    """Who the LOA goes to, as Twilio's copy of the request names them."""
    lci = request.losing_carrier_information
    if lci is None:
        return None
    return signer_name(lci.authorized_representative, lci.authorized_representative_email)


def signer_name(name: str | None, email: str | None) -> str | None:
    """``Jane Doe (jane@example.com)``, or either part alone."""
    name, email = (name or "").strip(), (email or "").strip()
    if name and email:
        return f"{name} ({email})"
    return name or email or None


def waiting_for_signature_lines(
    signer: str | None, sent_at: datetime, filer: str | None = None
) -> list[str]:
    """The thread reply when a request reaches Waiting for Signature (``filer``: who filed
    it through the bot; None for a request filed elsewhere)."""
    if filer:
        how = (
            f"{user(filer)} can get the signing link privately (*Signing link*) to forward "
            "to the signer."
        )
    else:
        how = "The signer has the signing link in Twilio's e-mail."
    return [loa_line(signer, sent_at), how]


def port_dates_line(ports: Sequence[PortDay]) -> str | None:
    """``📅 Port date: Dec 7`` / ``📅 Port dates: Dec 7 (2 numbers), Dec 9 (1 number)``."""
    if not ports:
        return None
    if len(ports) == 1:
        return f"📅 Port date: {slack_date(ports[0].day)}"
    shown = ", ".join(
        f"{slack_date(p.day)} ({plural(len(p.numbers), 'number')})" for p in ports[:10]
    )
    more = f" and {len(ports) - 10} more" if len(ports) > 10 else ""
    return f"📅 Port dates: {shown}{more}"


def twilio_notes(
    *,
    order_cancellation_reason: str | None = None,
    support_ticket_id: int | None = None,
    suggested_action: str | None = None,
) -> list[str]:
    """What Twilio says about the request that the board shows in Twilio's words."""
    lines = []
    if order_cancellation_reason:
        reason = escape(clip(order_cancellation_reason, 500))
        lines.append(f"🚫 Twilio's reason for canceling: {reason}")
    if suggested_action:
        lines.append(f"💡 Twilio suggests: {escape(clip(suggested_action, 500))}")
    if support_ticket_id:
        lines.append(f"🎫 Twilio support ticket #{support_ticket_id}")
    return lines


def signature_button(request_sid: str) -> ButtonElement:
    """Answers the person who clicks with the signing link, privately (if they filed it)."""
    return ButtonElement(text="Signing link", action_id=Action.SIGNATURE_LINK, value=request_sid)


def signature_link_text(url: str | None, signer: str | None) -> str:
    """The ephemeral answer to the filer. The link signs the LOA: never post it in a channel."""
    to = escape(signer) if signer else "the signer"
    if not url:
        return (
            f"Twilio has not given a signing link for this request: the LOA went to {to} by "
            "e-mail. Ask them to look for Twilio's message."
        )
    return f"🔏 The LOA's signing link, only for you: forward it to {to}.\n{url}"


def signature_not_waiting_text(status_label: str | None) -> str:
    """The answer when the LOA no longer waits for a signature (signed, canceled, expired)."""
    now = f" (Twilio now says *{escape(status_label)}*)" if status_label else ""
    return f"This request's LOA is no longer waiting for a signature{now}: nothing to sign."


def signature_refused_text(filer: str | None) -> str:
    if filer:
        return f"Only {user(filer)}, who filed this request, can get its signing link."
    return (
        "This request was filed outside the bot, so nobody here can get its signing link: "
        "the signer has it in Twilio's e-mail."
    )
