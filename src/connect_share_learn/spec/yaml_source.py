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


# How a reader names one entry of a list: the 3rd of 'items' is "item 3".
_ENTRY = {"items": "item", "time_points": "time point", "scales": "scale", "formats": "format",
          "benchmarks": "benchmark", "options": "option", "questions": "question", "parts": "part",
          "labels": "label"}


@dataclass
class YamlDocument:
    """A parsed file: its data and the line of each field path (``("items", 3, "text")`` → 41)."""

    file: str
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    # The text as typed of each value YAML read as something else: a label No became False.
    typed: dict[tuple, str] = field(default_factory=dict)

    def line_of(self, path: tuple) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def place(self, path: tuple) -> str:
        """``path`` as a reader counts, with the entry's id: ``("items", 2, "text")`` → "item 3 (att_3), text"."""
        words: list[str] = []
        node = self.data
        for part in path:
            if isinstance(node, list) and isinstance(part, int) and words:
                node = node[part] if 0 <= part < len(node) else None
                ident = node.get("id") if isinstance(node, dict) else node
                named = f" ({ident})" if isinstance(ident, str) and 0 < len(ident) <= 40 else ""
                words[-1] = f"{_ENTRY.get(words[-1], 'entry')} {part + 1}{named}"
            elif isinstance(node, dict) and isinstance(part, int) and words and words[-1] in _ENTRY:
                node = node.get(part)
                words[-1] = f"{_ENTRY[words[-1]]} {part}"
            else:
                node = node.get(part) if isinstance(node, dict) else None
                words.append(str(part))
        return ", ".join(words)

    def problem(self, path: tuple, message: str, hint: str) -> Problem:
        """A problem at ``path`` in this file, with its line and its place as a reader counts."""
        return Problem(self.file, self.line_of(path), self.place(path), message, hint)


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
        node = _compose(text, name)
    except _Refused as refused:
        return None, [refused.problem]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(text, name, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        return None, [Problem(name, None, "", f"YAML syntax error: {exc}", "check the file's syntax")]
    if node is None:
        return None, [Problem(name, None, "", "the file is empty", "add its content or delete the file")]
    doc = YamlDocument(name, None)
    found: list[tuple[tuple, int, str, str]] = []
    doc.data = _to_python(node, (), doc, found)
    # Placed once the data is complete, so that a place can name its entry's id.
    return doc, [Problem(name, line, doc.place(path), message, hint) for path, line, message, hint in found]


# What PyYAML's account of a syntax error (the start of its problem or its context) means to an
# editor, reported on the line where the unclosed or unfinished thing began.
_UNFINISHED = [
    ("expected ',' or ']'", "the list opened with '[' is not closed", "end it with ']' on the same line"),
    ("expected ',' or '}'", "the '{' is not closed", "end it with '}' on the same line"),
    ("while scanning a quoted scalar", "a quotation mark is not closed", "add the closing quotation mark"),
    ("could not find expected ':'", "a line has no ':' after its key", "write it as 'key: value'"),
]


def _syntax_problem(text: str, name: str, exc: yaml.MarkedYAMLError) -> Problem:
    """The mistake behind a YAML syntax error, where it was made, and the one thing to do."""
    lines = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else len(lines)
    problem, context = exc.problem or "", exc.context or ""
    tabbed = next((n for n, l in enumerate(lines[:line], 1) if "\t" in l[: len(l) - len(l.lstrip())]), None)
    if tabbed:
        return Problem(name, tabbed, "", "YAML syntax error: the line is indented with a tab",
                       "use spaces for indentation")
    column = f", column {mark.column + 1}" if mark else ""
    began = exc.context_mark.line + 1 if exc.context_mark else line
    # Brackets broken on the line they open on: by a text inside them, not by a missing bracket.
    if problem.startswith(("expected ',' or ']'", "expected ',' or '}'")) and began == line:
        if problem.endswith("'<scalar>'"):
            return Problem(name, line, "", f"YAML syntax error{column}: a quoted text goes on after its closing "
                                           "quotation mark", "put the whole text in double quotes, with single "
                                                            "quotes inside it: \"Say 'no' first\"")
        return Problem(name, line, "", f"YAML syntax error{column}: a text between brackets holds a ':', '?' or "
                                       "another sign YAML reads as punctuation",
                       "put that text in double quotes: text: \"…\"")
    for start, message, hint in _UNFINISHED:
        if problem.startswith(start) or context.startswith(start):
            return Problem(name, began, "", f"YAML syntax error: {message}", hint)
    if problem.startswith("mapping values are not allowed") and line <= len(lines) and lines[line - 1].count(": ") > 1:
        return Problem(name, line, "", "YAML syntax error: a value contains ': ' (a colon and a space)",
                       "put the whole value in double quotes: \"…: …\"")
    return Problem(name, line, "", f"YAML syntax error{column}: {problem or context or 'invalid YAML'}",
                   "check this line and the one above: keys line up, and every ':' has a space after it")


# libyaml's parser where PyYAML has it: several times faster, with the same nodes, tags and line
# marks. A file it cannot read is read again by PyYAML's own parser, whose account of the error
# _syntax_problem knows how to explain.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str, name: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            _refuse_aliases(text, name, _FAST_LOADER)
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    _refuse_aliases(text, name, yaml.SafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _refuse_aliases(text: str, name: str, loader=yaml.SafeLoader) -> None:
    for event in yaml.parse(text, Loader=loader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise _Refused(Problem(name, event.start_mark.line + 1, "",
                                   "YAML anchors and aliases (& and *) are not allowed",
                                   "write the repeated part out in full"))


_constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
yaml.constructor.SafeConstructor.__init__(_constructor)


def _to_python(node: yaml.Node, path: tuple, doc: YamlDocument, found: list[tuple[tuple, int, str, str]]) -> Any:
    """The node's value; each duplicate or unusable key is added to ``found`` as (path, line, message, hint)."""
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, path + ("<key>",), doc, found)
            if not isinstance(key, (str, int)):
                found.append((path, key_node.start_mark.line + 1, "a key must be a plain word",
                              "write the key as text, e.g. 'title:'"))
                continue
            if key in result:
                found.append((path + (key,), key_node.start_mark.line + 1, f"'{key}' is given twice", "keep one of them"))
                continue
            result[key] = _to_python(value_node, path + (key,), doc, found)
            doc.lines[path + (key,)] = key_node.start_mark.line + 1
        doc.lines.pop(path + ("<key>",), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, path + (i,), doc, found) for i, child in enumerate(node.value)]
    value = _constructor.construct_object(node, deep=True)
    if not isinstance(value, str):
        doc.typed[path] = node.value
    return value

