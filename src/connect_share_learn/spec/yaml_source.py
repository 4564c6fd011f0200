"""Reading a YAML file safely, remembering the line of every field.

Refuses, before parsing, files over 1 MB, empty files and files that are not UTF-8; refuses
anchors and aliases outright, so an alias bomb costs nothing; reports duplicate keys, which
PyYAML would silently overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connect_share_learn.errors import Problem

MAX_BYTES = 1_000_000


@dataclass
class YamlDocument:
    """A parsed file: its data and the line of each field path (``items.3.text`` → 41)."""

    file: str
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, path: tuple) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def read_yaml(path: Path, display: str | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; return the document, or None and the problems that stopped it."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(name, None, "", f"the file is {size / 1e6:.1f} MB, over the 1 MB limit",
                                  "split it into smaller files, one scale or course per file")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, None, "", f"cannot be read ({exc.strerror})", "check the path and its permissions")]
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML bytes read from the file called ``name``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, "", "the file is not UTF-8 text",
                              "save it as UTF-8 (in Notepad: Save as… › Encoding › UTF-8)")]
    if not text.strip() or all(l.strip().startswith("#") or not l.strip() for l in text.splitlines()):
        return None, [Problem(name, None, "", "the file is empty", "add its content or delete the file")]
    try:
        _refuse_aliases(text, name)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except _Refused as refused:
        return None, [refused.problem]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        what = (exc.problem or exc.context or "invalid YAML").strip()
        return None, [Problem(name, line, "", f"YAML syntax error{col}: {what}",
                              "check the indentation and that every 'key: value' has a space after the colon")]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        return None, [Problem(name, None, "", f"YAML syntax error: {exc}", "check the file's syntax")]
    if node is None:
        return None, [Problem(name, None, "", "the file is empty", "add its content or delete the file")]
    doc = YamlDocument(name, None)
    problems: list[Problem] = []
    doc.data = _to_python(node, (), doc, problems)
    return doc, problems


def _refuse_aliases(text: str, name: str) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise _Refused(Problem(name, event.start_mark.line + 1, "",
                                   "YAML anchors and aliases (& and *) are not allowed",
                                   "write the repeated part out in full"))


_constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
yaml.constructor.SafeConstructor.__init__(_constructor)


def _to_python(node: yaml.Node, path: tuple, doc: YamlDocument, problems: list[Problem]) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, path + ("<key>",), doc, problems)
            if not isinstance(key, (str, int)):
                problems.append(Problem(doc.file, key_node.start_mark.line + 1, _dotted(path),
                                        "a key must be a plain word", "write the key as text, e.g. 'title:'"))
                continue
            if key in result:
                problems.append(Problem(doc.file, key_node.start_mark.line + 1, _dotted(path + (key,)),
                                        f"'{key}' is given twice", "keep one of them"))
                continue
            result[key] = _to_python(value_node, path + (key,), doc, problems)
            doc.lines[path + (key,)] = key_node.start_mark.line + 1
        doc.lines.pop(path + ("<key>",), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, path + (i,), doc, problems) for i, child in enumerate(node.value)]
    return _constructor.construct_object(node, deep=True)


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)
