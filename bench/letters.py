"""Benchmark: `csl letters` merging 500 participants, timed as a whole process.

    .venv/bin/python bench/letters.py [--people 500] [--letter invitation] [--runs 3]

The target (issue 4) is under 10 s for 500 participants, start-up included. Names mix
accents, Welsh letters, XML specials and non-Latin scripts, as real lists do.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Ann", "Siân", "Ŵyn", "Ŷvonne", "José", "Zoë", "李", "Александра", "محمد", "O'Neil", "Bo & Co", "<Kim>"]
LAST = ["Lee", "Ap Rhys", "O'Brien-Ŵyn", "Smith", "Nguyễn", "小龍", "Смирнова", "علي", "Brontë", "\"Ed\" Jones"]

COMMAND = ("import sys; from connect_share_learn.letters_cli import letters_command; "
           "letters_command.main(sys.argv[1:], prog_name='csl letters')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--letter", default="invitation")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csl-bench-") as scratch:
        folder = Path(scratch)
        source = folder / "participants.csv"
        with source.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["First name", "Last name", "Email"])
            for i in range(args.people):
                writer.writerow([FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]} {i}", f"p{i}@example.org"])
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", COMMAND, args.letter, "--participants", str(source),
                                   "--out", str(folder / "out")], capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            if done.returncode != 0:
                sys.exit(f"csl letters failed:\n{done.stdout}{done.stderr}")
        written = len(list((folder / "out" / args.letter).glob("*.docx")))
        combined = folder / "out" / args.letter / f"all-{args.letter}.docx"
        print(f"{args.people} participants, letter '{args.letter}': {written} .docx files "
              f"(combined {combined.stat().st_size / 1e6:.1f} MB)")
        print(f"whole process: median {statistics.median(times):.2f} s, best {min(times):.2f} s, "
              f"worst {max(times):.2f} s over {args.runs} runs (target: under 10 s)")


if __name__ == "__main__":
    main()
