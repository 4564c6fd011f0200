"""Remake the letter templates (*.docx) from their wording in source/*.md.

The .docx files are the templates the toolkit fills in; a partnership may edit them in
Word. This script is for the toolkit's maintainers: it lays out the plain-text wording in
source/ as Word documents with real styles, so the wording can be reviewed as text.

    python templates/letters/make_templates.py

Markup, one block per blank-line-separated paragraph:
  ">> text"   a right-aligned letterhead line      "# text"   the letter's heading
  "## text"   a sub-heading                         "- text"   a bullet point
  "| a | b |" a row of a table (two or more columns)  "{%p … %}" a docxtpl control line
  "|: 3 | 1.5 … |" the widths in cm of the next table's columns (else two columns of 9.5 and 6.5)
  "**bold**"  bold words inside any line
The letterhead line holding {{ letter_date }} has space above it; from "Yours sincerely," on,
each line keeps with the one before it, so a signature never stands alone on a page.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from connect_share_learn.documents import a4_portrait, add_field, body_font, heading_font, keep_row_together, save_document

HERE = Path(__file__).resolve().parent
CREATED = dt.datetime(2026, 1, 1)
TITLES = {
    "invitation": "Invitation to the evaluation",
    "thank_you": "Thank you",
    "follow_up_invitation": "Follow-up invitation",
    "follow_up_reminder": "Follow-up reminder",
    "manager_letter": "Letter to the participant's manager",
    "information_sheet": "Information sheet and privacy notice",
    "results_summary": "Results summary for the training sub-group",
}


def blocks(source: str) -> list[str]:
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


def add_text(paragraph, value: str) -> None:
    """Add ``value`` as runs, bold between ** marks; a {{ tag }} always stays in one run."""
    for i, part in enumerate(re.split(r"\*\*", value)):
        if part:
            paragraph.add_run(part).bold = bool(i % 2)


def style_document(document, size: float = 12) -> None:
    section = document.sections[0]
    a4_portrait(section)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    styles = document.styles
    normal = styles["Normal"]
    body_font(normal, size)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Heading 1", 16), ("Heading 2", 13)):
        heading_font(styles[name], size, space_before=14 if name == "Heading 1" else 10)
    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(footer, "PAGE")


def make(name: str, folder: Path = HERE) -> Path:
    document = Document()
    # The results summary must fit one page, with its table.
    style_document(document, 11 if name == "results_summary" else 12)
    table, closing, widths = None, False, None
    for block in blocks((HERE / "source" / f"{name}.md").read_text(encoding="utf-8")):
        if block.startswith("|:"):
            widths = [float(w) for w in block[2:].strip("|").split("|")]
            continue
        if block.startswith("|"):
            cells = [c.strip() for c in block.strip("|").split("|")]
            if table is None:
                table = document.add_table(rows=0, cols=len(cells))
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
            for cell, width, value in zip(row.cells, columns, cells):
                cell.width = Cm(width)
                cell.text = ""
                add_text(cell.paragraphs[0], value)
                cell.paragraphs[0].paragraph_format.space_after = Pt(3 if len(columns) == 2 else 1)
                if len(columns) > 2:
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(10)  # a table of figures: narrow columns
            continue
        table = None
        if block.startswith(">>"):
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.space_after = Pt(0)
            add_text(paragraph, block[2:].strip())
            if "letter_date" in block:
                paragraph.paragraph_format.space_before = Pt(12)
        elif block.startswith("## "):
            document.add_heading(block[3:], level=2)
        elif block.startswith("# "):
            document.add_heading(block[2:], level=1)
        elif block.startswith("- "):
            add_text(document.add_paragraph(style="List Bullet"), block[2:])
        else:
            paragraph = document.add_paragraph()
            add_text(paragraph, block)
            if block.startswith("Dear "):
                paragraph.paragraph_format.space_before = Pt(18)
            closing = closing or block.startswith("Yours ")
            if closing:
                # The closing and signature never stand alone on a page: each line keeps with the one before.
                before = [p for p in document.paragraphs[:-1] if p.text and not p.text.startswith("{%")][-1]
                before.paragraph_format.keep_with_next = True
                if not block.startswith("Yours "):
                    paragraph.paragraph_format.space_after = Pt(0)
                    if before.text.startswith("Yours "):
                        paragraph.paragraph_format.space_before = Pt(24)  # room to sign
    target = folder / f"{name}.docx"
    save_document(document, target, TITLES[name], "connect-share-learn", CREATED)
    return target


def main() -> None:
    for name in TITLES:
        print(make(name).relative_to(HERE.parent.parent))


if __name__ == "__main__":
    sys.exit(main())
