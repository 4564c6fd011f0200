"""Where a table's headings are: the first row, a row the caller recognises under a title, or
the row the user names; and the note that says which rows above them were left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connect_share_learn.errors import InputError, Problem
from connect_share_learn.tabular.table import Row, clip, places

TITLE_ROWS = 10  # the most rows looked at for the headings


@dataclass(frozen=True)
class Headings:
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


def title_note(path: Path, titles: list[Row], header_place: str, line: int | None) -> list[Problem]:
    if not titles:
        return []
    shown = ", ".join("'" + clip(", ".join(str(v) for v in t.cells if v not in (None, ""))) + "'" for t in titles)
    one = len(titles) == 1
    return [Problem(str(path), line, "", f"the column headings are on {header_place}: {places([t.place for t in titles])} "
                    f"above them ({shown}) {'looks' if one else 'look'} like a title and {'was' if one else 'were'} "
                    "left out")]
