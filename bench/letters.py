"""Benchmark: `csl letters` merging 500 participants, timed as a whole process.

    .venv/bin/python bench/letters.py [--people 500] [--letter invitation] [--runs 3] [--pdf]

The target (issue 4) is under 10 s for 500 participants, start-up included. Names mix
accents, Welsh letters, XML specials and non-Latin scripts, as real lists do. With --pdf
every letter is also converted by LibreOffice (issue 13: one process stops after about 245
documents), and the LibreOffice processes started are counted through a wrapper put first
on PATH; each run starts from an empty folder, so every PDF is made.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from connect_share_learn import office

FIRST = ["Ann", "Siân", "Ŵyn", "Ŷvonne", "José", "Zoë", "李", "Александра", "محمد", "O'Neil", "Bo & Co", "<Kim>"]
LAST = ["Lee", "Ap Rhys", "O'Brien-Ŵyn", "Smith", "Nguyễn", "小龍", "Смирнова", "علي", "Brontë", "\"Ed\" Jones"]

COMMAND = ("import sys; from connect_share_learn.cli.letters import letters_command; "
           "letters_command.main(sys.argv[1:], prog_name='csl letters')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--letter", default="invitation")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also make a PDF of every letter")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csl-bench-") as scratch:
        folder = Path(scratch)
        source = folder / "participants.csv"
        with source.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["First name", "Last name", "Email"])
            for i in range(args.people):
                writer.writerow([FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]} {i}", f"p{i}@example.org"])
        env, starts = dict(os.environ), folder / "starts.log"
        if args.pdf:
            env["PATH"] = f"{counting_soffice(folder, starts)}{os.pathsep}{env['PATH']}"
        times, processes = [], []
        for _ in range(args.runs):
            shutil.rmtree(folder / "out", ignore_errors=True)
            starts.unlink(missing_ok=True)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", COMMAND, args.letter, "--participants", str(source),
                                   "--out", str(folder / "out"), *(["--pdf"] if args.pdf else [])],
                                  capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - started)
            if done.returncode != 0:
                sys.exit(f"csl letters failed:\n{done.stdout}{done.stderr}")
            processes.append(len(starts.read_text().splitlines()) if args.pdf else 0)
        letters = folder / "out" / args.letter / source.stem
        combined = letters / f"all-{args.letter}.docx"
        pdfs = f", {len(list(letters.glob('*.pdf')))} PDFs" if args.pdf else ""
        print(f"{args.people} participants, letter '{args.letter}': {len(list(letters.glob('*.docx')))} .docx files"
              f"{pdfs} (combined {combined.stat().st_size / 1e6:.1f} MB)")
        target = "" if args.pdf else " (target: under 10 s)"
        print(f"whole process: median {statistics.median(times):.2f} s, best {min(times):.2f} s, "
              f"worst {max(times):.2f} s over {args.runs} runs{target}")
        if args.pdf:
            print(f"LibreOffice processes started per run: {', '.join(map(str, processes))} "
                  f"(batches of {office.BATCH_SIZE})")


def counting_soffice(folder: Path, log: Path) -> Path:
    """A folder holding an ``soffice`` that logs each start and runs the real one."""
    real = office.soffice()
    if real is None:
        sys.exit(f"--pdf needs LibreOffice: {office.INSTALL_HINT}")
    wrapper = folder / "bin" / "soffice"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper.parent


if __name__ == "__main__":
    main()
