"""Writing a command's output files all or nothing, and never over a user's file.

Every file is written into a scratch folder inside the output folder, and moved into place
(a rename on the same file system) only when all were written; the scratch folder is
always removed. Files of the output folder that the command does not write are left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from connect_share_learn.errors import UsageError, WorkFailed


class Staged:
    """The scratch folder of :func:`staged`: write into ``folder``, then :meth:`publish`."""

    def __init__(self, out: Path, folder: Path):
        self.out = out
        self.folder = folder

    def publish(self, names: list[str] | tuple[str, ...]) -> list[Path]:
        """Move the files ``names`` of the scratch folder into the output folder."""
        written = []
        for name in names:
            (self.out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / name, self.out / name)
            written.append(self.out / name)
        return written


@contextlib.contextmanager
def staged(out: Path, what: str, prefix: str) -> Iterator[Staged]:
    """A scratch folder in ``out`` for the command's ``what`` ("results", "export"); a folder
    that cannot be made, or a file that cannot be written, becomes one clear WorkFailed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=out))
    except OSError as exc:
        raise WorkFailed(f"{out}: the {what} folder cannot be made or written to ({exc.strerror or exc}) — "
                         "choose another --out folder") from None
    try:
        yield Staged(out, folder)
    except OSError as exc:
        raise WorkFailed(f"{out}: the {what} could not be written ({exc.strerror or exc}) — check the folder "
                         "can be written to and has space") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# One file a user names with --out


def refuse_to_replace(path: Path, force: bool, option: str = "--out") -> None:
    """Refuse to write over an existing file the user named, unless ``force`` (design.md,
    "A user's files"): an existing file may hold their data."""
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
        raise WorkFailed(f"cannot write to {out.parent} ({exc.strerror or exc}): choose another --out") from None
    partial = Path(name)
    try:
        write(partial)
        os.chmod(partial, umask_mode())
        os.replace(partial, out)
    except OSError as exc:
        raise WorkFailed(f"{out}: the {what} could not be written ({exc.strerror or exc}) — check the folder "
                         "can be written to and has space") from None
    finally:
        partial.unlink(missing_ok=True)
    return out
