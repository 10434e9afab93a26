"""Documents: the utility bill a port-in request points at, uploaded to Twilio's upload host
(``POST /v1/Documents``, multipart) before the request is filed."""

from __future__ import annotations

from bot.porting.errors import TwilioError
from bot.porting.models import MAX_DOCUMENT_BYTES, Document
from bot.porting.porting_calls import PortingCalls
from bot.porting.transport import parse_model


class DocumentUploadEmpty(TwilioError):
    """Twilio stored the document without content (empty ``mime_type``); upload it again."""


class DocumentCalls(PortingCalls):
    """The upload of a port-in's document."""

    async def upload_document(
        self,
        *,
        content: bytes,
        filename: str,
        content_type: str,
        document_type: str = "utility_bill",
        friendly_name: str | None = None,
    ) -> Document:
        """Upload a document (utility bill) to the upload host as multipart (part ``File``).

        Raises DocumentUploadEmpty when Twilio answers with an empty ``mime_type``.
        """
        if not content:
            raise ValueError("Document content is empty")
        if len(content) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"Document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        data = {"document_type": document_type}
        if friendly_name is not None:
            data["friendly_name"] = friendly_name
        # A retried upload at worst leaves an unused duplicate document, so it is retried like
        # an idempotent call.
        response = await self._request(
            "POST",
            f"{self._upload_url}/v1/Documents",
            data=data,
            files={"File": (filename, content, content_type)},
        )
        document = parse_model(Document, response)
        if "mime_type" in document.model_fields_set and not document.mime_type:
            raise DocumentUploadEmpty(
                response.status_code,
                None,
                f"Twilio stored document {document.sid} without content (empty mime_type); "
                "upload the file again",
            )
        return document
