"""A user's table as read: the headings, and each data row with its place in the file; the
limits every reader keeps to, and how messages name places in a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn.errors import Problem

Value = str | float | dt.datetime | dt.time

MAX_BYTES = 50_000_000
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
MAX_FIELD_CHARS = 100_000
RESAVE = "save it again as 'CSV UTF-8' (in Excel: File › Save As › CSV UTF-8) and retry"


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
        return (f"the headings were taken from {self.header_place} ({clip(shown)}), under a title in "
                f"{places([t.place for t in self.titles])}")


def places(where: list[str], most: int = 12) -> str:
    """"line 3", "rows 1 and 2", "lines 2, 5 and 9": places of one kind named together."""
    unit, numbers = where[0].split()[0], [p.split()[1] for p in where]
    if len(numbers) == 1:
        return where[0]
    if len(numbers) > most:
        numbers = numbers[:most] + [f"{len(numbers) - most} more"]
    return f"{unit}s {', '.join(numbers[:-1])} and {numbers[-1]}"


def clip(text: str, limit: int = 60) -> str:
    """A text cut to ``limit`` characters, to quote in a message."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
