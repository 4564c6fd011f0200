"""Reading a file of online responses (CSV or XLSX) as exported by KoboToolbox, ODK or Enketo.

The file is read by :mod:`connect_share_learn.tabular`, as every table a user gives us is:
the header row of field names (the first that has the code's field, so a title typed above
it is left out) and each data row with its place (``line 12`` of a CSV, ``row 12`` of a
sheet). Which column means what is decided later (:mod:`.fields`).
"""

from __future__ import annotations

from pathlib import Path

from connect_share_learn.importing.fields import names_the_code
from connect_share_learn.tabular import Row, Table, Value, read_table

MAX_RESPONSES_BYTES = 50_000_000
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000

__all__ = ["Row", "Table", "Value", "read_responses"]


def read_responses(path: Path) -> Table:
    """Read a CSV or XLSX file of responses, under its row of field names."""
    return read_table(path, "responses file", max_bytes=MAX_RESPONSES_BYTES, max_rows=MAX_ROWS,
                      max_columns=MAX_COLUMNS, is_header=names_the_code)
