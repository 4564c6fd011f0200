"""Benchmark: generating the data-entry workbooks and recalculating them in LibreOffice and Gnumeric.

Run: .venv/bin/python bench/workbooks.py [--engines-only]   (prints a table; takes a few minutes)

Targets (issues 3 and 12): all default workbooks at capacity 500 under 2 s as a whole
process; one workbook at capacity 5,000 under 5 s; LibreOffice recalculation of a workbook
filled with 5,000 participants at every time point under 30 s (aim: 10 s); Gnumeric's is
reported beside it.

LibreOffice is timed two ways, each one headless start with a fresh profile that
recalculates every formula on load: "open and recalculate" converts to CSV (load, full
recalculation, and writing the first sheet, which is cheap); "and save as xlsx" converts to
xlsx, as a user saving the file would. Wall time and the CPU time of LibreOffice are both
shown: CPU time hardly depends on other work running on the machine. Gnumeric is timed as
``ssconvert --recalc``, to CSV and to xlsx.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if "--engines-only" not in sys.argv:
            generation(out)
        recalculation(out)


def generation(out: Path) -> None:
    t_all = best_of(3, [sys.executable, "-c", ALL_AT_500, str(out), "500"])
    sizes = {p.name: p.stat().st_size for p in out.glob("*.xlsx")}
    print(f"all {len(sizes)} default workbooks, capacity 500, whole process: {t_all:.2f} s")
    for name, size in sorted(sizes.items()):
        print(f"  {name}: {size / 1e6:.2f} MB")
    for course in ("foundation", "domestic_abuse"):
        t_one = best_of(3, [sys.executable, "-c", ONE, str(out), "5000", course])
        print(f"one workbook ({course}), capacity 5,000, whole process: {t_one:.2f} s, "
              f"{(out / 'one.xlsx').stat().st_size / 1e6:.2f} MB")


def recalculation(out: Path) -> None:
    from connect_share_learn import office
    from connect_share_learn.spec.load import load_toolkit
    from connect_share_learn.workbook.build import write_workbook
    from connect_share_learn.testing import course_rows

    engines = {"LibreOffice": office.soffice() is not None, "Gnumeric": shutil.which("ssconvert") is not None}
    for engine, present in engines.items():
        if not present:
            print(f"{engine} is not installed: its recalculation is not measured")
    tk = load_toolkit()
    course = tk.courses["domestic_abuse"]
    for n in (500, 5000):
        rows = course_rows(tk, course, n, seed=1, keep=1.0, duplicates=0)
        rows = {tp: r[:n] for tp, r in rows.items()}
        path = out / f"filled{n}.xlsx"
        write_workbook(tk, course, path, capacity=n, rows=rows)
        for engine, convert in (("LibreOffice", libreoffice), ("Gnumeric", gnumeric)):
            if not engines[engine]:
                continue
            for to, what in (("csv", "open and recalculate"), ("xlsx", "open, recalculate and save as xlsx")):
                wall, cpu = timed_children(lambda: convert(path, out / f"{engine}{to}{n}", to))
                print(f"{engine}, domestic_abuse with {n} participants at all 4 time points, {what}: "
                      f"{wall:.1f} s (CPU {cpu:.1f} s; file {path.stat().st_size / 1e6:.2f} MB)")


def libreoffice(path: Path, folder: Path, to: str) -> None:
    from connect_share_learn import office

    office.convert([path], folder, to=to)


def gnumeric(path: Path, folder: Path, to: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}.{to}"
    subprocess.run(["ssconvert", "--recalc", str(path), str(target)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    assert target.stat().st_size > 0


def timed_children(work) -> tuple[float, float]:
    """Wall and CPU seconds (of the child processes) of ``work()``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


if __name__ == "__main__":
    main()
