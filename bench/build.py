"""Benchmark of `csl build`: the full default pack, as a whole process, as a user runs it.

    .venv/bin/python bench/build.py [--runs 7]

Each run is a fresh `csl build --out <new folder>` process. Printed: wall seconds and CPU
seconds (the process and its workers; CPU hardly depends on other load on the machine), min
and median over the runs, beside the import floor: a process that only imports what the
build needs (the same interpreter start-up and libraries, no work). Target (issue 17): under
2 s wall, under 1.5 s CPU beyond the floor.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORTS = ("import connect_share_learn.cli, connect_share_learn.pack, connect_share_learn.questionnaires, "
           "connect_share_learn.workbook.build, connect_share_learn.letters, connect_share_learn.guide, "
           "connect_share_learn.xlsform, connect_share_learn.codebook, scipy.special")
BUILD = "import sys; from connect_share_learn.cli import cli; cli(sys.argv[1:], prog_name='csl')"


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of running ``args`` (its children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def report(what: str, runs: list[tuple[float, float]]) -> None:
    wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
    print(f"{what}: wall min {min(wall):.2f} s, median {statistics.median(wall):.2f} s; "
          f"CPU min {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    floor = [timed([sys.executable, "-c", IMPORTS]) for _ in range(args.runs)]
    builds = []
    with tempfile.TemporaryDirectory(prefix="csl-bench-build-") as scratch:
        for i in range(args.runs):
            builds.append(timed([sys.executable, "-c", BUILD, "build", "--out", str(Path(scratch) / str(i))]))
    report("import floor", floor)
    report("csl build, full default pack", builds)
    beyond = [b[1] - statistics.median(r[1] for r in floor) for b in builds]
    print(f"CPU beyond the import floor: min {min(beyond):.2f} s, median {statistics.median(beyond):.2f} s")


if __name__ == "__main__":
    main()
