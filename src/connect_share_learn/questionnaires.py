"""Printable questionnaires: one Word document per course type and time point.

Each questionnaire asks exactly the codebook's items, in the order of the time point's entry
sheet in the workbook, numbered 1, 2, 3… For whoever types the answers in, each number has
the workbook's column id printed small beneath it, and each box the code to type printed
small beside it. The words around the questions live in ``templates/questionnaire/``.

One module though long: it is one document's layout, each part (page, heading, answer tables,
profile questions) using the same styles and measures.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from jinja2 import TemplateError

from connect_share_learn.codebook import course_rows
from connect_share_learn.documents import (
    a4_portrait, add_field, body_font, heading_font, keep_row_together, save_document, set_cell_borders,
    shade_cell, to_pdf,
)
from connect_share_learn.errors import InputError
from connect_share_learn.logo import read as read_logo
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, ResponseFormat, Scale, text
from connect_share_learn.wording import fill, language, load, source_file

BOX = "\u25a1"  # WHITE SQUARE: in Arial and Liberation Sans, so it prints everywhere
# Below this width (cm) a statement is laid out above its answers instead of beside them.
MIN_STATEMENT_WIDTH = 5.5
# A rating format with more points than this is printed as a row of numbered boxes.
MAX_LABELLED_POINTS = 7
LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM = 1.2, 6.0
# A table nested in a cell this much (cm) narrower than the cell stays inside its borders.
CELL_MARGINS = 0.6


@dataclass(frozen=True)
class Layout:
    """Sizes for the normal and the large-print edition (points and centimetres)."""

    body: float
    heading1: float
    heading2: float
    data_entry: float  # the ids and codes printed for whoever types the answers in
    margin: float
    id_column: float
    box_column: float
    number_column: float
    text_box_height: float
    code_box: float
    option_indent: float  # from a profile option's box to its label

    @property
    def text_width(self) -> float:
        return 21.0 - 2 * self.margin


NORMAL = Layout(body=11, heading1=18, heading2=14, data_entry=8, margin=1.8, id_column=1.0,
                box_column=1.95, number_column=0.8, text_box_height=4.5, code_box=1.0, option_indent=0.9)
LARGE_PRINT = Layout(body=16, heading1=24, heading2=19, data_entry=10, margin=1.5, id_column=1.3,
                     box_column=2.3, number_column=1.05, text_box_height=6.0, code_box=1.3, option_indent=1.3)


def load_wording(language: str) -> dict:
    """The questionnaire's own words in ``language`` (English where it has no translation)."""
    return load("questionnaire", language)


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
    title = builder.say("document_title", first_only=True)
    save_document(document, path, title, toolkit.settings.author, created)


def items_asked(toolkit: Toolkit, course: Course, tp_id: str) -> list:
    """The codebook rows a time point's questionnaire asks, in the order of its entry sheet."""
    order = (["profile"] if asks_profile(course, tp_id) else []) + list(course.tp(tp_id).scales)
    rows = course_rows(toolkit, course)
    return [row for scale in order for row in rows if row.scale == scale]


def asks_profile(course: Course, tp_id: str) -> bool:
    return tp_id == course.tp_ids[0]


# ---------------------------------------------------------------------------------------------
# Building one questionnaire

def _each(texts) -> str:
    """Texts in each language of an edition, one a line (a text the same in two languages once)."""
    return "\n".join(dict.fromkeys(texts))


# Tables already built in this process, by everything they show: each questionnaire asks the
# same scales, so most tables are copied (with their questions renumbered), not built again.
_BUILT: dict[tuple, tuple] = {}
MAX_BUILT = 256


class QuestionnaireBuilder:
    """Lays out one questionnaire with python-docx."""

    def __init__(self, toolkit: Toolkit, course: Course, tp_id: str, wording: dict, layout: Layout):
        self.toolkit = toolkit
        self.course = course
        self.tp = course.tp(tp_id)
        self.wording = wording
        self.layout = layout
        self.lang = toolkit.settings.language
        # A bilingual edition prints every text in each language, the first first, a line apart.
        self.languages = toolkit.settings.editions
        self.wordings = {x: wording if x == self.lang else load_wording(x) for x in self.languages}
        self.document = Document()
        self.questions = 0  # how many are numbered so far
        self._numbers: list = []  # the text elements that hold those numbers

    # -- wording -------------------------------------------------------------------------------

    def t(self, value, spaced: bool = False) -> str:
        """A text of the specification in the edition's language, or in each of its languages
        (each on one line, if ``spaced``)."""
        return _each((" ".join(text(value, x).split()) if spaced else text(value, x)) for x in self.languages)

    def say(self, key: str, first_only: bool = False, **extra) -> str:
        """A piece of the questionnaire's own wording, filled in (in each language, unless ``first_only``)."""
        languages = self.languages[:1] if first_only else self.languages
        return _each(self._say(key, x, **{k: v[x] if isinstance(v, dict) else v for k, v in extra.items()})
                     for x in languages)

    def _say(self, key: str, language: str, **extra) -> str:
        wording = self.wordings[language]
        value = wording.get(key)
        if isinstance(value, dict):
            value = value.get(self.tp.id)
        if value is None:
            raise InputError(source_file("questionnaire"), f"the wording '{key}' is missing", f"add '{key}:' to it")
        settings = self.toolkit.settings
        partnership = (text(settings.partnership, language) if settings.given("partnership")
                       else wording["partnership_unset"])
        values = dict(partnership=partnership, course=text(self.course.title, language),
                      time_point=load("common", language)["time_points"][self.tp.id], minutes=self.tp.minutes,
                      return_address=text(settings.return_address, language),
                      weeks=self.toolkit.follow_up_weeks(self.course) or "", **extra)
        try:
            return " ".join(fill(str(value), **values).split())
        except TemplateError as exc:
            raise InputError(source_file("questionnaire"), f"the wording '{key}' cannot be filled in ({exc})",
                             "use only the names listed at the top of the file") from exc

    # -- the document --------------------------------------------------------------------------

    def build(self):
        self._page_and_styles()
        self._header()
        self._code()
        if asks_profile(self.course, self.tp.id):
            self._profile()
        for scale in self.toolkit.scales_at(self.course, self.tp.id):
            self._scale(scale)
        # The thank-you line goes with the last question, never alone on a page of its own.
        for paragraph in self.document.tables[-1].rows[-1]._tr.iter(qn("w:p")):
            paragraph.get_or_add_pPr().keepNext_val = True
        self._paragraph(self.say("returning"), "Closing")
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
        font = language(self.lang).font
        body_font(normal, layout.body, font)
        # Normal is the tables' text, Body Text the paragraphs between them.
        normal.paragraph_format.space_after = Pt(2)
        normal.paragraph_format.space_before = Pt(0)
        styles["Body Text"].paragraph_format.space_after = Pt(4)
        for name, size in (("Heading 1", layout.heading1 + 4), ("Heading 2", layout.heading2),
                           ("Subtitle", layout.heading2)):
            style = styles[name]
            heading_font(style, size, space_before=12 if name == "Heading 2" else 0, font=font)
            style.paragraph_format.keep_with_next = True
        styles["Subtitle"].font.italic = False
        # A little room above the text in each cell of a ruled table; Normal's space after is below.
        styles["Table Grid"].element.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}/{qn('w:top')}").set(qn("w:w"), "30")
        data_entry = styles.add_style("Data entry", WD_STYLE_TYPE.CHARACTER)
        self._data_entry_style = data_entry.style_id
        data_entry.font.size = Pt(layout.data_entry)
        data_entry.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        closing = styles.add_style("Closing", WD_STYLE_TYPE.PARAGRAPH)
        closing.base_style = styles["Body Text"]
        closing.font.bold = True
        closing.paragraph_format.space_before = Pt(12)
        self._style_ids = {name: styles[name].style_id
                           for name in ("Heading 1", "Heading 2", "Subtitle", "Body Text", "Closing", "Table Grid")}
        self._footer()

    def _footer(self) -> None:
        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.style = self.document.styles["Normal"]
        paragraph.add_run(self.say("footer", first_only=True) + " ")
        add_field(paragraph, "PAGE")
        paragraph.add_run(f" {self.say('footer_of', first_only=True)} ")
        add_field(paragraph, "NUMPAGES")

    def _header(self) -> None:
        doc = self.document
        settings = self.toolkit.settings
        logo = read_logo(settings)
        # The letterhead line stays (the pages keep their shape) but a stand-in name is no letterhead.
        partnership = doc.add_paragraph(self.t(settings.partnership) if settings.given("partnership") else "")
        if partnership.runs:
            partnership.runs[0].bold = True
        if logo:
            # On the partnership's line, at the right margin, so it costs the page little height.
            partnership.paragraph_format.tab_stops.add_tab_stop(Cm(self.layout.text_width), WD_TAB_ALIGNMENT.RIGHT)
            width, height = logo.size(LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM)
            partnership.add_run("\t").add_picture(io.BytesIO(logo.data), width=Cm(width), height=Cm(height))
        self._paragraph(self.say("title"), "Heading 1")  # a heading, so it is in the outline
        self._paragraph(self.say("subtitle"), "Subtitle")
        self._body(self.say("course_date") + " " + "_" * 24).paragraph_format.space_after = Pt(8)
        self._body(self.say("purpose"))
        self._body(self.say("anonymous") + " " + self.say("time"))

    def _code(self) -> None:
        code = self.toolkit.profile.code
        layout = self.layout
        self._paragraph(self.say("code_heading"), "Heading 2")
        self._body(self.t(code.instructions), keep_with_table=True)
        parts = [(self.t(part.text, spaced=True), part.length) for part in code.parts]
        self._table_once(("code", layout, tuple(parts)), lambda: self._code_table(parts))
        self._body(self.say("code_example", example=code.example)).paragraph_format.space_before = Pt(4)

    def _code_table(self, parts: list[tuple[str, int]]):
        layout = self.layout
        box = layout.code_box
        boxes = max(length for _, length in parts) * box + CELL_MARGINS
        table = self._table(2, [layout.text_width - boxes, boxes])
        for words, length in parts:
            row = table.add_row()
            keep_row_together(row)
            row.cells[0].text = words
            row.cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            # In a table of their own, so a long instruction beside them cannot stretch them tall.
            cell = row.cells[1]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            grid = self._nested_table(cell, 1, [box] * length)
            grid.rows[0].height, grid.rows[0].height_rule = Cm(box), WD_ROW_HEIGHT_RULE.EXACTLY
            for box_cell in grid.rows[0].cells:
                set_cell_borders(box_cell, size=12)
            cell._tc.remove(cell.paragraphs[0]._p)  # the empty line above the boxes
        self._fix_widths(table)
        return table

    def _profile(self) -> None:
        profile = self.toolkit.profile
        layout = self.layout
        self._paragraph(self.t(profile.title) if profile.title else self.say("profile_heading"), "Heading 2")
        if len(self.languages) == 1:
            intro = text(profile.instructions, self.lang) if profile.instructions else ""
            self._body(intro + " " + self.say("tick_one"), keep_with_table=True)
        else:
            self._body(_each((text(profile.instructions, x) + " " if profile.instructions else "")
                             + self._say("tick_one", x) for x in self.languages), keep_with_table=True)
        id_width = self._id_width(profile.questions)
        table = self._table(2, [id_width, layout.text_width - id_width], grid=True)
        self._header_row(table, [self.say("id_heading"), self.say("question_heading")])
        others = {label.casefold() for label in self.wording.get("other_labels") or []}
        others_in = {x: {label.casefold() for label in self.wordings[x].get("other_labels") or []}
                     for x in self.languages}
        column = (layout.text_width - id_width - CELL_MARGINS) / 2
        for question in profile.questions:
            row = table.add_row()
            keep_row_together(row)
            self._question_number(row.cells[0], question.id)
            cell = row.cells[1]
            cell.text = self.t(question.text)
            # The options in two columns under the question, read down then across, as census forms do.
            half = (len(question.options) + 1) // 2
            grid = self._nested_table(cell, 1, [column, column])
            for options, grid_cell in zip((question.options[:half], question.options[half:]), grid.rows[0].cells):
                for i, option in enumerate(options):
                    label = text(option.label, self.lang)
                    other = label.casefold() in others
                    labels = {x: text(option.label, x) for x in self.languages}
                    shown = _each(self._say("other_specify", x, label=labels[x])
                                  if labels[x].casefold() in others_in[x] else labels[x] for x in self.languages)
                    self._option(grid_cell.paragraphs[0] if i == 0 else grid_cell.add_paragraph(), option.code, shown)
                    if other:
                        self._write_in_line(grid_cell.add_paragraph())
        self._fix_widths(table)

    def _option(self, paragraph, code: int, label: str) -> None:
        """A box, its code, and its label, aligned with the other options' labels."""
        indent = Cm(self.layout.option_indent)
        paragraph.paragraph_format.space_after = Pt(1)
        paragraph.paragraph_format.left_indent, paragraph.paragraph_format.first_line_indent = indent, -indent
        paragraph.add_run(BOX)
        self._small(paragraph.add_run(f" {code}"))
        paragraph.add_run(f"\t{label}")

    def _write_in_line(self, paragraph) -> None:
        """A line to write on, from under the option's label to the cell's right edge."""
        form = paragraph.paragraph_format
        form.left_indent, form.right_indent = Cm(self.layout.option_indent), Cm(0.1)
        form.space_before, form.space_after = Pt(8), Pt(4)
        # A bottom border, not a tab leader: LibreOffice draws no leader up to a final tab.
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for name, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "555555")):
            bottom.set(qn(f"w:{name}"), value)
        border.append(bottom)
        paragraph._p.get_or_add_pPr().insert_element_before(border, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")

    def _scale(self, scale: Scale) -> None:
        fmt = self.toolkit.format_of(scale)
        self._paragraph(self.t(scale.title), "Heading 2")
        self._body(self.t(scale.instructions), keep_with_table=True)
        if fmt.kind == "text":
            self._text_items(scale)
        elif fmt.kind == "rating" and len(fmt.points) > MAX_LABELLED_POINTS:
            self._numbered_items(scale, fmt)
        else:
            self._labelled_items(scale, fmt)

    def _labelled_items(self, scale: Scale, fmt: ResponseFormat) -> None:
        """Statements with a tick box under each answer's label (agreement, true/false)."""
        answers = [(self.t(a.label), a.code) for a in fmt.answers()]
        self._answer_table(scale, answers, self.layout.box_column, boxes=True)

    def _numbered_items(self, scale: Scale, fmt: ResponseFormat) -> None:
        """Statements with a row of numbered boxes to circle or tick (0–100 confidence)."""
        anchors = [self.t(fmt.labels[p]) for p in fmt.points if text(fmt.labels[p]).strip() != str(p)]
        self._answer_table(scale, [(str(p), p) for p in fmt.points], self.layout.number_column, boxes=False,
                           legend=[self.say("scale_legend")] + anchors)

    def _answer_table(self, scale: Scale, answers: list[tuple[str, int]], column: float, boxes: bool,
                      legend: list[str] | None = None) -> None:
        """One row per item: its number, its statement, then a box (or numbered box) per answer.

        When the answers leave the statement too narrow to read (large print), each row
        holds the statement with the answers laid out below it instead.
        """
        id_width = self._id_width(scale.items)
        items = [(item.id, self.t(item.text)) for item in scale.items]
        headings = [self.say("id_heading"), self.say("statement_heading")]
        key = ("answers", self.layout, tuple(headings), tuple(answers), column, boxes, tuple(legend or ()),
               tuple(items))
        if self.layout.text_width - id_width - column * len(answers) >= MIN_STATEMENT_WIDTH:
            self._table_once(key, lambda: self._answers_beside(items, headings, answers, column, boxes, legend,
                                                               id_width))
            return
        for line in (legend or [])[1:]:
            self._body(line, keep_with_table=True)
        self._table_once(key, lambda: self._answers_below(items, headings, answers, boxes, id_width))

    def _answers_beside(self, items, headings: list[str], answers: list[tuple[str, int]], column: float,
                        boxes: bool, legend: list[str] | None, id_width: float):
        statement = self.layout.text_width - id_width - column * len(answers)
        table = self._table(2 + len(answers), [id_width, statement] + [column] * len(answers), grid=True)
        labels = [""] * len(answers) if legend else [label for label, _ in answers]
        header = self._header_row(table, headings + labels, center_from=2)
        if legend:
            cell = header.cells[2].merge(header.cells[-1])
            self._legend(cell, legend)
        for item_id, wording in items:
            row = table.add_row()
            keep_row_together(row)
            self._question_number(row.cells[0], item_id)
            row.cells[1].text = wording
            for (label, code), cell in zip(answers, row.cells[2:]):
                self._box(cell, code) if boxes else self._answer_number(cell, label)
        self._fix_widths(table)
        if not boxes:
            self._tight_cells(table, 2)
        return table

    def _answers_below(self, items, headings: list[str], answers: list[tuple[str, int]], boxes: bool,
                       id_width: float):
        layout = self.layout
        inner = layout.text_width - id_width - CELL_MARGINS
        table = self._table(2, [id_width, layout.text_width - id_width], grid=True)
        self._header_row(table, headings)
        for item_id, wording in items:
            row = table.add_row()
            keep_row_together(row)
            self._question_number(row.cells[0], item_id)
            cell = row.cells[1]
            cell.text = wording
            grid = self._nested_table(cell, 2 if boxes else 1, [inner / len(answers)] * len(answers))
            for i, (label, code) in enumerate(answers):
                if boxes:
                    grid.cell(0, i).text = label
                    grid.cell(0, i).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    grid.cell(0, i).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
                    self._box(grid.cell(1, i), code)
                else:
                    set_cell_borders(grid.cell(0, i), size=6)
                    self._answer_number(grid.cell(0, i), label)
            if not boxes:
                self._tight_cells(grid, 0, first_row=0)
        self._fix_widths(table)
        return table

    def _nested_table(self, cell, rows: int, widths: list[float]):
        """A table inside ``cell``, after its text; the line python-docx adds below is kept to a hairline."""
        grid = cell.add_table(rows=rows, cols=len(widths))
        grid.autofit = False
        grid._widths = widths
        for grid_row in grid.rows:
            keep_row_together(grid_row)
        self._fix_widths(grid)
        # A cell must end with a paragraph: python-docx adds an empty one after the table.
        closing = cell.paragraphs[-1].paragraph_format
        closing.space_after, closing.line_spacing_rule, closing.line_spacing = Pt(0), WD_LINE_SPACING.EXACTLY, Pt(3)
        return grid

    def _legend(self, cell, lines: list[str]) -> None:
        cell.text = ""
        cell.paragraphs[0].add_run(lines[0]).bold = True
        for line in lines[1:]:
            cell.add_paragraph(line).paragraph_format.space_after = Pt(0)

    def _answer_number(self, cell, answer: str) -> None:
        cell.text = answer
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def _id_width(self, items) -> float:
        """Wide enough for the longest id printed small on one line."""
        longest = max(len(i.id) for i in items)
        return min(max(self.layout.id_column, 0.5 + longest * self.layout.data_entry * 0.019), 3.2)

    def _text_items(self, scale: Scale) -> None:
        """A box to write in under each question."""
        items = [(item.id, self.t(item.text)) for item in scale.items]
        id_width = self._id_width(scale.items)
        self._table_once(("text", self.layout, tuple(items)), lambda: self._text_table(items, id_width))

    def _text_table(self, items, id_width: float):
        layout = self.layout
        table = self._table(2, [id_width, layout.text_width - id_width])
        for item_id, wording in items:
            row = table.add_row()
            keep_row_together(row)
            row.height, row.height_rule = Cm(layout.text_box_height), WD_ROW_HEIGHT_RULE.AT_LEAST
            self._question_number(row.cells[0], item_id)
            row.cells[1].text = wording
            row.cells[1].paragraphs[0].runs[0].bold = True
            set_cell_borders(row.cells[1], size=8)
        self._fix_widths(table)
        return table

    def _body(self, words: str, keep_with_table: bool = False):
        """A paragraph of text between the tables; ``keep_with_table`` keeps it on the page of what follows."""
        paragraph = self._paragraph("\n".join(" ".join(line.split()) for line in words.split("\n")), "Body Text")
        paragraph.paragraph_format.keep_with_next = keep_with_table or None
        return paragraph

    def _paragraph(self, words: str, style: str):
        paragraph = self.document.add_paragraph(words)
        # Set by id: python-docx's lookup by name scans every style each time (slow).
        paragraph._p.style = self._style_ids[style]
        return paragraph

    # -- table helpers -------------------------------------------------------------------------

    def _table_once(self, key: tuple, build: Callable[[], object]) -> None:
        """Add the table ``build`` makes, or a copy of the one made before for the same ``key``.

        ``key`` holds everything the table shows but its question numbers: a copy gets this
        questionnaire's numbers, so it is the same, byte for byte, as the table built afresh.
        """
        if key in _BUILT:
            made, positions = _BUILT[key]
            tbl = copy.deepcopy(made)
            self.document.element.body._insert_tbl(tbl)
            texts = list(tbl.iter(qn("w:t")))
            for position in positions:
                self.questions += 1
                texts[position].text = str(self.questions)
            return
        first = len(self._numbers)
        tbl = build()._tbl
        numbers = {id(t) for t in self._numbers[first:]}
        if len(_BUILT) >= MAX_BUILT:
            _BUILT.clear()
        _BUILT[key] = (copy.deepcopy(tbl), [i for i, t in enumerate(tbl.iter(qn("w:t"))) if id(t) in numbers])

    def _table(self, columns: int, widths: list[float], grid: bool = False):
        table = self.document.add_table(rows=0, cols=columns)
        if grid:
            table._tbl.tblStyle_val = self._style_ids["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        table._widths = widths  # kept for _fix_widths
        for column, width in zip(table.columns, widths):
            column.width = Cm(width)
        return table

    def _fix_widths(self, table) -> None:
        """Give every cell its column's width: Word reads cell widths, LibreOffice the grid."""
        for column, width in zip(table.columns, table._widths):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, table._widths):
                if cell._tc.grid_span == 1:
                    cell.width = Cm(width)

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

    def _question_number(self, cell, column_id: str) -> None:
        """The question's number, with the workbook's id of its column small beneath it."""
        self.questions += 1
        number = cell.paragraphs[0]
        number.paragraph_format.space_after = Pt(0)
        run = number.add_run(str(self.questions))
        run.bold = True
        self._numbers.append(run._r.find(qn("w:t")))
        self._small(cell.add_paragraph().add_run(column_id))

    def _small(self, run) -> None:
        # Set by id: python-docx's lookup by name scans every style each time (slow).
        run._r.get_or_add_rPr().style = self._data_entry_style

    def _box(self, cell, code: int) -> None:
        """A box to tick, with the code to type for it printed small beside it."""
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(BOX).font.size = Pt(self.layout.body + 5)
        self._small(paragraph.add_run(f" {code}"))
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
