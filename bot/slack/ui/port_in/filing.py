"""What the /port-in form shows while it works and when it is done (pure builders): the
re-check's progress, the filing's steps, a second submission, a refusal, something unexpected,
and the outcome (in the form and as a DM)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.views import View

from bot.desk.records import ActionHolder
from bot.desk.types import BillNotReadable, FiledPortIn, FilingFailed, FilingStep
from bot.porting.filing import PortInSecrets
from bot.slack.ids import Callback
from bot.slack.ui.fmt import clip, escape, number_list, plural, url, user
from bot.slack.ui.modals import message_view
from bot.slack.ui.port_in.parts import TITLE


def checking_view(total: int, done: int = 0) -> View:
    progress = f" ({done:,} of {total:,})" if done else ""
    return message_view(
        Callback.PORT_IN_STATUS,
        TITLE,
        f"⏳ Re-checking the portability of {plural(total, 'number')}{progress}…",
        context="Step 2 (account number and PINs) opens here when the check is done.",
    )


def filing_view(current: FilingStep, steps: Sequence[FilingStep] | None = None) -> View:
    """The filing's steps so far (``Draft.steps``: a re-filing cancels in the old request
    first; a bill Twilio holds is neither downloaded nor uploaded)."""
    steps = list(steps) if steps else [s for s in FilingStep if s != FilingStep.CANCEL]
    if current not in steps:
        steps.insert(0, current)
    lines = []
    for step in steps:
        if steps.index(step) < steps.index(current):
            icon = "✅"
        elif step == current:
            icon = "⏳"
        else:
            icon = "▫️"
        lines.append(f"{icon} {step.label}")
    return message_view(
        Callback.PORT_IN_STATUS,
        "Filing port-in",
        "Filing…\n" + "\n".join(lines),
        context="You can close this; I'll DM you the outcome.",
    )


def already_filing_view(claim: ActionHolder | None) -> View:
    """A second submission of a form: it never files twice."""
    if claim is None:
        text = "This form expired or was already sent. Run /port-in to start again."
    elif claim.status == "done" and claim.request_sid:
        text = f"✅ This form was already filed as `{claim.request_sid}`."
    else:
        text = (
            "⏳ This form is already being filed (a second click does nothing). I'll DM you "
            "the outcome."
        )
    return message_view(Callback.PORT_IN_STATUS, "Filing port-in", text)


def stale_bill_view(error: str) -> View:
    """Step 2 sent after the bill aged past Twilio's limit (``error`` names its date and the
    oldest accepted): nothing goes to Twilio."""
    return message_view(
        Callback.PORT_IN_STATUS,
        TITLE,
        f"⚠️ Nothing was filed. {error} Run /port-in again with the newer bill.",
    )


def trouble_view(doing: str, *, maybe_filed: bool = False) -> View:
    """Something unexpected (not Twilio, not the form) stopped us."""
    then = (
        "It may have reached Twilio: look in the porting channel or ask `/port-status` before "
        "filing again."
        if maybe_filed
        else "Nothing was filed. Run /port-in to start again."
    )
    return message_view(
        Callback.PORT_IN_STATUS, TITLE, f"⚠️ Something went wrong while {doing}. {then}"
    )


def filing_reason(failure: FilingFailed) -> str:
    """Why filing stopped, with what to check in Slack when the cause is on Slack's side."""
    if isinstance(failure, BillNotReadable):
        return (
            f"what Slack sent for {escape(clip(failure.bill_name, 200))} is not a PDF or an image "
            "(is the bot allowed to read files? it needs the files:read scope)"
        )
    return escape(clip(failure.reason, 1500))


def failure_banner(failure: FilingFailed) -> str:
    error = failure.error
    code = f" {error.code}" if error is not None and error.code else ""
    more = url(error.more_info) if error is not None else None
    link = f" <{more}|More about{code}>" if more else ""
    said = f"Twilio said{code}: " if error is not None else ""
    reason = filing_reason(failure)
    head = f"⚠️ *Filing stopped at: {failure.step.label}.* {said}{reason}.{link}\n"
    if failure.canceled:
        verb = plural(len(failure.canceled), "is", "are", bare=True)
        return head + (
            f"↪️ {number_list(failure.canceled)} {verb} canceled in `{failure.refile_of}` and "
            "*not yet re-filed*. Type the account number and PINs again and press *File "
            "port-in*: it retries the filing only (nothing is canceled twice)."
        )
    return head + (
        "Nothing was filed. Fix what's needed, type the account number and PINs again, and press "
        "*File port-in*."
    )


def filed_text(result: FiledPortIn, *, secrets: PortInSecrets, permalink: str | None = None) -> str:
    r = result.snapshot.request
    lci = r.losing_carrier_information
    rep = escape(
        (lci.authorized_representative if lci else None) or "the authorized representative"
    )
    customer = escape((lci.customer_name if lci else None) or "the customer")
    lines = [
        f"✅ Filed `{r.request_sid}` for *{customer}*: {plural(len(r.phone_numbers), 'number')}.",
        f"Next: Twilio reviews it, then e-mails the LOA to {rep} to sign.",
    ]
    if result.refile_of:
        moved = number_list(result.canceled)
        canceled = f", canceled there first: {moved}" if result.canceled else ""
        lines.append(f"↪️ It re-files numbers of `{result.refile_of}`{canceled}.")
    if masked := secrets.masked_summary():
        lines.append(f"Sent to Twilio: {masked}.")
    if permalink:
        lines.append(f"Thread and status board: <{permalink}|open the thread>.")
    if result.thread_error:
        lines.append(
            f"⚠️ I could not open its Slack thread ({escape(result.thread_error)}). It opens on "
            f"Twilio's next update, or press *Follow* in `/port-status {r.request_sid}`."
        )
    return "\n".join(lines)


def filed_view(text: str) -> View:
    return message_view(Callback.PORT_IN_STATUS, "Port-in filed", text)


def failed_text(failure: FilingFailed, filed_by: str) -> str:
    """The DM a submitter gets when filing failed (in case the modal was closed)."""
    return f"{user(filed_by)} {failure_banner(failure)}"


def refused_view(refusal: str) -> View:
    """The form, submitted by someone who may not file port-ins (``Permissions.refusal``)."""
    return message_view(Callback.PORT_IN_STATUS, TITLE, refusal)
