"""Reading the participant list for the mail merge: CSV or XLSX, as booking systems export it.

The file is read by :mod:`connect_share_learn.tabular`, as every table a user gives us is.
The list holds names, so it is only ever read: nothing here writes it anywhere. Column
headings are matched loosely ("First name", "first-name" and "first_name" are one column).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn.errors import InputError
from connect_share_learn.read.ooxml import column_letters
from connect_share_learn.tabular import read_table

# Headings booking systems use for the same thing.
ALIASES = {
    "full_name": "name", "participant": "name", "delegate": "name", "delegate_name": "name",
    "participant_name": "name",
    "forename": "first_name", "given_name": "first_name", "firstname": "first_name", "first": "first_name",
    "surname": "last_name", "family_name": "last_name", "lastname": "last_name", "last": "last_name",
    "manager": "manager_name", "line_manager": "manager_name",
}
NAME_COLUMNS = ("name", "first_name", "last_name")
MAX_ROWS = 20000
# Tabs, line breaks and other control characters would become layout inside a letter.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Participant:
    """One person on the list; ``row`` is the row number a spreadsheet shows (the headings' row is 1)."""

    row: int
    name: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class ParticipantList:
    file: Path
    columns: list[str]
    participants: list[Participant]
    warnings: list[str]


def column_id(heading: str) -> str:
    """A heading as a template variable name: lower case, words joined by underscores."""
    value = re.sub(r"[^0-9a-z]+", "_", heading.strip().lower()).strip("_")
    return ALIASES.get(value, value)


def clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) == (0, 0, 0):
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.day} {value:%B %Y}"  # a date cell from Excel, written the UK way
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _CONTROL.sub(" ", str(value)).strip()


def read_participants(path: Path, needed: set[str] = frozenset(), *, header_row: int | None = None) -> ParticipantList:
    """Read and check the list; ``needed`` are the columns the chosen letter uses.

    The headings are the first row that names a column of names, so title rows above them
    are left out (and a warning says so); ``header_row`` says which row they are instead.
    Raises :class:`InputError` naming every missing column before anything is written.
    Blank and repeated rows are skipped and reported in ``warnings``.
    """
    path = Path(path)
    table = read_table(path, "participant list", max_rows=MAX_ROWS, header_row=header_row,
                       is_header=lambda values: any(column_id(v) in NAME_COLUMNS for v in values))
    columns = [column_id(clean(h)) if clean(h) else "" for h in table.headers]
    seen: dict[str, int] = {}
    for index, col in enumerate(columns):
        if not col:
            continue
        if col in seen:
            raise InputError(path, f"columns {column_letters(seen[col] + 1)} and {column_letters(index + 1)} both hold '{col}'",
                             "delete or rename one of them", line=table.header_line)
        seen[col] = index
    missing = []
    if "name" not in seen:
        if "first_name" in seen or "last_name" in seen:
            missing += [c for c in ("first_name", "last_name") if c not in seen]
        else:
            missing.append("'name' (or 'first_name' and 'last_name')")
    missing += sorted(c for c in needed if c not in seen and c not in ("name", "first_name", "last_name"))
    if missing:
        names = ", ".join(m if m.startswith("'") else f"'{m}'" for m in missing)
        found = f": {table.headings_found()}" if table.titles else ""
        raise InputError(path, f"the participant list has no column {names}{found}",
                         f"add the missing heading(s) to the row of headings ({table.header_place}); nothing was "
                         "written", line=table.header_line)
    participants: list[Participant] = []
    warnings: list[str] = [str(w) for w in table.warnings]
    first_row: dict[tuple, int] = {}
    for row in table.rows:
        number = row.number
        values = {col: clean(row.cells[i]) for col, i in seen.items()}
        if not any(values.values()):
            warnings.append(f"{path}: row {number} is blank and was skipped")
            continue
        name = values.get("name") or " ".join(v for v in (values.get("first_name", ""), values.get("last_name", "")) if v)
        if not name:
            warnings.append(f"{path}: row {number} has no name and was skipped; fill in the name to include it")
            continue
        key = tuple(sorted(values.items()))
        if key in first_row:
            warnings.append(f"{path}: row {number} repeats row {first_row[key]} ({name}) and was skipped")
            continue
        first_row[key] = number
        for col in sorted(needed):
            if col in values and not values[col]:
                warnings.append(f"{path}: row {number}, column '{col}' is blank; the letter leaves it empty")
        participants.append(Participant(number, name, values))
    if not participants:
        raise InputError(path, "the participant list has no one in it",
                         "add one row per person under the headings")
    return ParticipantList(path, [c for c in columns if c], participants, warnings)
