"""From an online form's fields to the entry sheet's columns, each answer checked as it goes.

A field is matched to a column by its name: the column id itself, or the id after a group
prefix (``self_efficacy/se_1`` from KoboToolbox, ``self_efficacy-se_1`` from ODK Central),
in any letter case. The services' own columns (``start``, ``_uuid``, ``meta/instanceID``…)
and the forms' notes (``<group>_intro``) are passed over quietly; any other column is
reported as unknown and left out.

Answers are written as the workbook expects them typed: codes and ratings as numbers (``"3"``
becomes 3; an answer label such as ``"Agree"`` becomes its code), the participant code and
written answers as text. An answer counts as design.md's statistics contract says: a rating
if it is a number within its format's range, whatever step the paper prints (75 on the
0–100 scale counts), a choice only if it is one of its codes. Any other answer is imported
*as typed* and reported: the workbook's formulas leave it out of every score (as stats.py
does) and highlight it, so the statistics stay right and the person can see and correct
it; nothing the participant sent is lost.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from connect_share_learn.errors import InputError
from connect_share_learn.tabular import Table, Value
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, text

CODE = "code"
NOTE_SUFFIX = "_intro"  # xlsform.NOTE_SUFFIX: a page's instructions, never data
EXCEL_TEXT_LIMIT = 32_767
# Columns KoboToolbox, ODK Central, ODK Briefcase and Enketo add beside the form's fields.
META_FIELDS = {
    "start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit",
    "instanceid", "instancename", "key", "submissiondate", "submitterid", "submittername",
    "attachmentspresent", "attachmentsexpected", "status", "reviewstate", "edits", "formversion",
    "version", "uuid", "index", "parent_index", "submission_time", "validation_status", "notes",
    "tags", "submitted_by", "id", "geolocation",
}
META_GROUPS = {"meta", "__system", "formhub"}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Column:
    """What one column of the entry sheet accepts."""

    id: str
    kind: str  # "code", "number" (coded answers), "text" (written answers), "unchecked" (unknown to the spec)
    codes: tuple[int, ...] = ()
    low: float | None = None  # the range the scores count (ratings); None: only the codes count
    high: float | None = None
    labels: dict[str, int] = field(default_factory=dict)  # lower-cased answer label → code
    scored: bool = False  # an item of a scale (the workbook highlights what its scores leave out)

    def counts(self, number: float) -> bool:
        """Whether the scores count ``number`` (stats.item_value's rule)."""
        if self.low is not None:
            return self.low <= number <= self.high
        return number in self.codes

    def answers_text(self) -> str:
        if self.low is not None:
            return f"a number from {self.low:g} to {self.high:g}"
        return ", ".join(str(c) for c in self.codes)

    def not_an_answer(self, shown: str) -> str:
        """The message for an answer the scores do not count, shown as ``shown``."""
        fate = "highlighted in the workbook and left out of the scores" if self.scored else "check it"
        return f"{shown} is not an answer (expected {self.answers_text()}); imported as typed, {fate}"


@dataclass
class Fields:
    """How the responses file's columns map onto the sheet."""

    columns: dict[int, str]  # index in the file → column id
    unknown: list[str]  # reported and left out
    ignored: list[str]  # the services' own columns and notes, passed over quietly
    absent: list[str]  # sheet columns no field fills


@dataclass
class Cleaned:
    """Rows ready to write, and what was noticed on the way."""

    rows: list[tuple[str, dict[str, Value]]]  # (place in the file, column id → value)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (place, column id, message)
    empty: list[str] = field(default_factory=list)  # places of rows with nothing to import
    labels: dict[str, int] = field(default_factory=dict)  # place → answers given as labels (written as codes)


def _labels(options, lang: str) -> dict[str, int]:
    """Each answer's label → its code: in the workbook's language, and in every other language
    the specification words it in (a bilingual form's export may give either)."""
    out = {}
    for option in options:
        versions = option.label.values() if isinstance(option.label, dict) else ()
        for label in versions:
            out.setdefault(label.strip().lower(), option.code)
    out.update({text(o.label, lang).strip().lower(): o.code for o in options})
    return out


def sheet_columns(toolkit: Toolkit, course: Course, ids: list[str]) -> dict[str, Column]:
    """What each column id of the sheet's header accepts, from the specification."""
    lang = toolkit.settings.language
    known: dict[str, Column] = {}
    for q in toolkit.profile.questions:
        known[q.id] = Column(q.id, "number", tuple(o.code for o in q.options),
                             labels=_labels(q.options, lang))
    for scale in toolkit.course_scales(course):
        fmt = toolkit.format_of(scale)
        for item in scale.items:
            if fmt.kind == "text":
                known[item.id] = Column(item.id, "text")
                continue
            low, high = (fmt.min, fmt.max) if fmt.kind == "rating" and not scale.knowledge else (None, None)
            known[item.id] = Column(item.id, "number", tuple(fmt.codes), low, high,
                                    _labels(fmt.answers(), lang),
                                    scored=scale.scored)
    out = {}
    for column_id in ids:
        if column_id == CODE:
            out[column_id] = Column(CODE, "code")
        else:
            out[column_id] = known.get(column_id, Column(column_id, "unchecked"))
    return out


def names_the_code(headings: list[str]) -> bool:
    """Whether a row of headings has the participant code's field: the file's header row."""
    return any(_match(h, {CODE: CODE}, {CODE: CODE}) for h in headings)


def map_fields(table: Table, ids: list[str]) -> Fields:
    """Match the file's header to the sheet's column ids; two fields for one column is an error."""
    exact = {i: i for i in ids}
    folded = {i.lower(): i for i in ids}
    columns: dict[int, str] = {}
    unknown, ignored = [], []
    taken: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        column_id = _match(header, exact, folded)
        if column_id is None:
            if not header:
                if any(row.cells[index] not in (None, "") for row in table.rows):
                    unknown.append(f"(unnamed column {index + 1})")
            elif _is_meta(header):
                ignored.append(header)
            else:
                unknown.append(header)
            continue
        if column_id in taken:
            raise InputError(table.file, f"the columns '{taken[column_id]}' and '{header}' both hold '{column_id}'",
                             "remove one of them and import again", line=table.header_line)
        taken[column_id] = header
        columns[index] = column_id
    if CODE not in taken:
        found = ", ".join(repr(h) for h in table.headers[:6]) + (" …" if len(table.headers) > 6 else "")
        if not taken:
            raise InputError(table.file, f"none of the columns is a field of the questionnaire (found {found})",
                             "export the responses with the field names as headers (in KoboToolbox: "
                             "'XML values and headers'), not the question labels")
        raise InputError(table.file, f"there is no '{CODE}' column with the participants' codes (found {found})",
                         "export the responses again with every field of the form")
    absent = [i for i in ids if i not in taken]
    return Fields(columns, unknown, ignored, absent)


def better_time_point(table: Table, asked: dict[str, list[str]], tp: str) -> tuple[str, list[str], int] | None:
    """Another time point whose form asks more of the file's questions than ``tp``'s does.

    ``asked`` holds each time point's column ids, in the course's order. Returns that time
    point, the file's columns it asks and ``tp`` does not, and how many of the file's
    columns are questions of the course; None when ``tp`` fits as well as any.
    """
    every = {column_id for ids in asked.values() for column_id in ids} - {CODE}
    exact, folded = {i: i for i in every}, {i.lower(): i for i in every}
    found = {column_id for header in table.headers if (column_id := _match(header, exact, folded))}
    not_asked = {t: found - set(ids) for t, ids in asked.items()}
    best = min(asked, key=lambda t: (len(not_asked[t]), t != tp))
    if best == tp:
        return None
    return best, sorted(not_asked[tp] - not_asked[best], key=asked[best].index), len(found)


def clean_rows(table: Table, fields: Fields, columns: dict[str, Column], code_pattern: str | None) -> Cleaned:
    """Each row as column id → value to write, with every problem noted against its place."""
    out = Cleaned([])
    pattern = re.compile(code_pattern) if code_pattern else None
    for source in table.rows:
        place, cells = source.place, source.cells
        row: dict[str, Value] = {}
        notes: list[tuple[str, str, str]] = []
        for index, column_id in fields.columns.items():
            raw = cells[index]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            value, message, from_label = convert(raw, columns[column_id])
            row[column_id] = value
            if from_label:
                out.labels[place] = out.labels.get(place, 0) + 1
            if message:
                notes.append((place, column_id, message))
        if not row:
            out.empty.append(place)
            continue
        code = row.get(CODE)
        if code is None:
            notes.insert(0, (place, CODE, "no participant code: imported, but these answers cannot be matched "
                                          "with the other time points"))
        elif pattern and not pattern.match(str(code).strip()):
            notes.insert(0, (place, CODE, f"the code '{code}' is not in the form the questionnaire asks for; "
                                          "imported as typed, check it matches the participant's other answers"))
        out.problems += notes
        out.rows.append((place, row))
    return out


def convert(raw: Value, column: Column) -> tuple[Value, str | None, bool]:
    """The value to write for ``raw`` in ``column``, a problem message or None, and whether a label was read."""
    if column.kind in ("code", "text"):
        value = _as_text(raw)
        if len(value) > EXCEL_TEXT_LIMIT:
            return value[:EXCEL_TEXT_LIMIT], (f"longer than a spreadsheet cell holds ({len(value):,} characters); "
                                              f"only the first {EXCEL_TEXT_LIMIT:,} were imported"), False
        if column.kind == "code" and len(value.strip()) > 40:
            return value, "the code is longer than 40 characters; imported as typed", False
        return value, None, False
    number = _as_number(raw)
    if column.kind == "unchecked":
        return (number if number is not None else _as_text(raw)), None, False
    from_label = False
    if number is None:
        code = column.labels.get(_as_text(raw).strip().lower())
        if code is None:
            return _as_text(raw)[:EXCEL_TEXT_LIMIT], column.not_an_answer(f"'{_as_text(raw)[:60]}'"), False
        number, from_label = float(code), True
    value: Value = int(number) if number.is_integer() else number
    return value, None if column.counts(number) else column.not_an_answer(f"{value:g}"), from_label


def _match(header: str, exact: dict[str, str], folded: dict[str, str]) -> str | None:
    candidates = [header]
    for sep in ("/", "-", ":"):
        if sep in header:
            candidates.append(header.rsplit(sep, 1)[1])
    for name in candidates:
        if name in exact:
            return exact[name]
    for name in candidates:
        if name.lower() in folded:
            return folded[name.lower()]
    return None


def _is_meta(header: str) -> bool:
    if header.startswith("_") or header.lower().endswith(NOTE_SUFFIX):
        return True
    parts = re.split(r"[/\-:]", header)
    if parts[0].lower() in META_GROUPS:
        return True
    return parts[-1].lower().lstrip("_") in META_FIELDS


def _as_text(raw: Value) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.datetime):  # a date cell of an XLSX export
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    return raw.isoformat()  # a time of day


def _as_number(raw: Value) -> float | None:
    if isinstance(raw, str):
        stripped = raw.strip()
        if _NUMBER.fullmatch(stripped):
            number = float(stripped)
            return number if math.isfinite(number) else None
        return None
    if isinstance(raw, float):
        return raw if math.isfinite(raw) else None
    return None  # a date or time is not an answer
