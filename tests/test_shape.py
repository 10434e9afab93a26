"""The package's shape, measured: no module over 400 lines, no class over 250, no function over 80,
no import cycle, no module of the bot's imported under another name.

They walk the tree with `ast`, so they see what a reader sees: late imports inside functions count
as edges of the import graph (only imports under `if TYPE_CHECKING:` are left out, since they
name a type for an annotation and couple nothing at run time).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "bot"
TREES = ("bot", "tests", "bench")
MAX_MODULE = 400
MAX_CLASS = 250
MAX_FUNCTION = 80
# Modules that may be longer than MAX_MODULE, with the reason: none. A module that grows past
# it splits along its concepts (issue 19 §4); one that cannot is named here, with why.
LONG_MODULES: dict[str, str] = {}


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path, ast.parse(path.read_text(), str(path))


def _span(node: ast.AST) -> int:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[attr-defined]
    return node.end_lineno - first + 1  # type: ignore[attr-defined]


def oversized() -> list[str]:
    found = []
    for name, path, tree in _modules():
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE and name not in LONG_MODULES:
            found.append(f"{name}: module of {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and _span(node) > MAX_CLASS:
                found.append(f"{name}.{node.name}: class of {_span(node)} lines")
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and _span(node) > MAX_FUNCTION
            ):
                found.append(f"{name}.{node.name}: function of {_span(node)} lines")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under `node`, at any depth, except those under `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _imports_of(other)
            continue
        yield from _imports_of(child)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _imports(node)


def import_graph() -> dict[str, set[str]]:
    trees = {name: (path, tree) for name, path, tree in _modules()}
    graph: dict[str, set[str]] = {name: set() for name in trees}

    def resolve(target: str) -> str | None:
        while target and target not in trees:
            target = target.rpartition(".")[0]
        return target or None

    for name, (path, tree) in trees.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base]) if base else ".".join(anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if not target.startswith("bot"):
                    continue
                found = resolve(target)
                if found and found != name:
                    graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _module_chain(graph: dict[str, set[str]], component: list[str]) -> str:
    members = set(component)
    return "; ".join(f"{m} -> {sorted(graph[m] & members)}" for m in component)


def test_no_module_class_or_function_is_oversized() -> None:
    assert oversized() == []


def test_the_long_modules_allowed_are_still_long() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path, _ in _modules()}
    assert [name for name in LONG_MODULES if sizes.get(name, 0) <= MAX_MODULE] == []


def test_no_import_cycle_among_bot_modules() -> None:
    graph = import_graph()
    assert [_module_chain(graph, c) for c in cycles(graph)] == []


def test_the_graph_sees_late_imports_and_skips_type_checking_ones(tmp_path: Path) -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import bot.a\n"
        "def f():\n    from bot import b\n"
    )
    names = sorted(
        alias.name if isinstance(n, ast.Import) else f"{n.module}.{alias.name}"
        for n in _imports(tree)
        for alias in n.names
    )
    assert names == ["bot.b", "typing.TYPE_CHECKING"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def _is_module(dotted: str) -> bool:
    """Whether `bot.x.y` names a module or package of the bot (not a class or function in one)."""
    path = ROOT.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module an import takes names from; relative ones resolved against `path`'s package."""
    if not node.level:
        return node.module or ""
    package = path.parent.relative_to(ROOT.parent).parts
    anchor = package[: len(package) - node.level + 1]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def module_aliases(path: Path, tree: ast.Module) -> list[str]:
    """Each import in `tree` that gives one of the bot's modules a name other than its own."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            renamed = [(a.name, a.asname) for a in node.names if a.asname]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, path)
            renamed = [(f"{base}.{a.name}", a.asname) for a in node.names if a.asname]
        else:
            continue
        for target, asname in renamed:
            own = target.rpartition(".")[2]
            if target.startswith("bot.") and asname != own and _is_module(target):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {target} as {asname}")
    return found


def test_no_module_of_the_bot_is_imported_under_an_alias() -> None:
    """One concept, one module name: `from bot.x import y as z` of a module means two modules
    share a name (rename one), or the name does not say what the module holds (rename it).
    Aliases of a class or function (`from bot.slack.ids import PortInField as F`) are fine."""
    found = []
    for top in TREES:
        for path in sorted((ROOT.parent / top).rglob("*.py")):
            found += module_aliases(path, ast.parse(path.read_text(), str(path)))
    assert found == []


def test_no_block_kit_builder_shares_a_name_with_another_slack_module() -> None:
    """Listeners are named for the command or interaction they answer (``port_list``,
    ``manual/start``); a builder under ``bot/slack/ui/`` for what it draws (``port_list_answer``,
    ``manual/start_offer``), so the two never need telling apart at an import."""
    slack = ROOT / "slack"
    seen: dict[str, list[str]] = {}
    for path in sorted(slack.rglob("*.py")):
        if path.name != "__init__.py":
            seen.setdefault(path.stem, []).append(str(path.relative_to(slack)))
    shared = {
        stem: paths
        for stem, paths in seen.items()
        if len(paths) > 1 and any(p.startswith("ui/") for p in paths)
    }
    assert shared == {}


def test_aliases_of_modules_are_told_from_aliases_of_names() -> None:
    tree = ast.parse(
        "import bot.store.queue as q\n"
        "import bot.store.queue\n"
        "from bot.store import queue as outbox_rows\n"
        "from bot.store import queue\n"
        "from bot.slack.ids import PortInField as F\n"
        "from bot import slack as s\n"
        "def f():\n    from . import clock as c\n"
    )
    where = ROOT / "sandbox" / "x.py"
    assert [line.split(": ", 1)[1] for line in module_aliases(where, tree)] == [
        "bot.store.queue as q",
        "bot.store.queue as outbox_rows",
        "bot.slack as s",
        "bot.sandbox.clock as c",
    ]
