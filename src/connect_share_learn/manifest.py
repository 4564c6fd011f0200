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
from connect_share_learn.staging import write_file

NAME = "MANIFEST.json"

State = Literal["absent", "ours", "changed", "theirs"]


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
