"""JSON bodies of the sandbox's resources, field for field as in ``twilio_numbers_v1.json``."""

from __future__ import annotations

from typing import Any

from bot.porting.statuses import NumberStatus, RequestStatus

from .clock import iso
from .config import SandboxConfig
from .data import PortabilityAnswer, SimDocument, SimNumber, SimRequest, WebhookSettings

_JAPAN_LCI_KEYS = (
    "authorized_representative_katakana",
    "katakana_name",
    "sub_municipality",
    "building",
)

# Shown in the list endpoint's suggested_action (the spec gives no values; ours).
_SUGGESTED_ACTIONS = {
    RequestStatus.WAITING_FOR_SIGNATURE: "Ask the authorized representative to sign the LOA",
    RequestStatus.ACTION_REQUIRED: "Review rejected phone numbers, cancel them and resubmit "
    "with corrected information",
}


def portability_json(cfg: SandboxConfig, number: str, answer: PortabilityAnswer) -> dict[str, Any]:
    reason = answer.reason
    profile = answer.profile
    return {
        "phone_number": number,
        "account_sid": answer.account_sid,
        "portable": reason is None,
        "pin_and_account_number_required": profile.pin_required,
        "not_portable_reason": reason.name if reason else None,
        "not_portable_reason_code": reason.code if reason else None,
        "number_type": profile.number_type,
        "country": profile.country,
        "url": f"{cfg.api_base_url}/v1/Porting/Portability/PhoneNumber/{number}",
    }


def request_url(cfg: SandboxConfig, sid: str) -> str:
    return f"{cfg.api_base_url}/v1/Porting/PortIn/{sid}"


def _number_in_request(number: SimNumber) -> dict[str, Any]:
    return {
        "phone_number": number.phone_number,
        "port_in_phone_number_sid": number.sid,
        "port_in_phone_number_status": number.status.twilio_name,
        "number_type": number.number_type,
        "portable": number.portable,
        "not_portability_reason": number.not_portability_reason,
        "not_portability_reason_code": number.not_portability_reason_code,
        "rejection_reason": number.rejection_reason,
        # The PortIn schema types this one as a string (the sub-resource: integer).
        "rejection_reason_code": (
            str(number.rejection_reason_code) if number.rejection_reason_code else None
        ),
        "port_date": iso(number.port_date),
        "status_last_time_updated_timestamp": iso(number.last_updated),
        "external_porting_vendor_phone_number_id": None,
    }


def port_in_json(
    cfg: SandboxConfig, request: SimRequest, *, created: bool = False
) -> dict[str, Any]:
    lci = dict(request.losing_carrier_information)
    for key in _JAPAN_LCI_KEYS:
        lci.setdefault(key, None)
    return {
        "port_in_request_sid": request.sid,
        "url": request_url(cfg, request.sid),
        "account_sid": request.account_sid,
        "notification_emails": request.notification_emails,
        "target_port_in_date": (
            request.target_port_in_date.isoformat() if request.target_port_in_date else None
        ),
        "target_port_in_time_range_start": request.target_port_in_time_range_start,
        "target_port_in_time_range_end": request.target_port_in_time_range_end,
        # The create example answers "pending"; later fetches use the display names.
        "port_in_request_status": "pending" if created else request.status.twilio_name,
        "order_cancellation_reason": request.order_cancellation_reason,
        "losing_carrier_information": lci,
        "phone_numbers": [_number_in_request(n) for n in request.numbers],
        "bundle_sid": request.bundle_sid,
        "portability_advance_carrier": request.portability_advance_carrier,
        "auto_cancel_approval_numbers": request.auto_cancel_approval_numbers,
        "documents": request.documents,
        "date_created": iso(request.date_created),
        "support_ticket_id": request.support_ticket_id,
        "signature_request_url": request.signature_request_url,
    }


def _pin_as_int(pin: str | None) -> int | None:
    # The spec types port_out_pin as an integer, so "0123" comes back as 123 (reference §8.9).
    return int(pin) if pin and pin.isdigit() else None


def phone_number_json(cfg: SandboxConfig, request: SimRequest, number: SimNumber) -> dict[str, Any]:
    return {
        "port_in_request_sid": request.sid,
        "phone_number_sid": number.sid,
        "url": f"{request_url(cfg, request.sid)}/PhoneNumber/{number.sid}",
        "account_sid": number.account_sid,
        "phone_number_type": number.number_type,
        "date_created": iso(number.date_created),
        "country": number.country,
        "missing_required_fields": False,
        "last_updated": iso(number.last_updated),
        "phone_number": number.phone_number,
        "portable": number.portable,
        "not_portability_reason": number.not_portability_reason,
        "not_portability_reason_code": number.not_portability_reason_code,
        "port_in_phone_number_status": number.status.value,
        "port_out_pin": _pin_as_int(number.pin),
        "rejection_reason": number.rejection_reason,
        "rejection_reason_code": number.rejection_reason_code,
        "port_date": iso(number.port_date),
    }


def summary_json(request: SimRequest) -> dict[str, Any]:
    return {
        "port_in_request_sid": request.sid,
        "port_in_request_status": request.status.twilio_name,
        "status_last_updated_timestamp": request.last_updated.date().isoformat(),
        "phone_numbers_requested": len(request.numbers),
        "phone_numbers_ported": sum(n.status == NumberStatus.COMPLETED for n in request.numbers),
        "suggested_action": _SUGGESTED_ACTIONS.get(request.status),
    }


def webhook_json(cfg: SandboxConfig, hook: WebhookSettings, *, fetch: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "url": f"{cfg.api_base_url}/v1/Porting/Configuration/Webhook",
        "port_in_target_url": hook.port_in_target_url,
        "port_out_target_url": hook.port_out_target_url,
        "notifications_of": list(hook.notifications_of),
    }
    if fetch:
        body["port_in_target_date_created"] = iso(hook.port_in_date_created)
        body["port_out_target_date_created"] = iso(hook.port_out_date_created)
    return body


def document_json(cfg: SandboxConfig, document: SimDocument) -> dict[str, Any]:
    return {
        "sid": document.sid,
        "account_sid": document.account_sid,
        "friendly_name": document.friendly_name,
        "document_type": document.document_type,
        "mime_type": document.mime_type,
        "status": document.status,
        "version": document.version,
        "date_created": iso(document.date_created),
        "date_updated": iso(document.date_created),
        "url": f"{cfg.upload_base_url}/v1/Documents/{document.sid}",
    }
