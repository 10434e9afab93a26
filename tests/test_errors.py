"""One exception root: every error class of the bot derives from ``bot.errors.PortingBotError``
(the sandbox's stand outside: they are Twilio's errors as the simulator answers them), and
``LookupError`` is no domain signal (``NotFound`` is)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from bot.errors import PortingBotError

ROOT = Path(__file__).resolve().parent.parent / "bot"


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if "migrations" in parts or parts[-1] == "__main__" or parts[:2] == ["bot", "sandbox"]:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def test_every_error_class_derives_from_the_root() -> None:
    strays = []
    for name, _ in _modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and not issubclass(value, PortingBotError)
            ):
                strays.append(f"{name}.{value.__name__}")
    assert strays == []


def test_lookup_error_is_no_domain_signal() -> None:
    uses = [
        f"{name}:{node.lineno}"
        for name, path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Name) and node.id == "LookupError"
    ]
    assert uses == []
