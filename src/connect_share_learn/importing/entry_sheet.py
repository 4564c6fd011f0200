"""Appending rows to a time point's entry block by editing the workbook's XML, nothing else.

openpyxl would drop the charts, so the workbook is edited as the zip it is: the entry
sheet's part gets new ``<c>`` cells inside its ``<row>`` elements (in column order, every
existing cell — shared formulas included — kept byte for byte), ``workbook.xml`` is told to
recalculate everything on opening (the cached results are stale), and every other part is
copied unchanged. The XML is read and written as text by :mod:`.sheet_xml`.

The block is found as a user's copy of Excel would find it: through the workbook-level
defined name ``<tp>_data`` and the row of column ids just above it.
"""

from __future__ import annotations

import bisect
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from connect_share_learn.analyse.quality import refusal
from connect_share_learn.contract import PROPERTY_COURSE
from connect_share_learn.errors import InputError
from connect_share_learn.files import write_file
from connect_share_learn.importing import sheet_xml
from connect_share_learn.read import ooxml
from connect_share_learn.read.ooxml import Package
from connect_share_learn.stats import normalise_code

# Far above the generator's limits (5,000 rows, a few hundred columns): a sanity check on untrusted names.
MAX_BLOCK_ROWS = 20_000
MAX_BLOCK_COLUMNS = 2_000


@dataclass
class EntryBlock:
    """One time point's data block as found in a workbook."""

    sheet: str
    part: str  # the sheet's zip member
    first_row: int  # 0-based, first data row
    last_row: int
    first_col: int
    ids: list[str]  # column ids, first_col onwards
    used_rows: int  # rows up to and including the last one with anything typed
    codes: dict[str, list[int]] = field(default_factory=dict)  # normalised code → 0-based rows already typed
    typed: dict[int, dict[str, object]] = field(default_factory=dict)  # 0-based row → column id → value there

    @property
    def capacity(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def room(self) -> int:
        return self.capacity - self.used_rows

    @property
    def next_row(self) -> int:
        return self.first_row + self.used_rows


@dataclass
class Workbook:
    """A checked workbook of this toolkit, opened for appending rows."""

    path: Path
    properties: dict[str, str]
    main: str  # workbook.xml's member name
    block: EntryBlock
    sheet_parts: list[str] = field(default_factory=list)  # every sheet's zip member


# ---------------------------------------------------------------------------------------------
# Public


def open_workbook(path: Path, tp: str) -> tuple[Package, Workbook]:
    """Open and check ``path`` and find the entry block of time point ``tp``."""
    try:
        pkg = ooxml.open_package(path, in_memory=True)
    except ooxml.Refused as exc:
        raise refusal(path, exc.code, exc.detail) from None
    try:
        props, main, sheets, names = pkg.properties, pkg.main_part, pkg.sheets, pkg.names
        name = f"{tp}_data"
        if PROPERTY_COURSE not in props and not any(re.fullmatch(r"t[0-9]_data", n) for n in names):
            # Programs that drop the document properties on saving keep the defined names: a
            # workbook with neither is not one of ours. (One with names is checked by its columns.)
            raise InputError(path, "this workbook was not made by connect-share-learn (it has no csl_course property)",
                             "import into the data-entry workbook of the course, from the pack's workbooks/ folder")
        if name not in names:
            found = sorted(n[:-5] for n in names if re.fullmatch(r"t[0-9]_data", n))
            raise InputError(path, f"the workbook has no entry sheet for time point '{tp}' (no defined name {name}); "
                             f"it has {', '.join(found) or 'none'}", "choose one of those with --time-point")
        area = ooxml.parse_area(names[name])
        if area is None:
            raise InputError(path, f"the defined name {name} does not point at a block of cells ({names[name]!r})",
                             "use the workbook as built, or rebuild it with csl build")
        sheet = area.sheet
        if sheet not in sheets:
            raise InputError(path, f"the defined name {name} points at a sheet '{sheet}' the workbook does not have",
                             "use the workbook as built, or rebuild it with csl build")
        part = sheets[sheet]
        first_col, first_row, last_col, last_row = area.left - 1, area.top - 1, area.right - 1, area.bottom - 1
        if first_row < 1 or last_row < first_row or last_col < first_col:
            raise InputError(path, f"the defined name {name} has no row of column ids above it ({names[name]})",
                             "use the workbook as built, or rebuild it with csl build")
        if last_row - first_row >= MAX_BLOCK_ROWS or last_col - first_col >= MAX_BLOCK_COLUMNS:
            raise InputError(path, f"the defined name {name} spans {last_row - first_row + 1:,} rows and "
                             f"{last_col - first_col + 1:,} columns, far more than a workbook of this toolkit has",
                             "use the workbook as built, or rebuild it with csl build")
        block = _read_block(pkg, part, sheet, pkg.shared_strings(), first_row, last_row, first_col, last_col)
    except ooxml.Refused as exc:
        pkg.close()
        raise refusal(path, exc.code, exc.detail) from None
    except BaseException:
        pkg.close()
        raise
    return pkg, Workbook(Path(path), props, main, block, sorted(set(sheets.values())))


def append_rows(pkg: Package, book: Workbook, rows: list[dict[str, object]], out: Path) -> tuple[int, int]:
    """Write a copy of the workbook to ``out`` with ``rows`` appended to the block; returns the
    0-based first and last rows written. ``out`` appears whole or not at all.

    Formula results the workbook stored are dropped (the formulas stay): the new rows make
    them stale, and LibreOffice, which by default never recalculates an .xlsx file on
    opening (whatever ``fullCalcOnLoad`` says), calculates a formula that has no stored
    result. Workbooks as generated store none, so their other sheets stay byte-identical.
    """
    block = book.block
    if len(rows) > block.room:
        raise ValueError("more rows than the block has room for")
    replaced: dict[str, bytes] = {}
    for part in book.sheet_parts:
        if part == block.part:
            continue
        data = pkg.read(part)
        if b"<v>" not in data and b":v>" not in data:
            continue
        _check_xml(book.path, data, part)
        xml, dropped = sheet_xml.drop_stored_results(data.decode("utf-8-sig"))
        if dropped:
            replaced[part] = xml.encode("utf-8")
    xml, _ = sheet_xml.drop_stored_results(pkg.read(block.part).decode("utf-8-sig"))
    new_sheet = _insert_rows(xml, block, rows).encode("utf-8")
    _check_xml(book.path, new_sheet, block.part)  # the edit must leave well-formed XML
    replaced[block.part] = new_sheet
    replaced[book.main] = sheet_xml.force_full_recalculation(pkg.read(book.main).decode("utf-8-sig")).encode("utf-8")
    _write_zip(pkg, replaced, out)
    return block.next_row, block.next_row + len(rows) - 1


# ---------------------------------------------------------------------------------------------
# Reading


def _check_xml(path: Path, data: bytes, part: str) -> None:
    """Well-formed XML with no document type: then regular expressions are safe on it."""
    try:
        ooxml.check_xml(data, part)
    except ooxml.Refused as exc:
        raise refusal(path, exc.code, exc.detail) from None


def _read_block(pkg: Package, part: str, sheet: str, strings: list[str], first_row: int, last_row: int,
                first_col: int, last_col: int) -> EntryBlock:
    data = pkg.read(part)
    _check_xml(pkg.path, data, part)
    try:
        xml = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(pkg.path, f"the sheet '{sheet}' is not stored as UTF-8", "open the workbook in Excel or "
                         "LibreOffice and save it again") from exc
    try:
        prefix, start, end, _ = sheet_xml.sheet_data(xml)
    except ValueError as exc:
        raise InputError(pkg.path, f"the sheet '{sheet}' has no cells", "use the workbook as built") from exc
    ids_row = first_row - 1
    ids: dict[int, str] = {}
    used = -1
    codes: dict[str, list[int]] = {}
    typed: dict[int, dict[int, object]] = {}
    code_col = None
    for row in sheet_xml.rows_of(xml, prefix, start, end):
        if row.number < ids_row:
            continue
        if row.number > last_row:
            break
        for col, _s, _e, attrs, body in sheet_xml.cells_of(xml, prefix, row):
            if col > last_col:
                break
            if col < first_col:
                continue
            if row.number == ids_row:
                ids[col] = (sheet_xml.cell_text(attrs, body, prefix, strings) or "").strip()
                continue
            if sheet_xml.has_content(body, prefix):
                used = max(used, row.number)
                typed.setdefault(row.number, {})[col] = sheet_xml.cell_value(attrs, body, prefix, strings)
                if col == code_col:
                    code = normalise_code(sheet_xml.cell_text(attrs, body, prefix, strings))
                    if code:
                        codes.setdefault(code, []).append(row.number)
        if row.number == ids_row:
            header = [ids.get(c, "") for c in range(first_col, last_col + 1)]
            if "code" not in header or any(not h for h in header) or len(set(header)) != len(header):
                raise InputError(pkg.path, f"the row of column ids above the {sheet} block (row {ids_row + 1}) is "
                                 "damaged: each column needs its own id and one must be 'code'",
                                 "use the workbook as built, or rebuild it with csl build")
            code_col = first_col + header.index("code")
    if not ids:
        raise InputError(pkg.path, f"the sheet '{sheet}' has no row of column ids above its block (row {ids_row + 1})",
                         "use the workbook as built, or rebuild it with csl build")
    header = [ids[c] for c in range(first_col, last_col + 1)]
    used_rows = used - first_row + 1 if used >= first_row else 0
    by_id = {r: {header[c - first_col]: v for c, v in cells.items()} for r, cells in typed.items()}
    return EntryBlock(sheet, part, first_row, last_row, first_col, header, used_rows, codes, by_id)


# ---------------------------------------------------------------------------------------------
# Writing


def _insert_rows(xml: str, block: EntryBlock, rows: list[dict[str, object]]) -> str:
    prefix, start, end, empty_tag = sheet_xml.sheet_data(xml)
    styles = sheet_xml.column_styles(xml, prefix, start)
    wanted: dict[int, list[tuple[int, object]]] = {}
    for k, row in enumerate(rows):
        cells = [(block.first_col + i, row[cid]) for i, cid in enumerate(block.ids)
                 if row.get(cid) not in (None, "")]
        if cells:
            wanted[block.next_row + k] = cells
    edits: list[tuple[int, int, int, str]] = []  # (start, end, row number, replacement)
    seen: set[int] = set()
    existing = [] if empty_tag else list(sheet_xml.rows_of(xml, prefix, start, end))
    for row in existing:
        if row.number in wanted:
            seen.add(row.number)
            merged = sheet_xml.merge_row(xml, prefix, row, wanted[row.number], styles)
            edits.append((row.start, row.end, row.number, merged))
    numbers = [r.number for r in existing]
    for number in sorted(set(wanted) - seen):
        k = bisect.bisect_right(numbers, number)  # rows are in order, as the format requires
        pos = existing[k].start if k < len(existing) else (end if not empty_tag else start)
        cells = "".join(sheet_xml.cell_xml(f"{sheet_xml.letters(c)}{number + 1}", v, styles.get(c), prefix)
                        for c, v in wanted[number])
        edits.append((pos, pos, number, f'<{prefix}row r="{number + 1}">{cells}</{prefix}row>'))
    edits.sort(key=lambda e: (e[0], e[2]))
    pieces, pos = [], 0
    if empty_tag:
        # <sheetData/> becomes <sheetData>…</sheetData>; inserts all sit at its end.
        tag = xml[:end]
        open_tag = re.search(rf"<{prefix}sheetData\b[^>]*?/>$", tag)
        pieces.append(xml[:open_tag.start()] + open_tag.group()[:-2] + ">")
        pieces += [e[3] for e in edits]
        pieces.append(f"</{prefix}sheetData>" + xml[end:])
        return sheet_xml.grow_dimension("".join(pieces), prefix, wanted)
    for s, e, _n, text in edits:
        pieces.append(xml[pos:s])
        pieces.append(text)
        pos = e
    pieces.append(xml[pos:])
    return sheet_xml.grow_dimension("".join(pieces), prefix, wanted)


def _write_zip(pkg: Package, replaced: dict[str, bytes], out: Path) -> None:
    """Every member in its order, unchanged but for ``replaced``; ``out`` appears whole or not at all."""

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as zout:
            for info in pkg.infos:
                data = replaced.get(info.filename)
                if data is None:
                    data = pkg.read(info.filename)
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                zout.writestr(copy, data)

    write_file(Path(out), write, "workbook")
