"""Printable questionnaires: one Word document per course type and time point.

Each questionnaire asks exactly the codebook's items, in the codebook's order, with each
item's id printed small beside it so whoever types the answers into the workbook can
follow along. The words around the questions live in ``templates/questionnaire/``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from jinja2 import Environment, StrictUndefined, TemplateError

from connect_share_learn.codebook import course_rows
from connect_share_learn.defaults import default_dir
from connect_share_learn.documents import (
    a4_portrait, add_field, body_font, heading_font, keep_row_together, save_document, set_cell_borders,
    shade_cell, to_pdf,
)
from connect_share_learn.errors import InputError
from connect_share_learn.logo import read as read_logo
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, ResponseFormat, Scale, text

BOX = "\u25a1"  # WHITE SQUARE: in Arial and Liberation Sans, so it prints everywhere
# Below this width (cm) a statement is laid out above its answers instead of beside them.
MIN_STATEMENT_WIDTH = 5.5
# A rating format with more points than this is printed as a row of numbered boxes.
MAX_LABELLED_POINTS = 7
LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM = 1.2, 6.0


@dataclass(frozen=True)
class Layout:
    """Sizes for the normal and the large-print edition (points and centimetres)."""

    body: float
    heading1: float
    heading2: float
    item_id: float
    margin: float
    id_column: float
    box_column: float
    number_column: float
    text_box_height: float

    @property
    def text_width(self) -> float:
        return 21.0 - 2 * self.margin


NORMAL = Layout(body=11, heading1=18, heading2=14, item_id=8, margin=1.8, id_column=1.0,
                box_column=1.95, number_column=0.8, text_box_height=4.5)
LARGE_PRINT = Layout(body=16, heading1=24, heading2=19, item_id=10, margin=1.5, id_column=1.3,
                     box_column=2.3, number_column=1.05, text_box_height=6.0)


def wording_file() -> Path:
    return default_dir("templates") / "questionnaire" / "wording.yaml"


def load_wording(language: str, path: Path | None = None) -> dict:
    """The questionnaire's own words in ``language`` (English when there is no translation)."""
    path = path or wording_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(path, f"the questionnaire wording cannot be read ({exc})",
                         "restore the file from the toolkit or correct its YAML") from exc
    if not isinstance(data, dict) or "en" not in data:
        raise InputError(path, "the questionnaire wording has no 'en:' section", "restore the file from the toolkit")
    return data.get(language) or data["en"]


# ---------------------------------------------------------------------------------------------
# Public


def output_name(tp_id: str, large_print: bool) -> str:
    return f"{tp_id}-large-print.docx" if large_print else f"{tp_id}.docx"


def render(ctx) -> None:
    """Pack part: ``questionnaires/<course>/<tp>.docx`` (and large-print and PDF editions)."""
    toolkit: Toolkit = ctx.toolkit
    wording = load_wording(toolkit.settings.language)
    written = []
    editions = (False, True) if ctx.options.large_print else (False,)
    for course in ctx.courses:
        folder = ctx.folder / "questionnaires" / course.id
        folder.mkdir(parents=True, exist_ok=True)
        for tp in course.time_points:
            for large in editions:
                path = folder / output_name(tp.id, large)
                write_questionnaire(toolkit, course, tp.id, path, ctx.options.created, large, wording)
                written.append(path)
    if ctx.options.pdf:
        to_pdf(written)


def write_questionnaire(toolkit: Toolkit, course: Course, tp_id: str, path: Path, created,
                        large_print: bool = False, wording: dict | None = None) -> None:
    """Write the questionnaire for ``course`` at time point ``tp_id`` to ``path``."""
    wording = wording or load_wording(toolkit.settings.language)
    builder = QuestionnaireBuilder(toolkit, course, tp_id, wording, LARGE_PRINT if large_print else NORMAL)
    document = builder.build()
    title = f"{text(course.title, toolkit.settings.language)}: {course.tp(tp_id).name}"
    save_document(document, path, title, text(toolkit.settings.partnership, toolkit.settings.language), created)


def items_asked(toolkit: Toolkit, course: Course, tp_id: str) -> list:
    """The codebook rows a time point's questionnaire asks, in codebook order."""
    asked = set(course.tp(tp_id).scales)
    if tp_id == course.tp_ids[0]:
        asked.add("profile")
    return [row for row in course_rows(toolkit, course) if row.scale in asked]


# ---------------------------------------------------------------------------------------------
# Building one questionnaire


class QuestionnaireBuilder:
    """Lays out one questionnaire with python-docx."""

    def __init__(self, toolkit: Toolkit, course: Course, tp_id: str, wording: dict, layout: Layout):
        self.toolkit = toolkit
        self.course = course
        self.tp = course.tp(tp_id)
        self.wording = wording
        self.layout = layout
        self.lang = toolkit.settings.language
        self.document = Document()

    # -- wording -------------------------------------------------------------------------------

    @cached_property
    def _env(self) -> Environment:
        return Environment(undefined=StrictUndefined, autoescape=False)

    def say(self, key: str, **extra) -> str:
        """A piece of the questionnaire's own wording, filled in."""
        value = self.wording.get(key)
        if isinstance(value, dict):
            value = value.get(self.tp.id)
        if value is None:
            raise InputError(wording_file(), f"the wording '{key}' is missing",
                             f"add '{key}:' under the language section")
        settings = self.toolkit.settings
        values = dict(partnership=text(settings.partnership, self.lang), course=text(self.course.title, self.lang),
                      time_point=self.tp.name, minutes=self.tp.minutes, return_address=text(settings.return_address, self.lang),
                      weeks=self.toolkit.follow_up_weeks(self.course) or "", **extra)
        try:
            return " ".join(self._env.from_string(str(value)).render(values).split())
        except TemplateError as exc:
            raise InputError(wording_file(), f"the wording '{key}' cannot be filled in ({exc})",
                             "use only the names listed at the top of the file") from exc

    # -- the document --------------------------------------------------------------------------

    def build(self):
        self._page_and_styles()
        self._header()
        self._code()
        rows = items_asked(self.toolkit, self.course, self.tp.id)
        if any(r.scale == "profile" for r in rows):
            self._profile()
        asked = {r.scale for r in rows}
        for scale in self.toolkit.course_scales(self.course):
            if scale.id in asked:
                self._scale(scale)
        self.document.add_paragraph(self.say("returning"), style="Closing")
        return self.document

    def _page_and_styles(self) -> None:
        layout = self.layout
        section = self.document.sections[0]
        a4_portrait(section)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(layout.margin))
        section.top_margin, section.bottom_margin = Cm(1.6), Cm(1.6)
        section.footer_distance = Cm(0.8)
        styles = self.document.styles
        normal = styles["Normal"]
        body_font(normal, layout.body)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.space_before = Pt(0)
        for name, size in (("Heading 1", layout.heading1 + 4), ("Heading 2", layout.heading2),
                           ("Subtitle", layout.heading2)):
            style = styles[name]
            heading_font(style, size, space_before=12 if name == "Heading 2" else 0)
            style.paragraph_format.keep_with_next = True
        styles["Subtitle"].font.italic = False
        item_id = styles.add_style("Item id", WD_STYLE_TYPE.CHARACTER)
        self._item_style = item_id.style_id
        item_id.font.size = Pt(layout.item_id)
        item_id.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        closing = styles.add_style("Closing", WD_STYLE_TYPE.PARAGRAPH)
        closing.base_style = normal
        closing.font.bold = True
        closing.paragraph_format.space_before = Pt(12)
        self._footer()

    def _footer(self) -> None:
        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.style = self.document.styles["Normal"]
        paragraph.add_run(self.say("footer") + " ")
        add_field(paragraph, "PAGE")
        paragraph.add_run(f" {self.say('footer_of')} ")
        add_field(paragraph, "NUMPAGES")

    def _header(self) -> None:
        doc = self.document
        partnership = doc.add_paragraph(text(self.toolkit.settings.partnership, self.lang))
        partnership.runs[0].bold = True
        logo = read_logo(self.toolkit.settings)
        if logo:
            # On the partnership's line, at the right margin, so it costs the page little height.
            partnership.paragraph_format.tab_stops.add_tab_stop(Cm(self.layout.text_width), WD_TAB_ALIGNMENT.RIGHT)
            width, height = logo.size(LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM)
            partnership.add_run("\t").add_picture(io.BytesIO(logo.data), width=Cm(width), height=Cm(height))
        doc.add_paragraph(self.say("title"), style="Heading 1")  # a heading, so it is in the outline
        doc.add_paragraph(self.say("subtitle"), style="Subtitle")
        date = doc.add_paragraph(self.say("course_date") + " " + "_" * 24)
        date.paragraph_format.space_after = Pt(8)
        doc.add_paragraph(self.say("purpose"))
        doc.add_paragraph(self.say("anonymous") + " " + self.say("time"))

    def _code(self) -> None:
        code = self.toolkit.profile.code
        layout = self.layout
        self.document.add_heading(self.say("code_heading"), level=2)
        self.document.add_paragraph(" ".join(text(code.instructions, self.lang).split()))
        widest = max(part.length for part in code.parts)
        box = 1.0 if layout is NORMAL else 1.3
        table = self._table(1 + widest, [layout.text_width - widest * box - 0.4] + [box] * widest)
        for part in code.parts:
            row = table.add_row()
            keep_row_together(row)
            row.height, row.height_rule = Cm(box), WD_ROW_HEIGHT_RULE.AT_LEAST
            row.cells[0].text = " ".join(text(part.text, self.lang).split())
            row.cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for i in range(widest):
                if i < part.length:
                    set_cell_borders(row.cells[1 + i], size=12)
        self._fix_widths(table)
        self.document.add_paragraph(self.say("code_example", example=code.example)).paragraph_format.space_before = Pt(4)

    def _profile(self) -> None:
        profile = self.toolkit.profile
        layout = self.layout
        self.document.add_heading(text(profile.title, self.lang) if profile.title else self.say("profile_heading"), level=2)
        intro = text(profile.instructions, self.lang) if profile.instructions else ""
        self.document.add_paragraph(" ".join((intro + " " + self.say("tick_one")).split()))
        question_width = 6.5 if layout is NORMAL else 6.0
        id_width = self._id_width(profile.questions)
        widths = [id_width, question_width, layout.text_width - id_width - question_width]
        table = self._table(3, widths, grid=True)
        self._header_row(table, [self.say("id_heading"), self.say("question_heading"), ""])
        for question in profile.questions:
            row = table.add_row()
            keep_row_together(row)
            self._id_cell(row.cells[0], question.id)
            row.cells[1].text = text(question.text, self.lang)
            options = row.cells[2]
            for i, option in enumerate(question.options):
                paragraph = options.paragraphs[0] if i == 0 else options.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(1)
                paragraph.add_run(f"{BOX}  {text(option.label, self.lang)}")
        self._fix_widths(table)

    def _scale(self, scale: Scale) -> None:
        fmt = self.toolkit.format_of(scale)
        self.document.add_heading(text(scale.title, self.lang), level=2)
        instructions = self.document.add_paragraph(" ".join(text(scale.instructions, self.lang).split()))
        instructions.paragraph_format.keep_with_next = True
        if fmt.kind == "text":
            self._text_items(scale)
        elif fmt.kind == "rating" and len(fmt.points) > MAX_LABELLED_POINTS:
            self._numbered_items(scale, fmt)
        else:
            self._labelled_items(scale, fmt)

    def _labelled_items(self, scale: Scale, fmt: ResponseFormat) -> None:
        """Statements with a tick box under each answer's label (agreement, true/false)."""
        labels = [text(a.label, self.lang) for a in fmt.answers()]
        self._answer_table(scale, labels, self.layout.box_column, boxes=True)

    def _numbered_items(self, scale: Scale, fmt: ResponseFormat) -> None:
        """Statements with a row of numbered boxes to circle or tick (0–100 confidence)."""
        anchors = [text(fmt.labels[p], self.lang) for p in fmt.points
                   if text(fmt.labels[p], self.lang).strip() != str(p)]
        self._answer_table(scale, [str(p) for p in fmt.points], self.layout.number_column, boxes=False,
                           legend=[self.say("scale_legend")] + anchors)

    def _answer_table(self, scale: Scale, answers: list[str], column: float, boxes: bool,
                      legend: list[str] | None = None) -> None:
        """One row per item: its id, its statement, then a box (or numbered box) per answer.

        When the answers leave the statement too narrow to read (large print), each row
        holds the statement with the answers laid out below it instead.
        """
        layout = self.layout
        id_width = self._id_width(scale.items)
        statement = layout.text_width - id_width - column * len(answers)
        if statement < MIN_STATEMENT_WIDTH:
            self._stacked_table(scale, answers, boxes, legend, id_width)
            return
        table = self._table(2 + len(answers), [id_width, statement] + [column] * len(answers), grid=True)
        header = self._header_row(table, [self.say("id_heading"), self.say("statement_heading")]
                                  + ([""] * len(answers) if legend else answers), center_from=2)
        if legend:
            cell = header.cells[2].merge(header.cells[-1])
            self._legend(cell, legend)
        for item in scale.items:
            row = table.add_row()
            keep_row_together(row)
            self._id_cell(row.cells[0], item.id)
            row.cells[1].text = text(item.text, self.lang)
            for answer, cell in zip(answers, row.cells[2:]):
                self._box(cell) if boxes else self._number(cell, answer)
        self._fix_widths(table)
        if not boxes:
            self._tight_cells(table, 2)

    def _stacked_table(self, scale: Scale, answers: list[str], boxes: bool, legend, id_width: float) -> None:
        layout = self.layout
        inner = layout.text_width - id_width - 0.4
        for line in (legend or [])[1:]:
            self.document.add_paragraph(line).paragraph_format.keep_with_next = True
        table = self._table(2, [id_width, layout.text_width - id_width], grid=True)
        self._header_row(table, [self.say("id_heading"), self.say("statement_heading")])
        for item in scale.items:
            row = table.add_row()
            keep_row_together(row)
            self._id_cell(row.cells[0], item.id)
            cell = row.cells[1]
            cell.text = text(item.text, self.lang)
            grid = cell.add_table(rows=2 if boxes else 1, cols=len(answers))
            grid.autofit = False
            grid._widths = [inner / len(answers)] * len(answers)
            for grid_row in grid.rows:
                keep_row_together(grid_row)
            for i, answer in enumerate(answers):
                if boxes:
                    grid.cell(0, i).text = answer
                    grid.cell(0, i).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    grid.cell(0, i).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
                    self._box(grid.cell(1, i))
                else:
                    set_cell_borders(grid.cell(0, i), size=6)
                    self._number(grid.cell(0, i), answer)
            self._fix_widths(grid, spacer=False)
            if not boxes:
                self._tight_cells(grid, 0, first_row=0)
            # A cell must end with a paragraph; this one is kept to a hairline.
            closing = cell.add_paragraph().paragraph_format
            closing.space_after, closing.line_spacing_rule, closing.line_spacing = Pt(0), WD_LINE_SPACING.EXACTLY, Pt(3)
        self._fix_widths(table)

    def _legend(self, cell, lines: list[str]) -> None:
        cell.text = ""
        cell.paragraphs[0].add_run(lines[0]).bold = True
        for line in lines[1:]:
            cell.add_paragraph(line).paragraph_format.space_after = Pt(0)

    def _number(self, cell, answer: str) -> None:
        cell.text = answer
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def _id_width(self, items) -> float:
        """Wide enough for the longest id printed small on one line."""
        longest = max(len(i.id) for i in items)
        return min(max(self.layout.id_column, 0.5 + longest * self.layout.item_id * 0.019), 3.2)

    def _text_items(self, scale: Scale) -> None:
        """A box to write in under each question."""
        layout = self.layout
        id_width = self._id_width(scale.items)
        table = self._table(2, [id_width, layout.text_width - id_width])
        for item in scale.items:
            row = table.add_row()
            keep_row_together(row)
            row.height, row.height_rule = Cm(layout.text_box_height), WD_ROW_HEIGHT_RULE.AT_LEAST
            self._id_cell(row.cells[0], item.id)
            row.cells[1].text = text(item.text, self.lang)
            row.cells[1].paragraphs[0].runs[0].bold = True
            set_cell_borders(row.cells[1], size=8)
        self._fix_widths(table)

    # -- table helpers -------------------------------------------------------------------------

    def _table(self, columns: int, widths: list[float], grid: bool = False):
        table = self.document.add_table(rows=0, cols=columns)
        if grid:
            table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        table._widths = widths  # kept for _fix_widths
        for column, width in zip(table.columns, widths):
            column.width = Cm(width)
        return table

    def _fix_widths(self, table, spacer: bool = True) -> None:
        """Give every cell its column's width: Word reads cell widths, LibreOffice the grid."""
        for column, width in zip(table.columns, table._widths):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, table._widths):
                if cell._tc.grid_span == 1:
                    cell.width = Cm(width)
        if spacer:
            self.document.add_paragraph().paragraph_format.space_after = Pt(2)

    def _tight_cells(self, table, first: int, first_row: int = 1) -> None:
        """Narrow number cells need small margins so '100' fits on one line."""
        for row in table.rows[first_row:]:
            for cell in row.cells[first:]:
                tc_pr = cell._tc.get_or_add_tcPr()
                margins = OxmlElement("w:tcMar")
                for side in ("left", "right"):
                    element = OxmlElement(f"w:{side}")
                    element.set(qn("w:w"), "20")
                    element.set(qn("w:type"), "dxa")
                    margins.append(element)
                tc_pr.insert_element_before(margins, "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")

    def _header_row(self, table, labels: list[str], center_from: int = 99):
        row = table.add_row()
        keep_row_together(row, header=True)
        for i, (cell, label) in enumerate(zip(row.cells, labels)):
            shade_cell(cell, "E3EAF2")
            cell.text = label
            paragraph = cell.paragraphs[0]
            if paragraph.runs:
                # Answer labels stay regular so "Strongly disagree" fits its column unbroken.
                paragraph.runs[0].bold = i < center_from
                if i == 0:
                    self._small(paragraph.runs[0])
            if i >= center_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        return row

    def _id_cell(self, cell, item_id: str) -> None:
        cell.text = ""
        self._small(cell.paragraphs[0].add_run(item_id))

    def _small(self, run) -> None:
        # Set by id: python-docx's lookup by name scans every style each time (slow).
        run._r.get_or_add_rPr().style = self._item_style

    def _box(self, cell) -> None:
        cell.text = ""
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(BOX)
        run.font.size = Pt(self.layout.body + 5)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
