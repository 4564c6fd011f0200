"""Importing online responses into a copy of a course's data-entry workbook, or into the workbook itself.

:func:`import_responses` checks everything first — the workbook is this course's, the
time point has an entry block, the file's columns are the form's fields, there is room —
and only then writes ``out``, whole or not at all. The input workbook is only read, unless
the responses are added to it in place: then a copy of it as it was is kept first. What
was imported and every problem noticed come back as an :class:`ImportReport`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn.errors import InputError, UsageError
from connect_share_learn.importing.entry_sheet import append_rows, open_workbook
from connect_share_learn.importing.fields import CODE, better_time_point, clean_rows, map_fields, sheet_columns
from connect_share_learn.importing.responses import Table, read_responses
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import TIME_POINT_NAMES, Course
from connect_share_learn.files import refuse_to_replace, write_file
from connect_share_learn.stats import normalise_code
from connect_share_learn.contract import MAX_CAPACITY
from connect_share_learn.workbook.layout import layout_course


@dataclass(frozen=True)
class RowProblem:
    """Something noticed about one answer or row of the responses file."""

    place: str  # "line 12" (CSV) or "row 12" (XLSX)
    column: str  # the workbook column id
    message: str

    def __str__(self) -> str:
        return f"{self.place}, {self.column}: {self.message}"


@dataclass(frozen=True)
class Duplicate:
    """A participant code given more than once at the time point (after trimming and upper-casing)."""

    code: str
    places: tuple[str, ...]  # in the responses file
    typed_rows: tuple[int, ...]  # 1-based rows of the entry sheet where it was already typed

    def __str__(self) -> str:
        where = list(self.places) + [f"already typed in row {r}" for r in self.typed_rows]
        return f"code {self.code}: {', '.join(where)}"


@dataclass
class ImportReport:
    responses: Path
    workbook: Path
    out: Path | None  # None for a dry run
    sheet: str
    time_point: str
    imported: int
    first_row: int | None  # 1-based rows of the sheet written
    last_row: int | None
    room_left: int
    capacity: int
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)
    empty_rows: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    already_there: list[tuple[str, int]] = field(default_factory=list)  # (place, 1-based sheet row) not imported again
    labels_converted: int = 0
    warnings: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # what was written, column id → value, in order
    kept_as: Path | None = None  # --in-place: the copy of the workbook as it was before the import


def import_responses(toolkit: Toolkit, course_id: str, tp: str, responses: Path, workbook: Path,
                     out: Path | None, *, in_place: bool = False, force: bool = False) -> ImportReport:
    """Append the responses in ``responses`` to time point ``tp``'s entry sheet of a copy of
    ``workbook`` written to ``out`` (``None``: check and report only, write nothing).

    With ``in_place`` they are added to ``workbook`` itself, and the workbook as it was is
    kept beside it under a new name. An existing ``out`` is replaced only with ``force``.
    """
    responses, workbook = Path(responses), Path(workbook)
    if course_id not in toolkit.courses:
        raise UsageError(f"there is no course type '{course_id}'; choose from {', '.join(sorted(toolkit.courses))} "
                         "(or give --courses if the workbook was built from your own course files)")
    course = toolkit.courses[course_id]
    if tp not in course.tp_ids:
        raise UsageError(f"the course type '{course_id}' has no time point '{tp}'; choose from {', '.join(course.tp_ids)}")
    if in_place and out is not None:
        raise UsageError(f"give either --out or --in-place, not both: --out writes a new workbook, --in-place "
                         f"adds the responses to {workbook} itself")
    if out is not None:
        _check_out(Path(out), workbook, responses, force)
    for path, what in ((responses, "responses file"), (workbook, "workbook")):
        if not path.is_file():
            raise InputError(path, f"the {what} does not exist", "check the path")
    target = workbook if in_place else Path(out) if out is not None else None
    if target is not None and target.exists():
        _refuse_if_open(target)

    pkg, book = open_workbook(workbook, tp)
    with pkg:
        warnings = []
        made_for = book.properties.get("csl_course")
        if made_for is None:
            # Saved by a program that dropped the document properties: recognised by its columns.
            expected = {"code"} | {i.id for s in toolkit.scales_at(course, tp) for i in s.items}
            missing = sorted(expected - set(book.block.ids))
            if missing:
                raise InputError(workbook, f"this workbook has lost its document properties and its {tp} columns are "
                                 f"not those of the course type '{course_id}' (no {', '.join(missing[:3])}"
                                 f"{'…' if len(missing) > 3 else ''})",
                                 "give the --course the workbook was built for, or use its own copy from the pack")
            warnings.append(f"this workbook has lost its document properties (saved by another program?); its {tp} "
                            f"columns are those of the course type '{course_id}', so the responses were imported")
            made_for = course_id
        if made_for != course_id:
            raise InputError(workbook, f"this workbook is for the course type '{made_for}', not '{course_id}'",
                             f"give --course {made_for}, or the workbook of the '{course_id}' course")
        if book.properties.get("csl_spec_hash") not in (None, toolkit.spec_hash):
            warnings.append("the workbook was built from a different version of the scales or courses than the "
                            "ones loaded now; answers are checked against the ones loaded now (give --scales, "
                            "--courses or --config as when it was built)")
        block = book.block
        table = read_responses(responses)
        _refuse_another_time_point(toolkit, course, tp, table)
        warnings += [str(w) for w in table.warnings]
        fields = map_fields(table, block.ids)
        columns = sheet_columns(toolkit, course, block.ids)
        unchecked = [c.id for c in columns.values() if c.kind == "unchecked"]
        if unchecked:
            warnings.append(f"the columns {', '.join(unchecked)} are not in the loaded specification; their "
                            "answers were imported without checking")
        cleaned = clean_rows(table, fields, columns, toolkit.profile.code.pattern)
        new, already_there = _not_yet_there(cleaned.rows, block, sorted(set(fields.columns.values())))
        rows = [row for _, row in new]
        skipped = {place for place, _ in already_there}
        if len(rows) > block.room:
            raise InputError(responses, _no_room(block, len(rows)), _rebuild_hint(course_id, block, len(rows)))
        report = ImportReport(
            responses=responses, workbook=workbook, out=target, sheet=block.sheet,
            time_point=tp, imported=len(rows), first_row=None, last_row=None, room_left=block.room - len(rows),
            capacity=block.capacity, unknown_columns=fields.unknown, ignored_columns=fields.ignored,
            absent_columns=fields.absent, empty_rows=cleaned.empty,
            problems=[RowProblem(*p) for p in cleaned.problems if p[0] not in skipped],
            duplicates=_duplicates(new, block.codes), already_there=already_there,
            labels_converted=sum(n for place, n in cleaned.labels.items() if place not in skipped),
            warnings=warnings, rows=rows)
        if target is not None and rows:
            report.kept_as = _keep_as_it_was(workbook, pkg.data) if in_place else None
            try:
                first, last = append_rows(pkg, book, rows, target)
            except BaseException:
                if report.kept_as is not None:  # the workbook is as it was: its copy is not needed
                    report.kept_as.unlink(missing_ok=True)
                raise
            report.first_row, report.last_row = first + 1, last + 1
        elif target is not None:
            if not already_there:
                report.warnings.append("the responses file holds no answers; nothing was written")
            report.out = None
    return report


def _check_out(out: Path, workbook: Path, responses: Path, force: bool) -> None:
    for other, what in ((workbook, "the workbook being read"), (responses, "the responses file")):
        same = out.resolve() == other.resolve()
        if not same and out.exists() and other.exists():
            same = os.path.samefile(out, other)
        if same and other is workbook:
            raise UsageError(f"--out {out} is the workbook being read: to add the responses to it, give "
                             f"--workbook {workbook} --in-place (a copy of it as it was is kept beside it), "
                             "or give --out a new file name")
        if same:
            raise UsageError(f"--out {out} is {what}; give a new file name: the input is never changed")
    try:
        refuse_to_replace(out, force)
    except UsageError as exc:
        if out.is_dir():
            raise
        raise UsageError(f"{exc}; to add these responses to it instead, give --workbook {out} --in-place "
                         "(a copy of it as it was is kept beside it)") from None
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {out} should end in .xlsx, the kind of file written")


def _refuse_if_open(path: Path) -> None:
    """Refuse to replace a workbook that Excel or LibreOffice has open: its next save there
    would silently undo the import."""
    for lock in (f"~${path.name}", f".~lock.{path.name}#"):
        if (path.parent / lock).exists():
            raise UsageError(f"{path} looks open in Excel or LibreOffice (its lock file {lock} is beside it): "
                             f"close it there and import again; if it is not open anywhere, delete {lock}")


def _keep_as_it_was(workbook: Path, data: bytes) -> Path:
    """A copy of ``data``, the workbook as read, beside it under a name no file has yet."""
    stem = f"{workbook.stem}.before-import-{dt.date.today().isoformat()}"
    copy, n = workbook.with_name(stem + workbook.suffix), 2
    while copy.exists() or copy.is_symlink():
        copy, n = workbook.with_name(f"{stem}-{n}{workbook.suffix}"), n + 1
    return write_file(copy, lambda path: path.write_bytes(data), "copy of the workbook")


def _refuse_another_time_point(toolkit: Toolkit, course: Course, tp: str, table: Table) -> None:
    asked = {t: lay.inputs for t, lay in layout_course(toolkit, course, capacity=1).items()}
    other = better_time_point(table, asked, tp)
    if other is None:
        return
    better, only_there, questions = other
    listed = ", ".join(only_there[:3]) + (", …" if len(only_there) > 3 else "")
    raise InputError(table.file, f"these responses look like the {TIME_POINT_NAMES[better].lower()} ({better}) form, "
                     f"not the {TIME_POINT_NAMES[tp].lower()} ({tp}) one: {len(only_there)} of their {questions} "
                     f"questions are asked at {better} and not at {tp} ({listed})",
                     f"use --time-point {better}; nothing was written")


def _no_room(block, wanted: int) -> str:
    return (f"the '{block.sheet}' sheet has room for {block.room} more questionnaire(s) "
            f"({block.used_rows} of its {block.capacity} rows are used) but the file holds {wanted} responses; "
            "nothing was written")


def _rebuild_hint(course_id: str, block, wanted: int) -> str:
    need = block.used_rows + wanted
    if need > MAX_CAPACITY:
        return (f"a workbook holds at most {MAX_CAPACITY:,} questionnaires per time point: split the responses "
                "into files that fit, each imported into its own workbook")
    capacity = min(MAX_CAPACITY, max(100, int(math.ceil(need * 1.2 / 100.0)) * 100))
    return (f"build a larger workbook with 'csl build --course {course_id} --capacity {capacity}', copy the rows "
            "already typed into it, and import into that one")


def _duplicates(rows: list[tuple[str, dict]], typed: dict[str, list[int]]) -> list[Duplicate]:
    places: dict[str, list[str]] = defaultdict(list)
    for place, row in rows:
        code = normalise_code(row.get(CODE))
        if code:
            places[code].append(place)
    out = []
    for code, where in places.items():
        earlier = typed.get(code, [])
        if len(where) + len(earlier) > 1:
            out.append(Duplicate(code, tuple(where), tuple(r + 1 for r in earlier)))
    return out


def _not_yet_there(rows: list[tuple[str, dict]], block, ids: list[str]) -> tuple[list[tuple[str, dict]],
                                                                                 list[tuple[str, int]]]:
    """The rows not already on the sheet, and (place, 1-based sheet row) of those that are.

    A row is already there when the code (as matched) and every imported column hold what
    the import would write: a cumulative export imported again adds nothing twice.
    """
    if not block.typed:
        return rows, []
    on_sheet: dict[tuple, int] = {}
    for number in sorted(block.typed):
        on_sheet.setdefault(_comparable(block.typed[number], ids), number)
    new, there = [], []
    for place, row in rows:
        number = on_sheet.get(_comparable(row, ids))
        if number is None:
            new.append((place, row))
        else:
            there.append((place, number + 1))
    return new, there


def _comparable(values: dict, ids: list[str]) -> tuple:
    out = []
    for column_id in ids:
        value = values.get(column_id)
        if value is None or value == "":
            out.append(None)
        elif column_id == CODE:
            out.append(normalise_code(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(f"{float(value):.17g}")  # 3 written, 3.0 read back, "3" typed as text: one value
        else:
            out.append(str(value).replace("\r\n", "\n").replace("\r", "\n"))  # as cell_xml writes line breaks
    return tuple(out)
