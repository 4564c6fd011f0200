"""A CSV file: its encoding, its separator, and its records as rows under the headings."""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

from connect_share_learn.errors import InputError
from connect_share_learn.tabular.garbled import garbled_warning
from connect_share_learn.tabular.headings import TITLE_ROWS, Headings, title_note
from connect_share_learn.tabular.table import MAX_FIELD_CHARS, RESAVE, Row, Table, Value

_QUOTING = ('a value holding the separator, a quote or a line break goes in quotes, each quote in it doubled: '
            '"Ann ""Nan"" Lee"; correct the line and retry')


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
                             "(an odd number of bytes or a broken character)", RESAVE, line=line) from exc
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
                         "is not a character in either; it may be a Mac or other encoding)", RESAVE,
                         line=line) from exc


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


def read_csv(path: Path, what: str, max_rows: int, max_columns: int, finding: Headings) -> Table:
    text, encoding = decode(path.read_bytes(), path, what)
    if "\x00" in text:
        raise InputError(path, f"the {what} holds binary data, not CSV text", RESAVE,
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
    warnings = title_note(path, titles, place, header_line)
    warnings += garbled_warning(path, what, rows, windows_1252=encoding == "cp1252")
    return Table(path, headers, rows, header_line, encoding, warnings, place, titles)
