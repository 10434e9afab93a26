"""The /port-in form re-filing rejected numbers (pure builders): step 1 prefilled with the old
request's details and only the rejected numbers, the fields the rejection points at marked;
step 2 naming the cancel in the old request that comes before the new filing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextObject
from slack_sdk.models.views import View

from bot.desk.refile.types import RefilePlan, RefileSource, Rejection
from bot.desk.types import Draft
from bot.porting.filing import MIN_TARGET_DAYS
from bot.porting.phone import display, to_e164
from bot.porting.playbooks import playbook
from bot.slack.carried import PortInMeta
from bot.slack.ids import Callback
from bot.slack.ids import PortInField as F
from bot.slack.ui.fmt import clip, escape, number_list, plural, slack_date
from bot.slack.ui.port_in import account
from bot.slack.ui.port_in.details import details_view, prefill
from bot.slack.ui.port_in.parts import section

TITLE_1 = "Re-file (1 of 2)"
TITLE_2 = "Re-file (2 of 2)"

# What to correct in which field, by rejection code. The one place the form learns where a
# rejection points; a playbook table can take its place (see :func:`field_hints`).
_FIXES: dict[int, dict[str, str]] = {
    22153: {
        F.CUSTOMER_NAME: "enter the customer name exactly as on the carrier's CSR",
        F.REP_NAME: "name a person authorized on the account, as the carrier's CSR has them",
    },
    22154: {F.STREET: "enter the service address exactly as on the carrier's CSR"},
    22155: {F.PIN_ALL: "ask the customer for a new port-out PIN and enter it here"},
    22156: {F.ACCOUNT_NUMBER: "enter the account number exactly as on the bill or the CSR"},
    22158: {F.TARGET_DATE: "pick another business day: the carrier refused the last one"},
}


def field_hints(rejections: Sequence[Rejection]) -> dict[str, str]:
    """The form fields (block ids, both steps) the rejections point at, each with its hint:
    ``Rejected for INVALID_ADDRESS: enter the service address exactly as on the carrier's
    CSR``."""
    hints: dict[str, str] = {}
    for rejection in rejections:
        advice = playbook(rejection.code, rejection.name)
        code = advice.code if isinstance(advice.code, int) else 0
        for block_id, fix in _FIXES.get(code, {}).items():
            hints.setdefault(block_id, f"⚠️ Rejected for {advice.name}: {fix}.")
    return hints


def _why(rejections: Sequence[Rejection]) -> str:
    names = [
        p.name if p.known else escape(p.name)
        for p in (playbook(r.code, r.name) for r in rejections)
    ]
    return f", rejected for {', '.join(dict.fromkeys(names))}" if names else ""


def refile_view(
    meta: PortInMeta,
    source: RefileSource,
    *,
    today: date,
    porting_channel: str | None = None,
    profiles: Sequence[str] = (),
    default_profile: str | None = None,
) -> dict[str, Any]:
    """Step 1, prefilled: the old request's details, only its rejected numbers, the rejected
    fields marked, the bill Twilio holds offered again while it is young enough."""
    numbers = list(source.numbers)
    fits = prefill(numbers) is not None
    view = details_view(
        meta,
        today=today,
        numbers=numbers if fits else (),
        porting_channel=source.prefill.channel_id or porting_channel,
        profiles=profiles,
        profile=source.prefill.golive_profile or default_profile,
    )
    view["title"] = _plain(TITLE_1)
    blocks: list[dict[str, Any]] = view["blocks"]
    by_id = {b["block_id"]: b for b in blocks if b.get("block_id")}
    _fill(by_id, source, today)
    if not fits:
        numbers_field = by_id[F.NUMBERS]
        numbers_field["optional"] = True
        numbers_field["label"] = _plain("More numbers")  # Slack adds "(optional)"
    for block_id, hint in field_hints(source.rejections).items():
        if block_id in by_id:
            by_id[block_id]["hint"] = _plain(hint)
    whence = "what was filed" if source.saved else "Twilio's copy of the request"
    intro = (
        f"↪️ *Re-filing {plural(len(numbers), 'number')} of `{source.request_sid}`* "
        f"({escape(source.customer)}){_why(source.rejections)}: {number_list(numbers)}.\n"
        f"Prefilled from {whence}: correct what the carrier rejected, then *Next*. Filing "
        "cancels these numbers in the old request first (Twilio won't port a number that is "
        "still in another request), then files this new request. Step 2 asks for the account "
        "number and PINs again: they are never stored."
    )
    blocks[0] = section(intro).to_dict()
    return view


def _fill(by_id: dict[str, dict[str, Any]], source: RefileSource, today: date) -> None:
    p = source.prefill
    phone = to_e164(p.account_telephone_number or "") if p.account_telephone_number else None
    texts = {
        F.CUSTOMER_NAME: p.customer_name,
        F.ACCOUNT_PHONE: display(phone) if phone else p.account_telephone_number,
        F.STREET: p.street,
        F.STREET_2: p.street_2,
        F.CITY: p.city,
        F.STATE: p.state,
        F.ZIP: p.zip,
        F.COUNTRY: p.country,
        F.REP_NAME: p.authorized_representative,
        F.REP_EMAIL: p.authorized_representative_email,
        F.NOTIFY: ", ".join(p.notification_emails),
    }
    for block_id, value in texts.items():
        element = by_id[block_id]["element"]
        if value:
            element["initial_value"] = clip(value, int(element.get("max_length") or 3000))
    if p.customer_type in ("Business", "Individual"):
        option = {"text": _plain(p.customer_type), "value": p.customer_type}
        by_id[F.CUSTOMER_TYPE]["element"]["initial_option"] = option
    date_refused = any(playbook(r.code, r.name).code == 22158 for r in source.rejections)
    earliest = today + timedelta(days=MIN_TARGET_DAYS)
    target = p.target_port_in_date
    if target is not None and target >= earliest and not date_refused:
        by_id[F.TARGET_DATE]["element"]["initial_date"] = target.isoformat()
    if p.channel_id:
        channel = by_id[F.CHANNEL]["element"]
        channel["initial_conversation"] = p.channel_id
        channel.pop("default_to_current_conversation", None)
    _bill(by_id, source, today)


def _bill(by_id: dict[str, dict[str, Any]], source: RefileSource, today: date) -> None:
    held = source.bill
    if held is None:
        return
    bill, bill_date = by_id[F.BILL], by_id[F.BILL_DATE]
    if not held.reusable(today):
        dated = slack_date(held.issued_on or held.latest)
        bill["hint"] = _plain(
            f"The bill Twilio holds for {source.request_sid} is from {dated}, more than 30 days "
            "ago: attach a newer one (PDF or image)."
        )
        return
    bill["optional"] = True
    bill["label"] = _plain("New utility bill")  # Slack adds "(optional)"
    if held.issued_on is not None:
        bill_date["element"]["initial_date"] = held.issued_on.isoformat()
        bill["hint"] = _plain(
            f"Leave empty to reuse {held.name} of {held.issued_on:%b} {held.issued_on.day}, "
            f"which Twilio holds for {source.request_sid}; attach one only to replace it."
        )
    else:
        bill["hint"] = _plain(
            f"Leave empty to reuse the bill Twilio holds for {source.request_sid}, and give the "
            "date printed on it below (it must be from the last 30 days); or attach a newer one."
        )


def account_view(
    draft: Draft,
    meta: PortInMeta,
    plan: RefilePlan,
    *,
    banner: str | None = None,
    warnings: Sequence[str] = (),
) -> View:
    """Step 2 of a re-filing: the usual account number and PINs, the fields the rejection
    points at marked, and what pressing the button does (cancel first, then file)."""
    view = account.account_view(draft, meta, banner=banner, warnings=warnings)
    if view.callback_id != Callback.PORT_IN_ACCOUNT:
        return view  # nothing left to file
    view.title = PlainTextObject(text=TITLE_2)
    hints = field_hints(plan.rejections)
    for block in view.blocks or []:
        if isinstance(block, InputBlock) and block.block_id in hints:
            block.hint = PlainTextObject(text=hints[block.block_id])
    if plan.cancel:
        view.submit = PlainTextObject(text="Cancel & re-file")
        what = (
            f"↪️ *Cancel & re-file* first cancels {number_list(list(plan.cancel))} in "
            f"`{plan.request_sid}` ({escape(plan.customer)}): Twilio refuses to port a number "
            "that is still in another request. Then it files this new request. If the filing fails "
            "after that, this form keeps everything and *File* retries the filing only."
        )
    else:
        what = (
            f"↪️ Nothing is left to cancel in `{plan.request_sid}` ({escape(plan.customer)}): *File "
            "port-in* files the new request."
        )
    at = 1 if banner else 0
    (view.blocks or []).insert(at, section(what))
    return view


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}
