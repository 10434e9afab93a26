"""Numbers from the CSV files people attach to a /port-check modal or to a message they run
the shortcut on."""

from __future__ import annotations

from typing import Any

from bot.porting.phone import ParsedNumbers, parse_csv
from bot.slack.deps import Downloader
from bot.slack.ui.fmt import escape

MAX_CSV_BYTES = 2 * 1024 * 1024


def csv_files(files: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """The (download URL, name, size) of each attached file that is a CSV or a text file."""
    out: list[tuple[str, str, int]] = []
    for f in files or []:
        url = f.get("url_private_download") or f.get("url_private")
        if url and (
            f.get("filetype") in ("csv", "text", "txt")
            or str(f.get("name", "")).endswith((".csv", ".txt"))
        ):
            out.append((str(url), str(f.get("name", "file")), int(f.get("size") or 0)))
    return out


async def numbers_from_files(download: Downloader, files: list[dict[str, Any]]) -> ParsedNumbers:
    """The numbers in every attached CSV, each once; raises ValueError (its text says what to
    do) for a file that is too large."""
    merged = ParsedNumbers()
    for url, name, size in csv_files(files):
        if size > MAX_CSV_BYTES:
            raise ValueError(f"{escape(name)} is larger than 2 MB; split it into smaller files.")
        content = (await download(url, MAX_CSV_BYTES)).decode("utf-8-sig", errors="replace")
        parsed = parse_csv(content)
        merged.invalid += parsed.invalid
        merged.duplicates += parsed.duplicates
        for n in parsed.numbers:
            merged.add(n)
    return merged


def add_numbers(parsed: ParsedNumbers, more: ParsedNumbers) -> ParsedNumbers:
    """``parsed`` with the numbers of ``more`` it does not hold yet, and its unreadable
    entries."""
    duplicates = parsed.duplicates
    for n in more.numbers:
        parsed.add(n)
    parsed.duplicates = duplicates  # a number in both is not a duplicate the person typed
    parsed.invalid += more.invalid
    return parsed
