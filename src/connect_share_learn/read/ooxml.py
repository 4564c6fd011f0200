"""The one guarded reader of untrusted .xlsx files: returned workbooks (analyse, export),
workbooks to import into, participant lists and online responses.

Before any XML is parsed the file is checked as a zip (member count, total and per-member
uncompressed size, compression ratio, encryption, member names); a part is never read past
its checked size (a zip header may lie).
Small parts (shared strings and sheets up to :data:`FAST_PART_LIMIT`) are read whole and
searched with bounded regular expressions — an ordinary cell or string item is matched whole
by one expression, anything unusual is read element by element; larger parts are fed to
expat in bounded chunks. Either way document types are refused (so no entity expansion), a
part cut short or an element never closed is reported as damaged, and only the cells inside
the wanted ranges are kept. A sheet's ``<dimension>`` is checked before its cells are read.
Nothing is ever written.

Every refusal is a :class:`Refused` carrying a problem code of the quality catalogue.

One module though long: every defence against a hostile file is here, in one place, so that
no reader of the toolkit's can bypass one of them.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

# One set of limits for every file a user gives, far above any real one. Measured: the
# largest workbook this toolkit builds (domestic_abuse, 5,000 people at 4 time points) is
# 6.3 MB (58 MB unpacked, largest part 15 MB); re-saved by LibreOffice it is 17.6 MB, 187 MB
# unpacked, its largest part 47 MB, compressed at most 13 times.
MAX_FILE_BYTES = 100_000_000
MAX_MEMBERS = 2_000
MAX_TOTAL_UNCOMPRESSED = 400_000_000
MAX_PART_UNCOMPRESSED = 200_000_000
MAX_RATIO = 200  # XML of real workbooks compresses 5-100 times; a bomb thousands of times
RATIO_APPLIES_ABOVE = 5_000_000
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 1_000
CHUNK = 1 << 16
# Parts up to this size are read whole with regular expressions; larger ones are streamed.
FAST_PART_LIMIT = 40_000_000
PROLOG_BYTES = 4096

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_OFFICE = _NS_R + "/officeDocument"
REL_CUSTOM = _NS_R + "/custom-properties"
REL_SHARED = _NS_R + "/sharedStrings"
REL_STYLES = _NS_R + "/styles"


class Refused(Exception):
    """The file cannot be read; ``code`` names the problem in the quality catalogue."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}")


class _Stop(Exception):
    """Raised inside an expat handler once everything wanted has been read."""


# ---------------------------------------------------------------------------------------------
# Cell references


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(number: int) -> str:
    out = ""
    while number:
        number, rem = divmod(number - 1, 26)
        out = chr(65 + rem) + out
    return out


_COLUMN_CACHE: dict[str, int] = {}
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_NAME_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})(?::(\$?[A-Za-z]{1,3}\$?[0-9]{1,7}))?$")


def parse_cell(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, 1-based; None when it is not one."""
    m = _CELL.match(ref.strip())
    if not m:
        return None
    return int(m.group(2)), column_number(m.group(1))


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet, 1-based and inclusive."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1

    @property
    def columns(self) -> int:
        return self.right - self.left + 1


def parse_area(formula: str) -> Area | None:
    """The single rectangle a defined name points at, or None (#REF!, several areas, a constant)."""
    m = _NAME_REF.match(formula.strip().lstrip("="))
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    first = parse_cell(m.group(3))
    last = parse_cell(m.group(4)) if m.group(4) else first
    if first is None or last is None:
        return None
    return Area(sheet, min(first[0], last[0]), min(first[1], last[1]), max(first[0], last[0]), max(first[1], last[1]))


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding a spreadsheet error such as #N/A."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula: its cached result is not trusted and not used."""

    def __str__(self) -> str:
        return "(a formula)"


def excel_date(serial: float, date1904: bool) -> dt.date | None:
    """The date a spreadsheet serial number stands for (1900 or 1904 system)."""
    try:
        if date1904:
            return dt.date(1904, 1, 1) + dt.timedelta(days=int(serial))
        if serial < 1:
            return None
        # Excel counts a 29 February 1900 that never was; serials after it are one day ahead.
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial)) if serial >= 61 else \
            dt.date(1899, 12, 31) + dt.timedelta(days=int(serial))
    except (OverflowError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# The package


@dataclass
class Package:
    """An opened, checked .xlsx: its workbook facts, ready to read sheet regions."""

    path: Path
    zf: zipfile.ZipFile
    data: bytes | None = None  # the file's bytes, when opened in memory
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → part name
    names: dict[str, str] = field(default_factory=dict)  # workbook-level defined name → formula
    properties: dict[str, str] = field(default_factory=dict)  # custom document properties
    date1904: bool = False
    shared: list[str] = field(default_factory=list)
    _shared_loaded: bool = False
    # Sheet parts read whole to check their dimension, kept until their cells are read: each
    # part is unpacked once.
    _unpacked: dict[str, bytes] = field(default_factory=dict)

    def close(self) -> None:
        self._unpacked.clear()
        self.zf.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------

    @property
    def infos(self) -> list[zipfile.ZipInfo]:
        """Every member, in the order of the file (to copy it with some parts replaced)."""
        return self.zf.infolist()

    @property
    def main_part(self) -> str:
        """The workbook part (``xl/workbook.xml`` in every file this toolkit writes)."""
        return self._workbook_part

    def has(self, part: str) -> bool:
        return part in self._members

    def read(self, part: str) -> bytes:
        """A part's bytes, never more than its checked size."""
        return _read_part(self.zf, part)

    def parse(self, part: str, start=None, end=None, chars=None) -> None:
        """Stream ``part`` through expat (element names as ``"<namespace> <local name>"``)."""
        _parse_part(self.zf, part, start, end, chars)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (target part, type) of ``part``."""
        return _rels(self.zf, part, self._members)

    def related(self, part: str, rel_type: str, fallback: str | None = None) -> str | None:
        """The part that ``part`` relates to with ``rel_type`` (or ``fallback`` if it exists)."""
        for target, kind in self.rels(part).values():
            if kind == rel_type and target in self._members:
                return target
        return fallback if fallback in self._members else None

    def shared_strings(self) -> list[str]:
        """The shared-string table (phonetic runs left out)."""
        self._load_shared()
        return self.shared

    def dimension(self, sheet: str) -> Area | None:
        """The sheet's own ``<dimension>`` claim, read from the start of its part only."""
        part = self.sheets[sheet]
        found: list[str] = []

        def start(name, attrs):
            local = name.rsplit(" ", 1)[-1]
            if local == "dimension":
                found.append(attrs.get("ref", ""))
                raise _Stop
            if local == "sheetData":
                raise _Stop

        data = None
        if self.zf.getinfo(part).file_size <= FAST_PART_LIMIT:
            try:
                data = self._unpacked[part] = _read_part(self.zf, part)
            except Refused:
                data = None  # damaged: streamed below, to fail as it always has
        if data is None:
            _parse_part(self.zf, part, start, None, None)
        else:
            _parse_bytes(data, part, start)
        if not found:
            return None
        ref = found[0]
        if ":" not in ref:
            cell = parse_cell(ref)
            return Area(sheet, cell[0], cell[1], cell[0], cell[1]) if cell else None
        a, b = ref.split(":", 1)
        first, last = parse_cell(a), parse_cell(b)
        if first is None or last is None:
            return None
        return Area(sheet, first[0], first[1], last[0], last[1])

    def read_cells(self, sheet: str, areas: list[Area]) -> dict[tuple[int, int], object]:
        """The values of the non-empty cells of ``sheet`` that fall in ``areas``.

        Values are str, float, bool, :class:`ErrorValue` or :class:`FormulaCell`. This is the
        hot loop of analysis, so its handlers keep their state in local variables.
        """
        self._load_shared()
        if not areas:
            return {}
        last_row = max(a.bottom for a in areas)
        boxes = [(a.top, a.bottom, a.left, a.right) for a in areas]
        part = self.sheets[sheet]
        if self.zf.getinfo(part).file_size <= FAST_PART_LIMIT:
            data = self._unpacked.pop(part, None)
            found = _read_cells_fast(data if data is not None else _read_part(self.zf, part), part, boxes, self.shared)
            if found is not None:
                return found
        out: dict[tuple[int, int], object] = {}
        shared = self.shared
        columns = _COLUMN_CACHE
        row = 0
        col = 0
        row_boxes: list = []  # the areas that include the current row
        cell: tuple[int, int] | None = None
        kind = "n"
        formula = False
        text: list[str] = []
        in_value = False
        in_phonetic = False

        def start(name, attrs):
            nonlocal row, col, row_boxes, cell, kind, formula, text, in_value, in_phonetic
            if ":" in name:
                name = name.split(":", 1)[1]
            if name == "c":
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    number = columns.get(letters)
                    if number is None:
                        if not letters.isalpha() or len(letters) > 3:
                            cell = None
                            return
                        number = columns[letters] = column_number(letters)
                    col = number
                    digits = ref[len(letters):]
                    if digits and digits.isdigit() and int(digits) != row:
                        set_row(int(digits))
                else:
                    col += 1
                cell = None
                for _top, _bottom, left, right in row_boxes:
                    if left <= col <= right:
                        cell = (row, col)
                        kind = attrs.get("t", "n")
                        formula = False
                        text = []
                        in_value = False
                        break
            elif name == "row":
                r = attrs.get("r")
                set_row(int(r) if r and r.isdigit() else row + 1)
                col = 0
            elif cell is not None:
                if name == "v" or (name == "t" and not in_phonetic):
                    in_value = True
                elif name == "f":
                    formula = True
                elif name == "rPh":
                    in_phonetic = True

        def set_row(r: int) -> None:
            nonlocal row, row_boxes
            if r > last_row:
                raise _Stop
            row = r
            row_boxes = [b for b in boxes if b[0] <= r <= b[1]]

        def end(name):
            nonlocal cell, in_value, in_phonetic
            if ":" in name:
                name = name.split(":", 1)[1]
            if name == "c":
                if cell is not None:
                    value = _cell_value(kind, "".join(text), formula, shared)
                    if value is not None:
                        out[cell] = value
                    cell = None
            elif name == "v" or name == "t":
                in_value = False
            elif name == "rPh":
                in_phonetic = False
            elif name == "sheetData":
                raise _Stop

        def chars(data):
            if in_value and cell is not None:
                text.append(data)

        _parse_part(self.zf, self.sheets[sheet], start, end, chars, namespaces=False)
        return out

    # -- private --------------------------------------------------------------------------

    def _load_shared(self) -> None:
        if self._shared_loaded:
            return
        self._shared_loaded = True
        part = self._related_part(self._workbook_part, "sharedStrings")
        if part is None:
            return
        strings = self.shared
        if self.zf.getinfo(part).file_size <= FAST_PART_LIMIT:
            data = _read_part(self.zf, part)
            if _UNSAFE.search(data, 0, PROLOG_BYTES):
                raise Refused("unsafe_xml", f"{part} declares a document type")
            root = _SHARED_ROOT.search(data)
            prefix = root.group(1) or b"" if root else b""
            plain = _plain_strings(data, prefix)
            if plain is not None:
                strings += plain
                return
            opening = re.compile(b"<" + re.escape(prefix) + rb"si(?:\s[^>]{0,2000}?)?(/?)>")
            for _m, inner in _elements(data, 0, len(data), opening, b"</" + prefix + b"si>", part):
                if not inner:
                    strings.append("")
                    continue
                strings.append(_rich_text(inner, prefix, part))
            return
        current: list[str] = []
        depth = {"si": False, "t": False, "rPh": False}

        def start(name, attrs):
            local = name.rsplit(" ", 1)[-1]
            if local in depth:
                depth[local] = True
            if local == "si":
                current.clear()

        def end(name):
            local = name.rsplit(" ", 1)[-1]
            if local in depth:
                depth[local] = False
            if local == "si":
                strings.append("".join(current))

        def chars(data):
            if depth["t"] and not depth["rPh"]:
                current.append(data)

        _parse_part(self.zf, part, start, end, chars)

    _workbook_part: str = "xl/workbook.xml"
    _workbook_rels: dict[str, tuple[str, str]] = field(default_factory=dict)
    _members: set[str] = field(default_factory=set)

    def _related_part(self, source: str, kind: str) -> str | None:
        for target, rel_type in self._workbook_rels.values():
            if rel_type.endswith("/" + kind):
                return target
        return None


_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_SHEET_DATA = re.compile(rb"<" + _P + rb"sheetData\b")
_TYPE_ATTR = re.compile(rb'\st="([A-Za-z]+)"')


_SHARED_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?sst\b")
_UNSAFE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
def _letters_pattern(words: list[str]) -> bytes:
    """A compact pattern for a set of column letters, e.g. A..AF → (?:A(?:[A-F])?|[B-Z]).

    A plain alternation of 30-odd names is tried name by name at every cell of the sheet;
    this one fails at the first letter that cannot start a wanted column.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        leaves = sorted(ch for ch, child in node.items() if ch and list(child) == [""])
        alts = [ch + build(child) for ch, child in sorted(node.items()) if ch and list(child) != [""]]
        if leaves:
            alts.append(_char_class(leaves))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie).encode("ascii")


def _char_class(letters: list[str]) -> str:
    if len(letters) == 1:
        return letters[0]
    runs, start, prev = [], letters[0], letters[0]
    for ch in letters[1:] + ["\0"]:
        if ord(ch) != ord(prev) + 1:
            runs.append(start if start == prev else f"{start}-{prev}")
            start = ch
        prev = ch
    return "[" + "".join(runs) + "]"


# Every pattern below is linear or bounded (attribute lists are searched at most 2,000
# characters), so no damaged or hostile part can make a search run long.
_PATTERNS: dict[tuple, tuple[re.Pattern, re.Pattern, re.Pattern]] = {}


def _patterns(prefix: bytes, boxes) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """(the start tag of a wanted cell, a formula, a value) for one namespace prefix."""
    key = (prefix, tuple(sorted({(left, right) for _t, _b, left, right in boxes})))
    found = _PATTERNS.get(key)
    if found is None:
        letters = sorted({column_letters(c) for left, right in key[1] for c in range(left, right + 1)})
        p = re.escape(prefix)
        found = _PATTERNS[key] = (
            re.compile(b"<" + p + rb'c\s+r="(' + _letters_pattern(letters) + rb')([0-9]{1,7})"([^>]{0,2000}?)(/?)>'),
            re.compile(b"<" + p + rb"f[\s/>]"),
            re.compile(b"<" + p + rb"v(?:\s[^>]{0,2000}?)?(/?)>"),
        )
    return found


def _plain_strings(data: bytes, prefix: bytes) -> list[str] | None:
    """Every string item of a shared-strings part when each is one plain run (``<si><t>…</t></si>``),
    matched whole by one regular expression; None when some item is anything else (rich text,
    phonetic guides), for the element-by-element reader. ``[^<]`` is exact: XML text escapes ``<``."""
    key = (b"si", prefix)
    pattern = _WHOLE.get(key)
    if pattern is None:
        p = re.escape(prefix)
        pattern = _WHOLE[key] = re.compile(
            b"<" + p + rb"si(?:\s[^>]{0,2000}?)?(?:(/)>|>(?:<" + p + rb"t(?:\s[^>]{0,2000}?)?>([^<]*)</" + p + rb"t>|<"
            + p + rb"t/>)?(</" + p + rb"si>)?)")
    out = []
    for slash, text, close in pattern.findall(data):
        if not close and not slash:
            return None
        out.append(_unescape(text) if text else "")
    return out


_WHOLE: dict[tuple, re.Pattern] = {}


def _elements(data: bytes, start: int, stop: int, opening: re.Pattern, closing: bytes, part: str):
    """(start-tag match, content) of each element ``opening`` finds; content b"" when empty.

    Each end tag is found with one forward search and the next start tag is looked for after
    it, so the time stays linear in the part's size even when it is damaged; a start tag
    never closed means the part is damaged.
    """
    pos = start
    while True:
        m = opening.search(data, pos, stop)
        if m is None:
            return
        if m.group(m.lastindex):  # self-closing
            pos = m.end()
            yield m, b""
            continue
        end = data.find(closing, m.end(), stop)
        if end < 0:
            raise Refused("broken_xml", f"{part}: an element is not closed")
        pos = end + len(closing)
        yield m, data[m.end():end]


def _read_cells_fast(data: bytes, part: str, boxes, shared: list[str]) -> dict | None:
    """:meth:`Package.read_cells` for a part small enough to hold in memory.

    Regular expressions find the cells of the wanted columns, whole (:func:`_plain_cells`) or
    else element by element (:func:`_cells_by_element`); every writer we know (Excel,
    LibreOffice, Google Sheets, XlsxWriter, openpyxl) puts a cell's reference first. Returns
    None when some cell does not (allowed, rare), for the streaming reader to handle. The part
    is not validated as a whole (that would double the time): a document type is refused,
    and a sheet cut short or with a cell never closed is reported as damaged.
    """
    # A document type can only come before the root element; regular expressions expand no
    # entities anyway, so this is for the same answer as the streaming reader.
    if _UNSAFE.search(data, 0, PROLOG_BYTES):
        raise Refused("unsafe_xml", f"{part} declares a document type")
    begin = _SHEET_DATA.search(data)
    if begin is None:
        return {}
    if data[begin.end():begin.end() + 2] == b"/>":
        return {}
    prefix = begin.group(0)[1:-len(b"sheetData")]
    finish = data.rfind(b"</" + prefix + b"sheetData>")
    if finish < begin.end():
        raise Refused("broken_xml", f"{part}: the sheet's data is cut short")
    start = begin.end()
    if _unreferenced(prefix).search(data, start, finish):
        return None
    found = _plain_cells(data, start, finish, prefix, boxes, shared)
    if found is not None:
        return found
    return _cells_by_element(data, start, finish, prefix, boxes, shared, part)


def _plain_cells(data: bytes, start: int, finish: int, prefix: bytes, boxes, shared: list[str]) -> dict | None:
    """The wanted cells when each is an ordinary one, matched whole by one regular expression.

    An ordinary cell is self-closing, or holds in order an optional formula (``<f …/>`` or
    ``<f …>…</f>``) and an optional value (``<v>…</v>``, ``<v/>`` or a one-run inline string
    ``<is><t …>…</t></is>``) and nothing else; ``[^<]`` is exact as XML text escapes ``<``.
    The start tag is the one :func:`_cells_by_element` looks for, with the rest optional, so
    every wanted cell is matched; when one is not ordinary (rich text, a phonetic guide, an
    unknown child, an end tag missing) this returns None and the element reader does the part.
    """
    pattern = _cell_pattern(prefix, boxes)
    out: dict[tuple[int, int], object] = {}
    columns = _COLUMN_CACHE
    kinds: dict[bytes, str] = {}
    row = -1
    row_boxes: list = []
    single = None
    for letters, digits, attrs, slash, body, formula, value, inline, close in pattern.findall(data, start, finish):
        if not close:
            if slash:
                continue
            return None
        if not body:
            continue
        r = int(digits)
        if r != row:
            row = r
            row_boxes = [b for b in boxes if b[0] <= r <= b[1]]
            single = (row_boxes[0][2], row_boxes[0][3]) if len(row_boxes) == 1 else None
        if not row_boxes:
            continue
        c = columns.get(letters)
        if c is None:
            c = columns[letters] = column_number(letters.decode("ascii"))
        if single is not None:
            if not single[0] <= c <= single[1]:
                continue
        elif not any(left <= c <= right for _t, _b, left, right in row_boxes):
            continue
        if formula:
            out[(r, c)] = FormulaCell()
            continue
        kind = kinds.get(attrs)
        if kind is None:
            found = _TYPE_ATTR.search(attrs) if b't="' in attrs else None
            kind = kinds[attrs] = found.group(1).decode("ascii") if found else "n"
        if kind == "n" and value:
            try:  # the usual case, a plain number: no need to decode it first
                out[(r, c)] = float(value)
                continue
            except ValueError:
                pass
        elif kind == "s":
            try:
                index = int(value)
                if index >= 0:
                    out[(r, c)] = shared[index]
                    continue
            except (ValueError, IndexError):
                pass
        cell = _cell_value(kind, _unescape(inline if kind == "inlineStr" else value), False, shared)
        if cell is not None:
            out[(r, c)] = cell
    return out


def _unreferenced(prefix: bytes) -> re.Pattern:
    """A cell start tag whose first attribute is not its reference ``r="…"`` (or that has none)."""
    key = (b"unreferenced", prefix)
    found = _WHOLE.get(key)
    if found is None:
        found = _WHOLE[key] = re.compile(b"<" + re.escape(prefix) + rb'c(?![^\s/>]| r=")')
    return found


def _cell_pattern(prefix: bytes, boxes) -> re.Pattern:
    """The whole ordinary cell of a wanted column, for :func:`_plain_cells`; groups: letters,
    row, attributes, "/" when self-closing, the content, the formula, the value, the inline
    string's text, the end tag (empty when the cell is not ordinary)."""
    key = (b"c", prefix, tuple(sorted({(left, right) for _t, _b, left, right in boxes})))
    found = _WHOLE.get(key)
    if found is None:
        letters = sorted({column_letters(c) for left, right in key[2] for c in range(left, right + 1)})
        p = re.escape(prefix)
        found = _WHOLE[key] = re.compile(
            b"<" + p + rb'c\s+r="(' + _letters_pattern(letters) + rb')([0-9]{1,7})"([^>]{0,2000}?)(?:(/)>|>('
            + rb"(<" + p + rb"f(?:\s[^>]{0,2000}?)?(?:/>|>[^<]*</" + p + rb"f>))?"
            + rb"(?:<" + p + rb"v>([^<]*)</" + p + rb"v>|<" + p + rb"v/>"
            + rb"|<" + p + rb"is><" + p + rb"t(?:\s[^>]{0,2000}?)?>([^<]*)</" + p + rb"t></" + p + rb"is>)?"
            + rb")(</" + p + rb"c>)?)")
    return found


def _cells_by_element(data: bytes, start: int, finish: int, prefix: bytes, boxes, shared: list[str], part: str) -> dict:
    """The wanted cells, element by element: any content, a cell never closed refused."""
    opening, formula_tag, value_tag = _patterns(prefix, boxes)
    v_open, v_close = b"<" + prefix + b"v>", b"</" + prefix + b"v>"
    out: dict[tuple[int, int], object] = {}
    columns = _COLUMN_CACHE
    row = -1
    row_boxes: list = []
    for m, inner in _elements(data, start, finish, opening, b"</" + prefix + b"c>", part):
        if not inner:
            continue
        r = int(m.group(2))
        if r != row:
            row = r
            row_boxes = [b for b in boxes if b[0] <= r <= b[1]]
        if not row_boxes:
            continue
        letters = m.group(1)
        c = columns.get(letters)
        if c is None:
            c = columns[letters] = column_number(letters.decode("ascii"))
        if len(row_boxes) > 1 or not row_boxes[0][2] <= c <= row_boxes[0][3]:
            if not any(left <= c <= right for _t, _b, left, right in row_boxes):
                continue
        attrs = m.group(3)
        kind = "n"
        if b't="' in attrs:
            found = _TYPE_ATTR.search(attrs)
            kind = found.group(1).decode("ascii") if found else "n"
        if b"f" in inner and formula_tag.search(inner):
            out[(r, c)] = FormulaCell()
            continue
        if kind == "inlineStr":
            text = _rich_text(inner, prefix, part)
        elif inner.startswith(v_open) and inner.endswith(v_close):
            text = _unescape(inner[len(v_open):-len(v_close)])
        else:
            v = next(_elements(inner, 0, len(inner), value_tag, v_close, part), None)
            text = _unescape(v[1]) if v else ""
        value = _cell_value(kind, text, False, shared)
        if value is not None:
            out[(r, c)] = value
    return out


_TAGS: dict[bytes, re.Pattern] = {}


def _tag(prefix: bytes, name: bytes) -> re.Pattern:
    key = prefix + b"|" + name
    if key not in _TAGS:
        _TAGS[key] = re.compile(b"<" + re.escape(prefix + name) + rb"(?:\s[^>]{0,2000}?)?(/?)>")
    return _TAGS[key]


def _rich_text(inner: bytes, prefix: bytes, part: str) -> str:
    """The text of a string item or inline string: its <t> runs, phonetic guides left out."""
    t_open, t_close = b"<" + prefix + b"t>", b"</" + prefix + b"t>"
    if inner.startswith(t_open) and inner.endswith(t_close) and inner.count(b"<", 1) == 1:
        return _unescape(inner[len(t_open):-len(t_close)])  # the usual case: one plain run
    if b"rPh" in inner:
        kept, pos = [], 0
        for m, _content in _elements(inner, 0, len(inner), _tag(prefix, b"rPh"), b"</" + prefix + b"rPh>", part):
            kept.append(inner[pos:m.start()])
            pos = inner.find(b"</" + prefix + b"rPh>", m.end()) + len(prefix) + 6 if not m.group(1) else m.end()
        kept.append(inner[pos:])
        inner = b"".join(kept)
    return "".join(_unescape(content) for _m, content in
                   _elements(inner, 0, len(inner), _tag(prefix, b"t"), b"</" + prefix + b"t>", part))


def _unescape(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"))


def unescape(text: str) -> str:
    """XML character references and the five entities, as in cell text."""
    return html.unescape(text) if "&" in text else text


def _read_part(zf: zipfile.ZipFile, part: str) -> bytes:
    """A part's bytes, never more than the size its entry declares (checked on opening)."""
    try:
        info = zf.getinfo(part)
        with zf.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except KeyError:
        raise Refused("broken_zip", f"{part} is listed but missing") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise Refused("broken_zip", f"{part}: {exc}") from None
    if len(data) > info.file_size:
        raise Refused("zip_bomb", f"{part} holds more than its entry says")
    return data


def _cell_value(kind: str, text: str, formula: bool, shared: list[str]):
    if formula:
        return FormulaCell()
    if kind in ("str", "inlineStr"):
        return text if text != "" else None
    if not text.strip():
        return None  # no value, whatever its type says (as a self-closing cell has none)
    if kind == "s":
        try:
            index = int(text)
            if index >= 0:
                return shared[index]
        except (ValueError, IndexError):
            pass
        return ErrorValue("#BAD-STRING")
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return ErrorValue(text.strip())
    if kind == "d":
        return text
    try:
        return float(text)
    except ValueError:
        return ErrorValue("#BAD-NUMBER")


# ---------------------------------------------------------------------------------------------
# Opening


def sniff(path: Path) -> str:
    """'zip', 'ole' (an encrypted workbook or an old .xls) or 'other', from the first bytes."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    return "other"


def looks_like(path: Path) -> str:
    """What a file that is neither a zip nor an OLE file seems to be, from its first bytes:
    'pdf', 'picture', 'text' or 'unknown' (a key of the quality wording's file kinds)."""
    with open(path, "rb") as f:
        head = f.read(2048)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "picture"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut by the 2048 bytes read
                return "text"
        try:
            head.decode("cp1252")
            return "text"
        except UnicodeDecodeError:
            pass
    return "unknown"


def ole_kind(path: Path) -> str:
    """'encrypted' when an OLE file holds an encrypted OOXML package, else 'legacy'."""
    data = path.read_bytes()
    return "encrypted" if "EncryptionInfo".encode("utf-16-le") in data else "legacy"


def open_package(path: Path, in_memory: bool = False) -> Package:
    """Open and check ``path`` as an .xlsx package; raise :class:`Refused` if it is not safe or not one.

    ``in_memory`` reads the file whole and closes it at once, so it can be replaced while the
    package is open (Windows refuses to replace a file held open).
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise Refused("empty_file")
    if size > MAX_FILE_BYTES:
        raise Refused("too_large", f"{size / 1e6:.0f} MB")
    kind = sniff(path)
    if kind == "ole":
        raise Refused("encrypted" if ole_kind(path) == "encrypted" else "legacy_xls")
    if kind != "zip":
        raise Refused("not_a_workbook", looks_like(path))
    data = None
    try:
        if in_memory:
            data = path.read_bytes()
            if len(data) > MAX_FILE_BYTES:
                raise Refused("too_large", f"{len(data) / 1e6:.0f} MB")
        zf = zipfile.ZipFile(io.BytesIO(data) if in_memory else path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused("broken_zip", str(exc)) from None
    try:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Refused("zip_bomb", f"{len(infos)} parts")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refused("encrypted")
            name = info.filename
            if name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise Refused("unsafe_xml", f"a part is named {name[:60]!r}")
            total += info.file_size
            if info.file_size > MAX_PART_UNCOMPRESSED:
                raise Refused("zip_bomb", f"{info.filename} unpacks to {info.file_size / 1e6:.0f} MB")
            if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused("zip_bomb", f"{info.filename} is compressed {info.file_size // max(info.compress_size, 1)} times")
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise Refused("zip_bomb", f"unpacks to {total / 1e6:.0f} MB")
        members = {i.filename for i in infos}
        if "mimetype" in members and "content.xml" in members:
            raise Refused("ods")
        package = Package(path, zf, data)
        package._members = members
        package._workbook_part = _office_document(zf, members)
        package._workbook_rels = _rels(zf, package._workbook_part, members)
        _read_workbook(package)
        props = package.related("", REL_CUSTOM, "docProps/custom.xml")
        if props is not None:
            package.properties = _custom_properties(zf, props)
        return package
    except Refused:
        zf.close()
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        zf.close()
        raise Refused("broken_zip", f"{type(exc).__name__}: {exc}") from None


def _office_document(zf: zipfile.ZipFile, members: set[str]) -> str:
    if "_rels/.rels" in members:
        for target, rel_type in _rels(zf, "", members, rels_part="_rels/.rels").values():
            if rel_type == _REL_OFFICE and target in members:
                return target
    if "xl/workbook.xml" in members:
        return "xl/workbook.xml"
    if "word/document.xml" in members:
        raise Refused("not_a_workbook", "word")
    if "ppt/presentation.xml" in members:
        raise Refused("not_a_workbook", "powerpoint")
    if "[Content_Types].xml" in members:
        raise Refused("not_a_workbook", "unknown")
    raise Refused("zip_archive")


def _rels(zf, source: str, members: set[str], rels_part: str | None = None) -> dict[str, tuple[str, str]]:
    """Relationship id → (part name, type) for the part ``source``."""
    folder = posixpath.dirname(source)
    if rels_part is None:
        rels_part = posixpath.join(folder, "_rels", posixpath.basename(source) + ".rels")
    if rels_part not in members:
        return {}
    out: dict[str, tuple[str, str]] = {}

    def start(name, attrs):
        if name.rsplit(" ", 1)[-1] == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs.get("Id", "")] = (part, attrs.get("Type", ""))

    _parse_part(zf, rels_part, start, None, None)
    return out


def _read_workbook(package: Package) -> None:
    sheets: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    current: dict = {}
    text: list[str] = []
    rid_attr = "{" + _NS_R + "}id"
    rid_attr_ns = _NS_R + " id"

    def start(name, attrs):
        local = name.rsplit(" ", 1)[-1]
        if local == "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(rid_attr_ns) or attrs.get(rid_attr) or attrs.get("r:id", "")))
        elif local == "definedName":
            current.clear()
            current.update(name=attrs.get("name", ""), local="localSheetId" in attrs)
            text.clear()
        elif local == "workbookPr":
            package.date1904 = attrs.get("date1904", "0") in ("1", "true")

    def end(name):
        if name.rsplit(" ", 1)[-1] == "definedName" and current:
            if not current["local"]:
                names[current["name"].lower()] = "".join(text)
            current.clear()

    def chars(data):
        if current:
            text.append(data)

    _parse_part(package.zf, package._workbook_part, start, end, chars)
    rels = package._workbook_rels
    members = set(package.zf.namelist())
    for sheet_name, rid in sheets:
        target = rels.get(rid, ("", ""))[0]
        if target in members:
            package.sheets[sheet_name] = target
    package.names = names


def _custom_properties(zf, part: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current: list = []
    text: list[str] = []

    def start(name, attrs):
        if name.rsplit(" ", 1)[-1] == "property":
            current[:] = [attrs.get("name", "")]
            text.clear()

    def end(name):
        if name.rsplit(" ", 1)[-1] == "property" and current:
            out[current[0]] = "".join(text).strip()
            current.clear()

    def chars(data):
        if current:
            text.append(data)

    _parse_part(zf, part, start, end, chars)
    return out


def check_xml(data: bytes, part: str) -> None:
    """Refuse ``data`` (a part about to be searched with regular expressions, or just edited)
    unless it is well-formed XML without a document type."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse_doctype(*_args):
        raise Refused("unsafe_xml", f"{part} declares a document type")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Refused("broken_xml", f"{part}: {exc}") from None


def _parse_bytes(data: bytes, part: str, start) -> None:
    """:func:`_parse_part` of a part already unpacked: fed to expat in the same chunks."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def refuse_doctype(*_args):
        raise Refused("unsafe_xml", f"{part} declares a document type")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    try:
        for at in range(0, len(data), CHUNK):
            parser.Parse(data[at:at + CHUNK], False)
        parser.Parse(b"", True)
    except _Stop:
        return
    except expat.ExpatError as exc:
        raise Refused("broken_xml", f"{part}: {exc}") from None


def _parse_part(zf: zipfile.ZipFile, part: str, start, end, chars, namespaces: bool = True) -> None:
    """Stream one part through expat in bounded chunks; document types are refused.

    Without ``namespaces`` element names keep any prefix (``x:c``), which is faster.
    """
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.buffer_text = True

    def refuse_doctype(*_args):
        raise Refused("unsafe_xml", f"{part} declares a document type")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    try:
        with zf.open(part) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    parser.Parse(b"", True)
                    break
                parser.Parse(chunk, False)
    except _Stop:
        return
    except expat.ExpatError as exc:
        raise Refused("broken_xml", f"{part}: {exc}") from None
    except KeyError:
        raise Refused("broken_zip", f"{part} is listed but missing") from None
