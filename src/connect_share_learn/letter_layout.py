"""A letter's wording source (``templates/letters/source/<letter>.md``) laid out as a Word template.

One definition of the layout, used twice: ``templates/letters/make_templates.py`` lays out the
English source as the shipped ``<letter>.docx`` templates, and a build in another language lays
out the same source with each text translated (``letters.template_for``), so every language's
letter has the same styles, spacing and page furniture.

Each text of a source is a message to translate (part ``letters`` of :mod:`.wording`): its
context is the letter and its place, ``invitation.paragraph.4`` (the letter's fifth plain
paragraph, counted from 0 as every list of wording is), ``information_sheet.subheading.2``,
``results_summary.row.3.0`` (a table's fourth row, first cell); its ``msgid`` the English, with
its ``{{ … }}`` and ``{% … %}`` tags and ``**bold**`` marks kept whole. A block of tags alone
(``{{ coordinator }}``) and a ``{%p … %}`` control line are the same in every language: no message.

Markup, one block per blank-line-separated paragraph:
  ">> text"   a right-aligned letterhead line      "# text"   the letter's heading
  "## text"   a sub-heading                         "- text"   a bullet point
  "| a | b |" a row of a table (two or more columns)  "{%p … %}" a docxtpl control line
  "|: 3 | 1.5 … |" the widths in cm of the next table's columns (else two columns of 9.5 and 6.5)
  "**bold**"  bold words inside any line
The letterhead line holding {{ letter_date }} has space above it; from "Yours sincerely," on,
each line keeps with the one before it, so a signature never stands alone on a page. These
choices are made on the English, so a translation is laid out exactly as its English is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from connect_share_learn.errors import InputError

SOURCE_FOLDER = "source"
# The results summary must fit one page, with its table.
SMALLER = {"results_summary": 11}
BODY_POINTS = 12
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_KINDS = ((">>", "letterhead"), ("## ", "subheading"), ("# ", "heading"), ("- ", "bullet"), ("{%p", "control"))


@dataclass(frozen=True)
class Block:
    """One block of a source: its kind, its English text(s) (a table row has one a cell) and
    each text's place among the letter's blocks of that kind (None: tags alone, no message)."""

    kind: str  # letterhead, heading, subheading, bullet, row, control, paragraph
    texts: tuple[str, ...]
    places: tuple[str | None, ...]


def raw_blocks(source: str) -> list[str]:
    """Paragraphs: runs of non-blank lines; markup lines stand alone."""
    out: list[str] = []
    current: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        standalone = stripped.startswith((">>", "#", "- ", "|", "{%p"))
        if not stripped or standalone:
            if current:
                out.append(" ".join(current))
                current = []
            if stripped:
                out.append(stripped)
            continue
        # A signature ("Yours sincerely," then names) keeps its line breaks.
        if current and current[-1].endswith(","):
            out.append(" ".join(current))
            current = []
        current.append(stripped)
        if stripped.startswith("{{ coordinator }}"):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def is_words(value: str) -> bool:
    """Whether a text has words of its own to translate (not tags and bold marks alone)."""
    return any(ch.isalpha() for ch in _TAG.sub("", value))


def blocks(source: str) -> list[Block]:
    """The source's blocks, each text with its place (``paragraph.4``, ``row.3.0``)."""
    counts: dict[str, int] = {}
    out = []
    for raw in raw_blocks(source):
        if raw.startswith("|:"):
            kind, texts = "widths", tuple(c.strip() for c in raw[2:].strip("|").split("|"))
        elif raw.startswith("|"):
            kind, texts = "row", tuple(c.strip() for c in raw.strip("|").split("|"))
        else:
            kind = next((k for mark, k in _KINDS if raw.startswith(mark)), "paragraph")
            mark = next((m for m, k in _KINDS if k == kind), "")
            texts = (raw if kind == "control" else raw[len(mark):].strip() if kind == "letterhead" else raw[len(mark):],)
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        if kind in ("control", "widths"):
            places = (None,) * len(texts)
        elif kind == "row":
            places = tuple(f"row.{n}.{i}" if is_words(t) else None for i, t in enumerate(texts))
        else:
            places = (f"{kind}.{n}" if is_words(texts[0]) else None,)
        out.append(Block(kind, texts, places))
    return out


def source_path(letters_folder: Path, letter: str) -> Path:
    return letters_folder / SOURCE_FOLDER / f"{letter}.md"


def english_texts(letters_folder: Path) -> dict[str, dict[str, str]]:
    """Every letter's texts to translate, in reading order, shaped for :mod:`.wording`:
    ``{letter: {place: English}}``, so that a text's context is ``<letter>.<place>``."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted((letters_folder / SOURCE_FOLDER).glob("*.md")):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"the letter's wording cannot be read ({exc})",
                             "restore it from the toolkit, or save it again as UTF-8 text") from exc
        out[path.stem] = {place: text for block in blocks(source)
                          for text, place in zip(block.texts, block.places) if place}
    return out


def tags(value: str) -> list[str]:
    """A text's ``{{ … }}`` and ``{% … %}`` tags, spacing ignored, in order."""
    return [" ".join(t.split()) for t in _TAG.findall(value)]


# ---------------------------------------------------------------------------------------------
# Layout


def add_text(paragraph, value: str) -> None:
    """Add ``value`` as runs, bold between ** marks; a {{ tag }} always stays in one run."""
    for i, part in enumerate(re.split(r"\*\*", value)):
        if part:
            paragraph.add_run(part).bold = bool(i % 2)


def style_document(document, size: float = BODY_POINTS, font: str | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from connect_share_learn.documents import FONT, a4_portrait, add_field, body_font, heading_font

    font = font or FONT
    section = document.sections[0]
    a4_portrait(section)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    styles = document.styles
    normal = styles["Normal"]
    body_font(normal, size, font)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.1
    for name, points in (("Heading 1", 16), ("Heading 2", 13)):
        heading_font(styles[name], points, space_before=14 if name == "Heading 1" else 10, font=font)
    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(footer, "PAGE")


Say = Callable[[str, str], str]  # (place, English) -> the text to print


def lay_out(letter: str, source: str, say: Say | None = None, font: str | None = None):
    """The letter's source as a python-docx ``Document``, each text as ``say(place, english)``
    gives it (the English itself by default)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from connect_share_learn.documents import keep_row_together

    def words(text: str, place: str | None) -> str:
        return text if say is None or place is None else say(place, text)

    document = Document()
    style_document(document, SMALLER.get(letter, BODY_POINTS), font)
    table, closing, widths = None, False, None
    added: list[tuple[object, str]] = []  # each body paragraph and its English, for the closing's choices
    for block in blocks(source):
        if block.kind == "widths":
            widths = [float(w) for w in block.texts]
            continue
        if block.kind == "row":
            if table is None:
                table = document.add_table(rows=0, cols=len(block.texts))
                table.style = document.styles["Table Grid"]
                table.alignment = WD_TABLE_ALIGNMENT.CENTER
                if widths:
                    # LibreOffice lays a table out by its grid, not by its cells' widths.
                    table.autofit = False
                    for column, width in zip(table.columns, widths):
                        column.width = Cm(width)
                columns, widths = widths or (9.5, 6.5), None
            row = table.add_row()
            keep_row_together(row)
            for cell, width, value, place in zip(row.cells, columns, block.texts, block.places):
                cell.width = Cm(width)
                cell.text = ""
                add_text(cell.paragraphs[0], words(value, place))
                cell.paragraphs[0].paragraph_format.space_after = Pt(3 if len(columns) == 2 else 1)
                if len(columns) > 2:
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(10)  # a table of figures: narrow columns
            continue
        table = None
        english, place = block.texts[0], block.places[0]
        value = words(english, place)
        if block.kind == "letterhead":
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.space_after = Pt(0)
            add_text(paragraph, value)
            if "letter_date" in english:
                paragraph.paragraph_format.space_before = Pt(12)
        elif block.kind == "subheading":
            paragraph = document.add_heading(value, level=2)
        elif block.kind == "heading":
            paragraph = document.add_heading(value, level=1)
        elif block.kind == "bullet":
            paragraph = document.add_paragraph(style="List Bullet")
            add_text(paragraph, value)
        else:
            paragraph = document.add_paragraph()
            add_text(paragraph, value)
            if english.startswith("Dear "):
                paragraph.paragraph_format.space_before = Pt(18)
            closing = closing or english.startswith("Yours ")
            if closing:
                # The closing and signature never stand alone on a page: each line keeps with the one before.
                before = [(p, e) for p, e in added if e and not e.startswith("{%")][-1]
                before[0].paragraph_format.keep_with_next = True
                if not english.startswith("Yours "):
                    paragraph.paragraph_format.space_after = Pt(0)
                    if before[1].startswith("Yours "):
                        paragraph.paragraph_format.space_before = Pt(24)  # room to sign
        added.append((paragraph, english.replace("**", "")))
    return document
