"""Benchmark of `csl export`: N returned workbooks of 25 participants, exported in every format.

    .venv/bin/python bench/export.py --files 1000          # the issue's target: 25,000 participants < 30 s
    .venv/bin/python bench/export.py --files 250 1000      # how time grows
    .venv/bin/python bench/export.py --real --files 1000   # workbooks from the real generator

The workbooks are bench/analyse.py's (made once into its --cache and shared with it). Each
run reads the first N with ``--workers`` processes and writes data.csv, read_data.R,
data.sav, data.dta, codebook.csv, README.txt and quality.csv; the figures are wall time
of each step, CPU time and peak memory (PSS of this process and its workers).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from analyse import PeakMemory, _cpu_seconds, first_workbooks, ready_workbooks, workbook_arguments

from connect_share_learn.spec.load import load_toolkit


def run(folder: Path, count: int, workers: int) -> dict:
    from connect_share_learn.export.run import FORMATS, export

    toolkit = load_toolkit()
    with tempfile.TemporaryDirectory() as scratch:
        subset = first_workbooks(folder, count, Path(scratch))
        memory = PeakMemory()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        result = export(toolkit, [subset], Path(scratch) / "out", list(FORMATS), workers=workers)
        total = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        peak = memory.close()
        sizes = {p.name: p.stat().st_size for p in result.written}
    acc = result.accounting
    table = result.table
    people = len({p for p in table.data["person"] if p}) if table else 0
    return dict(files=count, refused=acc.files_refused, participants=people, rows=acc.rows_used,
                columns=len(table.columns) if table else 0,
                **{f"{k}_s": round(v, 2) for k, v in result.seconds.items()}, total_s=round(total, 2),
                **{f"{name}_mb": round(size / 2**20, 1) for name, size in sizes.items() if name.startswith("data")},
                cpu_s=round(cpu, 1), peak_pss_mb=round(peak))


def main() -> None:
    args = workbook_arguments(__doc__).parse_args()
    folder = ready_workbooks(args)
    for count in args.files:
        print(run(folder, count, args.workers), flush=True)


if __name__ == "__main__":
    main()
