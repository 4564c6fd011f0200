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

from collections.abc import Callable
from pathlib import Path

from connect_share_learn.errors import InputError
from connect_share_learn.tabular.garbled import garbled, misread_utf8
from connect_share_learn.tabular.headings import Headings
from connect_share_learn.tabular.sheet import read_xlsx
from connect_share_learn.tabular.table import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, Row, Table, Value
from connect_share_learn.tabular.text import decode, read_csv

__all__ = ["Row", "Table", "Value", "decode", "garbled", "misread_utf8", "read_table"]

TEXT_SUFFIXES = (".csv", ".txt", ".tsv", "")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")


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
    finding = Headings(is_header, header_row)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx), or an old-style .xls
        return read_xlsx(path, what, max_rows, max_columns, finding)
    if suffix in SHEET_SUFFIXES:
        raise InputError(path, f"the {what} is named like a spreadsheet but is not an .xlsx file",
                         "save it again as CSV UTF-8 or as an Excel workbook (.xlsx)")
    if suffix not in TEXT_SUFFIXES:
        raise InputError(path, f"'{suffix}' files cannot be read as a {what}",
                         "save it as CSV UTF-8 or as an Excel workbook (.xlsx)")
    return read_csv(path, what, max_rows, max_columns, finding)
