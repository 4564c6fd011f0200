"""Word documents the toolkit writes: reproducible files, core properties and page furniture.

Shared by the questionnaires and the letters. A .docx is a zip; python-docx stamps each
entry with the current time, so every document is re-zipped with the build's fixed date
and its core properties carry the same date, which makes two builds byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from connect_share_learn.files import write_zip_entries

FONT = "Arial"  # LibreOffice shows it with the metric-compatible Liberation Sans
HEADING_COLOUR = RGBColor(0x1F, 0x3A, 0x5F)
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
    "<cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
    "</cp:coreProperties>"
)


def core_properties(title: str, author: str, created: dt.datetime) -> bytes:
    """``docProps/core.xml`` with a fixed date, so the same build gives the same bytes."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return CORE_XML.format(title=escape(title), author=escape(author), stamp=stamp).encode("utf-8")


def write_docx(entries: dict[str, bytes] | list[tuple[str, bytes]], path: Path, created: dt.datetime) -> None:
    """Write a .docx from its zip entries (in the given order) with fixed timestamps."""
    items = list(entries.items()) if isinstance(entries, dict) else entries
    path.write_bytes(zip_bytes(items, created))


def zip_bytes(entries: list[tuple[str, bytes]], created: dt.datetime) -> bytes:
    """The zip of ``entries`` with fixed timestamps, as bytes (a base to add entries to)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        write_zip_entries(archive, entries, created)
    return buffer.getvalue()



def add_to_zip(base: bytes, entries: list[tuple[str, bytes]], path: Path, created: dt.datetime) -> None:
    """Write ``base`` plus ``entries`` to ``path``: only the new entries are compressed.

    The mail merge writes hundreds of letters that differ in one part; compressing the
    styles, theme and fonts once instead of per letter makes it several times faster.
    """
    buffer = io.BytesIO(base)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        write_zip_entries(archive, entries, created)
    path.write_bytes(buffer.getvalue())


def save_document(document, path: Path, title: str, author: str, created: dt.datetime) -> None:
    """Save a python-docx ``Document`` reproducibly: fixed core properties and zip dates."""
    write_docx(document_entries(document, title, author, created), path, created)


def document_entries(document, title: str, author: str, created: dt.datetime) -> list[tuple[str, bytes]]:
    """A python-docx ``Document``'s zip entries as :func:`save_document` writes them."""
    buffer = io.BytesIO()
    document.save(buffer)
    entries = []
    with zipfile.ZipFile(buffer) as archive:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "docProps/thumbnail.jpeg":
                continue  # python-docx's blank-page preview would misrepresent the document
            if info.filename == "_rels/.rels":
                data = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail\.jpeg"/>', b"", data)
            if info.filename == "docProps/core.xml":
                data = core_properties(title, author, created)
            entries.append((info.filename, data))
    return entries


# ---------------------------------------------------------------------------------------------
# Page furniture python-docx has no API for


def a4_portrait(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)


def body_font(style, size: float, font: str = FONT) -> None:
    """``style`` (Normal) in ``font`` (the language's, templates/languages.yaml) at ``size`` points,
    East Asian text included."""
    style.font.name, style.font.size = font, Pt(size)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), font)


def heading_font(style, size: float, space_before: float, font: str = FONT) -> None:
    """A heading style in ``font`` and the toolkit's blue; the theme fonts Word's default
    headings carry are removed, as they would win over the font named."""
    style.font.name, style.font.size = font, Pt(size)
    style.font.color.rgb = HEADING_COLOUR
    rfonts = style.element.rPr.rFonts
    for attr in _THEME_FONTS:
        rfonts.attrib.pop(qn(attr), None)
    style.paragraph_format.space_before = Pt(space_before)
    style.paragraph_format.space_after = Pt(6)


def add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field such as ``PAGE`` or ``NUMPAGES``, updated when the document is shown."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


# Word rejects a cell whose properties are out of schema order: these follow w:tcBorders.
_AFTER_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def set_cell_borders(cell, size: int = 8, color: str = "000000", sides=("top", "left", "bottom", "right")) -> None:
    """Draw the given borders of a table cell (``size`` in eighths of a point); others none."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, *_AFTER_BORDERS)
    for side in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{side}")
        if side in sides:
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), str(size))
            element.set(qn("w:color"), color)
        else:
            element.set(qn("w:val"), "nil")
        borders.append(element)


def keep_row_together(row, header: bool = False) -> None:
    """A table row that never splits across pages; a header row repeats on each page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.insert_element_before(OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader", "w:tblCellSpacing",
                                "w:jc", "w:hidden")
    if header:
        tr_pr.insert_element_before(OxmlElement("w:tblHeader"), "w:tblCellSpacing", "w:jc", "w:hidden")


def shade_cell(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().insert_element_before(shading, *_AFTER_BORDERS[1:])


# ---------------------------------------------------------------------------------------------
# PDF editions


def to_pdf(documents: list[Path]) -> list[Path]:
    """Convert each document to a PDF beside it, with one LibreOffice start for them all.

    Raises :class:`~connect_share_learn.errors.WorkFailed` saying how to install
    LibreOffice when it is missing.
    """
    import shutil
    import tempfile

    from connect_share_learn import office

    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="csl-pdf-") as scratch:
        scratch_dir = Path(scratch)
        # Several folders hold a 't1.docx': give each a unique name for the one conversion.
        staged = []
        for index, path in enumerate(documents):
            copy = scratch_dir / "in" / f"{index:05d}{path.suffix}"
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(path, copy)
            staged.append(copy)
        converted = office.convert(staged, scratch_dir / "out", to="pdf")
        outputs = []
        for source, pdf in zip(documents, converted):
            target = source.with_suffix(".pdf")
            shutil.move(str(pdf), target)
            outputs.append(target)
    return outputs
