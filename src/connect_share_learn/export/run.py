"""``csl export`` as a library call: read returned workbooks as ``csl analyse`` does, write the data.

Reading, the quality rules and the accounting are analyse's (:func:`analyse.run.read_all`
with the raw answers kept). The files are written into a temporary folder inside ``out``
and moved into place only when all of them are complete. Inputs are only ever read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn import __version__
from connect_share_learn.analyse.analysis import Accounting
from connect_share_learn.analyse.quality import QualityProblem
from connect_share_learn.analyse.returned import ReturnedWorkbook
from connect_share_learn.contract import TIME_POINT_SHEETS
from connect_share_learn.analyse.run import (
    analysis_date,
    find_files,
    read_all,
)
from connect_share_learn.errors import UsageError, WorkFailed
from connect_share_learn.export import FORMATS, tidy, writers
from connect_share_learn.export.pseudonyms import Pseudonyms
from connect_share_learn.files import check_out, staged
from connect_share_learn.spec.load import Toolkit

# The files each format adds; codebook.csv, README.txt and quality.csv come with every export.
FILES = {"csv": ("data.csv",), "r": ("data.csv", "read_data.R"), "spss": ("data.sav",), "stata": ("data.dta",)}
ALWAYS = ("codebook.csv", "README.txt", "quality.csv")
DESCRIPTIONS = {
    "data.csv": "the data table (one row per participant and time point), UTF-8 CSV",
    "read_data.R": "an R script that reads data.csv with the right types and labels",
    "data.sav": "the data table for SPSS, with variable labels, value labels and missing values",
    "data.dta": "the data table for Stata (version 15 format), with variable and value labels",
    "codebook.csv": "every column of the data table: label, type, allowed values, scale",
    "README.txt": "this file",
    "quality.csv": "every file not read and every row or answer left out, with the reason",
}


@dataclass
class Export:
    books: list[ReturnedWorkbook]
    table: tidy.TidyTable | None
    problems: list[QualityProblem]
    accounting: Accounting
    files_by_rule: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def output_names(formats: list[str]) -> list[str]:
    names: list[str] = []
    for f in formats:
        names += [n for n in FILES[f] if n not in names]
    return names + list(ALWAYS)


def read(toolkit: Toolkit, paths: list[Path], out: Path | None = None, workers: int = 2,
         progress: Callable[[int], None] | None = None,
         on_found: Callable[[int], None] | None = None, include_examples: bool = False) -> tuple[list[ReturnedWorkbook], Accounting, list[QualityProblem], dict[str, int]]:
    """Every file under ``paths`` read with its raw answers, analyse's accounting and quality problems."""
    files = find_files(paths, exclude=out)
    if on_found:
        on_found(len(files))
    books, _ = read_all(toolkit, files, workers, progress, keep_answers=True, include_examples=include_examples)
    readable = [b for b in books if not b.refused]
    acc = Accounting(files_found=len(books), files_read=len(readable), files_refused=len(books) - len(readable),
                     rows_typed=sum(len(b.responses) for b in readable),
                     rows_used=sum(b.rows_used for b in readable),
                     rows_left_out=sum(b.rows_left_out for b in readable))
    order = {b.file: i for i, b in enumerate(books)}
    sheets = {name: i for i, name in enumerate(["", "Start here", *TIME_POINT_SHEETS.values()])}
    problems = sorted((p for b in books for p in b.problems),
                      key=lambda p: (order.get(p.file, len(order)), sheets.get(p.sheet, len(sheets)), p.row or 0))
    by_rule: dict[str, int] = {}
    for b in books:
        if b.refused:
            by_rule[b.problems[0].rule] = by_rule.get(b.problems[0].rule, 0) + 1
    return books, acc, problems, by_rule


def export(toolkit: Toolkit, paths: list[Path], out: Path, formats: list[str], *, keep_codes: bool = False,
           include_text: bool = False, workers: int = 2, progress: Callable[[int], None] | None = None,
           on_found: Callable[[int], None] | None = None, today: dt.date | None = None, force: bool = False,
           include_examples: bool = False) -> Export:
    """Read, build the table and write every file of ``formats`` into ``out`` (all or nothing).

    When no file could be read only quality.csv is written (and the result has no table).
    A file of ``out`` is replaced only if an earlier export wrote it and it is unchanged since
    (``MANIFEST.json`` records them), unless ``force``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(map(repr, unknown))}: choose from {', '.join(FORMATS)}")
    check_out(paths, out, output_names(formats), "csl export", force)
    clock = time.perf_counter()
    books, acc, problems, by_rule = read(toolkit, paths, out, workers, progress, on_found, include_examples)
    result = Export(books, None, problems, acc, by_rule)
    result.seconds["read"] = time.perf_counter() - clock
    if acc.files_found == 0:
        raise WorkFailed("no workbooks were found in " + ", ".join(map(str, paths))
                         + " — give .xlsx files or folders holding them")
    if acc.files_read:
        result.table = tidy.build(toolkit, books, None if keep_codes else Pseudonyms(), include_text)
    result.seconds["table"] = time.perf_counter() - clock - result.seconds["read"]
    result.written = _write(result, out, formats, keep_codes, include_text, today or analysis_date(), force,
                            workers)
    result.seconds["write"] = time.perf_counter() - clock - result.seconds["read"] - result.seconds["table"]
    return result


def _write(result: Export, out: Path, formats: list[str], keep_codes: bool, include_text: bool,
           today: dt.date, force: bool, workers: int = 2) -> list[Path]:
    from connect_share_learn.analyse import quality

    names = output_names(formats) if result.table is not None else ["quality.csv"]
    with staged(out, "export", ".csl-export-") as stage:
        scratch = stage.folder
        try:
            (scratch / "quality.csv").write_bytes(quality.to_csv(result.problems))
            table = result.table
            if table is not None:
                label = f"connect-share-learn {__version__} export, {today.isoformat()}"
                prepared = []  # the SPSS and Stata files, written by pyreadstat beside the others
                if "data.sav" in names:
                    prepared.append((scratch / "data.sav", *writers.sav_arguments(table, label)))
                if "data.dta" in names:
                    prepared.append((scratch / "data.dta", *writers.dta_arguments(table, label)))
                with _side_by_side(prepared, workers) as waiting:
                    if "data.csv" in names:
                        writers.write_csv(table, scratch / "data.csv")
                    if "read_data.R" in names:
                        writers.write_r(table, scratch / "read_data.R", "data.csv")
                    writers.write_codebook(table, scratch / "codebook.csv")
                    writers.write_readme(scratch / "README.txt", version=__version__, date=today.isoformat(),
                                         files=[(n, DESCRIPTIONS[n]) for n in names], accounting=result.accounting,
                                         keep_codes=keep_codes, include_text=include_text)
                    waiting()
        except Exception as exc:
            if not type(exc).__module__.startswith("pyreadstat"):
                raise
            # pyreadstat reports a full disk or an unwritable file as its own error, not OSError.
            raise WorkFailed(f"{out}: the SPSS or Stata file could not be written ({exc}) — check the folder "
                             "can be written to and has space") from None
        record = check_out([], out, names, "csl export", force)  # again: the folder may have changed meanwhile
        written = stage.publish(names)
        record.record(names)
        return written


_prepared: list | None = None


def _write_prepared_in_fork(index: int) -> None:
    writers.write_prepared(*_prepared[index])


@contextlib.contextmanager
def _side_by_side(prepared: list, workers: int):
    """Write the prepared SPSS and Stata files in forked processes while the block writes the
    rest; the block calls what it is given to wait for them (and raise what they raised).
    With one worker, or where processes cannot be forked, they are written then, in turn."""
    global _prepared
    if workers < 2 or not prepared or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: [writers.write_prepared(*job) for job in prepared]
        return
    _prepared = prepared
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(prepared)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_write_prepared_in_fork, i) for i in range(len(prepared))]
            yield lambda: [f.result() for f in futures]
    finally:
        _prepared = None
