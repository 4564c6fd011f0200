"""Driving LibreOffice headless: converting documents and recalculating workbooks.

soffice's exit code cannot be trusted (it returns 0 having written nothing for a missing or
corrupt input), so every conversion writes into a fresh folder and each expected output is
checked to exist and be non-empty. Each call uses a throw-away profile that tells Calc to
recalculate xlsx formulas on load; the first start of a fresh profile sometimes exits
without converting, so a failed conversion is retried once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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


def convert(inputs: list[Path], out_dir: Path, to: str = "pdf", timeout: float = 600) -> list[Path]:
    """Convert ``inputs`` with one LibreOffice start; return the outputs, in input order.

    ``to`` is a LibreOffice ``--convert-to`` target such as ``pdf``, ``xlsx`` or
    :data:`PDF_FILTER_ONE_PAGE_PER_SHEET`. Workbooks are recalculated on load. Raises
    :class:`WorkFailed` naming every input that produced no output.
    """
    program = soffice()
    if program is None:
        raise WorkFailed(f"LibreOffice is needed for this but is not installed: {INSTALL_HINT}")
    if not inputs:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = to.split(":", 1)[0]
    expected = [out_dir / f"{p.stem}.{suffix}" for p in inputs]
    with tempfile.TemporaryDirectory(prefix="csl-office-") as scratch:
        scratch_dir = Path(scratch)
        staging = scratch_dir / "out"
        for attempt in range(2):
            profile = scratch_dir / f"profile{attempt}"
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
            env = dict(os.environ, HOME=str(scratch_dir), XDG_CACHE_HOME=str(scratch_dir / "cache"),
                       XDG_CONFIG_HOME=str(scratch_dir / "config"))
            missing = [p for p, e in zip(inputs, expected) if not (staging / e.name).exists()]
            if not missing:
                break
            try:
                subprocess.run([program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                                "--nolockcheck", "--convert-to", to, "--outdir", str(staging),
                                *[str(p.resolve()) for p in missing]],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise WorkFailed(f"LibreOffice took more than {timeout:.0f} s converting {len(missing)} file(s) "
                                 "and was stopped") from exc
        failed = [p for p, e in zip(inputs, expected)
                  if not (staging / e.name).exists() or (staging / e.name).stat().st_size == 0]
        if failed:
            raise WorkFailed("LibreOffice could not convert " + ", ".join(str(p) for p in failed)
                             + ": check that each file opens in LibreOffice")
        for e in expected:
            shutil.move(str(staging / e.name), e)
    return expected
