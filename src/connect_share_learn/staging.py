"""Writing a command's output files all or nothing.

Every file is written into a scratch folder inside the output folder, and moved into place
(a rename on the same file system) only when all were written; the scratch folder is
always removed. Files of the output folder that the command does not write are left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from connect_share_learn.errors import WorkFailed


class Staged:
    """The scratch folder of :func:`staged`: write into ``folder``, then :meth:`publish`."""

    def __init__(self, out: Path, folder: Path):
        self.out = out
        self.folder = folder

    def publish(self, names: list[str] | tuple[str, ...]) -> list[Path]:
        """Move the files ``names`` of the scratch folder into the output folder."""
        written = []
        for name in names:
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
