"""Reading returned workbooks against a reference: python-calamine (Rust) reading the same sheets.

    pip install --target /tmp/calamine python-calamine     # a reference only, not a dependency
    PYTHONPATH=/tmp/calamine .venv/bin/python bench/read_reference.py --real --files 1000

Uses bench/analyse.py's workbooks (--real, --capacity, --cache as there). For the first N
files, with --workers processes, it times:

- calamine: every sheet the reader reads (the data-entry sheets and "Start here"), each
  read whole into Python values (``to_python``);
- cells: ``read.ooxml`` opening each package (guarded: zip checks, names, properties) and
  reading the same sheets' wanted cells (the block, the rows under it, the course details);
- read: ``csl analyse``'s whole reading step per file (cells, scores, quality checks, the
  course's own results), as analyse's workers do it.

Each line gives wall time and CPU time (this process and its workers; CPU does not depend on
other load on the machine), the minimum and median of --repeats runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from analyse import _cpu_seconds, ready_workbooks, workbook_arguments  # noqa: E402

from connect_share_learn.contract import TIME_POINT_SHEETS  # noqa: E402
from connect_share_learn.spec.load import load_toolkit  # noqa: E402

SHEETS = ["Start here", *TIME_POINT_SHEETS.values()]


def _calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in book.sheet_names:
        if name in SHEETS:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return cells


def _cells(path: Path) -> int:
    from connect_share_learn.analyse.returned import BELOW_BLOCK_ROWS, DETAILS
    from connect_share_learn.read import ooxml

    with ooxml.open_package(path) as package:
        areas: dict[str, list] = {}
        for tp in ("t0", "t1", "t2", "t3"):
            formula = package.names.get(f"{tp}_data")
            if formula:
                a = ooxml.parse_area(formula)
                areas.setdefault(a.sheet, []).append(ooxml.Area(a.sheet, a.top - 1, a.left, a.bottom + BELOW_BLOCK_ROWS,
                                                                a.right))
        for name in DETAILS:
            formula = package.names.get(f"course_{name}")
            if formula:
                a = ooxml.parse_area(formula)
                areas.setdefault(a.sheet, []).append(a)
        cells = 0
        for sheet, wanted in areas.items():
            package.dimension(sheet)
            cells += len(package.read_cells(sheet, wanted))
        return cells


_toolkit = None


def _read(path: Path) -> int:
    from connect_share_learn.analyse.run import _read_one
    from connect_share_learn.analyse.returned import file_sha256

    global _toolkit
    if _toolkit is None:
        _toolkit = load_toolkit()
    book, _own = _read_one(_toolkit, path, str(path), file_sha256(path))
    return len(book.responses)


def timed(function, files: list[Path], workers: int) -> tuple[float, float]:
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(function, files, chunksize=16))
    return time.perf_counter() - started, _cpu_seconds() - cpu


def main() -> None:
    parser = workbook_arguments(__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    folder = ready_workbooks(args)
    import scipy.special  # noqa: F401  (as analyse does before its workers start)

    try:
        import python_calamine  # noqa: F401
        kinds = [("calamine", _calamine)]
    except ImportError:
        print("python-calamine is not installed: the reference is left out (see this script's help)")
        kinds = []
    kinds += [("cells", _cells), ("read", _read)]
    for count in args.files:
        files = [folder / f"course_{i:05d}.xlsx" for i in range(count)]
        for name, function in kinds:
            runs = [timed(function, files, args.workers) for _ in range(args.repeats)]
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"{count} files, {name:8s} wall min {min(walls):6.2f} median {statistics.median(walls):6.2f} s | "
                  f"CPU min {min(cpus):6.2f} median {statistics.median(cpus):6.2f} s", flush=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
