"""Reading the participant list for the mail merge: CSV or XLSX, as booking systems export it.

The list holds names, so it is only ever read: nothing here writes it anywhere. Column
headings are matched loosely ("First name", "first-name" and "first_name" are one column).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn.errors import InputError

# Headings booking systems use for the same thing.
ALIASES = {
    "full_name": "name", "participant": "name", "delegate": "name", "delegate_name": "name",
    "participant_name": "name",
    "forename": "first_name", "given_name": "first_name", "firstname": "first_name", "first": "first_name",
    "surname": "last_name", "family_name": "last_name", "lastname": "last_name", "last": "last_name",
    "manager": "manager_name", "line_manager": "manager_name",
}
MAX_ROWS = 20000
# Tabs, line breaks and other control characters would become layout inside a letter.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Participant:
    """One person on the list; ``row`` is the row number a spreadsheet shows (heading = 1)."""

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


def read_participants(path: Path, needed: set[str] = frozenset()) -> ParticipantList:
    """Read and check the list; ``needed`` are the columns the chosen letter uses.

    Raises :class:`InputError` naming every missing column before anything is written.
    Blank and repeated rows are skipped and reported in ``warnings``.
    """
    path = Path(path)
    rows = _read_rows(path)
    if not rows:
        raise InputError(path, "the participant list is empty",
                         "put the column headings (e.g. 'name') in the first row and one person per row")
    headings = [clean(h) for h in rows[0]]
    columns = [column_id(h) if h else "" for h in headings]
    seen: dict[str, int] = {}
    for index, col in enumerate(columns):
        if not col:
            continue
        if col in seen:
            raise InputError(path, f"columns {_letter(seen[col])} and {_letter(index)} both hold '{col}'",
                             "delete or rename one of them", line=1)
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
        raise InputError(path, f"the participant list has no column {names}",
                         "add the missing heading(s) to the first row; nothing was written", line=1)
    if len(rows) - 1 > MAX_ROWS:
        raise InputError(path, f"the participant list has {len(rows) - 1} rows, more than {MAX_ROWS}",
                         "split it into smaller lists")
    participants: list[Participant] = []
    warnings: list[str] = []
    first_row: dict[tuple, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        values = {col: clean(raw[i]) if i < len(raw) else "" for col, i in seen.items()}
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


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


# ---------------------------------------------------------------------------------------------
# Files


def _read_rows(path: Path) -> list[list]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, "the participant list does not exist", "check the file name and folder")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(path)
    raise InputError(path, f"'{suffix}' files cannot be read as a participant list",
                     "save the list as CSV (UTF-8) or as an Excel .xlsx workbook")


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel's "CSV" on Windows writes Windows-1252 (Western European).
            text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(path, f"the CSV cannot be read ({exc})", "save it again from Excel as 'CSV UTF-8'") from exc


def _read_xlsx(path: Path) -> list[list]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            if sum(i.file_size for i in archive.infolist()) > 200_000_000:
                raise InputError(path, "the workbook is too large to be a participant list", "save the list on its own")
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(path, f"the workbook cannot be read ({type(exc).__name__})",
                         "open it in Excel, save it again as .xlsx, and retry") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        while rows and not any(clean(v) for v in rows[-1]):
            rows.pop()
        return rows
    finally:
        workbook.close()
