"""Every file the toolkit writes: all or nothing, never over a user's file, recorded, reproducible.

- :func:`write_file` writes one file into place only when it is complete; :func:`refuse_to_replace`
  guards a file the user named with ``--out`` (design.md, "A user's files").
- :func:`staged` gives a command a scratch folder inside its output folder; the files written
  there are moved into place together once all were written. :func:`replace_folder` does the
  same for a whole folder (the pack).
- :class:`Manifest` is a folder's ``MANIFEST.json``, the record of the files a command wrote
  there, so that a rerun replaces only those; :func:`check_out` asks it before writing.
- :func:`write_zip_entries` makes zips (the pack's, every .docx) byte-reproducible.

Every output follows the umask; a folder that cannot be written to gives the same message
from every command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from connect_share_learn import __version__
from connect_share_learn.contract import TOOLKIT_NAME
from connect_share_learn.errors import UsageError, WorkFailed

MANIFEST = "MANIFEST.json"


# ---------------------------------------------------------------------------------------------
# One file


def refuse_to_replace(path: Path, force: bool, option: str = "--out") -> None:
    """Refuse to write over an existing file the user named, unless ``force``: it may hold their data."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give {option} the name of the file to write, e.g. {path / 'new.xlsx'}")
    if force or not (path.exists() or path.is_symlink()):
        return
    raise UsageError(f"{path} already exists and would be replaced: give {option} a new file name (the file "
                     "you have is never changed), or add --force to replace it (what it holds now is lost)")


def umask_mode() -> int:
    """The permissions a new file gets under the process's umask (as ``open`` would give it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_file(out: Path, write: Callable[[Path], None], what: str = "file") -> Path:
    """Write one file all or nothing: ``write(path)`` fills a hidden partial file beside
    ``out``, which is renamed into place only when complete; permissions follow the umask.

    A folder that cannot be made or written to becomes one clear :class:`WorkFailed`.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
        os.close(fd)
    except OSError as exc:
        raise _cannot_write_to(out.parent, exc) from None
    partial = Path(name)
    try:
        write(partial)
        os.chmod(partial, umask_mode())
        os.replace(partial, out)
    except OSError as exc:
        raise _not_written(out, what, exc) from None
    finally:
        partial.unlink(missing_ok=True)
    return out


# ---------------------------------------------------------------------------------------------
# Several files, or a whole folder


class Staged:
    """The scratch folder of :func:`staged`: write into ``folder``, then :meth:`publish`."""

    def __init__(self, out: Path, folder: Path):
        self.out = out
        self.folder = folder

    def publish(self, names: list[str] | tuple[str, ...], into: Path | None = None) -> list[Path]:
        """Move the files ``names`` of the scratch folder into the output folder (or the folder ``into``)."""
        into = into or self.out
        written = []
        for name in names:
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / name, into / name)
            written.append(into / name)
        return written


@contextlib.contextmanager
def staged(out: Path, what: str, prefix: str) -> Iterator[Staged]:
    """A scratch folder in ``out`` for the command's ``what`` ("results", "export"), always
    removed afterwards; a folder that cannot be made, or a file that cannot be written,
    becomes one clear WorkFailed. Files of ``out`` that are not published are left alone."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=out))
    except OSError as exc:
        raise _cannot_write_to(out, exc) from None
    try:
        yield Staged(out, folder)
    except OSError as exc:
        raise _not_written(out, what, exc) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` where ``target`` is; the old folder survives until the new one is in place."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".old-{target.name}-{os.getpid()}")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The record of what a command wrote

State = Literal["absent", "ours", "changed", "theirs"]


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


@dataclass
class Manifest:
    """A folder's ``MANIFEST.json``: read it, ask whose a file is, write the next one.

    It lists ``files`` (name → size and SHA-256) and ``made``, what they were made from, which
    the next run compares with its own. A file the record lists with the same checksum is the
    command's own and may be replaced; one whose checksum differs was changed by someone
    since; one the record does not list belongs to the user. A file listed with no checksum
    was being made when the record was written (a PDF whose conversion was interrupted): it
    is the command's own.

    A command's record names only files in the folder itself, so it never reaches another
    folder's. The pack's record (``pack=True``) names every file of the pack, in its
    sub-folders, and keeps the shape it has always had: what the pack was made from (the
    specification's hash) at its top level rather than under ``made``.
    """

    folder: Path
    files: dict[str, dict] = field(default_factory=dict)
    made: dict = field(default_factory=dict)
    pack: bool = False

    @classmethod
    def read(cls, folder: Path, pack: bool = False) -> "Manifest":
        """The folder's record; an empty one when there is none or it cannot be read, so that
        every file in the folder then counts as the user's."""
        try:
            data = json.loads((folder / MANIFEST).read_text("utf-8"))
            files = data["files"]
            made = {k: v for k, v in data.items() if k not in _OWN_FIELDS} if pack else data.get("made", {})
            if not isinstance(files, dict) or not isinstance(made, dict):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError):
            return cls(folder, pack=pack)
        files = {name: entry for name, entry in files.items()
                 if isinstance(entry, dict) and _inside(name, sub_folders=pack)}
        return cls(folder, files, made, pack)

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

    def in_the_way(self, names) -> dict[str, State]:
        """The files of ``names`` that are there but are not unchanged files of the command's own."""
        states = {name: self.state(name) for name in names}
        return {name: state for name, state in states.items() if state in ("changed", "theirs")}

    def refuse_to_replace(self, names, command: str, force: bool = False) -> None:
        """Before ``command`` writes ``names`` into the folder: refuse (unless ``force``) when
        one of them is there and is not an unchanged file of the command's own."""
        if force:
            return
        in_the_way = [f"{n} (changed since {command} wrote it)" if state == "changed"
                      else f"{n} (not written by {command})" for n, state in self.in_the_way(names).items()]
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
        made = self.made if self.pack else {"made": self.made}
        record = {"toolkit": TOOLKIT_NAME, "version": __version__, **made, "files": files}
        text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_file(self.folder / MANIFEST, lambda path: path.write_text(text, encoding="utf-8"), MANIFEST)


# ---------------------------------------------------------------------------------------------
# Reproducible zips


def write_zip_entries(archive: zipfile.ZipFile, entries: Iterable[tuple[str, bytes]], created: dt.datetime) -> None:
    """Add entries with a fixed timestamp and permissions, so equal inputs give equal bytes."""
    stamp = max(created, dt.datetime(1980, 1, 1)).timetuple()[:6]
    for name, data in entries:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)


# ---------------------------------------------------------------------------------------------
# Private

_OWN_FIELDS = ("toolkit", "version", "files")


def _inside(name: str, sub_folders: bool) -> bool:
    """A name the record may hold: a file in the folder (or, for the pack, below it), never the record itself."""
    parts = name.split("/")
    if "\\" in name or name == MANIFEST or any(part in ("", ".", "..") for part in parts):
        return False
    return sub_folders or len(parts) == 1


def _cannot_write_to(folder: Path, exc: OSError) -> WorkFailed:
    return WorkFailed(f"cannot write to {folder} ({exc.strerror or exc}): choose another --out")


def _not_written(path: Path, what: str, exc: OSError) -> WorkFailed:
    return WorkFailed(f"{path}: the {what} could not be written ({exc.strerror or exc}) — check the folder "
                      "can be written to and has space")
