"""No import cycle among the package's modules: each module's imports (at the top or inside a
function, either way) lead only to modules below it, so any one can be read, tested and moved
on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import connect_share_learn

PACKAGE = Path(connect_share_learn.__file__).parent


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports. Importing ``a.b.c`` also runs the package
    ``a.b``'s ``__init__``: a module outside ``a.b`` depends on that too."""
    known = modules()

    def imported(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = []
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets += [imported(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[:len(here) - node.level + 1] + [node.module or ""]) if node.level else node.module
                targets += [imported(f"{base.rstrip('.')}.{alias.name}") for alias in node.names]
        for target in filter(None, targets):
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                package = ".".join(parts[:depth])
                if package in known and package != name and not f"{name}.".startswith(f"{package}."):
                    graph[name].add(package)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_a_lazy_import_and_a_cycle():
    graph = import_graph()
    assert "connect_share_learn.analyse.report" in graph["connect_share_learn.analyse.run"]  # imported in a function
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_one_that_imports_it_back():
    graph = import_graph()
    found = cycles(graph)
    short = {name: name.removeprefix("connect_share_learn.") for name in graph}
    shown = "\n\n".join("\n".join(f"  {short[m]} -> {', '.join(short[o] for o in sorted(graph[m] & set(group)))}"
                                   for m in group) for group in found)
    assert not found, f"import cycles (move what both sides need into the module it belongs to):\n{shown}"
