"""The data-entry workbook as a whole: what every sheet writer shares, and the order they run in.

:class:`Book` holds the course, its layout, the styles, the wording and the true values, and
the helpers every sheet uses: a formula stored with its true value, a workbook-level defined
name (listed on the Codebook sheet), sheet protection, headings, and the hidden Workings sheet
that feeds the charts. Each sheet is written by the module of its name in
:mod:`connect_share_learn.workbook.sheets`; what one sheet places for another (where Results
put each statistic, the attendance counts) is handed on as a return value in :meth:`write_all`.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_cell_to_rowcol

from connect_share_learn.spec.model import text
from connect_share_learn.workbook.layout import WORKINGS, EntryLayout, cell, sheet_name, sheet_ref
from connect_share_learn.workbook.self_check import FAILURES, write_self_check
from connect_share_learn.workbook.text_fit import lines_in_px, row_height
from connect_share_learn.workbook.words import tp_name, wording


class Book:
    """Writes every sheet of one course's workbook.

    ``truth`` holds the true value of every formula cell that depends on the typed rows (see
    example.true_values): formulas are stored with it, so a viewer that does not recalculate
    shows correct numbers. ``example`` holds the course details of the example workbook
    (``csl demo``) and labels every sheet as an example; None for a real workbook.
    """

    def __init__(self, wb, styles, toolkit, course, layouts: dict[str, EntryLayout], password, rows, truth,
                 example: dict | None = None):
        self.wb, self.st, self.tk, self.course, self.layouts = wb, styles, toolkit, course, layouts
        self.password = password or ""
        self.example = example
        self.truth = truth
        self.rows = rows
        self._formulas: dict[tuple[str, int, int], tuple[str, object]] = {}
        self.lang = toolkit.settings.language
        self.w = wording(self.lang)
        self.sheet_names = {key: sheet_name(name) for key, name in self.w["sheets"].items()}
        self.names: list[tuple[str, str, str]] = []  # name, meaning, reference
        self.first = course.tp_ids[0]
        self.main_pair = course.pairs[0] if course.pairs else None
        self.chart_data = None  # the Workings sheet, once added
        self.chart_row = 0
        self.details = self._details()

    # -- the whole book -------------------------------------------------------------------------

    def write_all(self) -> None:
        from connect_share_learn.workbook.sheets import (
            codebook, costs, entry, items, matched, participants, research, results, start, summary,
        )

        start_sheet = self.wb.add_worksheet(self.sheet_names["start"])
        summary_sheet = self.wb.add_worksheet(self.sheet_names["summary"])
        entries = {tp: self.wb.add_worksheet(lay.sheet) for tp, lay in self.layouts.items()}
        sheets = {name: self.wb.add_worksheet(self.sheet_names[name.lower()])
                  for name in ("Matched", "Results", "Items", "Participants", "Research", "Costs", "Codebook")}
        self.chart_data = self.wb.add_worksheet(WORKINGS)
        start.write(self, start_sheet)
        for tp, sheet in entries.items():
            entry.write(self, sheet, self.layouts[tp])
        matched.write(self, sheets["Matched"])
        placed = results.write(self, sheets["Results"])
        items.write(self, sheets["Items"])
        attendance = participants.write(self, sheets["Participants"])
        research.write(self, sheets["Research"], placed)
        costs.write(self, sheets["Costs"], placed, attendance)
        summary.write(self, summary_sheet, placed)
        self._write_self_check()
        codebook.write(self, sheets["Codebook"])
        self.chart_data.hide()
        self.protect(self.chart_data)
        start_sheet.activate()

    def _write_self_check(self) -> None:
        """The canary block on the hidden sheet (see self_check.py), beside the chart data."""
        failures, _rows = write_self_check(self.chart_data, 0, 10)
        self.define(FAILURES, self.chart_data, *xl_cell_to_rowcol(failures),
                    "self-check: how many of the canary formulas this program calculates differently from the toolkit "
                    "(0 when every formula can be trusted)")

    # -- what every sheet uses ------------------------------------------------------------------

    def define(self, name: str, sheet, row: int, col: int, meaning: str, last_row: int | None = None,
               last_col: int | None = None) -> str:
        """A workbook-level name for a cell (or block), listed on the Codebook sheet; a formula
        written there with :meth:`formula` is stored with the named statistic's true value."""
        written = self._formulas.get((sheet.name, row, col))
        if written and name in self.truth["named"]:
            sheet.write_formula(row, col, written[0], written[1], self.truth["named"][name])
        ref = f"'{sheet.name}'!{cell(row, col)}"
        if last_row is not None:
            ref += f":{cell(last_row, last_col if last_col is not None else col)}"
        self.wb.define_name(name, f"={ref}")
        self.names.append((name, meaning, ref))
        return name

    def column_values(self, sheet_name: str, col: int) -> dict:
        """The true results of one formula column of an entry sheet (rows → values)."""
        return self.truth["columns"].get((sheet_name, col), {})

    def named(self, name: str):
        """The true value of a named statistic ("" when blank)."""
        return self.truth["named"].get(name, "")

    def formula(self, sheet, row, col, formula, fmt=None, value=""):
        """Write ``formula`` with its true result ``value`` ("" when blank or not known)."""
        self._formulas[(sheet.name, row, col)] = (formula, fmt)
        sheet.write_formula(row, col, formula, fmt, "" if value is None else value)

    def at(self, key: str) -> str:
        """How a formula names one of the sheets: ``Results!`` (``key`` as in wording.yaml's ``sheets``)."""
        return sheet_ref(self.sheet_names[key])

    def protect(self, sheet):
        sheet.protect(self.password, {"autofilter": True, "format_columns": True, "format_rows": True,
                                      "select_locked_cells": True, "select_unlocked_cells": True})

    def banner(self, sheet, row=0, col=0):
        if self.example:
            sheet.write_string(row, col, self.w["example_banner"], self.st.example)

    def heading(self, sh, title: str, intro: str | None, last_col: int) -> int:
        """The example banner, the sheet's title, the course it is for (as typed on "Start
        here") and its introduction merged across columns A to ``last_col``; returns the next
        row. Set the columns' widths first: the introduction's row is fitted to them."""
        self.banner(sh)
        sh.write_string(1, 0, title, self.st.title)
        self.course_line(sh, 2, 0)
        if not intro:
            return 4
        self.text(sh, 3, 0, intro.strip(), self.st.text, last_col)
        return 5

    def course_line(self, sh, row: int, col: int, fmt=None) -> None:
        """The course title and partnership as typed on "Start here", e.g. "Working Together
        foundation course — Anytown Safeguarding Children Partnership"."""
        title, partnership = self.details["course_title"], self.details["course_partnership"]
        value = " — ".join(x for x in (title, partnership) if x)
        self.formula(sh, row, col, '=IF(course_title="",course_partnership&"",IF(course_partnership="",course_title&"",'
                                   'course_title&" — "&course_partnership))', fmt or self.st.course_line, value)

    # -- text that fits ---------------------------------------------------------------------

    def fit(self, sh, row: int, col: int, text: str, fmt, last_col: int | None = None) -> None:
        """Make ``row`` tall enough to show ``text`` wrapped in columns ``col`` to ``last_col``
        in the font of ``fmt`` (never lower than it is)."""
        size, bold = fmt.font_size, bool(fmt.bold)
        lines = lines_in_px(text, sh.cols_px(col, col if last_col is None else last_col), size, bold)
        need = row_height(lines, size)
        have = sh.rows_px(row, row) * 0.75
        if need > have + 0.5:
            sh.set_row(row, need)

    def text(self, sh, row: int, col: int, text: str, fmt, last_col: int | None = None) -> None:
        """Write ``text`` (merged across to ``last_col`` if given) on a row tall enough for it."""
        if last_col is not None and last_col > col:
            sh.merge_range(row, col, row, last_col, text, fmt)
        else:
            sh.write_string(row, col, text, fmt)
        self.fit(sh, row, col, text, fmt, last_col)

    # -- names a user reads -----------------------------------------------------------------

    def tp_name(self, tp: str, code: bool = True) -> str:
        """A time point as users read it: "Start (t1)", or "Start" without the code."""
        return tp_name(self.w, tp, code)

    def pair_name(self, a: str, b: str, code: bool = True) -> str:
        """A comparison as users read it: "Start (t1) → End (t2)"."""
        return f"{self.tp_name(a, code)} → {self.tp_name(b, code)}"

    def _details(self) -> dict:
        """The course details as typed on "Start here" (the example's, or the defaults)."""
        details = {name: None for name in self.w["details"]}
        if self.tk.settings.given("partnership"):
            details["course_partnership"] = self.t(self.tk.settings.partnership)
        details["course_title"] = self.t(self.course.title)
        details.update({k: v for k, v in (self.example or {}).items() if k in details})
        return details

    def self_check_warning(self, sh, row: int, last_col: int) -> None:
        """A red warning across ``row`` when the self-check fails, and nothing otherwise."""
        message = self.w["self_check_warning"].replace('"', '""')
        sh.merge_range(row, 0, row, last_col, "", self.st.warning)
        sh.write_formula(row, 0, f'=IF(ISNUMBER({FAILURES}),IF({FAILURES}=0,"","{message}"),"{message}")',
                         self.st.warning, "")
        self.fit(sh, row, 0, self.w["self_check_warning"], self.st.warning, last_col)

    def t(self, value) -> str:
        return text(value, self.lang)

    def both(self, value, between: str = "\n") -> str:
        """An item's wording in each language of a bilingual edition (the workbook's own words
        are in its first language only), the first first."""
        return between.join(dict.fromkeys(text(value, x) for x in self.tk.settings.editions))

    def scale_title(self, scale) -> str:
        return self.t(scale.title)

    # -- the Workings sheet ---------------------------------------------------------------------

    def chart_block(self, rows: list[list], title: str) -> tuple[int, int]:
        """Write a block of helper cells on the hidden Workings sheet; return its first row and
        height. A cell is a constant, or a (formula, true value) pair."""
        sh = self.chart_data
        top = self.chart_row
        sh.write_string(top, 0, title, self.st.plain)
        for r, values in enumerate(rows, start=top + 1):
            for c, v in enumerate(values):
                if isinstance(v, tuple):
                    self.formula(sh, r, c, v[0], None, v[1])
                elif isinstance(v, (int, float)):
                    sh.write_number(r, c, v)
                else:
                    sh.write_string(r, c, str(v))
        self.chart_row = top + len(rows) + 2
        return top + 1, len(rows)

    def ref(self, r0, c0, r1, c1) -> str:
        """A block of the Workings sheet, as a chart series refers to it."""
        return f"='{WORKINGS}'!{cell(r0, c0)}:{cell(r1, c1)}"

    def na(self, ref: str, value=None) -> tuple[str, object]:
        """A chart feed: the number in ``ref`` (whose true value is ``value``), or NA()."""
        return f"=IF(ISNUMBER({ref}),{ref},NA())", value if isinstance(value, (int, float)) else "#N/A"
