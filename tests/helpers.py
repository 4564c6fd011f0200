"""What several test modules share that is not a fixture (fixtures are in conftest.py; rows to
type into workbooks and made-up returned workbooks in :mod:`connect_share_learn.testing`, which
bench/ uses too; recalculating workbooks in recalc.py).

- the outside programs some tests need, and the one rule for when they are missing;
- what is made once per test run and shared by pytest-xdist's workers, and workbooks read once;
- a small specification file, and the errors ``csl validate`` prints for a project;
- hypothesis strategies for the rows typed into a workbook.
"""

from __future__ import annotations

import functools
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import strategies as st

from connect_share_learn import office
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.spec.model import Course
from connect_share_learn.spec.toolkit import Toolkit
from connect_share_learn.testing import course_rows

try:
    import fcntl
except ImportError:  # Windows: each test process makes its own
    fcntl = None

# ---------------------------------------------------------------------------------------------
# Outside programs: LibreOffice and Gnumeric recalculate and render, Chromium shows the guide

# Each engine: where to find it, and the Debian package that installs it.
ENGINES = {
    "libreoffice": (office.soffice, "libreoffice-calc-nogui libreoffice-writer-nogui"),
    "gnumeric": (lambda: shutil.which("ssconvert"), "gnumeric"),
    "chromium": (lambda: shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome"),
                 "chromium"),
}


def engines_required() -> bool:
    """CI sets CSL_REQUIRE_ENGINES=1: there a missing engine fails a test instead of skipping it."""
    return os.environ.get("CSL_REQUIRE_ENGINES") == "1"


def needs(engine: str) -> str:
    """The program of ``engine`` ("libreoffice", "gnumeric", "chromium"). When it is missing the
    test is skipped with what to install, or fails if engines are required.

    A test marked ``@pytest.mark.libreoffice`` (or ``gnumeric``, ``chromium``) calls this before it runs.
    """
    find, package = ENGINES[engine]
    program = find()
    if program is None:
        if engines_required():
            pytest.fail(f"CSL_REQUIRE_ENGINES=1 but {engine} is not installed (Debian: {package})")
        pytest.skip(f"{engine} is not installed: install {package} to run this test")
    return program


# ---------------------------------------------------------------------------------------------
# Made once per test run (or read once per test process)

T = TypeVar("T")


def once_per_run(tmp_path_factory, name: str, make: Callable[[Path], T]) -> T:
    """``make(folder)`` done once per test run, by whichever pytest-xdist worker asks first; the
    others wait for it and share its result (which must pickle, and must not be written into)."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or fcntl is None:
        return make(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent  # the folder every worker's temporary folder is in
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = root / f"{name}.pickle"
        if done.exists():
            return pickle.loads(done.read_bytes())
        result = make(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)))
        done.write_bytes(pickle.dumps(result))
        return result


def opened(path: Path, data_only: bool = False):
    """``openpyxl.load_workbook(path, data_only=…)``, loaded once per test process however many
    tests read the same file (a full load of a generated workbook costs about half a second), and
    again only when the file changes. Shared: read it, never change it (not even by reading a
    cell outside the sheet, which adds the cell)."""
    stat = path.stat()
    return _opened(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size, data_only)


@functools.lru_cache(maxsize=8)
def _opened(path: str, _mtime: int, _size: int, data_only: bool):
    import openpyxl

    return openpyxl.load_workbook(path, data_only=data_only)


# ---------------------------------------------------------------------------------------------
# Specification files


@functools.cache
def default_toolkit() -> Toolkit:
    """The default toolkit, loaded once per test process (a Toolkit is immutable)."""
    return load_toolkit()


# A good scale file, for a project to change one thing in.
SCALE = """\
    id: my_scale
    title: My scale
    construct: Something we measure
    level: 2a
    instructions: Tick one box.
    format: agree5
    scoring: mean
    min_answered: 2
    provenance: {author: us, original: false}
    items:
      - {id: ms_a, text: First statement., reverse: true}
      - {id: ms_b, text: Second statement.}
      - {id: ms_c, text: Third statement.}
"""


def problems(run, root, *paths) -> list[str]:
    """Every error line ``csl validate`` prints for ``paths``, the test's folder left out."""
    result = run("validate", *paths)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return [line.replace(f"{root}/", "") for line in result.stderr.splitlines() if line.startswith("error:")]


# ---------------------------------------------------------------------------------------------
# Generated data


@st.composite
def datasets(draw, toolkit: Toolkit, course: Course, max_n: int = 25):
    """Rows for a course's workbook (:func:`course_rows`) of every size and kind of mess."""
    n = draw(st.integers(0, max_n))
    seed = draw(st.integers(0, 2**31))
    return course_rows(toolkit, course, n, seed,
                       bad_rate=draw(st.sampled_from([0.0, 0.05, 0.2])),
                       blank_rate=draw(st.sampled_from([0.0, 0.1, 0.4])),
                       keep=draw(st.sampled_from([1.0, 0.8, 0.5])),
                       duplicates=draw(st.integers(0, 2)),
                       constant=draw(st.booleans()))
