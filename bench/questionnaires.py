"""Benchmark: writing every default questionnaire, standard and large print.

    .venv/bin/python bench/questionnaires.py [--runs 7] [--out folder]

Each run is a fresh process (as `csl build` is), so nothing cached by an earlier run helps
a later one. Inside it, only the writing is timed, in CPU seconds (steadier than wall time on
a shared machine) and wall seconds; loading the toolkit and importing are left out. Prints
the minimum and the median over the runs. With --out, the last run's files are kept there,
to compare two versions of the code byte for byte.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = """
import json, sys, time
from pathlib import Path
from connect_share_learn.pack import BuildOptions
from connect_share_learn.questionnaires import load_wording, output_name, write_questionnaire
from connect_share_learn.spec.load import load_toolkit

toolkit = load_toolkit()
out, created = Path(sys.argv[1]), BuildOptions().created
timings = {}
for large in (False, True):
    wall, cpu, count = time.perf_counter(), time.process_time(), 0
    wording = load_wording(toolkit.settings.language)
    for course in toolkit.courses.values():
        (out / course.id).mkdir(parents=True, exist_ok=True)
        for tp in course.tp_ids:
            write_questionnaire(toolkit, course, tp, out / course.id / output_name(tp, large), created, large, wording)
            count += 1
    timings["large print" if large else "standard"] = (time.process_time() - cpu, time.perf_counter() - wall, count)
print(json.dumps(timings))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, help="keep the last run's questionnaires in this folder")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="csl-bench-") as scratch:
        for _ in range(args.runs):
            out = args.out or Path(scratch)
            done = subprocess.run([sys.executable, "-c", RUN, str(out)], capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"writing the questionnaires failed:\n{done.stderr}")
            runs.append(json.loads(done.stdout))
    for edition in runs[0]:
        cpu = [r[edition][0] for r in runs]
        wall = [r[edition][1] for r in runs]
        print(f"{runs[0][edition][2]} questionnaires, {edition}: CPU min {min(cpu):.2f} s, median "
              f"{statistics.median(cpu):.2f} s; wall min {min(wall):.2f} s, median {statistics.median(wall):.2f} s "
              f"({args.runs} runs)")


if __name__ == "__main__":
    main()
