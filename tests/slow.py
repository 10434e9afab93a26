"""Which tests are ``slow``: those that start real ``python -m bot`` processes (``tests/procs.py``:
``run_bot``, ``start_bot``, ``start_bots``, ``serving_bot``, or a subprocess of their own) and
those that drive Chromium (the ``browser`` fixture). ``pytest -m "not slow"`` is the inner loop;
CI runs everything.

A test counts as slow when its own body, a module-level helper it calls (two levels down), or a
fixture it uses does one of those things: no list to keep up to date by hand.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

_SPAWNS = re.compile(r"\b(run_bot|start_bots?|serving_bot|subprocess|Popen|async_playwright)\b")
_CALLS = re.compile(r"\b(\w+)\(")


def _spawns(fn: Callable[..., Any], module: ModuleType | None, depth: int = 2) -> bool:
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    if _SPAWNS.search(source):
        return True
    if depth == 0 or module is None:
        return False
    for name in set(_CALLS.findall(source)):
        helper = getattr(module, name, None)
        if (
            inspect.isfunction(helper)
            and helper is not fn
            and helper.__module__ == module.__name__
            and _spawns(helper, module, depth - 1)
        ):
            return True
    return False


def is_slow(item: pytest.Item) -> bool:
    function = getattr(item, "function", None)
    if function is None:
        return False
    if _spawns(function, inspect.getmodule(function)):
        return True
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fixture in info.name2fixturedefs.get(name, ()) if info else ():
            func = fixture.func
            if _spawns(func, inspect.getmodule(func)):
                return True
    return False


def mark_slow(items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
