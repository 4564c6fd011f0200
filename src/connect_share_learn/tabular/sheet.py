"""An .xlsx file's first sheet as a table, read through the guarded package reader."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from connect_share_learn.errors import InputError
from connect_share_learn.read import ooxml
from connect_share_learn.tabular.garbled import garbled_warning
from connect_share_learn.tabular.headings import Headings, title_note
from connect_share_learn.tabular.table import Row, Table, Value

def read_xlsx(path: Path, what: str, max_rows: int, max_columns: int, finding: Headings) -> Table:
    from connect_share_learn.analyse.quality import opened_package

    with opened_package(path, what) as pkg:
        if not pkg.sheets:
            raise InputError(path, f"the {what} has no sheet", "save it again from Excel or LibreOffice")
        sheet_part = next(iter(pkg.sheets.values()))
        strings = pkg.shared_strings()
        dates = _date_styles(pkg, pkg.related(pkg.main_part, ooxml.REL_STYLES))
        epoch = dt.datetime(1904, 1, 1) if pkg.date1904 else None
        grid = _sheet_cells(pkg, sheet_part, strings, dates, epoch, what, max_rows, max_columns)
    if not grid:
        raise InputError(path, f"the {what}'s first sheet is empty", "put the column headings in the first row "
                         "and one entry per row under them")
    row_numbers = sorted(grid)
    k = finding.index(path, what, [r + 1 for r in row_numbers],
                      lambda k: [_heading(grid[row_numbers[k]].get(c)) for c in range(max(grid[row_numbers[k]]) + 1)])
    header_cells = grid[row_numbers[k]]
    width = max(header_cells) + 1
    headers = [_heading(header_cells.get(c)) for c in range(width)]
    rows = []
    for r in row_numbers[k + 1:]:
        cells = grid[r]
        extra = [c for c in cells if c >= width]
        if extra:
            raise InputError(path, f"row {r + 1} has a value in column {ooxml.column_letters(min(extra) + 1)}, which has no heading "
                             f"in the header row (row {row_numbers[k] + 1})",
                             "check it is the right sheet, or give that column a heading")
        rows.append(Row(r + 1, None, [cells.get(c) for c in range(width)]))
    titles = [] if finding.header_row is not None else [
        Row(r + 1, None, [grid[r][c] for c in sorted(grid[r])]) for r in row_numbers[:k]]
    place = f"row {row_numbers[k] + 1}"
    warnings = title_note(path, titles, place, None) + garbled_warning(path, what, rows, windows_1252=False)
    return Table(path, headers, rows, None, "xlsx", warnings, place, titles)


# Excel's built-in number formats that show a date or time.
_BUILTIN_DATES = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))


def _date_styles(pkg: ooxml.Package, part: str | None) -> set[int]:
    """Indexes of the cell styles whose number format shows a date or time."""
    if part is None:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = []

    def start(tag, attrs):
        if tag == f"{ooxml.NS_MAIN} numFmt":
            if attrs.get("numFmtId", "").isdigit():
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag == f"{ooxml.NS_MAIN} cellXfs":
            in_xfs.append(True)
        elif tag == f"{ooxml.NS_MAIN} xf" and in_xfs:
            n = attrs.get("numFmtId", "0")
            formats.append(int(n) if n.isdigit() else 0)

    def end(tag):
        if tag == f"{ooxml.NS_MAIN} cellXfs":
            in_xfs.clear()

    pkg.parse(part, start, end)
    return {i for i, n in enumerate(formats) if n in _BUILTIN_DATES or (n in custom and _is_date_format(custom[n]))}


def _is_date_format(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code.split(";")[0])
    return bool(re.search(r"[dmyhs]", bare, re.IGNORECASE)) and "general" not in bare.lower()


def _sheet_cells(pkg: ooxml.Package, part: str, strings: list[str], dates: set[int], epoch: dt.datetime | None, what: str,
                 max_rows: int, max_columns: int) -> dict[int, dict[int, Value]]:
    """Every non-empty cell of a sheet: row → column → value (0-based)."""
    grid: dict[int, dict[int, Value]] = {}
    state = {"type": None, "style": 0, "buf": None, "in_v": False, "in_t": False, "in_rph": 0, "row": -1, "col": -1}
    C, V, T, RPH, ROW = (f"{ooxml.NS_MAIN} {n}" for n in ("c", "v", "t", "rPh", "row"))

    def start(tag, attrs):
        if tag == ROW:
            r = attrs.get("r")
            state["row"] = int(r) - 1 if r and r.isdigit() else state["row"] + 1
            state["col"] = -1
            if len(grid) > max_rows:
                raise InputError(pkg.path, f"the {what}'s sheet has more than {max_rows:,} rows",
                                 "split it into smaller files")
        elif tag == C:
            where = ooxml.parse_cell(attrs.get("r", "")) if attrs.get("r") else None
            if where is not None:
                state["row"], state["col"] = where[0] - 1, where[1] - 1
            else:
                state["col"] += 1
            if state["col"] >= max_columns:
                raise InputError(pkg.path, f"the {what}'s sheet has more than {max_columns:,} columns",
                                 "check it is the right file")
            style = attrs.get("s", "0")
            state["type"], state["style"], state["buf"] = attrs.get("t", "n"), int(style) if style.isdigit() else 0, []
        elif tag == V:
            state["in_v"] = True
        elif tag == RPH:
            state["in_rph"] += 1
        elif tag == T and not state["in_rph"]:
            state["in_t"] = True

    def end(tag):
        if tag == V:
            state["in_v"] = False
        elif tag == T:
            state["in_t"] = False
        elif tag == RPH:
            state["in_rph"] -= 1
        elif tag == C:
            value = _cell_value(state["type"], "".join(state["buf"]), strings)
            if isinstance(value, float) and state["style"] in dates:
                value = _as_date(value, epoch)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                grid.setdefault(state["row"], {})[state["col"]] = value

    def text(data):
        if state["in_v"] or (state["in_t"] and state["type"] == "inlineStr"):
            state["buf"].append(data)

    pkg.parse(part, start, end, text)
    return grid


def _cell_value(kind: str, raw: str, strings: list[str]) -> Value | None:
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return None
    if kind in ("str", "inlineStr", "e"):
        return raw
    if kind == "b":
        return "TRUE" if raw.strip() == "1" else "FALSE"
    if raw.strip() == "":
        return None
    try:
        return float(raw)
    except ValueError:
        return raw


def _as_date(serial: float, epoch: dt.datetime | None) -> Value:
    """An Excel date serial as a datetime (a time of day alone as a time)."""
    if 0 <= serial < 1:
        seconds = round(serial * 86400)
        return dt.time(min(seconds // 3600, 23), seconds // 60 % 60, seconds % 60)
    if epoch is None:  # the 1900 system counts a 29 February 1900 that never was
        epoch = dt.datetime(1899, 12, 30) if serial >= 61 else dt.datetime(1899, 12, 31)
    try:
        return epoch + dt.timedelta(seconds=round(serial * 86400))
    except OverflowError:
        return serial


def _heading(value: Value | None) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
