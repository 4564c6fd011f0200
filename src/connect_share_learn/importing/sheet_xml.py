"""A sheet's XML as text: its rows and cells found where they stand, so that every byte an edit
does not touch stays as it was, and the cells an edit writes.

It reads the generator's XML and a workbook re-saved by Excel or LibreOffice alike (shared
strings, other attribute orders, namespace prefixes). The XML is checked to be well formed,
with no document type, before any of this runs on it (``ooxml.check_xml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connect_share_learn.errors import WorkFailed
from connect_share_learn.read import ooxml
from connect_share_learn.read.ooxml import unescape

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Characters XML 1.0 cannot hold: written as Excel's _xHHHH_ escapes, as Excel itself does.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EXCEL_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# The elements of workbook.xml that come after <calcPr>, in the schema's order: a new one goes before them.
_WORKBOOK_ORDER_AFTER_CALC = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                              "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def drop_stored_results(xml: str) -> tuple[str, int]:
    """The sheet XML with every formula cell's stored (cached) result removed; and how many."""
    m = re.search(r"<(\w+:)?sheetData\b", xml)
    prefix = (m.group(1) or "") if m else ""
    pattern = re.compile(rf"(<{prefix}f\b[^>]*?(?:/>|>[^<]*</{prefix}f>))<{prefix}v>[^<]+</{prefix}v>")
    return pattern.subn(r"\1", xml)


def split_ref(ref: str) -> tuple[int, int] | None:
    """``B12`` → (11, 1): 0-based row and column, as this module counts; None when not a cell."""
    cell = ooxml.parse_cell(ref)
    return None if cell is None else (cell[0] - 1, cell[1] - 1)


def letters(col: int) -> str:
    """The letters of the 0-based column ``col``."""
    return ooxml.column_letters(col + 1)


def sheet_data(xml: str) -> tuple[str, int, int, bool]:
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
class XmlRow:
    number: int  # 0-based
    start: int  # offsets in the sheet XML
    end: int
    tag_end: int  # end of the opening tag
    attrs: str
    empty_tag: bool
    prefix: str = ""


def rows_of(xml: str, prefix: str, start: int, end: int):
    """The ``<row>`` elements between ``start`` and ``end``, in order."""
    row_re = re.compile(rf"<{prefix}row\b([^>]*?)(/?)>")
    close = f"</{prefix}row>"
    pos, number = start, -1
    while True:
        m = row_re.search(xml, pos, end)
        if not m:
            return
        attrs = m.group(1)
        r = attr(attrs, "r")
        number = int(r) - 1 if r and r.isdigit() else number + 1
        if m.group(2):
            yield XmlRow(number, m.start(), m.end(), m.end(), attrs, True, prefix)
            pos = m.end()
        else:
            stop = xml.find(close, m.end(), end)
            if stop < 0:
                raise ValueError("row not closed")
            yield XmlRow(number, m.start(), stop + len(close), m.end(), attrs, False, prefix)
            pos = stop + len(close)


def cells_of(xml: str, prefix: str, row: XmlRow):
    """(column, start, end, attrs, body) of each cell of ``row``, in order."""
    if row.empty_tag:
        return
    cell_re = re.compile(rf"<{prefix}c\b([^>]*?)(?:/>|>(.*?)</{prefix}c>)", re.S)
    col = -1
    body_end = row.end - len(f"</{prefix}row>")
    for m in cell_re.finditer(xml, row.tag_end, body_end):
        attrs = m.group(1)
        where = split_ref(attr(attrs, "r") or "")
        col = where[1] if where else col + 1
        yield col, m.start(), m.end(), attrs, m.group(2) or ""


def attr(attrs: str, name: str) -> str | None:
    for m in _ATTR.finditer(attrs):
        if m.group(1) == name:
            return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def has_content(body: str, prefix: str) -> bool:
    v = re.search(rf"<{prefix}v>([^<]*)</{prefix}v>", body)
    return bool((v and v.group(1).strip()) or f"<{prefix}f" in body or f"<{prefix}is" in body)


def cell_text(attrs: str, body: str, prefix: str, strings: list[str]) -> str | None:
    kind = attr(attrs, "t") or "n"
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


def cell_value(attrs: str, body: str, prefix: str, strings: list[str]) -> object:
    """A cell as typed: a number as float, text as text (Excel's _xHHHH_ escapes decoded)."""
    text = cell_text(attrs, body, prefix, strings)
    if text is None:
        return None
    if (attr(attrs, "t") or "n") == "n":
        try:
            return float(text)
        except ValueError:
            return text
    return _EXCEL_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def column_styles(xml: str, prefix: str, limit: int) -> dict[int, str]:
    """Column → style index from ``<cols>``, for the columns before ``limit``."""
    out: dict[int, str] = {}
    head = xml[:limit]
    for m in re.finditer(rf"<{prefix}col\b([^>]*?)/?>", head):
        attrs = m.group(1)
        style, lo, hi = attr(attrs, "style"), attr(attrs, "min"), attr(attrs, "max")
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


def merge_row(xml: str, prefix: str, row: XmlRow, new: list[tuple[int, object]], styles: dict[int, str]) -> str:
    """The row with ``new`` cells placed among its cells in column order; existing cells untouched,
    except an empty one in a target column, which the new cell replaces (keeping its style)."""
    values = dict(new)
    pending = sorted(values)
    pieces: list[str] = []
    pos = row.tag_end  # copied up to here

    def emit(col: int, style: str | None) -> str:
        return cell_xml(f"{letters(col)}{row.number + 1}", values[col], style, prefix)

    for col, start, end, attrs, body in cells_of(xml, prefix, row):
        if not pending:
            break
        while pending and pending[0] < col:
            pieces.append(xml[pos:start])
            pos = start
            pieces.append(emit(pending[0], styles.get(pending[0])))
            pending.pop(0)
        if pending and pending[0] == col:
            if has_content(body, prefix):
                raise WorkFailed(f"row {row.number + 1} of the entry sheet already holds a value in column "
                                 f"{letters(col)}; nothing was written")
            pieces.append(xml[pos:start])
            pieces.append(emit(col, attr(attrs, "s") or styles.get(col)))
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


def _open_tag(row: XmlRow, cols: list[int]) -> str:
    """The row's opening tag, its optional ``spans`` hint widened to the new cells."""
    attrs = row.attrs.rstrip()
    spans = attr(attrs, "spans")
    if spans and re.fullmatch(r"\d+:\d+", spans):
        lo, hi = (int(x) for x in spans.split(":"))
        lo, hi = min([lo] + [c + 1 for c in cols]), max([hi] + [c + 1 for c in cols])
        attrs = re.sub(r"""spans\s*=\s*("[^"]*"|'[^']*')""", f'spans="{lo}:{hi}"', attrs)
    elif spans:
        attrs = re.sub(r"""\s*spans\s*=\s*("[^"]*"|'[^']*')""", "", attrs)
    return f"<{row.prefix}row{attrs}>"


def grow_dimension(xml: str, prefix: str, wanted: dict[int, list[tuple[int, object]]]) -> str:
    m = re.search(rf"<{prefix}dimension\b[^>]*?ref\s*=\s*\"([^\"]*)\"", xml)
    if not m or not wanted:
        return xml
    parts = [split_ref(p) for p in m.group(1).split(":")]
    if not parts or any(p is None for p in parts):
        return xml
    rows = [p[0] for p in parts] + list(wanted)
    cols = [p[1] for p in parts] + [c for cells in wanted.values() for c, _ in cells]
    ref = f"{letters(min(cols))}{min(rows) + 1}:{letters(max(cols))}{max(rows) + 1}"
    if ref == m.group(1):
        return xml
    return xml[:m.start(1)] + ref + xml[m.end(1):]


def force_full_recalculation(xml: str) -> str:
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
