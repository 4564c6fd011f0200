"""``csl analyse`` as a library call: find the returned files, read them, pool, write the outputs.

Files are read in worker processes (each file is independent); everything else happens in
the calling process. The outputs are written into a temporary folder beside ``out`` and
moved into place only when all are complete. Inputs are only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable

from connect_share_learn import __version__
from connect_share_learn.analyse import disclosure
from connect_share_learn.analyse.analysis import Accounting, Analysis
from connect_share_learn.read import ooxml
from connect_share_learn.analyse.item_total import item_totals
from connect_share_learn.analyse.matching import baseline_by_follow_up, near_matches
from connect_share_learn.analyse.pooled import Group, GroupResult, PooledData, course_result
from connect_share_learn.analyse.pooled_columns import PooledColumns
from connect_share_learn.analyse.quality import QualityProblem
from connect_share_learn.analyse.returned import ReturnedWorkbook, file_sha256, read_returned, refused_unread
from connect_share_learn.contract import TIME_POINT_SHEETS
from connect_share_learn.errors import UsageError
from connect_share_learn.files import check_out, staged
from connect_share_learn.spec.load import Toolkit

OUTPUTS = ("report.html", "results.xlsx", "quality.csv", "benchmarks.yaml")
# Below this many files a process pool costs more than it saves.
POOL_FROM = 8


# ---------------------------------------------------------------------------------------------
# Finding files


def find_files(paths: list[Path], exclude: Path | None = None) -> list[tuple[Path, str]]:
    """(path, name shown in outputs) of every file given or found in the folders given, in order:
    each is read or listed with the reason, whatever its name."""
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None
    for given in paths:
        if not given.exists():
            raise UsageError(f"{given}: no such file or folder — check the path")
        if given.is_dir():
            candidates = sorted(_files_in(given), key=lambda p: str(p.relative_to(given)).casefold())
        else:
            candidates = [given]
        for p in candidates:
            resolved = p.resolve()
            if resolved in seen or (given.is_dir() and skip is not None and (skip == resolved or skip in resolved.parents)):
                continue
            seen.add(resolved)
            found.append((p, str(p)))
    return found


def _files_in(folder: Path) -> list[Path]:
    """Every file under ``folder``. A hidden sub-folder (a program's own, such as .git), a link
    to a folder and a sub-folder that cannot be listed are returned themselves, unsearched, so
    that each is reported rather than skipped."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=lambda e: out.append(Path(e.filename))):
        searched = []
        for d in sorted(dirs):
            path = Path(root) / d
            if d.startswith(".") or path.is_symlink():
                out.append(path)
            else:
                searched.append(d)
        dirs[:] = searched
        out += [Path(root) / f for f in files]
    return out


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while the block runs, as it was afterwards.

    Reading and pooling keep millions of small objects alive (every response with its
    scores); each full collection walks all of them, over and over as they grow — 23 s of
    46 s in this process at 4,000 files. Nothing here makes reference cycles in bulk, so
    reference counting frees what is dropped all the same.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------
# Reading in parallel

_worker_toolkit: Toolkit | None = None


def _init_worker(toolkit: Toolkit) -> None:
    global _worker_toolkit
    _worker_toolkit = toolkit
    gc.enable()  # off in the parent while it reads; a worker holds one file at a time


def _read_in_worker(job: tuple) -> tuple[ReturnedWorkbook, GroupResult | None]:
    return _read_one(_worker_toolkit, *job)


def _read_one(toolkit: Toolkit, path: Path, display: str, sha: str | None = None,
              keep_answers: bool = False) -> tuple[ReturnedWorkbook, GroupResult | None]:
    """Hash (unless ``sha`` is given) and read one file and, when it is readable, work out its
    own course's results there too (not when the raw answers are kept: that reading is for an
    export, not an analysis)."""
    if sha is None:
        try:
            sha = file_sha256(path)
        except OSError as exc:
            return ReturnedWorkbook(display, refused=True,
                                    problems=[QualityProblem(display, "unreadable", detail=exc.strerror or "")]), None
    book = read_returned(path, display, toolkit, sha, keep_answers=keep_answers)
    return book, (None if book.refused or keep_answers else course_result(toolkit, book))


def read_all(toolkit: Toolkit, files: list[tuple[Path, str]], workers: int = 2,
             progress: Callable[[int], None] | None = None, keep_answers: bool = False,
             include_examples: bool = False) -> tuple[list[ReturnedWorkbook], list[GroupResult | None]]:
    """Every file as a ReturnedWorkbook with its course's results, in order.

    Exact copies of an earlier file are refused (found by their hashes, taken in the workers as
    each file is read), and a file holding the same course as an earlier one is left out after
    reading (:func:`_leave_out_repeated_courses`). With ``keep_answers`` each book keeps its used
    rows' raw answers and no course results are worked out (all are None). The example
    workbook of ``csl demo`` (made-up data) is left out unless ``include_examples``.
    """
    with collector_paused():
        books, own = _read_all(toolkit, files, workers, progress, keep_answers)
        _leave_out_examples(books, own, include_examples)
        return books, own


def _leave_out_examples(books: list[ReturnedWorkbook], own: list[GroupResult | None], include: bool) -> None:
    for i, book in enumerate(books):
        if not book.example or book.refused:
            continue
        if include:
            book.problems.append(QualityProblem(book.file, "example_included"))
        else:
            books[i] = ReturnedWorkbook(book.file, sha256=book.sha256, refused=True, course=book.course,
                                        version=book.version, example=True,
                                        problems=[QualityProblem(book.file, "example_workbook")])
            own[i] = None


def _read_all(toolkit, files, workers, progress, keep_answers):
    books: list[ReturnedWorkbook | None] = [None] * len(files)
    own: list[GroupResult | None] = [None] * len(files)
    jobs: list[tuple[int, tuple]] = []
    for i, (path, display) in enumerate(files):
        unread = refused_unread(path, display)
        if unread is not None:
            books[i] = unread
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            books[i] = ReturnedWorkbook(display, refused=True,
                                        problems=[QualityProblem(display, "unreadable", detail=exc.strerror or "")])
            continue
        if size > ooxml.MAX_FILE_BYTES:
            books[i] = read_returned(path, display, toolkit, keep_answers=keep_answers)  # refused on size, without hashing
            continue
        # Hashed where it is read, in the workers: exact copies are found afterwards (_leave_out_copies).
        jobs.append((i, (path, display, None, keep_answers) if keep_answers else (path, display)))
    done = len(files) - len(jobs)
    if progress and done:
        progress(done)
    if workers > 1 and len(jobs) >= POOL_FROM:
        if not keep_answers:
            # Each course's results need scipy (t quantiles, p values); imported here, before the
            # workers are forked, it is imported once (this process needs it to pool anyway).
            import scipy.special  # noqa: F401
        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(toolkit,)) as pool_:
                # Small chunks: the last ones end together, so no worker waits long for the other.
                chunk = max(1, min(8, len(jobs) // (workers * 8)))
                for (i, _), (book, result) in zip(jobs, pool_.map(_read_in_worker, [j for _, j in jobs], chunksize=chunk)):
                    books[i], own[i] = book, result
                    if progress:
                        progress(1)
        except BrokenProcessPool:
            # A worker was stopped from outside (out of memory, killed): read the rest here.
            pass
    for i, job in jobs:
        if books[i] is None:
            books[i], own[i] = _read_one(toolkit, *job)
            if progress:
                progress(1)
    _leave_out_copies(books, own, [i for i, _job in jobs])  # type: ignore[arg-type]
    _leave_out_repeated_courses(books, own)  # type: ignore[arg-type]
    return books, own  # type: ignore[return-value]


def _leave_out_copies(books: list[ReturnedWorkbook], own: list[GroupResult | None], hashed: list[int]) -> None:
    """An exact copy (the same bytes) of an earlier file is refused, naming the earlier one, as
    if it had not been read."""
    first_of: dict[str, str] = {}
    for i in hashed:
        book = books[i]
        if not book.sha256:
            continue  # could not be hashed: refused already
        if book.sha256 in first_of:
            books[i] = ReturnedWorkbook(book.file, sha256=book.sha256, refused=True,
                                        problems=[QualityProblem(book.file, "duplicate_file",
                                                                 detail=first_of[book.sha256])])
            own[i] = None
        else:
            first_of[book.sha256] = book.file


def _leave_out_repeated_courses(books: list[ReturnedWorkbook], own: list[GroupResult | None]) -> None:
    """Of files holding the same course — the same course type, and the same coded rows with
    the same answers at its first time point — one is kept: the one with the most rows used
    (a copy sent again after more questionnaires were typed), the first of those if several.
    The others are left out, naming the one kept.

    Exact copies are caught by their bytes before reading; this catches the same course saved
    again (by another program, after a detail was changed, or with later time points added).
    """
    same: dict[str, list[int]] = {}
    for i, book in enumerate(books):
        if not book.refused and book.fingerprint:
            same.setdefault(book.fingerprint, []).append(i)
    for indices in same.values():
        if len(indices) < 2:
            continue
        used = {i: sum(1 for r in books[i].responses if r.used) for i in indices}
        kept = max(indices, key=lambda i: (used[i], -i))
        for i in indices:
            if i != kept:
                book = books[i]
                books[i] = ReturnedWorkbook(book.file, sha256=book.sha256, refused=True, course=book.course,
                                            version=book.version, details=book.details, fingerprint=book.fingerprint,
                                            problems=[QualityProblem(book.file, "duplicate_course",
                                                                     detail=books[kept].file)])
                own[i] = None


# ---------------------------------------------------------------------------------------------
# The analysis


def analyse(toolkit: Toolkit, paths: list[Path], out: Path | None = None, workers: int = 2,
            progress: Callable[[int], None] | None = None, on_found: Callable[[int], None] | None = None,
            today: dt.date | None = None, include_examples: bool = False) -> Analysis:
    """Read every returned workbook under ``paths`` and compute every result (writes nothing)."""
    with collector_paused():
        return _analyse(toolkit, paths, out, workers, progress, on_found, today, include_examples)


def _analyse(toolkit, paths, out, workers, progress, on_found, today, include_examples) -> Analysis:
    clock = time.perf_counter()
    files = find_files(paths, exclude=out)
    if on_found:
        on_found(len(files))
    books, own = read_all(toolkit, files, workers, progress, include_examples=include_examples)
    seconds = {"read": time.perf_counter() - clock}
    readable = [b for b in books if not b.refused]
    own_results = [r for b, r in zip(books, own) if not b.refused]
    data = PooledData(toolkit, readable)
    groups = data.groups()
    # Groups holding the same workbooks (all courses of one course type, say) share results.
    todo: list[Group] = []
    first_with: dict[tuple, int] = {}
    plan: list[tuple[str, int]] = []  # ("own", readable index) | ("todo", index into todo)
    for g in groups:
        if g.kind == "course":
            plan.append(("own", int(g.key)))
            continue
        if g.kind == "agency":  # some of each workbook's people: never the same as another group
            books_key: tuple = ("agency", g.key)
        else:
            books_key = ("books", tuple(sorted({m.book for m in g.members})))
        if books_key not in first_with:
            first_with[books_key] = len(todo)
            todo.append(g)
        plan.append(("todo", first_with[books_key]))
    columns = PooledColumns(data)
    computed = pooled_results(columns, todo, workers)
    seconds["pool"] = time.perf_counter() - clock - seconds["read"]
    results = []
    for g, (source, index) in zip(groups, plan):
        found = own_results[index] if source == "own" else computed[index]
        results.append(dataclasses.replace(found, kind=g.kind, key=g.key, label=g.label))
    problems: list[QualityProblem] = [p for b in books for p in b.problems]
    problems += near_matches(data)
    scale_ids = [s.id for s in toolkit.scales.values() if s.scored]
    totals = item_totals(toolkit, {key: c.matrix for key, c in columns.columns.items()}, scale_ids,
                         list(TIME_POINT_SHEETS))
    for x in totals:
        if x.flagged:
            problems.append(QualityProblem("(all files)", "negative_item_total", sheet=TIME_POINT_SHEETS[x.tp],
                                           column=f"{x.item} ({x.scale})", detail=f"r = {x.r:.2f}, {x.n} people"))
    baseline = baseline_by_follow_up(columns, [g for g in groups if g.kind in ("all", "course_type")])
    order = {b.file: i for i, b in enumerate(books)}
    sheets = {name: i for i, name in enumerate(["", "Start here", *TIME_POINT_SHEETS.values()])}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), sheets.get(p.sheet, len(sheets)), p.row or 0))
    acc = Accounting(files_found=len(books), files_read=len(readable), files_refused=len(books) - len(readable))
    acc.rows_used = sum(b.rows_used for b in readable)
    acc.rows_left_out = sum(b.rows_left_out for b in readable)
    acc.rows_typed = sum(len(b.responses) for b in readable)
    by_rule: dict[str, int] = {}
    for b in books:
        if b.refused:
            by_rule[b.problems[0].rule] = by_rule.get(b.problems[0].rule, 0) + 1
    seconds["checks"] = time.perf_counter() - clock - seconds["read"] - seconds["pool"]
    parents = {str(b): tuple(key for _kind, key, _label in data.book_groups(b)[:2]) for b in range(len(readable))}
    published = disclosure.decide(results, baseline, parents,
                                  {cid: c.tp_ids[0] for cid, c in toolkit.courses.items()}, acc.rows_used)
    seconds["disclosure"] = time.perf_counter() - clock - sum(seconds.values())
    return Analysis(toolkit, books, data, groups, results, problems, totals, baseline, acc, published,
                    today or analysis_date(), by_rule, seconds)


_fork_state: tuple | None = None


def _result_in_fork(index: int) -> GroupResult:
    columns, groups = _fork_state
    return columns.result(groups[index])


def pooled_results(columns: PooledColumns, groups: list[Group], workers: int) -> list[GroupResult]:
    """Each group's results, in order; with several workers, in forked processes that share
    the pooled columns with this one (nothing is copied to them but a group's number). The
    columns are a few large arrays, so the workers read them without copying them, however
    many responses are pooled."""
    global _fork_state
    if workers < 2 or len(groups) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [columns.result(g) for g in groups]
    _fork_state = (columns, groups)
    try:
        order = sorted(range(len(groups)), key=lambda i: -len(groups[i].members))
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool_:
            found = dict(zip(order, pool_.map(_result_in_fork, order)))
    finally:
        _fork_state = None
    return [found[i] for i in range(len(groups))]


def analysis_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


# ---------------------------------------------------------------------------------------------
# Writing


def check_outputs(inputs: list[Path], out: Path, force: bool = False):
    """Refuse an output folder where the results would replace an input, or a file csl analyse
    did not write or that was changed since (unless ``force``)."""
    return check_out(inputs, out, OUTPUTS, "csl analyse", force)


def write_outputs(analysis: Analysis, out: Path, inputs: list[Path] | None = None, force: bool = False) -> list[Path]:
    """Write report.html, results.xlsx, quality.csv and benchmarks.yaml into ``out``, all or
    nothing, replacing only files of an earlier analysis that are unchanged (unless ``force``)."""
    with collector_paused():
        return _write_outputs(analysis, out, inputs, force)


def _write_outputs(analysis: Analysis, out: Path, inputs: list[Path] | None, force: bool) -> list[Path]:
    from connect_share_learn.analyse import quality
    from connect_share_learn.analyse.pooled_benchmarks import pooled_benchmarks, to_yaml
    from connect_share_learn.analyse.report import render_report, wording
    from connect_share_learn.analyse.results_xlsx import write_results

    record = check_outputs(inputs or [], out, force)
    words = wording()
    with staged(out, "results", ".csl-analyse-") as stage:
        scratch = stage.folder
        (scratch / "quality.csv").write_bytes(quality.to_csv(analysis.problems))
        bench = pooled_benchmarks(analysis.results, analysis.published, words["benchmarks"]["citation"].format(
            files=analysis.accounting.files_read, date=analysis.analysed_on.isoformat(), version=__version__),
            words["benchmarks"]["note"])
        (scratch / "benchmarks.yaml").write_bytes(to_yaml(bench, words["benchmarks"]["header"]))
        write_results(analysis, scratch / "results.xlsx")
        (scratch / "report.html").write_text(render_report(analysis), encoding="utf-8")
        written = stage.publish(OUTPUTS)
        record.record(OUTPUTS)
        return written
