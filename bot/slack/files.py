"""Slack files the bot downloads with its token (the bill of /port-in, a manual port's
documents, the CSVs of /port-check and its message shortcut), and where it may fetch them.

The token goes only over https to Slack's file host, or to the configured ``SLACK_API_URL``'s
own origin (GovSlack, the tests' fake Slack, the local workspace on 127.0.0.1): a URL a
payload names is not trusted further than that. Redirects are followed by hand, each hop
checked the same way, so a file host cannot bounce the token elsewhere either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

SLACK_FILE_HOST = "files.slack.com"
MAX_REDIRECTS = 5
DOWNLOAD_SECONDS = 30


class ForeignFile(ValueError):
    """A file URL the bot may not send its token to (its text says so, for the person)."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


@dataclass(frozen=True)
class FileHosts:
    """Where the bot's token may go for a file: https on ``files.slack.com``, or the origin of
    ``api_url`` (``SLACK_API_URL``; its own scheme, as the local workspace is plain http on
    this machine)."""

    api_url: str | None = None

    def allows(self, url: str) -> bool:
        try:
            origin = _origin(url)
        except ValueError:  # an unreadable port or address
            return False
        if origin == ("https", SLACK_FILE_HOST, 443):
            return True
        return bool(self.api_url) and origin == _origin(str(self.api_url))

    def refusal(self, url: str, name: str) -> str | None:
        """What to tell the person when ``url`` is not one the bot may fetch, else None."""
        if self.allows(url):
            return None
        host = urlsplit(url).hostname or "an address"
        return (
            f"I can only download files Slack holds ({SLACK_FILE_HOST}); {name} is at {host}. "
            "Upload it from your computer instead of linking it."
        )

    def refusals(self, files: Mapping[str, tuple[str, str]]) -> dict[str, str]:
        """Per form field, (url, name) of the file attached there → the refusals."""
        return {
            field: why
            for field, (url, name) in files.items()
            if url and (why := self.refusal(url, name))
        }


def file_downloader(
    http: httpx.AsyncClient, token: str, hosts: FileHosts
) -> Callable[[str, int], Awaitable[bytes]]:
    """Downloads a Slack file (its ``url_private``) with the bot token, up to ``limit`` bytes,
    only from where :class:`FileHosts` allows; raises :class:`ForeignFile` otherwise."""

    async def download(url: str, limit: int) -> bytes:
        for _ in range(MAX_REDIRECTS + 1):
            if not hosts.allows(url):
                raise ForeignFile(
                    f"That file is not one I may download: it is not on {SLACK_FILE_HOST}. "
                    "Upload it to Slack from your computer and try again."
                )
            async with http.stream(
                "GET",
                url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=DOWNLOAD_SECONDS,
                follow_redirects=False,
            ) as response:
                if response.is_redirect:
                    url = str(response.url.join(response.headers.get("location", "")))
                    continue
                response.raise_for_status()
                chunks = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ValueError(f"The file is larger than {limit // 1024 // 1024} MB.")
                    chunks.append(chunk)
                return b"".join(chunks)
        raise ForeignFile("Slack sent that file through too many redirects; attach it again.")

    return download
