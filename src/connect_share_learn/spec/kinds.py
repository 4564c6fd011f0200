"""What a specification file defines, and which rule decided it.

In order: the file's own ``kind:``; the option it was given with (``--scales``, ``--courses``,
``--benchmarks``, ``--config``) or, for ``csl validate``, the nearest folder named scales/,
courses/ or benchmarks/ inside the path given; and its keys (a scale has ``items``, a course
``time_points`` …). Folders above the path a user gives never count: partnerships keep their
files under folders named for anything, ``courses/neglect 2025/my scales`` included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("scale", "course", "response_formats", "profile", "benchmarks", "settings")

# The kinds each option or folder holds, the first unless a file's keys say another: formats
# and profile questions live beside the scales.
FOLDERS = {"scales": ("scale", "response_formats", "profile"), "courses": ("course",),
           "benchmarks": ("benchmarks",), "config": ("settings",)}

# The key only a file of each kind has, and how a message names that kind.
SIGNATURES = {"items": "scale", "time_points": "course", "formats": "response_formats",
              "questions": "profile", "benchmarks": "benchmarks"}
NAMES = {"scale": "a scale", "course": "a course", "response_formats": "response formats",
         "profile": "profile questions", "benchmarks": "benchmarks", "settings": "settings"}
# A formats file is called formats.yaml wherever it is.
FILE_NAMES = {"formats": "response_formats"}


@dataclass(frozen=True)
class Source:
    """A file to read, and how the user gave it."""

    path: Path
    option: str | None = None   # "scales", "courses", "benchmarks", "config"; None for csl validate
    given: Path | None = None   # the folder named on the command line that the file was found in
    built_in: bool = False

    @property
    def folder(self) -> str | None:
        """The nearest folder named scales/, courses/ or benchmarks/ inside the path the user gave;
        for a file given by name, the folder it is in as typed."""
        if self.given is None:
            names = [self.path.parent.name]
        else:
            names = [self.given.name, *self.path.relative_to(self.given).parent.parts][::-1]
        return next((n for n in names if n in FOLDERS and n != "config"), None)


@dataclass(frozen=True)
class Decision:
    """A file's kind, or None and why it cannot be told (``doubt``: message and hint)."""

    kind: str | None
    # The option or folder that decided, as a message says it; empty when the file itself said.
    where: str = ""
    doubt: tuple[str, str] | None = None


def decide(source: Source, data: dict[str, Any]) -> Decision:
    """What ``data``, read from ``source``, defines."""
    if "kind" in data:
        return Decision(str(data["kind"]))
    by_keys = sorted({SIGNATURES[k] for k in data if k in SIGNATURES}, key=KINDS.index)
    if not by_keys and source.path.stem in FILE_NAMES:
        by_keys = [FILE_NAMES[source.path.stem]]
    if source.option:
        family, where = FOLDERS[source.option], f"it was given with --{source.option}"
    elif source.folder:
        family, where = FOLDERS[source.folder], f"it is in a folder named '{source.folder}'"
    else:
        family, where = (), ""
    if len(by_keys) == 1 and (not family or by_keys[0] in family):
        return Decision(by_keys[0])
    if family:
        if len(by_keys) == 1:
            key = next(k for k, v in SIGNATURES.items() if v == by_keys[0])
            return Decision(None, where, (f"this looks like {NAMES[by_keys[0]]} (it has '{key}'), but {where}",
                                          f"add 'kind: {by_keys[0]}' at the top of the file"))
        return Decision(family[0], where)
    if by_keys:
        has = " and ".join(f"'{k}' ({NAMES[v]})" for k, v in SIGNATURES.items() if k in data)
        both = "both " if len(by_keys) == 2 else ""
        return Decision(None, "", (f"cannot tell what this file defines: it has {both}{has}",
                                   f"add {' or '.join(repr(f'kind: {k}') for k in by_keys)} at the top of the file"))
    keys = ", ".join(f"'{k}'" + (f" ({NAMES[v]})" if NAMES[v] != k else "") for k, v in SIGNATURES.items())
    keys = " or ".join(keys.rsplit(", ", 1))
    return Decision(None, "", (
        "cannot tell what this file defines: it has no 'kind:', is not in a scales/, courses/ or benchmarks/ "
        f"folder, and has none of the keys {keys}",
        f"add 'kind: scale' (or {', '.join(KINDS[1:])}) at the top of the file"))
