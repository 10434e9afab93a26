"""X-Twilio-Signature for JSON webhooks (the ``bodySHA256`` scheme, reference §4.4)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from urllib.parse import unquote_plus, urlsplit, urlunsplit


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signed_url(url: str, body: bytes) -> str:
    """The URL Twilio calls for a JSON body: ``url`` plus ``bodySHA256=<hex>``."""
    sep = "&" if urlsplit(url).query else "?"
    return f"{url}{sep}bodySHA256={body_sha256(body)}"


@functools.lru_cache(maxsize=8)
def _keyed(auth_token: str) -> hmac.HMAC:
    """HMAC-SHA1 keyed with ``auth_token``, copied for each URL: ``hmac.digest`` looks the
    algorithm up in OpenSSL 3 on every call (locks and all), a cost on every webhook."""
    return hmac.new(auth_token.encode(), digestmod=hashlib.sha1)


def compute_signature(auth_token: str, url: str) -> str:
    mac = _keyed(auth_token).copy()
    mac.update(url.encode())
    return base64.b64encode(mac.digest()).decode()


def sign_json(auth_token: str, url: str, body: bytes) -> tuple[str, str]:
    """Return (full URL to POST to, X-Twilio-Signature) for a JSON body, as Twilio does."""
    full = signed_url(url, body)
    return full, compute_signature(auth_token, full)


def _port_variants(url: str) -> Iterator[str]:
    # Twilio's own validators try with and without the default port.
    yield url
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if parts.port is None and default:
        yield urlunsplit(parts._replace(netloc=f"{host}:{default}"))
    elif parts.port == default:
        yield urlunsplit(parts._replace(netloc=host))


def _claimed_body_hash(url: str) -> str | None:
    """The first ``bodySHA256`` value in ``url``'s query (``parse_qs``'s answer for a hex
    digest, without its cost on the bot's busiest route)."""
    query = url.partition("?")[2].partition("#")[0]
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "bodySHA256" and value:
            return unquote_plus(value)
    return None


def validate_json(auth_tokens: Iterable[str], url: str, body: bytes, signature: str | None) -> bool:
    """True when ``signature`` signs ``url`` with one of ``auth_tokens`` and the URL's
    ``bodySHA256`` matches the raw body. Both checks must pass; a URL without
    ``bodySHA256`` never validates a JSON body.
    """
    if not signature:
        return False
    claimed = _claimed_body_hash(url)
    if not claimed or not hmac.compare_digest(claimed, body_sha256(body)):
        return False
    tokens = [token for token in auth_tokens if token]
    # The URL as received first (the usual match), then with/without its default port.
    for candidate in _port_variants(url):
        for token in tokens:
            if hmac.compare_digest(compute_signature(token, candidate), signature):
                return True
    return False
