"""One returned workbook → its course details, scored responses and data-quality problems.

:func:`read_returned` never raises and never writes: a file that cannot be read comes back
refused, with the reason as a quality problem. Each non-blank row of a data-entry block
becomes a :class:`Response`; it is *used* when at least one scale could be scored at its
time point, otherwise it is left out with a problem saying so, so rows used plus rows left
out is every row typed. Scores are recomputed from the raw answers with :mod:`stats`.

One module though long: finding the blocks, reading the course details and scoring each row
share one workbook's state and its list of problems, which split modules would pass around.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import zipfile
from array import array
from collections import Counter
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn import stats
from connect_share_learn.read import ooxml
from connect_share_learn.analyse.quality import QualityProblem, file_kind, refusal_detail, shown_value
from connect_share_learn.contract import (
    MAX_CAPACITY, PROPERTY_COURSE, PROPERTY_EXAMPLE, PROPERTY_SPEC_HASH, PROPERTY_TOOLKIT, PROPERTY_VERSION,
    TIME_POINT_SHEETS, TOOLKIT_NAME,
)
from connect_share_learn.files import sha256 as file_sha256
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course

DETAILS = ("partnership", "title", "start_date", "end_date", "trainer", "attended")
# When the names are lost, the header row is looked for this far down a sheet.
HEADER_SEARCH_ROWS = 60
# Rows under a block are looked at this far down, so answers typed there are reported.
BELOW_BLOCK_ROWS = 2_000
HIDDEN_VALUE = "(not shown: it is one of the participant codes)"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Files that programs keep beside others, by name (lower case) → their kind in the quality wording.
SYSTEM_FILES = {".ds_store": "ds_store", "thumbs.db": "thumbs_db", "desktop.ini": "desktop_ini"}


@dataclass(slots=True)
class Response:
    """One typed row at one time point. ``code`` is internal: it is never written out."""

    tp: str
    sheet: str
    row: int
    code: str | None
    used: bool
    profile: dict[str, int | None]
    scores: dict[str, float | None]
    # Scored item values, only when every item is valid; arrays of doubles hold 100,000
    # participants in a fraction of the memory tuples of float objects would need.
    complete: dict[str, array]


@dataclass
class CourseDetails:
    partnership: str | None = None
    title: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    trainer: str | None = None
    attended: int | None = None

    @property
    def year(self) -> str | None:
        """The reporting year (April to March) the course started in, e.g. '2025-26'."""
        if self.start_date is None:
            return None
        first = self.start_date.year if self.start_date.month >= 4 else self.start_date.year - 1
        return f"{first}-{(first + 1) % 100:02d}"


@dataclass
class ReturnedWorkbook:
    """What one file gave: refused (with the reason in ``problems``) or read."""

    file: str
    sha256: str = ""
    refused: bool = False
    course: str | None = None
    version: str | None = None
    details: CourseDetails = field(default_factory=CourseDetails)
    responses: list[Response] = field(default_factory=list)
    problems: list[QualityProblem] = field(default_factory=list)
    # Only when asked for (``keep_answers``): (time point, row) of each used response → its raw
    # answers by column id (profile questions and every item, free text included), blanks left out.
    answers: dict[tuple[str, int], dict[str, object]] | None = None
    # What the course's first time point holds (codes with their answers and scores), hashed, so
    # the same course returned twice in different files (re-saved, say) is found; "" when no
    # used row there has a code.
    fingerprint: str = ""
    # Made by ``csl demo``: made-up data, pooled only when asked for (``--include-examples``).
    example: bool = False

    @property
    def rows_used(self) -> int:
        return sum(1 for r in self.responses if r.used)

    @property
    def rows_left_out(self) -> int:
        return sum(1 for r in self.responses if not r.used)


# ---------------------------------------------------------------------------------------------
# Public


def read_returned(path: Path, display: str, toolkit: Toolkit, sha256: str | None = None,
                  keep_answers: bool = False) -> ReturnedWorkbook:
    """Read ``path`` (named ``display`` in every output); never raises, never writes.

    With ``keep_answers``, the raw answers of every used row are kept in ``answers`` too.
    """
    result = ReturnedWorkbook(display, answers={} if keep_answers else None)
    unread = refused_unread(path, display)
    if unread is not None:
        return unread
    try:
        result.sha256 = sha256 or file_sha256(path)
        package = ooxml.open_package(path)
    except ooxml.Refused as exc:
        return _refuse(result, exc.code, _detail(exc))
    except OSError as exc:
        return _refuse(result, "unreadable", exc.strerror or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the run
        return _refuse(result, "unreadable", type(exc).__name__)
    try:
        _Reader(package, toolkit, result).read()
    except ooxml.Refused as exc:
        return _refuse(_cleared(result), exc.code, _detail(exc))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # A part whose data is damaged (a bad checksum) shows only when it is unpacked.
        return _refuse(_cleared(result), "broken_zip", str(exc))
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one odd file must not stop the run
        return _refuse(_cleared(result), "unreadable", type(exc).__name__)
    finally:
        package.close()
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        result.problems.insert(0, QualityProblem(display, "renamed_workbook", detail=path.suffix or path.name))
    return result


def refused_unread(path: Path, display: str) -> ReturnedWorkbook | None:
    """What ``path`` is when its name (or being a folder) tells that it is not a workbook: a lock
    file, a file that programs keep beside others, a hidden file, or a folder that was not searched."""
    name = path.name
    if path.is_dir():
        if path.is_symlink():
            return _refuse(ReturnedWorkbook(display), "linked_folder")
        if name.startswith("."):
            return _refuse(ReturnedWorkbook(display), "hidden_folder")
        return _refuse(ReturnedWorkbook(display), "unreadable", "a folder that cannot be opened")
    if name.startswith("~$"):
        return _refuse(ReturnedWorkbook(display), "lock_file",
                       file_kind("word_lock" if path.suffix.lower() in (".doc", ".docx") else "excel"))
    if name.startswith(".~lock."):
        return _refuse(ReturnedWorkbook(display), "lock_file", file_kind("libreoffice"))
    kind = SYSTEM_FILES.get(name.lower()) or ("apple_double" if name.startswith("._") else None)
    if kind:
        return _refuse(ReturnedWorkbook(display), "system_file", file_kind(kind))
    if name.startswith("."):
        return _refuse(ReturnedWorkbook(display), "hidden_file")
    return None


def _cleared(result: ReturnedWorkbook) -> ReturnedWorkbook:
    result.responses.clear()
    result.problems.clear()
    if result.answers is not None:
        result.answers.clear()
    return result


def _detail(exc: ooxml.Refused) -> str:
    return refusal_detail(exc.code, exc.detail)


def _refuse(result: ReturnedWorkbook, rule: str, detail: str = "") -> ReturnedWorkbook:
    result.refused = True
    result.problems.insert(0, QualityProblem(result.file, rule, detail=detail))
    return result


# ---------------------------------------------------------------------------------------------
# Reading one package


@dataclass
class _Block:
    tp: str
    area: ooxml.Area  # the data rows, header excluded
    found_by_header: bool = False


class _Reader:
    def __init__(self, package: ooxml.Package, toolkit: Toolkit, result: ReturnedWorkbook):
        self.pkg = package
        self.toolkit = toolkit
        self.result = result
        self.file = result.file
        self.recoded: dict[str, list[dict[float, float | None]]] = {}

    def _recoders(self, scale) -> list[dict[float, float | None]]:
        """Per item of ``scale``, typed number → :func:`stats.item_value` of it, filled as answers
        are met: the same few numbers recur in every row of the file."""
        return self.recoded.setdefault(scale.id, [{} for _ in scale.items])

    def note(self, rule: str, **kw) -> None:
        self.result.problems.append(QualityProblem(self.file, rule, **kw))

    def read(self) -> None:
        props = self.pkg.properties
        maker = props.get(PROPERTY_TOOLKIT)
        if maker and maker != TOOLKIT_NAME:
            raise ooxml.Refused("not_this_toolkit", f"it was made by '{maker[:40]}'")
        self.result.version = props.get(PROPERTY_VERSION)
        self.result.example = props.get(PROPERTY_EXAMPLE) == "true"
        blocks = self._blocks()
        if not blocks:
            raise ooxml.Refused("not_this_toolkit", "it has no data-entry blocks (t0_data … t3_data)")
        cells_by_sheet = self._read_sheets(blocks)
        headers = {b.tp: _header(cells_by_sheet[b.area.sheet], b.area) for b in blocks}
        course = self._course(props, blocks, headers)
        self.result.course = course.id
        self._details(cells_by_sheet)
        for block in blocks:
            if block.tp in course.tp_ids:
                self._read_block(course, block, headers[block.tp], cells_by_sheet[block.area.sheet])
        if not self.result.responses:
            self.note("no_answers_in_file")
        self._check_details(course)
        self.result.fingerprint = _fingerprint(course, self.result.responses)
        # A participant code typed into an answer column must not reach quality.csv either:
        # neither one of this file's codes nor anything shaped like a code.
        codes = {r.code for r in self.result.responses if r.code}
        shaped = re.compile(self.toolkit.profile.code.pattern)
        self.result.problems = [dataclasses.replace(p, value=HIDDEN_VALUE)
                                if p.value and (stats.normalise_code(p.value) in codes
                                                or shaped.match(str(p.value).strip())) else p
                                for p in self.result.problems]

    # -- where the data is ----------------------------------------------------------------

    def _blocks(self) -> list[_Block]:
        blocks = []
        for tp in ("t0", "t1", "t2", "t3"):
            formula = self.pkg.names.get(f"{tp}_data")
            if formula is None:
                continue
            area = ooxml.parse_area(formula)
            if area is None or area.sheet not in self.pkg.sheets or area.top < 2:
                raise ooxml.Refused("not_this_toolkit", f"the name {tp}_data does not point at a block of cells")
            if area.rows > ooxml.MAX_SHEET_ROWS or area.columns > ooxml.MAX_SHEET_COLUMNS:
                raise ooxml.Refused("block_too_large", f"{tp}_data ({area.rows} rows, {area.columns} columns)")
            blocks.append(_Block(tp, area))
        if blocks:
            return blocks
        return self._blocks_by_header()

    def _blocks_by_header(self) -> list[_Block]:
        """Without the names: find each time point's sheet and its header row of column ids."""
        blocks = []
        for tp, sheet in TIME_POINT_SHEETS.items():
            if sheet not in self.pkg.sheets:
                continue
            self._check_dimension(sheet)
            top = ooxml.Area(sheet, 1, 1, HEADER_SEARCH_ROWS, 300)
            cells = self.pkg.read_cells(sheet, [top])
            best = None  # the row with the longest run of column ids after 'code'
            for (r, c), v in sorted(cells.items()):
                if isinstance(v, str) and v.strip() == "code":
                    right = c
                    # The typed columns end where the workbook's own columns begin, at 'status'.
                    while _is_id(cells.get((r, right + 1))) and cells[(r, right + 1)].strip() != "status":
                        right += 1
                    if right > c and (best is None or right - c >= best[2] - best[1]):
                        best = (r, c, right)
            if best:
                r, c, right = best
                blocks.append(_Block(tp, ooxml.Area(sheet, r + 1, c, r + MAX_CAPACITY, right), found_by_header=True))
                self.note("names_missing", sheet=sheet, detail=f"header on row {r}")
        return blocks

    def _check_dimension(self, sheet: str) -> None:
        dim = self.pkg.dimension(sheet)
        if dim and (dim.bottom > ooxml.MAX_SHEET_ROWS or dim.right > ooxml.MAX_SHEET_COLUMNS):
            ref = f"{ooxml.column_letters(dim.left)}{dim.top}:{ooxml.column_letters(dim.right)}{dim.bottom}"
            self.note("sheet_dimension", sheet=sheet, detail=f"{ref} ({dim.bottom:,} rows, {dim.right:,} columns)")

    def _read_sheets(self, blocks: list[_Block]) -> dict[str, dict]:
        areas: dict[str, list[ooxml.Area]] = {}
        for b in blocks:
            a = b.area
            below = 0 if b.found_by_header else BELOW_BLOCK_ROWS
            areas.setdefault(a.sheet, []).append(ooxml.Area(a.sheet, a.top - 1, a.left, a.bottom + below, a.right))
        self.detail_cells: dict[str, ooxml.Area] = {}
        for name in DETAILS:
            formula = self.pkg.names.get(f"course_{name}")
            area = ooxml.parse_area(formula) if formula else None
            if area is not None and area.sheet in self.pkg.sheets and area.rows == 1 and area.columns == 1:
                self.detail_cells[name] = area
                areas.setdefault(area.sheet, []).append(area)
        out = {}
        for sheet, wanted in areas.items():
            if not any(b.found_by_header and b.area.sheet == sheet for b in blocks):
                self._check_dimension(sheet)
            out[sheet] = self.pkg.read_cells(sheet, wanted)
        return out

    def _course(self, props: dict, blocks: list[_Block], headers: dict[str, dict[str, int]]) -> Course:
        course_id = props.get(PROPERTY_COURSE)
        if course_id:
            course = self.toolkit.courses.get(course_id)
            if course is None:
                raise ooxml.Refused("unknown_course", course_id[:60])
            built = props.get(PROPERTY_SPEC_HASH)
            if built and built != _spec_hash(self.toolkit):
                self.note("spec_differs", detail=props.get(PROPERTY_VERSION) or "not known")
            return course
        # Properties lost on re-saving: the course whose columns these are.
        present = {b.tp for b in blocks}
        fits = []
        for course in self.toolkit.courses.values():
            if not present <= set(course.tp_ids):
                continue
            if all({i.id for s in self.toolkit.scales_at(course, tp) for i in s.items} <= set(headers[tp])
                   for tp in present):
                fits.append(course)
        if len(fits) != 1:
            raise ooxml.Refused("not_this_toolkit", "its document properties are missing and its columns match "
                               + ("no course type" if not fits else "several course types"))
        self.note("properties_missing", detail=fits[0].id)
        return fits[0]

    # -- course details -------------------------------------------------------------------

    def _details(self, cells_by_sheet: dict[str, dict]) -> None:
        d = self.result.details
        date1904 = self.pkg.date1904
        for name in DETAILS:
            area = self.detail_cells.get(name)
            raw = cells_by_sheet[area.sheet].get((area.top, area.left)) if area else None
            if name in ("start_date", "end_date"):
                value = _as_date(raw, date1904)
            elif name == "attended":
                value = _as_count(raw)
            else:
                value = _as_text(raw)
            setattr(d, name, value)
            if value is None and name in ("partnership", "start_date", "attended"):
                self.note("course_details", sheet=area.sheet if area else "", detail=name.replace("_", " "),
                          row=area.top if area else None,
                          column=ooxml.column_letters(area.left) if area else "")

    def _check_details(self, course: Course) -> None:
        """Course details that contradict each other or the rows typed: noted, the file still read."""
        d = self.result.details
        if d.start_date and d.end_date and d.end_date < d.start_date:
            area = self.detail_cells.get("end_date")
            self.note("end_before_start", sheet=area.sheet if area else "", row=area.top if area else None,
                      column=ooxml.column_letters(area.left) if area else "",
                      detail=f"{d.end_date:%d/%m/%Y}, before the start date {d.start_date:%d/%m/%Y}")
        if d.attended:
            # The number of questionnaires is not given: it may be a count the outputs hide.
            area = self.detail_cells.get("attended")
            for tp in course.tp_ids:
                n = sum(1 for r in self.result.responses if r.tp == tp and r.used)
                if n > d.attended:
                    self.note("response_rate_over_100", sheet=area.sheet if area else "",
                              row=area.top if area else None, column=ooxml.column_letters(area.left) if area else "",
                              detail=f"on {TIME_POINT_SHEETS[tp]}, where {d.attended} attended")

    # -- one time point's rows ------------------------------------------------------------

    def _read_block(self, course: Course, block: _Block, header: dict[str, int], cells: dict) -> None:
        tp, area = block.tp, block.area
        sheet = area.sheet
        rows: dict[int, dict[int, object]] = {}
        below: set[int] = set()
        left, right, top, bottom = area.left, area.right, area.top, area.bottom
        for (r, c), v in cells.items():
            if left <= c <= right and (v.__class__ is float or not _blank(v)):
                if top <= r <= bottom:
                    row = rows.get(r)
                    if row is None:
                        row = rows[r] = {}
                    row[c] = v
                elif bottom < r <= bottom + BELOW_BLOCK_ROWS:
                    below.add(r)
        for r in sorted(below):
            # Typed under the table, outside the named block: not read, but never lost silently.
            self.note("below_block", sheet=sheet, row=r)
            self.result.responses.append(Response(tp, sheet, r, None, False, {}, {}, {}))
        if not rows:
            return
        code_col = header.get("code")
        if code_col is None:
            for r in sorted(rows):
                self.note("no_code_column", sheet=sheet, row=r)
                self.result.responses.append(Response(tp, sheet, r, None, False, {}, {}, {}))
            return
        toolkit = self.toolkit
        profile_cols = [(q, header[q.id]) for q in toolkit.profile.questions if q.id in header]
        scales = []
        for scale in toolkit.scales_at(course, tp):
            if not scale.scored:
                continue
            missing = [i.id for i in scale.items if i.id not in header]
            if missing:
                self.note("missing_columns", sheet=sheet,
                          detail=f"the scale '{scale.id}' (items {', '.join(missing[:5])}{'…' if len(missing) > 5 else ''})")
                continue
            fmt = toolkit.format_of(scale)
            scales.append((scale, fmt, [header[i.id] for i in scale.items], self._recoders(scale)))
        start = len(self.result.responses)
        kept = self.result.answers
        if kept is not None:
            kept_cols = [(cid, header[cid]) for cid in [q.id for q in toolkit.profile.questions]
                         + [i.id for s in toolkit.scales_at(course, tp) for i in s.items] if cid in header]
        for r in sorted(rows):
            values = rows[r]
            response = self._response(tp, sheet, r, values, code_col, profile_cols, scales)
            self.result.responses.append(response)
            if kept is not None and response.used:
                kept[(tp, r)] = {cid: values[col] for cid, col in kept_cols if col in values}
        block_responses = self.result.responses[start:]
        # Codes are normalised already: stats.duplicate_codes without normalising them again.
        counts = Counter(x.code for x in block_responses if x.code)
        code_letter = ooxml.column_letters(code_col)
        for x in block_responses:
            if x.code and counts[x.code] > 1:
                self.note("duplicate_code", sheet=sheet, row=x.row, column=code_letter, detail=str(counts[x.code]))
            if x.code is None and x.used:
                self.note("blank_code", sheet=sheet, row=x.row, column=code_letter)
            if not x.used:
                self.note("row_no_answers", sheet=sheet, row=x.row)

    def _response(self, tp, sheet, r, values, code_col, profile_cols, scales) -> Response:
        code_raw = values.get(code_col)
        if isinstance(code_raw, (ooxml.ErrorValue, ooxml.FormulaCell)):
            self.note("error_value" if isinstance(code_raw, ooxml.ErrorValue) else "formula_in_answer",
                      sheet=sheet, row=r, column=ooxml.column_letters(code_col))
            code_raw = None
        # stats.normalise_code, without its regular expression where there is no run of spaces.
        code = (code_raw.strip(" ").upper() or None) if code_raw.__class__ is str and "  " not in code_raw \
            else stats.normalise_code(code_raw)
        profile: dict[str, int | None] = {}
        for q, col in profile_cols:
            raw = values.get(col)
            x = stats.as_number(raw)
            codes = [o.code for o in q.options]
            if x is not None and x in codes:
                profile[q.id] = int(x)
            else:
                profile[q.id] = None
                if raw is not None:
                    self._bad_value(sheet, r, col, q.id, raw, "not_an_option",
                                    f"{min(codes)} to {max(codes)}")
        scores: dict[str, float | None] = {}
        complete: dict[str, array] = {}
        get = values.get
        for scale, fmt, cols, recoders in scales:
            item_values = []
            for i, col in enumerate(cols):
                raw = get(col)
                if raw is None:
                    item_values.append(None)
                    continue
                v = recoders[i].get(raw, _UNKNOWN) if type(raw) is float else _UNKNOWN
                if v is _UNKNOWN:
                    if isinstance(raw, (ooxml.ErrorValue, ooxml.FormulaCell)):
                        self._bad_value(sheet, r, col, "", raw, "", "")
                        item_values.append(None)
                        continue
                    v = stats.item_value(scale, fmt, i, raw)
                    if type(raw) is float and raw and raw == raw and len(recoders[i]) < _RECODED_VALUES:  # not ±0, NaN
                        recoders[i][raw] = v
                item_values.append(v)
                if v is None:
                    if scale.knowledge:
                        self._bad_value(sheet, r, col, scale.items[i].id, raw, "not_an_option",
                                        ", ".join(str(c) for c in fmt.codes))
                    else:
                        self._bad_value(sheet, r, col, scale.items[i].id, raw, "out_of_range",
                                        f"{fmt.min} to {fmt.max}")
            scores[scale.id] = stats.score_of_values(scale, item_values)
            if None not in item_values:
                complete[scale.id] = array("d", item_values)
                if fmt.kind == "rating" and len(item_values) >= 3 and len({get(col) for col in cols}) == 1:
                    self.note("straight_lining_reversed" if any(i.reverse for i in scale.items) else "straight_lining",
                              sheet=sheet, row=r, column=scale.id, detail=shown_value(stats.as_number(get(cols[0]))))
        used = any(s is not None for s in scores.values())
        return Response(tp, sheet, r, code, used, profile, scores, complete)

    def _bad_value(self, sheet, r, col, column_id, raw, rule, detail) -> None:
        if isinstance(raw, ooxml.ErrorValue):
            rule, detail = "error_value", ""
        elif isinstance(raw, ooxml.FormulaCell):
            rule, detail = "formula_in_answer", ""
        elif stats.as_number(raw) is None:
            rule, detail = "not_a_number", ""
        letter = ooxml.column_letters(col)
        self.result.problems.append(QualityProblem(
            self.file, rule, sheet=sheet, row=r, column=f"{letter} ({column_id})" if column_id else letter,
            value=shown_value(raw), detail=detail))


def _fingerprint(course: Course, responses: list[Response]) -> str:
    """A hash of the used rows of the course's first time point — each row's code, profile answers
    and scale scores, in no particular order — or "" when none of them has a code."""
    first = course.tp_ids[0]
    rows = sorted(repr((r.code or "", sorted(r.profile.items()), sorted(r.scores.items())))
                  for r in responses if r.tp == first and r.used)
    if not any(r.code for r in responses if r.tp == first and r.used):
        return ""
    return hashlib.sha256(repr((course.id, rows)).encode("utf-8")).hexdigest()


_UNKNOWN = object()
# Typed answers are a handful of numbers per item; a hostile file cannot grow a cache past this.
_RECODED_VALUES = 64


_SPEC_HASHES: dict[int, tuple[Toolkit, str]] = {}


def _spec_hash(toolkit: Toolkit) -> str:
    """The toolkit's specification hash, worked out once per toolkit (it hashes every scale)."""
    known = _SPEC_HASHES.get(id(toolkit))
    if known is None or known[0] is not toolkit:
        known = _SPEC_HASHES[id(toolkit)] = (toolkit, toolkit.spec_hash)
    return known[1]


# ---------------------------------------------------------------------------------------------
# Cell values


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _is_id(v) -> bool:
    return isinstance(v, str) and bool(_ID.match(v.strip()))


def _header(cells: dict, area: ooxml.Area) -> dict[str, int]:
    """Column id → column number, from the row above the block."""
    out: dict[str, int] = {}
    for c in range(area.left, area.right + 1):
        v = cells.get((area.top - 1, c))
        if isinstance(v, str) and v.strip():
            out.setdefault(v.strip(), c)
    return out


def _as_text(raw) -> str | None:
    if raw is None or isinstance(raw, (bool, ooxml.ErrorValue, ooxml.FormulaCell)):
        return None
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else str(raw)
    text = " ".join(str(raw).split())
    return text[:120] or None


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")


def _as_date(raw, date1904: bool) -> dt.date | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float):
        return ooxml.excel_date(raw, date1904) if 0 < raw < 2_958_466 else None
    if isinstance(raw, str):
        text = raw.strip()
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
        m = _DMY.match(text)
        if m:
            day, month, year = (int(g) for g in m.groups())
            year += 2000 if year < 100 else 0
            try:
                return dt.date(year, month, day)  # the UK order: day/month/year
            except ValueError:
                return None
    return None


def _as_count(raw) -> int | None:
    x = stats.as_number(raw)
    if x is None and isinstance(raw, str) and raw.strip().isdigit():
        x = float(raw.strip())
    if x is None or x < 0 or not float(x).is_integer() or x > 100_000:
        return None
    return int(x)
