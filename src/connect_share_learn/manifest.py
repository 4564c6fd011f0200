"""A folder's record of the files a command wrote into it, so that a rerun replaces only those.

``MANIFEST.json`` has the pack's shape (``files``: name → size and SHA-256) plus ``made``,
what the files were made from, which the next run compares with its own. A file the record
lists with the same checksum is the command's own and may be replaced; one whose checksum
differs was changed by someone since; one the record does not list belongs to the user.
A file listed with no checksum was being made when the record was written (a PDF whose
conversion was interrupted): it is the command's own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from connect_share_learn import __version__
from connect_share_learn.errors import UsageError
from connect_share_learn.staging import write_file

NAME = "MANIFEST.json"

State = Literal["absent", "ours", "changed", "theirs"]


def check_out(inputs: list[Path], out: Path, names, command: str, force: bool = False) -> "Manifest":
    """Before ``command`` writes ``names`` into the folder ``out``: refuse a name that is one of
    the files given as input, and (unless ``force``) one that is not an unchanged file of the
    command's own. Returns the folder's record, to :meth:`Manifest.record` what was written."""
    targets = {(out / name).resolve() for name in names}
    for given in inputs:
        if given.is_file() and given.resolve() in targets:
            raise UsageError(f"{given}: this file you gave would be overwritten by {command}'s output — "
                             "choose another --out folder")
    record = Manifest.read(out)
    record.refuse_to_replace(names, command, force)
    return record


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Manifest:
    """The record of ``folder``: read it, ask whose a file is, write the next one."""

    folder: Path
    files: dict[str, dict] = field(default_factory=dict)
    made: dict = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        """The folder's record; an empty one when there is none or it cannot be read, so that
        every file in the folder then counts as the user's."""
        try:
            data = json.loads((folder / NAME).read_text("utf-8"))
            files, made = data["files"], data.get("made", {})
            if not isinstance(files, dict) or not isinstance(made, dict):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError):
            return cls(folder)
        # Only plain names in the folder itself: a record never reaches another folder's files.
        files = {name: entry for name, entry in files.items()
                 if isinstance(entry, dict) and name == Path(name).name and "\\" not in name
                 and name not in ("", ".", "..", NAME)}
        return cls(folder, files, made)

    def states(self, names) -> dict[str, State]:
        """Whose each file of ``names`` and of the record is, as the folder is now."""
        return {name: self.state(name) for name in sorted(set(names) | set(self.files))}

    def state(self, name: str) -> State:
        path = self.folder / name
        if not path.is_file():
            return "theirs" if path.exists() else "absent"
        entry = self.files.get(name)
        if entry is None:
            return "theirs"
        if entry.get("sha256") is None or entry["sha256"] == sha256(path):
            return "ours"
        return "changed"

    def refuse_to_replace(self, names, command: str, force: bool = False) -> None:
        """Before ``command`` writes ``names`` into the folder: refuse (unless ``force``) when
        one of them is there and is not an unchanged file of the command's own."""
        if force:
            return
        states = self.states(names)
        in_the_way = [f"{n} (changed since {command} wrote it)" if states[n] == "changed"
                      else f"{n} (not written by {command})" for n in names if states[n] in ("changed", "theirs")]
        if in_the_way:
            shown = ", ".join(in_the_way[:5]) + (f" and {len(in_the_way) - 5} more" if len(in_the_way) > 5 else "")
            them = "it" if len(in_the_way) == 1 else "them"
            raise UsageError(f"{self.folder}: {shown} would be replaced — move {them} out of the folder to keep "
                             f"{them} and run again, choose another --out, or add --force to replace {them}")

    def record(self, names) -> None:
        """Record ``names`` as just written, keeping the earlier files of ours that are still there
        unchanged (the CSV of an earlier export beside this one's SPSS file)."""
        earlier = [n for n in self.files if n not in names and self.state(n) == "ours"]
        self.write(sorted({*names, *earlier}))

    def write(self, names: list[str], pending: list[str] = ()) -> None:
        """Record the files ``names`` as they are now and ``pending`` as being made, replacing
        the record (all or nothing)."""
        files = {}
        for name in names:
            path = self.folder / name
            files[name] = {"size": path.stat().st_size, "sha256": sha256(path)}
        files.update({name: {"size": None, "sha256": None} for name in pending})
        self.files = files
        record = {"toolkit": "connect-share-learn", "version": __version__, "made": self.made, "files": files}
        text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_file(self.folder / NAME, lambda path: path.write_text(text, encoding="utf-8"), NAME)
