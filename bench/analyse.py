"""Benchmark of `csl analyse`: N returned workbooks of 25 participants at three time points.

    .venv/bin/python bench/analyse.py --files 1000            # the issue's target: < 30 s, < 1 GB
    .venv/bin/python bench/analyse.py --files 250 500 1000     # how time grows with the files
    .venv/bin/python bench/analyse.py --real --files 1000      # workbooks from the real generator

Without --real the workbooks are small contract workbooks (``connect_share_learn.testing``);
with --real, 100 are written by ``workbook.build.write_workbook`` (every formula column and
sheet) and each is copied as other courses: another creation date, and every participant
code changed the same way on every sheet (its letters and digits shifted). A copy is thus
neither an exact copy (refused unread) nor the same course returned twice (left out after
reading); its scores are those of its original.

Workbooks are made once (in parallel) into --cache and reused. Each run reads the first N
of them with ``--workers`` processes, pools them and writes every output; the figures are
wall time, CPU time (which does not depend on other load on the machine) and the peak
memory (PSS: shared pages counted once) of this process and its workers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import resource
import shutil
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.testing import contract_workbook, simulate

PARTNERSHIPS = ["Northshire", "Southshire", "Eastshire", "Westshire"]


def _make(args) -> None:
    index, folder, capacity = args
    toolkit = load_toolkit()
    course = toolkit.courses["foundation"]
    path = folder / f"course_{index:05d}.xlsx"
    if path.exists():
        return
    rows = simulate(toolkit, course, 25, seed=index, follow_up=1.0, end=1.0)
    start = dt.date(2024, 4, 1) + dt.timedelta(days=(index * 7) % 700)
    contract_workbook(path, toolkit, course, rows, capacity=capacity,
                      details={"partnership": PARTNERSHIPS[index % 4], "start_date": start, "attended": 27})


def _make_real(args) -> None:
    from connect_share_learn.workbook.build import write_workbook

    index, folder, capacity = args
    toolkit = load_toolkit()
    course = toolkit.courses["foundation"]
    path = folder / f"course_{index:05d}.xlsx"
    if not path.exists():
        rows = simulate(toolkit, course, 25, seed=index, follow_up=1.0, end=1.0)
        write_workbook(toolkit, course, path, capacity=capacity, rows=rows)


def _shift_code(code: bytes, k: int) -> bytes:
    """A participant code with its letters shifted by k (case kept) and digits by k // 26."""
    out = bytearray()
    for ch in code:
        if 65 <= ch <= 90 or 97 <= ch <= 122:
            base = 65 if ch <= 90 else 97
            out.append(base + (ch - base + k) % 26)
        else:
            out.append(48 + (ch - 48 + k // 26) % 10)
    return bytes(out)


_CODE_TEXT = re.compile(rb"<t>([A-Za-z]{2}[0-9]{2}[A-Za-z])</t>")


def _copy_as_another_course(source: Path, target: Path, copy: int, day: int) -> None:
    """``source`` with another creation date in docProps/core.xml and its participant codes (shared
    strings shaped like a code) shifted by ``copy``: the same answers, another course."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:created([^>]*)>[^<]*<", lambda m: m.group(0)[:-1].split(b">")[0] + b">"
                              + f"2026-02-{1 + day % 28:02d}T{day // 28 % 24:02d}:00:00Z".encode() + b"<", data)
            elif info.filename == "xl/sharedStrings.xml":
                data = _CODE_TEXT.sub(lambda m: b"<t>" + _shift_code(m.group(1), copy) + b"</t>", data)
            zout.writestr(info, data)


def make_real_workbooks(folder: Path, count: int, capacity: int, workers: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    unique = min(count, 100)
    missing = [(i, folder, capacity) for i in range(unique) if not (folder / f"course_{i:05d}.xlsx").exists()]
    started = time.perf_counter()
    if missing:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_make_real, missing, chunksize=4))
    marker = folder / "copies-shift-codes"  # copies made before codes were shifted are remade
    if not marker.exists():
        for old in folder.glob("course_*.xlsx"):
            if int(old.stem.split("_")[1]) >= unique:
                old.unlink()
        marker.touch()
    for i in range(unique, count):
        target = folder / f"course_{i:05d}.xlsx"
        if not target.exists():
            _copy_as_another_course(folder / f"course_{i % unique:05d}.xlsx", target, i // unique, i)
    print(f"real workbooks ready in {time.perf_counter() - started:.1f} s", flush=True)


def make_workbooks(folder: Path, count: int, capacity: int, workers: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    missing = [(i, folder, capacity) for i in range(count) if not (folder / f"course_{i:05d}.xlsx").exists()]
    if missing:
        started = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_make, missing, chunksize=16))
        print(f"made {len(missing)} workbooks in {time.perf_counter() - started:.1f} s", flush=True)


class PeakMemory:
    """The peak of the summed proportional set size (PSS) of this process and its children,
    sampled every 0.1 s from /proc (Linux): shared pages of forked workers count once."""

    def __init__(self):
        import os
        import threading

        self.peak = 0
        self.stop = threading.Event()
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _pids(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo += [int(x) for x in task.read_text().split()]
                except OSError:
                    pass
        return pids

    def _watch(self) -> None:
        while not self.stop.wait(0.1):
            total = 0
            for pid in self._pids():
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1])
                except (OSError, ValueError):
                    pass
            self.peak = max(self.peak, total)

    def close(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak / 1024


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: unlike wall time, it does not
    depend on what else the machine is doing (cpu_s / workers ≈ wall time on idle cores)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def first_workbooks(folder: Path, count: int, scratch: Path) -> Path:
    """A folder in ``scratch`` holding links to the first ``count`` workbooks of ``folder``."""
    subset = scratch / "in"
    subset.mkdir()
    for i in range(count):
        (subset / f"course_{i:05d}.xlsx").symlink_to(folder / f"course_{i:05d}.xlsx")
    return subset


def run(folder: Path, count: int, workers: int) -> dict:
    from connect_share_learn.analyse.run import analyse, write_outputs

    toolkit = load_toolkit()
    with tempfile.TemporaryDirectory() as scratch:
        subset = first_workbooks(folder, count, Path(scratch))
        memory = PeakMemory()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        analysis = analyse(toolkit, [subset], workers=workers)
        read = time.perf_counter() - started
        write_outputs(analysis, Path(scratch) / "out")
        total = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        peak = memory.close()
        sizes = {p.name: p.stat().st_size for p in (Path(scratch) / "out").iterdir()}
    acc = analysis.accounting
    steps = {k: round(v, 2) for k, v in analysis.seconds.items()}
    return dict(files=count, refused=acc.files_refused, participants=sum(1 for m in analysis.data.members if m.response.tp == "t1"),
                rows=acc.rows_used, **{f"{k}_s": v for k, v in steps.items()}, write_s=round(total - read, 2),
                total_s=round(total, 2), report_kb=sizes["report.html"] // 1024, results_kb=sizes["results.xlsx"] // 1024,
                cpu_s=round(cpu, 1), peak_pss_mb=round(peak))


def workbook_arguments(description: str) -> argparse.ArgumentParser:
    """The options of the benchmarks that read returned workbooks (this one and bench/export.py)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, nargs="+", default=[1000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--capacity", type=int, default=500, help="rows of each data-entry block")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "csl-bench-analyse")
    parser.add_argument("--clean", action="store_true", help="remake the workbooks")
    parser.add_argument("--real", action="store_true", help="workbooks from the real generator")
    return parser


def ready_workbooks(args) -> Path:
    """The cache folder holding (made now if missing) the workbooks the options ask for."""
    folder = args.cache / f"{'real' if args.real else 'contract'}-capacity{args.capacity}"
    if args.clean:
        shutil.rmtree(folder, ignore_errors=True)
    (make_real_workbooks if args.real else make_workbooks)(folder, max(args.files), args.capacity, args.workers)
    return folder


def main() -> None:
    args = workbook_arguments(__doc__).parse_args()
    folder = ready_workbooks(args)
    for count in args.files:
        figures = run(folder, count, args.workers)
        print(figures, flush=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: this process {own:.0f} MB, largest worker {children:.0f} MB "
          f"(workers={args.workers})")


if __name__ == "__main__":
    main()
