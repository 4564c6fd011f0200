"""Reading a table a user gives us (CSV or XLSX): a header row and data rows, each with its place.

One reader for every table the toolkit is handed — the participant list of the mail merge,
the online responses of ``csl import`` — so a file one command reads, the other reads the
same way. Which column means what is the caller's business; nothing here knows the toolkit.

CSV text may be UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark
(Excel's "Unicode Text"), or else Windows-1252 (Excel's "CSV" on Windows), separated by
commas, semicolons or tabs — the one the header line uses most, or the one Excel's
``sep=`` first line names. No character is ever replaced: a byte the encoding does not
know, a quote that is never closed, a row longer than the header, an empty file are each
an :class:`InputError` naming the file and the line. An .xlsx file's first sheet is read
with the zip and XML checks of :mod:`connect_share_learn.read.ooxml`.

Text can be garbled without any byte being refused: names mis-decoded before they reached
us ("JosÃ©", in a file of any encoding), or a Mac Roman file read as Windows-1252 ("José
Núñez" as "JosŽ Nœ–ez"). Every table is checked for the usual signs, and a warning naming
the rows is returned with it (see :func:`garbled`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn.errors import InputError, Problem
from connect_share_learn.read import ooxml

Value = str | float | dt.datetime | dt.time

MAX_BYTES = 50_000_000
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
MAX_FIELD_CHARS = 100_000
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", "")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_QUOTING = ('a value holding the separator, a quote or a line break goes in quotes, each quote in it doubled: '
            '"Ann ""Nan"" Lee"; correct the line and retry')
_RESAVE = "save it again as 'CSV UTF-8' (in Excel: File › Save As › CSV UTF-8) and retry"


@dataclass(frozen=True)
class Row:
    """One data row: where it is, and its cells aligned to the header (``None`` for empty)."""

    number: int  # the row a spreadsheet shows: the sheet's row; for a CSV its record, header = 1
    line: int | None  # CSV: the physical line the row starts on (a quoted line break spans two); sheet: None
    cells: list[Value | None]

    @property
    def place(self) -> str:
        """``line 12`` of a CSV file, ``row 12`` of a sheet: how a message names the row."""
        return f"line {self.line}" if self.line is not None else f"row {self.number}"


@dataclass
class Table:
    """A user's table: ``headers`` (stripped text) and ``rows`` as read, blank lines left out."""

    file: Path
    headers: list[str]
    rows: list[Row]
    header_line: int | None = None  # CSV: the header's physical line; sheet: None
    encoding: str = ""  # "utf-8", "utf-8-sig", "utf-16", "cp1252" or "xlsx"
    warnings: list[Problem] = field(default_factory=list)
    header_place: str = "line 1"  # where the headings are, as messages name it ("line 3", "row 4")
    titles: list[Row] = field(default_factory=list)  # the rows above the headings, left out

    def headings_found(self) -> str:
        """Where the headings were taken from, when rows above them were left out ("" if none were):
        for a message about a heading that is missing."""
        if not self.titles:
            return ""
        shown = ", ".join(f"'{h}'" for h in self.headers if h)
        return (f"the headings were taken from {self.header_place} ({_clip(shown)}), under a title in "
                f"{_places([t.place for t in self.titles])}")


# ---------------------------------------------------------------------------------------------
# Public


def read_table(path: Path, what: str = "table", *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
               max_columns: int = MAX_COLUMNS, is_header: Callable[[list[str]], bool] | None = None,
               header_row: int | None = None) -> Table:
    """Read a CSV or XLSX file of column headings and one row per entry under them.

    The headings are the first non-blank row, unless rows above them look like a title: then
    the first of the first rows that ``is_header`` accepts, or else the first row holding more
    than one value under rows holding one. Rows above the headings are left out, and a
    warning says so.

    Args:
        path: the file; an .xlsx file is recognised by its content, anything else is CSV text.
        what: how messages name the file ("participant list", "responses file").
        max_bytes, max_rows, max_columns: refused above these, as not the file meant.
        is_header: whether a row's stripped values are the headings the caller needs.
        header_row: the row of the headings as a spreadsheet shows it (1 for the first):
            where the user says they are, whatever is above.

    Returns:
        The :class:`Table`; its ``warnings`` are for the caller to show.

    Raises:
        InputError: naming the file and, for CSV, the line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"the {what} is a folder, not a file" if path.is_dir() else f"the {what} does not exist",
                         "check the file name and folder")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(path, f"the {what} cannot be read ({exc.strerror})",
                         "check the path and that the file is not open elsewhere") from exc
    if size > max_bytes:
        raise InputError(path, f"the {what} is {size / 1e6:.0f} MB, more than the {max_bytes / 1e6:.0f} MB "
                         f"expected of a {what}", "check it is the right file")
    suffix = path.suffix.lower()
    finding = _Headings(is_header, header_row)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx), or an old-style .xls
        return _read_xlsx(path, what, max_rows, max_columns, finding)
    if suffix in SHEET_SUFFIXES:
        raise InputError(path, f"the {what} is named like a spreadsheet but is not an .xlsx file",
                         "save it again as CSV UTF-8 or as an Excel workbook (.xlsx)")
    if suffix not in TEXT_SUFFIXES:
        raise InputError(path, f"'{suffix}' files cannot be read as a {what}",
                         "save it as CSV UTF-8 or as an Excel workbook (.xlsx)")
    return _read_csv(path, what, max_rows, max_columns, finding)


def decode(data: bytes, path: Path, what: str = "table") -> tuple[str, str]:
    """The text of a CSV file and the encoding read: UTF-8 (a byte-order mark dropped), UTF-16
    with a byte-order mark, else Windows-1252. A byte the encoding does not know is refused,
    naming its line; nothing is ever replaced."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            line = data[:exc.start - exc.start % 2].decode("utf-16", "ignore").count("\n") + 1
            raise InputError(path, f"the {what} starts as UTF-16 text but is damaged near line {line} "
                             "(an odd number of bytes or a broken character)", _RESAVE, line=line) from exc
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(path, f"the {what} is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02X} "
                         "is not a character in either; it may be a Mac or other encoding)", _RESAVE,
                         line=line) from exc


# ---------------------------------------------------------------------------------------------
# Garbled text: a warning, never a refusal (a heuristic can be wrong)

# Windows-1252 puts these signs and letters at bytes 0x80–0x9F, where Mac Roman and the DOS
# code pages put accented letters; the quote marks are left out, real text is full of them.
_CP1252_SIGNS = "€‚ƒ„…†‡ˆ‰‹•–—˜™›"
_CP1252_CAPITALS = "ŠŒŽŸ"
_OTHER_CODE_PAGE = re.compile(
    rf"(?<=[^\W\d_])[{_CP1252_SIGNS}](?=[^\W\d_])"  # a sign between two letters: "Nœ–ez", "G—mez"
    rf"|(?<=[a-zß-öø-ÿ])[{_CP1252_CAPITALS}]"  # a capital straight after a small letter: "JosŽ"
    rf"|(?<=[^\W\d_])[{_CP1252_CAPITALS}](?=[a-zß-öø-ÿ])"  # or inside a word before one: "MŸller"
)
# Each byte as Latin-1 shows it, and as Windows-1252 does where it has a sign of its own.
_SHOWN_AS = {chr(b): b for b in range(256)}
_SHOWN_AS |= {c: b for b in range(0x80, 0xA0) if (c := bytes([b]).decode("cp1252", "ignore"))}
_UTF8_TAIL = "".join(c for c, b in _SHOWN_AS.items() if 0x80 <= b < 0xC0)  # what UTF-8's continuation bytes become
_UTF8_MISREAD = re.compile(rf"[\u00c2-\u00f4][{re.escape(_UTF8_TAIL)}]")  # a lead byte's letter, then a tail's
# What UTF-8 text in names and comments holds: Latin, Greek, Cyrillic, Hebrew, Arabic and CJK
# letters, accents, punctuation and currency; not the IPA letters ("CAFÉ’S" would read "CAFɒS").
_TEXT_RANGES = ((0xA0, 0x24F), (0x300, 0x52F), (0x590, 0x6FF), (0x1E00, 0x20CF), (0x2100, 0x214F),
                (0x3000, 0x9FFF), (0xAC00, 0xD7AF))
_WORD = re.compile(r'[^ \t\r\n,;"()]+')


def misread_utf8(word: str) -> str | None:
    """What ``word`` was before its UTF-8 bytes were read as Windows-1252 or Latin-1 and saved
    again ("JosÃ©" was "José", "Å\x81ukasz" was "Łukasz"); None when it does not read so.

    It reads so only if every character maps back to a byte, those bytes are UTF-8, and what
    they spell is text people write: a real "José", "JOÃO" or "CAFÉ’S" does not.
    """
    if not _UTF8_MISREAD.search(word):
        return None
    try:
        was = bytes(_SHOWN_AS[c] for c in word).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None
    if all(any(lo <= ord(c) <= hi for lo, hi in _TEXT_RANGES) for c in was if ord(c) > 0x7F):
        return was
    return None


def garbled(text: str, *, windows_1252: bool) -> list[tuple[str, str | None]]:
    """The words of ``text`` that look mis-encoded, each with what it was when that can be told.

    Any text can hold UTF-8 garbled before it reached us (see :func:`misread_utf8`). Text
    read as Windows-1252 may also have been saved in another code page, as Mac Roman reads
    "José Núñez" as "JosŽ Nœ–ez": a sign from bytes 0x80–0x9F (not a quote mark) between two
    letters, or one of the capitals Š Œ Ž Ÿ after a small letter or inside a word before one.
    That part misses some cases ("Jšrg") and may flag an unspaced dash ("yes—but").
    """
    out: list[tuple[str, str | None]] = []
    if not (_UTF8_MISREAD.search(text) or (windows_1252 and _OTHER_CODE_PAGE.search(text))):
        return out  # most text: one search, no word by word
    for m in _WORD.finditer(text):
        word = m.group()
        was = misread_utf8(word)
        if was is not None or (windows_1252 and _OTHER_CODE_PAGE.search(word)):
            out.append((word, was))
    return out


def _garbled_warning(path: Path, what: str, rows: list[Row], windows_1252: bool) -> list[Problem]:
    """One warning naming the rows whose text looks garbled, the first word, and what to do."""
    found = [(row, words) for row in rows
             if (words := garbled("\n".join(c for c in row.cells if isinstance(c, str)), windows_1252=windows_1252))]
    if not found:
        return []
    first, [(word, was), *_] = found[0]
    where = _places([row.place for row, _ in found])
    if was is not None:
        return [Problem(str(path), first.line, "", f"'{word}' looks like '{was}' garbled, as UTF-8 text read in "
                        f"another encoding is ({where})", "re-save it as UTF-8 from the original (export it again, "
                        "or in Excel: File › Save As › CSV UTF-8) and retry; as it is, the text is used garbled")]
    return [Problem(str(path), first.line, "", f"the {what} is not UTF-8, so it was read as Windows-1252, but "
                    f"'{word}' looks garbled, as text saved in another encoding does ({where})",
                    "if names look wrong, " + _RESAVE)]


# ---------------------------------------------------------------------------------------------
# Where the headings are

TITLE_ROWS = 10  # the most rows looked at for the headings


@dataclass(frozen=True)
class _Headings:
    """How to find the headings among the first rows (see :func:`read_table`)."""

    is_header: Callable[[list[str]], bool] | None
    header_row: int | None

    def index(self, path: Path, what: str, numbers: list[int], values: Callable[[int], list[str]]) -> int:
        """Which of the non-blank rows holds the headings, given their ``numbers`` (as a
        spreadsheet shows them) and the stripped ``values`` of the k-th."""
        if self.header_row is not None:
            if self.header_row in numbers:
                return numbers.index(self.header_row)
            raise InputError(path, f"row {self.header_row}, given as the row of the column headings, is "
                             f"{'blank' if self.header_row < numbers[-1] else 'past the end of the ' + what}",
                             "give the number of the row that holds the headings, as a spreadsheet shows it")
        if self.is_header is None:
            return 0
        first = [values(k) for k in range(min(TITLE_ROWS, len(numbers)))]
        for k, row in enumerate(first):
            if self.is_header(row):
                return k
        # No row has the headings wanted, and the caller will say so: of the headings under a title, if any.
        filled = [sum(1 for v in row if v) for row in first]
        if filled[0] == 1:
            return next((k for k, n in enumerate(filled) if n > 1), 0)
        return 0


def _title_note(path: Path, titles: list[Row], header_place: str, line: int | None) -> list[Problem]:
    if not titles:
        return []
    shown = ", ".join("'" + _clip(", ".join(str(v) for v in t.cells if v not in (None, ""))) + "'" for t in titles)
    one = len(titles) == 1
    return [Problem(str(path), line, "", f"the column headings are on {header_place}: {_places([t.place for t in titles])} "
                    f"above them ({shown}) {'looks' if one else 'look'} like a title and {'was' if one else 'were'} "
                    "left out")]


def _places(places: list[str], most: int = 12) -> str:
    """"line 3", "rows 1 and 2", "lines 2, 5 and 9": places of one kind named together."""
    unit, numbers = places[0].split()[0], [p.split()[1] for p in places]
    if len(numbers) == 1:
        return places[0]
    if len(numbers) > most:
        numbers = numbers[:most] + [f"{len(numbers) - most} more"]
    return f"{unit}s {', '.join(numbers[:-1])} and {numbers[-1]}"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# CSV


def _delimiter(text: str) -> str:
    """The separator: the most frequent of comma, semicolon and tab outside quotes on the first
    line that has any (a title above the headings may have none)."""
    for line in itertools.islice(io.StringIO(text, newline=""), TITLE_ROWS * 2):
        unquoted = re.sub(r'"[^"]*"', "", line)
        counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


def _read_csv(path: Path, what: str, max_rows: int, max_columns: int, finding: _Headings) -> Table:
    text, encoding = decode(path.read_bytes(), path, what)
    if "\x00" in text:
        raise InputError(path, f"the {what} holds binary data, not CSV text", _RESAVE,
                         line=text.count("\n", 0, text.index("\x00")) + 1)
    offset = 0  # physical lines before the text the reader sees
    hint = re.match(r"sep=(.)\r?\n", text)  # Excel's own line naming the separator; Excel does not show it
    if hint:
        delimiter, text, offset = hint.group(1), text[hint.end():], 1
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, int, int, list[str]]] = []  # (number, first line, last line, values) of non-blank records
    old_limit = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        lines = iter(reader)
        number = 0
        while len(records) <= max_rows + TITLE_ROWS:
            start = reader.line_num + 1 + offset
            try:
                record = next(lines)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(path, f"a quote on line {start} is never closed, or text follows its closing quote "
                                 f"({exc})", _QUOTING, line=start) from exc
            number += 1  # a blank line too: a spreadsheet shows it as a row
            if record and (len(record) > 1 or record[0].strip()):
                records.append((number, start, reader.line_num + offset, record))
    finally:
        csv.field_size_limit(old_limit)
    if not records:
        raise InputError(path, f"the {what} is empty", "put the column headings in the first row and one entry "
                         "per row under them")
    k = finding.index(path, what, [n for n, _, _, _ in records], lambda k: [v.strip() for v in records[k][3]])
    _, header_line, _, record = records[k]
    headers = [h.strip() for h in record]
    if not any(headers):
        raise InputError(path, f"the {what}'s first row has no column headings", "put the column "
                         "headings in the first row, one row per entry under them", line=header_line)
    if len(headers) > max_columns:
        raise InputError(path, f"the header has {len(headers):,} columns, more than a {what} has",
                         "check it is the right file", line=header_line)
    rows: list[Row] = []
    for number, start, end, record in records[k + 1:]:
        if len(rows) >= max_rows:
            raise InputError(path, f"the {what} has more than {max_rows:,} rows", "split it into smaller files",
                             line=start)
        if len(record) > len(headers) and any(v.strip() for v in record[len(headers):]):
            raise InputError(path, f"the row has {len(record)} values but the header names only {len(headers)} "
                             "columns", "check the separators and quotes on that line (a value holding "
                             f"'{delimiter}' must be in quotes)", line=start)
        if end > start and len(record) < len(headers):
            # A quoted line break in a row that then falls short: a quote left open swallowed lines.
            raise InputError(path, f"the row runs from line {start} to line {end} inside quotes but has only "
                             f"{len(record)} of the {len(headers)} values: a quote on line {start} is probably "
                             "never closed", _QUOTING, line=start)
        cells: list[Value | None] = [v if v != "" else None for v in record[:len(headers)]]
        cells += [None] * (len(headers) - len(cells))
        rows.append(Row(number, start, cells))
    titles = [] if finding.header_row is not None else [Row(n, start, list(r)) for n, start, _, r in records[:k]]
    place = f"line {header_line}"
    warnings = _title_note(path, titles, place, header_line)
    warnings += _garbled_warning(path, what, rows, windows_1252=encoding == "cp1252")
    return Table(path, headers, rows, header_line, encoding, warnings, place, titles)


# ---------------------------------------------------------------------------------------------
# XLSX: the first sheet, through the guarded package reader


def _read_xlsx(path: Path, what: str, max_rows: int, max_columns: int, finding: _Headings) -> Table:
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
    warnings = _title_note(path, titles, place, None) + _garbled_warning(path, what, rows, windows_1252=False)
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

