"""Appending rows to a time point's entry block by editing the workbook's XML, nothing else.

openpyxl would drop the charts, so the workbook is edited as the zip it is: the entry
sheet's part gets new ``<c>`` cells inside its ``<row>`` elements (in column order, every
existing cell — shared formulas included — kept byte for byte), ``workbook.xml`` is told to
recalculate everything on opening (the cached results are stale), and every other part is
copied unchanged. It works on the generator's XML and on a workbook re-saved by Excel or
LibreOffice (shared strings, other attribute orders, namespace prefixes).

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
from connect_share_learn.errors import InputError, WorkFailed
from connect_share_learn.read import ooxml
from connect_share_learn.read.ooxml import Package, unescape
from connect_share_learn.files import write_file
from connect_share_learn.stats import normalise_code

# Far above the generator's limits (5,000 rows, a few hundred columns): a sanity check on untrusted names.
MAX_BLOCK_ROWS = 20_000
MAX_BLOCK_COLUMNS = 2_000
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Characters XML 1.0 cannot hold: written as Excel's _xHHHH_ escapes, as Excel itself does.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EXCEL_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_WORKBOOK_ORDER_AFTER_CALC = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                              "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


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
        xml, dropped = drop_stored_results(data.decode("utf-8-sig"))
        if dropped:
            replaced[part] = xml.encode("utf-8")
    xml, _ = drop_stored_results(pkg.read(block.part).decode("utf-8-sig"))
    new_sheet = _insert_rows(xml, block, rows).encode("utf-8")
    _check_xml(book.path, new_sheet, block.part)  # the edit must leave well-formed XML
    replaced[block.part] = new_sheet
    replaced[book.main] = _force_full_recalculation(pkg.read(book.main).decode("utf-8-sig")).encode("utf-8")
    _write_zip(pkg, replaced, out)
    return block.next_row, block.next_row + len(rows) - 1


def drop_stored_results(xml: str) -> tuple[str, int]:
    """The sheet XML with every formula cell's stored (cached) result removed; and how many."""
    m = re.search(r"<(\w+:)?sheetData\b", xml)
    prefix = (m.group(1) or "") if m else ""
    pattern = re.compile(rf"(<{prefix}f\b[^>]*?(?:/>|>[^<]*</{prefix}f>))<{prefix}v>[^<]+</{prefix}v>")
    return pattern.subn(r"\1", xml)


# ---------------------------------------------------------------------------------------------
# Reading


def _check_xml(path: Path, data: bytes, part: str) -> None:
    """Well-formed XML with no document type: then regular expressions are safe on it."""
    try:
        ooxml.check_xml(data, part)
    except ooxml.Refused as exc:
        raise refusal(path, exc.code, exc.detail) from None


def _split_ref(ref: str) -> tuple[int, int] | None:
    """``B12`` → (11, 1): 0-based row and column, as this module counts; None when not a cell."""
    cell = ooxml.parse_cell(ref)
    return None if cell is None else (cell[0] - 1, cell[1] - 1)


def _letters(col: int) -> str:
    """The letters of the 0-based column ``col``."""
    return ooxml.column_letters(col + 1)


def _sheet_data(xml: str) -> tuple[str, int, int, bool]:
    """The namespace prefix, start and end of ``<sheetData>``'s content, and whether it is empty-tagged."""
    m = re.search(r"<(\w+:)?sheetData\b[^>]*?(/?)>", xml)
    if not m:
        raise ValueError("no sheetData")
    prefix = m.group(1) or ""
    if m.group(2):
        return prefix, m.start(), m.end(), True
    end = xml.find(f"</{prefix}sheetData>", m.end())
    if end < 0:
        raise ValueError("sheetData not closed")
    return prefix, m.end(), end, False


@dataclass
class _Row:
    number: int  # 0-based
    start: int  # offsets in the sheet XML
    end: int
    tag_end: int  # end of the opening tag
    attrs: str
    empty_tag: bool
    prefix: str = ""


def _rows(xml: str, prefix: str, start: int, end: int):
    """The ``<row>`` elements between ``start`` and ``end``, in order."""
    row_re = re.compile(rf"<{prefix}row\b([^>]*?)(/?)>")
    close = f"</{prefix}row>"
    pos, number = start, -1
    while True:
        m = row_re.search(xml, pos, end)
        if not m:
            return
        attrs = m.group(1)
        r = _attr(attrs, "r")
        number = int(r) - 1 if r and r.isdigit() else number + 1
        if m.group(2):
            yield _Row(number, m.start(), m.end(), m.end(), attrs, True, prefix)
            pos = m.end()
        else:
            stop = xml.find(close, m.end(), end)
            if stop < 0:
                raise ValueError("row not closed")
            yield _Row(number, m.start(), stop + len(close), m.end(), attrs, False, prefix)
            pos = stop + len(close)


def _cells(xml: str, prefix: str, row: _Row):
    """(column, start, end, attrs, body) of each cell of ``row``, in order."""
    if row.empty_tag:
        return
    cell_re = re.compile(rf"<{prefix}c\b([^>]*?)(?:/>|>(.*?)</{prefix}c>)", re.S)
    col = -1
    body_end = row.end - len(f"</{prefix}row>")
    for m in cell_re.finditer(xml, row.tag_end, body_end):
        attrs = m.group(1)
        where = _split_ref(_attr(attrs, "r") or "")
        col = where[1] if where else col + 1
        yield col, m.start(), m.end(), attrs, m.group(2) or ""


def _attr(attrs: str, name: str) -> str | None:
    for m in _ATTR.finditer(attrs):
        if m.group(1) == name:
            return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def _has_content(body: str, prefix: str) -> bool:
    v = re.search(rf"<{prefix}v>([^<]*)</{prefix}v>", body)
    return bool((v and v.group(1).strip()) or f"<{prefix}f" in body or f"<{prefix}is" in body)


def _cell_text(attrs: str, body: str, prefix: str, strings: list[str]) -> str | None:
    kind = _attr(attrs, "t") or "n"
    if kind == "inlineStr":
        return unescape("".join(re.findall(rf"<{prefix}t(?:\s[^>]*)?>([^<]*)</{prefix}t>", body)))
    v = re.search(rf"<{prefix}v>([^<]*)</{prefix}v>", body)
    if not v:
        return None
    raw = unescape(v.group(1))
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return None
    return raw


def _cell_value(attrs: str, body: str, prefix: str, strings: list[str]) -> object:
    """A cell as typed: a number as float, text as text (Excel's _xHHHH_ escapes decoded)."""
    text = _cell_text(attrs, body, prefix, strings)
    if text is None:
        return None
    if (_attr(attrs, "t") or "n") == "n":
        try:
            return float(text)
        except ValueError:
            return text
    return _EXCEL_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


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
        prefix, start, end, _ = _sheet_data(xml)
    except ValueError as exc:
        raise InputError(pkg.path, f"the sheet '{sheet}' has no cells", "use the workbook as built") from exc
    ids_row = first_row - 1
    ids: dict[int, str] = {}
    used = -1
    codes: dict[str, list[int]] = {}
    typed: dict[int, dict[int, object]] = {}
    code_col = None
    for row in _rows(xml, prefix, start, end):
        if row.number < ids_row:
            continue
        if row.number > last_row:
            break
        for col, _s, _e, attrs, body in _cells(xml, prefix, row):
            if col > last_col:
                break
            if col < first_col:
                continue
            if row.number == ids_row:
                ids[col] = (_cell_text(attrs, body, prefix, strings) or "").strip()
                continue
            if _has_content(body, prefix):
                used = max(used, row.number)
                typed.setdefault(row.number, {})[col] = _cell_value(attrs, body, prefix, strings)
                if col == code_col:
                    code = normalise_code(_cell_text(attrs, body, prefix, strings))
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


def _column_styles(xml: str, prefix: str, limit: int) -> dict[int, str]:
    """Column → style index from ``<cols>``, for the columns before ``limit``."""
    out: dict[int, str] = {}
    head = xml[:limit]
    for m in re.finditer(rf"<{prefix}col\b([^>]*?)/?>", head):
        attrs = m.group(1)
        style, lo, hi = _attr(attrs, "style"), _attr(attrs, "min"), _attr(attrs, "max")
        if style is None or not (lo and hi and lo.isdigit() and hi.isdigit()):
            continue
        for col in range(int(lo) - 1, min(int(hi), 16384)):
            out[col] = style
    return out


def cell_xml(ref: str, value, style: str | None, prefix: str = "") -> str:
    """One cell: a number as ``<v>``, text as an inline string (never a formula)."""
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<{prefix}c r="{ref}"{s}><{prefix}v>{value:.17g}</{prefix}v></{prefix}c>' if isinstance(value, float) \
            else f'<{prefix}c r="{ref}"{s}><{prefix}v>{value}</{prefix}v></{prefix}c>'
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    text = _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return (f'<{prefix}c r="{ref}"{s} t="inlineStr"><{prefix}is><{prefix}t{space}>{text}</{prefix}t>'
            f'</{prefix}is></{prefix}c>')


def _insert_rows(xml: str, block: EntryBlock, rows: list[dict[str, object]]) -> str:
    prefix, start, end, empty_tag = _sheet_data(xml)
    styles = _column_styles(xml, prefix, start)
    wanted: dict[int, list[tuple[int, object]]] = {}
    for k, row in enumerate(rows):
        cells = [(block.first_col + i, row[cid]) for i, cid in enumerate(block.ids)
                 if row.get(cid) not in (None, "")]
        if cells:
            wanted[block.next_row + k] = cells
    edits: list[tuple[int, int, int, str]] = []  # (start, end, row number, replacement)
    seen: set[int] = set()
    existing = [] if empty_tag else list(_rows(xml, prefix, start, end))
    for row in existing:
        if row.number in wanted:
            seen.add(row.number)
            edits.append((row.start, row.end, row.number, _merge_row(xml, prefix, row, wanted[row.number], styles)))
    numbers = [r.number for r in existing]
    for number in sorted(set(wanted) - seen):
        k = bisect.bisect_right(numbers, number)  # rows are in order, as the format requires
        pos = existing[k].start if k < len(existing) else (end if not empty_tag else start)
        cells = "".join(cell_xml(f"{_letters(c)}{number + 1}", v, styles.get(c), prefix)
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
        return _grow_dimension("".join(pieces), prefix, wanted)
    for s, e, _n, text in edits:
        pieces.append(xml[pos:s])
        pieces.append(text)
        pos = e
    pieces.append(xml[pos:])
    return _grow_dimension("".join(pieces), prefix, wanted)


def _merge_row(xml: str, prefix: str, row: _Row, new: list[tuple[int, object]], styles: dict[int, str]) -> str:
    """The row with ``new`` cells placed among its cells in column order; existing cells untouched,
    except an empty one in a target column, which the new cell replaces (keeping its style)."""
    values = dict(new)
    pending = sorted(values)
    pieces: list[str] = []
    pos = row.tag_end  # copied up to here

    def emit(col: int, style: str | None) -> str:
        return cell_xml(f"{_letters(col)}{row.number + 1}", values[col], style, prefix)

    for col, start, end, attrs, body in _cells(xml, prefix, row):
        if not pending:
            break
        while pending and pending[0] < col:
            pieces.append(xml[pos:start])
            pos = start
            pieces.append(emit(pending[0], styles.get(pending[0])))
            pending.pop(0)
        if pending and pending[0] == col:
            if _has_content(body, prefix):
                raise WorkFailed(f"row {row.number + 1} of the entry sheet already holds a value in column "
                                 f"{_letters(col)}; nothing was written")
            pieces.append(xml[pos:start])
            pieces.append(emit(col, _attr(attrs, "s") or styles.get(col)))
            pending.pop(0)
            pos = end
        else:
            pieces.append(xml[pos:end])
            pos = end
    if row.empty_tag:
        pieces += [emit(col, styles.get(col)) for col in pending]
        return _open_tag(row, list(values)) + "".join(pieces) + f"</{prefix}row>"
    body_end = row.end - len(f"</{prefix}row>")
    # Left over: columns after the row's last cell; they go right after it (before any extLst).
    pieces += [emit(col, styles.get(col)) for col in pending]
    pieces.append(xml[pos:body_end])
    return _open_tag(row, list(values)) + "".join(pieces) + f"</{prefix}row>"


def _open_tag(row: _Row, cols: list[int]) -> str:
    """The row's opening tag, its optional ``spans`` hint widened to the new cells."""
    attrs = row.attrs.rstrip()
    spans = _attr(attrs, "spans")
    if spans and re.fullmatch(r"\d+:\d+", spans):
        lo, hi = (int(x) for x in spans.split(":"))
        lo, hi = min([lo] + [c + 1 for c in cols]), max([hi] + [c + 1 for c in cols])
        attrs = re.sub(r"""spans\s*=\s*("[^"]*"|'[^']*')""", f'spans="{lo}:{hi}"', attrs)
    elif spans:
        attrs = re.sub(r"""\s*spans\s*=\s*("[^"]*"|'[^']*')""", "", attrs)
    return f"<{row.prefix}row{attrs}>"


def _grow_dimension(xml: str, prefix: str, wanted: dict[int, list[tuple[int, object]]]) -> str:
    m = re.search(rf"<{prefix}dimension\b[^>]*?ref\s*=\s*\"([^\"]*)\"", xml)
    if not m or not wanted:
        return xml
    parts = [_split_ref(p) for p in m.group(1).split(":")]
    if not parts or any(p is None for p in parts):
        return xml
    rows = [p[0] for p in parts] + list(wanted)
    cols = [p[1] for p in parts] + [c for cells in wanted.values() for c, _ in cells]
    ref = f"{_letters(min(cols))}{min(rows) + 1}:{_letters(max(cols))}{max(rows) + 1}"
    if ref == m.group(1):
        return xml
    return xml[:m.start(1)] + ref + xml[m.end(1):]


def _force_full_recalculation(xml: str) -> str:
    """Set ``<calcPr fullCalcOnLoad="1"/>``, so every formula is recalculated when the workbook opens."""
    m = re.search(r"<(\w+:)?calcPr\b([^>]*?)(/?)>", xml)
    if m:
        attrs = m.group(2)
        if re.search(r"\bfullCalcOnLoad\s*=", attrs):
            attrs = re.sub(r"""fullCalcOnLoad\s*=\s*("[^"]*"|'[^']*')""", 'fullCalcOnLoad="1"', attrs)
        else:
            attrs = attrs.rstrip() + ' fullCalcOnLoad="1"'
        return xml[:m.start(2)] + attrs + xml[m.end(2):]
    root = re.search(r"<(\w+:)?workbook\b", xml)
    prefix = (root.group(1) or "") if root else ""
    for name in _WORKBOOK_ORDER_AFTER_CALC:
        later = re.search(rf"<{prefix}{name}\b", xml)
        if later:
            return xml[:later.start()] + f'<{prefix}calcPr fullCalcOnLoad="1"/>' + xml[later.start():]
    close = xml.rfind(f"</{prefix}workbook>")
    return xml[:close] + f'<{prefix}calcPr fullCalcOnLoad="1"/>' + xml[close:]


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
