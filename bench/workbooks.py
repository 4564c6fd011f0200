"""Benchmark: generating the data-entry workbooks and recalculating them in LibreOffice.

Run: .venv/bin/python bench/workbooks.py   (prints a table; takes about three minutes)

Targets (issue 3): all default workbooks at capacity 500 under 2 s as a whole process; one
workbook at capacity 5,000 under 5 s; LibreOffice recalculation of a workbook filled with
5,000 participants at every time point under 30 s.

LibreOffice is timed two ways, each one headless start with a fresh profile that
recalculates every formula on load: "open and recalculate" converts to CSV (load, full
recalculation, and writing the first sheet, which is cheap); "and save as xlsx" converts to
xlsx, as a user saving the file would. Wall time and the CPU time of LibreOffice are both
shown: CPU time hardly depends on other work running on the machine.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

ALL_AT_500 = """
import sys
from pathlib import Path
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.workbook.build import write_workbook
tk = load_toolkit()
for c in tk.courses.values():
    write_workbook(tk, c, Path(sys.argv[1]) / f"{c.id}.xlsx", capacity=int(sys.argv[2]), **({} if len(sys.argv) < 4 else {}))
"""

ONE = """
import sys
from pathlib import Path
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.workbook.build import write_workbook
tk = load_toolkit()
write_workbook(tk, tk.courses[sys.argv[3]], Path(sys.argv[1]) / "one.xlsx", capacity=int(sys.argv[2]))
"""


def timed(args) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True)
    return time.perf_counter() - started


def best_of(n, args) -> float:
    return min(timed(args) for _ in range(n))


def main() -> None:
    from connect_share_learn import office
    from connect_share_learn.spec.load import load_toolkit
    from connect_share_learn.workbook.build import write_workbook
    from filling import course_rows

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t_all = best_of(3, [sys.executable, "-c", ALL_AT_500, str(out), "500"])
        sizes = {p.name: p.stat().st_size for p in out.glob("*.xlsx")}
        print(f"all {len(sizes)} default workbooks, capacity 500, whole process: {t_all:.2f} s")
        for name, size in sorted(sizes.items()):
            print(f"  {name}: {size / 1e6:.2f} MB")
        for course in ("foundation", "domestic_abuse"):
            t_one = best_of(3, [sys.executable, "-c", ONE, str(out), "5000", course])
            print(f"one workbook ({course}), capacity 5,000, whole process: {t_one:.2f} s, "
                  f"{(out / 'one.xlsx').stat().st_size / 1e6:.2f} MB")

        if office.soffice() is None:
            print("LibreOffice is not installed: recalculation not measured")
            return
        tk = load_toolkit()
        course = tk.courses["domestic_abuse"]
        for n in (500, 5000):
            rows = course_rows(tk, course, n, seed=1, keep=1.0, duplicates=0)
            rows = {tp: r[:n] for tp, r in rows.items()}
            path = out / f"filled{n}.xlsx"
            write_workbook(tk, course, path, capacity=n, rows=rows)
            for to, what in (("csv", "open and recalculate"), ("xlsx", "open, recalculate and save as xlsx")):
                wall, cpu = libreoffice(office, path, out / f"{to}{n}", to)
                print(f"LibreOffice, domestic_abuse with {n} participants at all 4 time points, {what}: "
                      f"{wall:.1f} s (CPU {cpu:.1f} s; file {path.stat().st_size / 1e6:.2f} MB)")


def libreoffice(office, path: Path, folder: Path, to: str) -> tuple[float, float]:
    """Wall and CPU seconds of one headless conversion of ``path``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    office.convert([path], folder, to=to)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


if __name__ == "__main__":
    main()
