"""Driving LibreOffice headless: converting documents and recalculating workbooks.

soffice's exit code cannot be trusted: it returns 0 having written nothing for a missing or
corrupt input, and one process silently stops after about 245 documents (measured with
LibreOffice 7.4). So documents are converted in batches of :data:`BATCH_SIZE`, each by a
fresh process with a throw-away profile (which also tells Calc to recalculate xlsx formulas
on load), every expected output is checked to exist and be non-empty, and what a process
left unconverted is given to the next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connect_share_learn.errors import WorkFailed

INSTALL_HINT = ("install LibreOffice (on Debian or Ubuntu: sudo apt-get install libreoffice-calc-nogui "
                "libreoffice-writer-nogui; on Windows or macOS: from libreoffice.org) and try again")

_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

# Measured on 500 letters: a start costs about 1 s and a letter 0.09 s at any batch size from
# 50 to 200, and a process stops after about 245 documents; 100 keeps well clear of that.
BATCH_SIZE = 100

PDF_FILTER_ONE_PAGE_PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def soffice() -> str | None:
    """The path of LibreOffice's soffice, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe"):
        if Path(candidate).exists():
            return candidate
    return None


@dataclass
class Conversion:
    """What :func:`convert_batches` made: an output per input (None where none was made)."""

    inputs: list[Path]
    outputs: list[Path | None]
    processes: int = 0
    timed_out: bool = False

    @property
    def missing(self) -> list[Path]:
        return [i for i, o in zip(self.inputs, self.outputs) if o is None]


def convert(inputs: list[Path], out_dir: Path, to: str = "pdf", timeout: float = 600) -> list[Path]:
    """Convert ``inputs`` with LibreOffice; return the outputs, in input order.

    ``to`` is a LibreOffice ``--convert-to`` target such as ``pdf``, ``xlsx`` or
    :data:`PDF_FILTER_ONE_PAGE_PER_SHEET`. Workbooks are recalculated on load. Raises
    :class:`WorkFailed` naming every input that produced no output.
    """
    done = convert_batches(inputs, out_dir, to, timeout=timeout)
    if done.timed_out:
        raise WorkFailed(f"LibreOffice took more than {timeout:.0f} s converting a batch of files and was stopped")
    if done.missing:
        raise WorkFailed("LibreOffice could not convert " + ", ".join(str(p) for p in done.missing)
                         + ": check that each file opens in LibreOffice")
    return done.outputs  # type: ignore[return-value]


def convert_batches(inputs: list[Path], out_dir: Path, to: str = "pdf", batch_size: int = BATCH_SIZE,
                    timeout: float = 600, progress: Callable[[int], None] | None = None) -> Conversion:
    """Convert ``inputs`` into ``out_dir``, ``batch_size`` at a time, each batch by a fresh LibreOffice.

    Every output is checked; the files a process left unconverted go to the next one, as long
    as processes make progress. A batch in which nothing was converted is tried once more,
    then its first file (LibreOffice converts in order) is given up; a third start in a row
    that converts nothing gives up the rest. ``progress`` is called with the number of
    files each process converted. Never raises for a file that was not converted: see
    :attr:`Conversion.missing`.
    """
    program = soffice()
    if program is None:
        raise WorkFailed(f"LibreOffice is needed for this but is not installed: {INSTALL_HINT}")
    done = Conversion(list(inputs), [None] * len(inputs))
    if not inputs:
        return done
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = to.split(":", 1)[0]
    pending = list(range(len(inputs)))
    fruitless = 0  # starts in a row that converted nothing
    with tempfile.TemporaryDirectory(prefix="csl-office-") as scratch:
        scratch_dir = Path(scratch)
        while pending:
            batch, pending = pending[:batch_size], pending[batch_size:]
            staging = scratch_dir / f"out{done.processes}"
            try:
                _run(program, [inputs[i] for i in batch], staging, to, scratch_dir / f"profile{done.processes}", timeout)
            except subprocess.TimeoutExpired:
                done.timed_out = True
            done.processes += 1
            converted = 0
            for i in batch:
                made = staging / f"{inputs[i].stem}.{suffix}"
                if made.is_file() and made.stat().st_size > 0:
                    target = out_dir / made.name
                    shutil.move(str(made), target)
                    done.outputs[i] = target
                    converted += 1
            if progress and converted:
                progress(converted)
            left = [i for i in batch if done.outputs[i] is None]
            if done.timed_out:
                break
            fruitless = 0 if converted else fruitless + 1
            if fruitless == 2:
                left = left[1:]
            elif fruitless == 3:
                break
            pending = left + pending
    return done


def _run(program: str, inputs: list[Path], out_dir: Path, to: str, profile: Path, timeout: float) -> None:
    """One LibreOffice start, with a throw-away profile that recalculates workbooks on load."""
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
    home = profile.parent
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"))
    subprocess.run([program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--nolockcheck", "--convert-to", to, "--outdir", str(out_dir), *[str(p.resolve()) for p in inputs]],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
