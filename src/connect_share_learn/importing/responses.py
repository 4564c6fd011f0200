"""Reading a file of online responses (CSV or XLSX) as exported by KoboToolbox, ODK or Enketo.

The result is a plain table: the header row and every data row with the place it came
from (``line 12`` of a CSV, ``row 12`` of a sheet), each cell as text or a number. Which
column means what is decided later (:mod:`.columns`); nothing here knows the toolkit.

CSV files may be UTF-8 (with or without a byte-order mark) or Windows-1252, separated by
commas, semicolons (KoboToolbox's default) or tabs.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from connect_share_learn.errors import InputError
from connect_share_learn.importing.package import (
    NS_MAIN, REL_SHARED, Package, XmlHandler, shared_strings, split_ref,
)

MAX_RESPONSES_BYTES = 50_000_000
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
MAX_FIELD_CHARS = 100_000
Value = str | float


@dataclass
class Table:
    """A file of responses: ``rows`` are (place, cells) with cells aligned to ``headers``."""

    file: Path
    headers: list[str]
    rows: list[tuple[str, list[Value | None]]]


def read_table(path: Path) -> Table:
    """Read a CSV or XLSX file of responses; the first row holds the field names."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"the responses file cannot be read ({exc.strerror})", "check the path") from exc
    if size > MAX_RESPONSES_BYTES:
        raise InputError(path, f"the responses file is {size / 1e6:.0f} MB, more than the "
                         f"{MAX_RESPONSES_BYTES / 1e6:.0f} MB expected of online responses", "check it is the right file")
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise InputError(path, "the responses file is named like a spreadsheet but is not an .xlsx file",
                         "export the responses again as CSV or XLSX")
    return _read_csv(path)


# ---------------------------------------------------------------------------------------------
# CSV


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (a byte-order mark is dropped), else Windows-1252; a byte neither knows is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "the responses file is saved as UTF-16", "save it again as CSV UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(path, f"the responses file is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02X})",
                         "save it again as CSV UTF-8", line=line) from exc


def _delimiter(text: str) -> str:
    """The separator of the header line: the most frequent of comma, semicolon and tab."""
    first = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> Table:
    text = decode(path.read_bytes(), path)
    if "\x00" in text:
        raise InputError(path, "the responses file holds binary data, not CSV text",
                         "export the responses again as CSV or XLSX")
    line = 1
    hint = re.match(r"sep=(.)\r?\n", text)  # Excel's own hint naming the separator
    if hint:
        delimiter, text, line = hint.group(1), text[hint.end():], 2
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    first_line = line
    headers: list[str] | None = None
    rows: list[tuple[str, list[Value | None]]] = []
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        for record in reader:
            if not record:  # a blank line
                line = reader.line_num + first_line
                continue
            if headers is None:
                headers = [h.strip() for h in record]
                if len(headers) > MAX_COLUMNS:
                    raise InputError(path, f"the header has {len(headers)} columns, more than any form of this toolkit",
                                     "check it is the right file", line=line)
            else:
                if len(rows) >= MAX_ROWS:
                    raise InputError(path, f"the responses file has more than {MAX_ROWS:,} rows",
                                     "split it into smaller files", line=line)
                if len(record) > len(headers) and any(v.strip() for v in record[len(headers):]):
                    raise InputError(path, f"the row has {len(record)} values but the header names only "
                                     f"{len(headers)} columns", "check the separators and quotes on that line",
                                     line=line)
                cells: list[Value | None] = [v if v != "" else None for v in record[:len(headers)]]
                cells += [None] * (len(headers) - len(cells))
                rows.append((f"line {line}", cells))
            line = reader.line_num + first_line
    except csv.Error as exc:
        raise InputError(path, f"the CSV cannot be read ({exc})", "check the quotes on that line",
                         line=reader.line_num + first_line - 1) from exc
    finally:
        csv.field_size_limit(old_limit)
    if headers is None or not any(headers):
        raise InputError(path, "the responses file is empty: it has no header row of field names",
                         "export the responses again, with the field names as headers")
    return Table(path, headers, rows)


# ---------------------------------------------------------------------------------------------
# XLSX


def _read_xlsx(path: Path) -> Table:
    with Package(path, "responses file") as pkg:
        main = pkg.main_part()
        sheets: list[str] = []

        def start(tag, attrs):
            if tag == f"{NS_MAIN} sheet":
                sheets.append(next((v for k, v in attrs.items() if k.endswith(" id")), ""))

        pkg.parse(main, XmlHandler(start=start))
        rels = pkg.rels(main)
        if not sheets or sheets[0] not in rels:
            raise InputError(path, "the responses file has no sheet", "export the responses again")
        sheet_part = rels[sheets[0]][1]
        if not pkg.has(sheet_part):
            raise InputError(path, f"the responses file's first sheet ({sheet_part}) is missing",
                             "export the responses again")
        strings = shared_strings(pkg, pkg.part_of_type(main, REL_SHARED))
        grid = _sheet_cells(pkg, sheet_part, strings)
    if not grid:
        raise InputError(path, "the responses file's first sheet is empty", "export the responses again")
    row_numbers = sorted(grid)
    header_cells = grid[row_numbers[0]]
    width = max(header_cells) + 1 if header_cells else 0
    headers = [str(header_cells.get(c, "") or "").strip() for c in range(width)]
    rows = []
    for r in row_numbers[1:]:
        cells = grid[r]
        extra = [c for c in cells if c >= width and cells[c] not in (None, "")]
        if extra:
            raise InputError(path, f"row {r + 1} has a value in column {extra[0] + 1}, which has no field name "
                             "in the header row", "check it is the right sheet")
        rows.append((f"row {r + 1}", [cells.get(c) for c in range(width)]))
    return Table(path, headers, rows)


def _sheet_cells(pkg: Package, part: str, strings: list[str]) -> dict[int, dict[int, Value | None]]:
    """Every non-empty cell of a sheet: row → column → text or number (0-based)."""
    grid: dict[int, dict[int, Value | None]] = {}
    state = {"ref": None, "type": None, "buf": None, "in_v": False, "in_t": False, "in_rph": 0,
             "row": -1, "col": -1}
    C, V, T, IS, RPH, ROW = (f"{NS_MAIN} {n}" for n in ("c", "v", "t", "is", "rPh", "row"))

    def start(tag, attrs):
        if tag == ROW:
            r = attrs.get("r")
            state["row"] = int(r) - 1 if r and r.isdigit() else state["row"] + 1
            state["col"] = -1
            if state["row"] >= MAX_ROWS + 1:
                raise InputError(pkg.path, f"the responses sheet has more than {MAX_ROWS:,} rows",
                                 "split it into smaller files")
        elif tag == C:
            where = split_ref(attrs.get("r", "")) if attrs.get("r") else None
            if where is not None:
                state["row"], state["col"] = where
            else:
                state["col"] += 1
            if state["col"] >= MAX_COLUMNS:
                raise InputError(pkg.path, f"the responses sheet has more than {MAX_COLUMNS:,} columns",
                                 "check it is the right file")
            state["type"], state["buf"] = attrs.get("t", "n"), []
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
            if value not in (None, ""):
                grid.setdefault(state["row"], {})[state["col"]] = value

    def text(data):
        if state["in_v"] or (state["in_t"] and state["type"] == "inlineStr"):
            state["buf"].append(data)

    pkg.parse(part, XmlHandler(start, end, text))
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
