"""The sheets of the data-entry workbook, written from the course layout.

Each ``_write_*`` method writes one sheet. Statistics are formulas from
:mod:`connect_share_learn.stats`; every one gets a workbook-level defined name, recorded in
``self.names`` so the Codebook sheet can list them.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import yaml
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

from connect_share_learn import __version__, stats
from connect_share_learn.codebook import course_rows, scoring_rule
from connect_share_learn.results import answers
from connect_share_learn.defaults import default_dir
from connect_share_learn.spec.model import TIME_POINT_NAMES, TIME_POINT_SHORT, text
from connect_share_learn.workbook.layout import (
    FIRST_ROW, IDS_ROW, EntryLayout, baseline_scales, paired_scales,
)
from connect_share_learn.workbook.readings import reading, reading_formula
from connect_share_learn.workbook.self_check import FAILURES, write_self_check

PAIR_STATS = ["n_pairs", "mean_change", "sd_change", "t", "df", "p", "ci_low", "ci_high", "d", "dz", "pct_improved"]
TP_STATS = ["n", "mean", "sd", "alpha"]
BASELINE_STATS = ["n", "mean", "sd", "t", "df", "p"]
STAT_MEANINGS = {
    "n": "number of questionnaires with a score", "mean": "mean score", "sd": "standard deviation of the scores",
    "alpha": "Cronbach's alpha (internal consistency), over participants who answered every item",
    "n_pairs": "number of matched participants with both scores", "mean_change": "mean change (later − earlier)",
    "sd_change": "standard deviation of the change", "t": "paired t statistic", "df": "degrees of freedom",
    "p": "two-tailed p-value", "ci_low": "lower end of the 95% confidence interval of the mean change",
    "ci_high": "upper end of the 95% confidence interval of the mean change",
    "d": "effect size d: mean change / square root of the average of the two variances (same participants)",
    "ci_half": "half the width of the 95% confidence interval of the mean",
    "dz": "effect size dz: mean change / standard deviation of the change",
    "pct_improved": "percentage of matched participants whose score rose",
}
# The hidden sheet holding the charts' data and intermediate results such as item sums.
WORKINGS = "Workings"
# Data labels that show nothing for 0: LibreOffice draws a missing value (NA()) as 0.
HIDE_ZERO_2DP = "0.00;-0.00;;"
HIDE_ZERO_0DP = "0;-0;;"


@lru_cache(maxsize=1)
def wording() -> dict:
    return yaml.safe_load((default_dir("templates") / "workbook" / "wording.yaml").read_text("utf-8"))


def cell(row: int, col: int, absolute: bool = True) -> str:
    return xl_rowcol_to_cell(row, col, absolute, absolute)


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
        self.w = wording()
        self.lang = toolkit.settings.language
        self.names: list[tuple[str, str, str]] = []  # name, meaning, reference
        self.first = course.tp_ids[0]
        self.main_pair = course.pairs[0] if course.pairs else None
        # Filled in as the sheets are written; later sheets read what earlier ones placed.
        self.tp_cells: dict[tuple[str, str], dict[str, str]] = {}
        self.pair_cells: dict[tuple[str, str, str], dict[str, str]] = {}
        self.baseline_cells: dict[str, dict[str, str]] = {}
        self.effect_rows: dict[str, int] = {}
        self.research_cells: dict[str, tuple[str, float | None]] = {}  # scale id -> (cell, value typed)
        self.agency_counts: dict[int, tuple[str, int]] = {}  # agency code -> (cell, true count)

    # -- helpers --------------------------------------------------------------------------------

    def define(self, name: str, sheet, row: int, col: int, meaning: str, last_row: int | None = None,
               last_col: int | None = None) -> str:
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

    def protect(self, sheet):
        sheet.protect(self.password, {"autofilter": True, "format_columns": True, "format_rows": True,
                                      "select_locked_cells": True, "select_unlocked_cells": True})

    def banner(self, sheet, row=0, col=0):
        if self.example:
            sheet.write_string(row, col, self.w["example_banner"], self.st.example)

    def heading(self, sh, title: str, intro: str, last_col: int, height: float) -> None:
        """The example banner, the sheet's title, and its introduction merged across columns
        A to ``last_col`` on a row ``height`` points high."""
        self.banner(sh)
        sh.write_string(1, 0, title, self.st.title)
        sh.merge_range(2, 0, 2, last_col, intro.strip(), self.st.text)
        sh.set_row(2, height)

    def t(self, value) -> str:
        return text(value, self.lang)

    def scale_title(self, scale) -> str:
        return self.t(scale.title)

    # -- the whole book -------------------------------------------------------------------------

    def write_all(self) -> None:
        start = self.wb.add_worksheet("Start here")
        entries = {tp: self.wb.add_worksheet(lay.sheet) for tp, lay in self.layouts.items()}
        matched = self.wb.add_worksheet("Matched")
        results = self.wb.add_worksheet("Results")
        items = self.wb.add_worksheet("Items")
        participants = self.wb.add_worksheet("Participants")
        research = self.wb.add_worksheet("Research")
        costs = self.wb.add_worksheet("Costs")
        codebook = self.wb.add_worksheet("Codebook")
        chart_data = self.wb.add_worksheet(WORKINGS)
        self.chart_data = chart_data
        self.chart_row = 0
        self._write_start(start)
        for tp, sheet in entries.items():
            self._write_entry(sheet, self.layouts[tp])
        self._write_matched(matched)
        self._write_results(results)
        self._write_items(items)
        self._write_participants(participants)
        self._write_research(research)
        self._write_costs(costs)
        self._write_self_check(chart_data)
        self._write_codebook(codebook)
        chart_data.hide()
        self.protect(chart_data)
        start.activate()

    # -- the self-check -------------------------------------------------------------------------

    def _write_self_check(self, sh) -> None:
        """The canary block on the hidden sheet (see self_check.py), beside the chart data."""
        failures, _rows = write_self_check(sh, 0, 10)
        self.define(FAILURES, sh, *xl_cell_to_rowcol(failures),
                    "self-check: how many of the canary formulas this program calculates differently from the toolkit "
                    "(0 when every formula can be trusted)")

    def self_check_warning(self, sh, row: int, last_col: int) -> None:
        """A red warning across ``row`` when the self-check fails, and nothing otherwise."""
        message = self.w["self_check_warning"].replace('"', '""')
        sh.merge_range(row, 0, row, last_col, "", self.st.warning)
        sh.write_formula(row, 0, f'=IF(ISNUMBER({FAILURES}),IF({FAILURES}=0,"","{message}"),"{message}")',
                         self.st.warning, "")

    # -- Start here -----------------------------------------------------------------------------

    def _write_start(self, sh):
        st, w = self.st, self.w
        sh.set_column(0, 0, 34)
        sh.set_column(1, 1, 95)
        sh.hide_gridlines(2)
        self.banner(sh)
        sh.write_string(1, 0, w["start_title"].format(course=self.t(self.course.title)), st.title)
        sh.write_string(2, 0, self.t(self.tk.settings.partnership), st.subtitle)
        sh.merge_range(3, 0, 3, 1, w["start_intro"].strip(), st.text)
        sh.set_row(3, 36)
        self.self_check_warning(sh, 4, 1)
        sh.write_string(5, 0, w["steps_title"], st.subtitle)
        sheet_list = ", ".join(lay.sheet for lay in self.layouts.values())
        row = 6
        for i, step in enumerate(w["steps"], start=1):
            sh.write_string(row, 0, f"{i}.", st.plain)
            sh.write_string(row, 1, step.format(sheets=sheet_list), st.text)
            sh.set_row(row, 32)
            row += 1
        row += 1
        sh.write_string(row, 0, w["legend_title"], st.subtitle)
        for label, fmt in ((w["legend_input"], st.legend_input), (w["legend_calc"], st.legend_calc),
                           (w["legend_problem"], st.legend_problem)):
            row += 1
            sh.write_string(row, 0, "", fmt)
            sh.write_string(row, 1, label, st.plain)
        row += 2
        sh.write_string(row, 0, w["details_title"], st.subtitle)
        details = self.example or {}
        for name, label in w["details"].items():
            row += 1
            sh.write_string(row, 0, label, st.plain)
            value = details.get(name)
            if name == "course_partnership" and value is None:
                value = self.t(self.tk.settings.partnership)
            if name == "course_title" and value is None:
                value = self.t(self.course.title)
            if name.endswith("_date"):
                if value is not None:
                    sh.write_datetime(row, 1, value, st.input_date)
                else:
                    sh.write_blank(row, 1, None, st.input_date)
                sh.data_validation(row, 1, row, 1, {"validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1),
                                                    "error_message": w["message_date"]})
            elif name == "course_attended":
                if value is not None:
                    sh.write_number(row, 1, value, st.input)
                else:
                    sh.write_blank(row, 1, None, st.input)
                sh.data_validation(row, 1, row, 1, {"validate": "integer", "criteria": "between", "minimum": 0,
                                                    "maximum": 100000, "error_message": w["message_count"]})
            else:
                sh.write_string(row, 1, value or "", st.input_text)
            self.define(name, sh, row, 1, f"course details: {label.lower()}")
        row += 2
        sh.merge_range(row, 0, row, 1, w["protection_note"].strip(), st.note)
        sh.set_row(row, 32)
        sh.write_string(row + 1, 0, w["version_note"].format(version=__version__, spec=self.tk.spec_hash[:12]), st.plain)
        self.protect(sh)

    # -- entry sheets ---------------------------------------------------------------------------

    def _write_entry(self, sh, lay: EntryLayout):
        st, tk = self.st, self.tk
        code = tk.profile.code
        last = lay.last_row
        # Header rows: band (scale titles), short wording, column ids.
        sh.set_row(0, 30)
        sh.set_row(1, 66)
        sh.freeze_panes(FIRST_ROW, 1)
        sh.set_column(0, 0, 11, st.input_text)
        sh.write_string(0, 0, self.w["entry_band_participant"], st.band)
        sh.write_string(1, 0, "Personal code", st.wording)
        sh.write_string(IDS_ROW, 0, "code", st.ids)
        dv_code = {"validate": "length", "criteria": "between", "minimum": 1, "maximum": 40,
                   "input_title": self.w["entry_code_label"], "input_message": _clip(self.t(code.instructions)),
                   "error_type": "warning", "error_message": self.w["message_code_long"]}
        sh.data_validation(FIRST_ROW, 0, last, 0, dv_code)
        col = 1
        if lay.tp == self.first:
            qs = tk.profile.questions
            band = self.t(tk.profile.title) or self.w["entry_band_profile"]
            if len(qs) > 1:
                sh.merge_range(0, col, 0, col + len(qs) - 1, band, st.band)
            else:
                sh.write_string(0, col, band, st.band)
            for q in qs:
                sh.set_column(col, col, 9, st.input)
                sh.write_string(1, col, self.t(q.short or q.text), st.wording)
                sh.write_string(IDS_ROW, col, q.id, st.ids)
                codes = [o.code for o in q.options]
                listing = "; ".join(f"{o.code} {self.t(o.label)}" for o in q.options)
                sh.data_validation(FIRST_ROW, col, last, col, {
                    "validate": "integer", "criteria": "between", "minimum": min(codes), "maximum": max(codes),
                    "input_title": _clip(q.id, 32), "input_message": _clip(listing),
                    "error_title": self.w["message_not_code_title"],
                    "error_message": _clip(self.w["message_not_code"].format(listing=listing))})
                col += 1
        for scale in lay.scales:
            fmt = tk.format_of(scale)
            first_col = col
            for item in scale.items:
                width = 14 if fmt.kind == "text" else 7
                sh.set_column(col, col, width, st.input_text if fmt.kind == "text" else st.input)
                sh.write_string(1, col, self.t(item.short or item.text), st.wording)
                sh.write_string(IDS_ROW, col, item.id, st.ids)
                col += 1
            if col - 1 > first_col:
                sh.merge_range(0, first_col, 0, col - 1, self.scale_title(scale), st.band)
            else:
                sh.write_string(0, first_col, self.scale_title(scale), st.band)
            self._validate_items(sh, lay, scale, first_col, col - 1)
        # Status and scores (locked, visible), then helpers (hidden).
        sh.set_column(lay.status_col, lay.status_col, 18, st.status)
        sh.write_string(0, lay.status_col, self.w["entry_check_band"], st.band)
        sh.write_string(1, lay.status_col, self.w["entry_check_label"], st.wording)
        sh.write_string(IDS_ROW, lay.status_col, "status", st.ids)
        for sid, c in lay.score_cols.items():
            sh.set_column(c, c, 10, st.calc)
            sh.write_string(0, c, self.w["entry_score_band"], st.band)
            sh.write_string(1, c, self.scale_title(tk.scales[sid]), st.wording)
            sh.write_string(IDS_ROW, c, f"score_{sid}", st.ids)
        for hid, c in lay.helpers.items():
            sh.set_column(c, c, 8, st.helper, {"hidden": True})
            sh.write_string(IDS_ROW, c, hid.replace(":", "_"), st.ids)
        self._write_entry_formulas(sh, lay)
        self._entry_conditional_formats(sh, lay)
        self._prefill(sh, lay)
        self.wb.define_name(f"{lay.tp}_data", lay.data_range())
        self.names.append((f"{lay.tp}_data", f"data typed at {TIME_POINT_NAMES[lay.tp].lower()} ({lay.tp}); "
                           "column ids in the row above", lay.data_range()[1:]))
        sh.set_default_row(hide_unused_rows=True)
        self.protect(sh)

    def _validate_items(self, sh, lay, scale, c0, c1):
        w = self.w
        fmt = self.tk.format_of(scale)
        last = lay.last_row
        for item, c in zip(scale.items, range(c0, c1 + 1)):
            message = _clip(self.t(item.text))
            title = _clip(f"{item.id}: {self.t(item.short or '')}".rstrip(": "), 32)
            if fmt.kind == "rating":
                # Any whole number in the range is an answer (design.md): a 75 written between
                # the printed 70 and 80 is typed as 75. The step is only what the paper prints.
                rule = {"validate": "integer", "criteria": "between", "minimum": fmt.min, "maximum": fmt.max,
                        "error_title": w["message_range_title"],
                        "error_message": _clip(w["message_range"].format(min=fmt.min, max=fmt.max))}
            elif fmt.kind == "choice":
                listing = ", ".join(f"{o.code} = {self.t(o.label)}" for o in fmt.answers())
                rule = {"validate": "list", "source": [str(x) for x in fmt.codes],
                        "error_title": w["message_not_code_title"],
                        "error_message": _clip(w["message_not_code"].format(listing=listing))}
            else:
                rule = {"validate": "length", "criteria": "<=", "value": 2000,
                        "error_message": w["message_text_long"]}
            rule.update({"input_title": title, "input_message": message, "error_type": "stop"})
            sh.data_validation(FIRST_ROW, c, last, c, rule)

    def _write_entry_formulas(self, sh, lay: EntryLayout):
        tk, st, w = self.tk, self.st, self.w
        h = lay.helpers
        L = xl_col_to_name
        code, key, dup = f"{L(h['code'])}§", f"{L(h['key'])}§", f"{L(h['dup'])}§"
        inputs = f"A§:{L(len(lay.inputs) - 1)}§"
        templates: list[tuple[int, str, object]] = [
            (h["typed"], f'=IF(COUNTA({inputs})=0,"",1)', st.helper),
            (h["code"], stats.normalised_code_formula("A§"), st.helper),
            (h["key"], stats.code_key_formula(code), st.helper),
            (h["dup"], stats.duplicate_formula(key, lay.column_range(h["key"], sheet=False)), st.helper),
        ]
        score_ref = {}
        for scale in lay.scales:
            if not scale.scored:
                continue
            fmt = tk.format_of(scale)
            cols = lay.item_cols(scale)
            rng = f"{L(cols[0])}§:{L(cols[-1])}§"
            item_cells = [f"{L(c)}§" for c in cols]
            sc = lay.score_cols[scale.id]
            score_ref[scale.id] = f"{L(sc)}§"
            templates.append((sc, stats.score_formula(scale, fmt, rng, item_cells), st.calc))
            if f"total:{scale.id}" in h:
                templates.append((h[f"total:{scale.id}"],
                                  stats.complete_total_formula(scale, fmt, rng, item_cells, score_ref[scale.id]), st.helper))
            if f"sumsq:{scale.id}" in h:
                templates.append((h[f"sumsq:{scale.id}"],
                                  stats.complete_sumsq_formula(rng, f"{L(h[f'total:{scale.id}'])}§"), st.helper))
        # Matching with earlier time points: one MATCH per pair, reused by INDEX. The pair's
        # position is kept only when the code is typed once at each time point.
        status_pair = None
        for a, b in self.course.pairs:
            if b != lay.tp:
                continue
            lay_a = self.layouts[a]
            m, ok = f"{L(h[f'match:{a}'])}§", f"{L(h[f'pair:{a}'])}§"
            status_pair = status_pair or (a, m)
            templates.append((h[f"match:{a}"], stats.match_formula(key, lay_a.column_range(lay_a.helpers["key"])), st.helper))
            templates.append((h[f"pair:{a}"], stats.paired_position_formula(m, dup, lay_a.column_range(lay_a.helpers["dup"])),
                              st.helper))
            for scale in paired_scales(tk, self.course, a, b):
                a_score = lay_a.column_range(lay_a.score_cols[scale.id])
                mine = score_ref[scale.id]
                before, change = h[f"before:{a}:{scale.id}"], h[f"change:{a}:{scale.id}"]
                templates.append((before, stats.earlier_score_formula(ok, mine, a_score), st.helper))
                templates.append((change, stats.change_formula(f"{L(before)}§", mine), st.helper))
        for scale in baseline_scales(tk, self.course) if lay.tp == "t2" else []:
            lay1 = self.layouts["t1"]
            chg12 = f"{L(h[f'change:t1:{scale.id}'])}§"
            chg01 = lay1.column_range(lay1.helpers[f"change:t0:{scale.id}"])
            m = f"{L(h['match:t1'])}§"
            templates.append((h[f"contrast:{scale.id}"],
                              f'=IF(ISNUMBER({chg12}),IF(ISNUMBER(INDEX({chg01},{m})),{chg12}-INDEX({chg01},{m}),""),"")',
                              st.helper))
        # The status says what is wrong with a row.
        if status_pair:
            a, m = status_pair
            ok = f"{L(h[f'pair:{a}'])}§"
            coded = (f'IF({dup}=1,"{w["status_duplicate"]}",IF(ISNUMBER({ok}),"{w["status_matched"].format(tp=a)}",'
                     f'IF(ISNUMBER({m}),"{w["status_repeated_there"].format(tp=a)}","{w["status_unmatched"].format(tp=a)}")))')
        else:
            coded = f'IF({dup}=1,"{w["status_duplicate"]}","")'
        status = f'=IF({key}="",IF({L(h["typed"])}§=1,"{w["status_no_code"]}",""),{coded})'
        templates.append((lay.status_col, status, st.status))
        for c, tpl, fmt in templates:
            sh.write_shared_column(FIRST_ROW, lay.last_row, c, tpl, fmt, self.column_values(sh.name, c))

    def _entry_conditional_formats(self, sh, lay):
        st, tk = self.st, self.tk
        last = lay.last_row
        dup = xl_col_to_name(lay.helpers["dup"])
        sh.conditional_format(FIRST_ROW, 0, last, 0, {"type": "formula", "criteria": f"=${dup}{FIRST_ROW + 1}=1",
                                                       "format": st.problem})
        status = f"${xl_col_to_name(lay.status_col)}{FIRST_ROW + 1}"
        matched = self.w["status_matched"].split("{")[0]
        sh.conditional_format(FIRST_ROW, lay.status_col, last, lay.status_col,
                              {"type": "formula", "criteria": f'=AND({status}<>"",LEFT({status},{len(matched)})<>"{matched}")',
                               "format": st.problem})
        for scale in lay.scales:
            fmt = tk.format_of(scale)
            cols = lay.item_cols(scale)
            top = f"{xl_col_to_name(cols[0])}{FIRST_ROW + 1}"
            if fmt.kind == "rating":
                rule = f'=AND({top}<>"",OR(NOT(ISNUMBER({top})),{top}<{fmt.min},{top}>{fmt.max}))'
            elif fmt.kind == "choice":
                codes = ",".join(f"{top}={c}" for c in fmt.codes)
                rule = f'=AND({top}<>"",OR(NOT(ISNUMBER({top})),NOT(OR({codes}))))'
            else:
                continue
            sh.conditional_format(FIRST_ROW, cols[0], last, cols[-1], {"type": "formula", "criteria": rule,
                                                                       "format": st.problem})

    def _prefill(self, sh, lay):
        rows = self.rows.get(lay.tp, [])
        for r, row in enumerate(rows, start=FIRST_ROW):
            for c, column_id in enumerate(lay.inputs):
                value = row.get(column_id)
                if value is None or value == "":
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sh.write_number(r, c, value, self.st.input)
                else:
                    sh.write_string(r, c, str(value), self.st.input_text)

    # -- Matched --------------------------------------------------------------------------------

    def _write_matched(self, sh):
        st, tk = self.st, self.tk
        self.heading(sh, self.w["matched_title"], self.w["matched_intro"], 8, 45)
        first = self.layouts[self.first]
        later = [tp for tp in self.course.tp_ids if tp != self.first]
        header = 4
        sh.freeze_panes(header + 1, 1)
        L = xl_col_to_name
        # Each template is written for the first data row: "§" is that row on the entry
        # sheets (FIRST_ROW), ``own`` the same row here; shared formulas shift both alike.
        own = header + 2
        columns = []  # (header, template, format, meaning: the key of its example values)
        key = f"{first.ref()}{L(first.helpers['key'])}§"
        code_head, repeated_head, row_head = self.w["headings"]["matched"]
        columns.append((code_head, f'=IF({key}="","",{first.ref()}{L(first.helpers["code"])}§)', st.calc_text, ("code",)))
        repeated_at = f"{L(len(columns))}{own}"
        columns.append((repeated_head, f'=IF({first.ref()}{L(first.helpers["dup"])}§=1,"{self.w["status_duplicate"]}","")',
                        st.calc_text, ("repeated",)))
        row_col = {}
        for tp in later:
            lay = self.layouts[tp]
            row_col[tp] = len(columns)
            # The row of the sheet, as the user sees it, where the code is typed.
            columns.append((row_head.format(tp=tp), stats.match_formula(key, lay.column_range(lay.helpers["key"]),
                                                                        offset=FIRST_ROW), st.calc_int, ("row", tp)))
        # Scales asked at two or more time points: the ones whose change matching is for.
        repeated = [s for s in tk.course_scales(self.course) if s.scored and len(tk.time_points_of(self.course, s)) > 1]
        for scale in repeated:
            score_col = {}
            for tp in self.course.tp_ids:
                lay = self.layouts[tp]
                if scale.id not in lay.score_cols:
                    continue
                if tp == self.first:
                    mine = f"{first.ref()}{L(first.score_cols[scale.id])}§"
                    tpl = f'=IF(ISNUMBER({mine}),{mine},"")'
                else:
                    at = f"{L(row_col[tp])}{own}-{FIRST_ROW}"
                    tpl = (f'=IF(ISNUMBER({L(row_col[tp])}{own}),IF(INDEX({lay.column_range(lay.helpers["dup"])},{at})=0,'
                           f'INDEX({lay.column_range(lay.score_cols[scale.id])},{at}),""),"")')
                score_col[tp] = len(columns)
                columns.append((f"{self.scale_title(scale)} — {TIME_POINT_SHORT[tp]}", tpl, st.calc, ("score", scale.id, tp)))
            # Changes as the paired results count them: never for a repeated code.
            for a, b in self.course.pairs:
                if a in score_col and b in score_col:
                    x, y = f"{L(score_col[a])}{own}", f"{L(score_col[b])}{own}"
                    columns.append((self.w["matched_change"].format(scale=self.scale_title(scale), a=TIME_POINT_SHORT[a],
                                                                    b=TIME_POINT_SHORT[b]),
                                    f'=IF(AND({repeated_at}="",ISNUMBER({x}),ISNUMBER({y})),{y}-{x},"")', st.calc,
                                    ("change", scale.id, a, b)))
        for c, (title, *_) in enumerate(columns):
            sh.write_string(header, c, title, st.head)
            sh.set_column(c, c, 12 if c > 1 else 14)
        sh.set_row(header, 80)  # five lines: "Confidence in working with other agencies — change start → end"
        last_out = header + first.capacity
        example = self.truth["matched"]
        for c, (_, tpl, fmt, meaning) in enumerate(columns):
            values = {header + 1 + i: v for i, v in example.get(meaning, {}).items()}
            sh.write_shared_column(header + 1, last_out, c, tpl, fmt, values, row_offset=FIRST_ROW - header - 1)
        sh.conditional_format(header + 1, 0, last_out, 1, {"type": "formula", "criteria": f'=$B{header + 2}<>""',
                                                           "format": st.problem})
        sh.autofilter(header, 0, last_out, len(columns) - 1)
        self.protect(sh)

    # -- Results --------------------------------------------------------------------------------

    def _write_results(self, sh):
        st, tk, w = self.st, self.tk, self.w
        self.heading(sh, w["results_title"] + " — " + self.t(self.course.title), w["results_intro"], 12, 45)
        self.self_check_warning(sh, 3, 14)
        sh.set_column(0, 0, 46)
        sh.set_column(1, 13, 9)
        sh.set_column(14, 14, 70)
        row = 4
        # Counts per time point.
        sh.write_string(row, 0, w["counts_title"], st.subtitle)
        row += 1
        for c, head in enumerate(w["headings"]["counts"]):
            sh.write_string(row, c, head, st.head)
        sh.set_row(row, 30)
        for tp, lay in self.layouts.items():
            row += 1
            coded = stats.coded_count_formula(lay.column_range(lay.helpers["dup"]))
            sh.write_string(row, 0, f"{TIME_POINT_NAMES[tp]} ({tp})", st.plain)
            # A questionnaire is entered when anything is typed in its row.
            entered = f"COUNT({lay.column_range(lay.helpers['typed'])})"
            self.formula(sh, row, 1, f'={entered}', st.calc_int)
            self.define(f"{tp}_entered", sh, row, 1, f"questionnaires entered at {tp}")
            self.formula(sh, row, 2, f"={entered}-{coded}", st.calc_int)
            self.define(f"{tp}_no_code", sh, row, 2, f"questionnaires entered at {tp} without a code")
            repeated = f"SUM({lay.column_range(lay.helpers['dup'])})"
            self.formula(sh, row, 3, f"={repeated}", st.calc_int)
            self.define(f"{tp}_duplicates", sh, row, 3, f"rows at {tp} whose code is typed more than once")
            pair = next(((a, b) for a, b in self.course.pairs if b == tp), None)
            if pair:
                # Matched as the paired results count them: the code typed once here and once at the other.
                matched = f"COUNT({lay.column_range(lay.helpers[f'pair:{pair[0]}'])})"
                self.formula(sh, row, 4, f"={matched}", st.calc_int)
                self.define(f"{tp}_matched", sh, row, 4,
                            f"codes typed once at {tp} and once at {pair[0]}: the participants the paired results use")
                self.formula(sh, row, 5, f"={coded}-{repeated}-{matched}", st.calc_int)
                self.define(f"{tp}_unmatched", sh, row, 5, f"codes typed once at {tp} that are not typed once at {pair[0]}")
        row += 2
        # Per scale and time point.
        sh.write_string(row, 0, w["timepoint_title"], st.subtitle)
        row += 1
        heads = w["headings"]["time_points"]
        for c, head in enumerate(heads):
            sh.write_string(row, c, head, st.head)
        for scale in tk.course_scales(self.course):
            if not scale.scored:
                continue
            for tp in tk.time_points_of(self.course, scale):
                lay = self.layouts[tp]
                row += 1
                scores = lay.column_range(lay.score_cols[scale.id])
                sh.write_string(row, 0, self.scale_title(scale), st.plain)
                sh.write_string(row, 1, tp, st.plain)
                cells = {}
                for k, (stat, fmt) in enumerate(zip(TP_STATS, (st.calc_int, st.calc2, st.calc2, st.calc2))):
                    cells[stat] = cell(row, 2 + k)
                    if stat == "alpha":
                        f = self._alpha(scale, lay)
                    else:
                        f = {"n": stats.count_formula, "mean": stats.mean_formula, "sd": stats.sd_formula}[stat](scores)
                    self.formula(sh, row, 2 + k, f, fmt)
                    self.define(f"{scale.id}_{tp}_{stat}", sh, row, 2 + k, f"{self.scale_title(scale)} at {tp}: {STAT_MEANINGS[stat]}")
                self.formula(sh, row, 6, stats.mean_ci_half_formula(cells["n"], cells["sd"]), st.calc2)
                self.define(f"{scale.id}_{tp}_ci_half", sh, row, 6, f"{self.scale_title(scale)} at {tp}: {STAT_MEANINGS['ci_half']}")
                cells["ci_half"] = cell(row, 6)
                self.tp_cells[(scale.id, tp)] = cells
        row += 2
        # Paired change.
        sh.write_string(row, 0, w["pairs_title"], st.subtitle)
        row += 1
        heads = [*w["headings"]["pairs"], "", w["reading_header"]]
        for c, head in enumerate(heads):
            if head:
                sh.write_string(row, c, head, st.head)
        sh.set_row(row, 30)
        for a, b in self.course.pairs:
            lay_b = self.layouts[b]
            for scale in paired_scales(tk, self.course, a, b):
                row += 1
                sh.write_string(row, 0, self.scale_title(scale), st.plain)
                sh.write_string(row, 1, f"{a} → {b}", st.plain)
                cells = {stat: cell(row, 2 + k) for k, stat in enumerate(PAIR_STATS)}
                h = lay_b.helpers
                formulas = stats.paired_change_formulas(
                    lay_b.column_range(h[f"before:{a}:{scale.id}"]), lay_b.column_range(h[f"change:{a}:{scale.id}"]), cells)
                fmts = {"n_pairs": st.calc_int, "df": st.calc_int, "p": st.calc_p, "pct_improved": st.calc}
                for k, stat in enumerate(PAIR_STATS):
                    self.formula(sh, row, 2 + k, formulas[stat], fmts.get(stat, st.calc2))
                    self.define(f"{scale.id}_{a}_{b}_{stat}", sh, row, 2 + k,
                                f"{self.scale_title(scale)}, {a} to {b}: {STAT_MEANINGS[stat]}")
                title = self.scale_title(scale)
                self.formula(sh, row, 14, reading_formula(self.w, title, scale, a, b, cells), st.calc_text,
                             reading(self.w, title, scale, a, b, self.truth["changes"][(scale.id, a, b)]))
                sh.set_row(row, 46)
                self.pair_cells[(scale.id, a, b)] = cells
        # Double baseline.
        bscales = baseline_scales(tk, self.course)
        if bscales:
            row += 2
            sh.write_string(row, 0, w["baseline_title"], st.subtitle)
            row += 1
            sh.merge_range(row, 0, row, 12, w["baseline_intro"].strip(), st.text)
            sh.set_row(row, 32)
            row += 1
            for c, head in enumerate(w["headings"]["baseline"]):
                if head:
                    sh.write_string(row, c, head, st.head)
            lay2 = self.layouts["t2"]
            for scale in bscales:
                row += 1
                sh.write_string(row, 0, self.scale_title(scale), st.plain)
                cells = {stat: cell(row, 2 + k) for k, stat in enumerate(BASELINE_STATS)}
                formulas = stats.baseline_contrast_formulas(lay2.column_range(lay2.helpers[f"contrast:{scale.id}"]), cells)
                fmts = {"n": st.calc_int, "df": st.calc_int, "p": st.calc_p}
                for k, stat in enumerate(BASELINE_STATS):
                    self.formula(sh, row, 2 + k, formulas[stat], fmts.get(stat, st.calc2))
                    self.define(f"{scale.id}_baseline_{stat}", sh, row, 2 + k,
                                f"{self.scale_title(scale)}, double-baseline contrast: {STAT_MEANINGS.get(stat, stat)}")
                self.baseline_cells[scale.id] = cells
        sh.freeze_panes(4, 1)
        self._results_charts(sh, row + 3)
        self.protect(sh)

    def _alpha(self, scale, lay) -> str:
        """Alpha's formula; the items' sums over complete rows go on the Workings sheet, one cell each."""
        if f"total:{scale.id}" not in lay.helpers:
            return '=""'
        fmt = self.tk.format_of(scale)
        totals = lay.column_range(lay.helpers[f"total:{scale.id}"])
        sums = stats.complete_item_sums(scale, fmt, [answers(scale, r) for r in self.rows.get(lay.tp, [])])
        rows = [[item.id, (stats.item_sum_formula(scale, fmt, item, totals, lay.column_range(c)), total)]
                for item, c, total in zip(scale.items, lay.item_cols(scale), sums)]
        top, n = self._chart_block(rows, f"{scale.id} {lay.tp} item sums over complete rows")
        sumsq = lay.helpers.get(f"sumsq:{scale.id}")
        return stats.alpha_formula(len(scale.items), totals, f"'{WORKINGS}'!{cell(top, 1)}:{cell(top + n - 1, 1)}",
                                   lay.column_range(sumsq) if sumsq is not None else None)

    # -- charts -----------------------------------------------------------------------------------

    def _chart_block(self, rows: list[list], title: str) -> tuple[int, int]:
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

    def _ref(self, r0, c0, r1, c1) -> str:
        return f"='{WORKINGS}'!{cell(r0, c0)}:{cell(r1, c1)}"

    def _na(self, ref: str, value=None) -> tuple[str, object]:
        """A chart feed: the number in ``ref`` (whose true value is ``value``), or NA()."""
        return f"=IF(ISNUMBER({ref}),{ref},NA())", value if isinstance(value, (int, float)) else "#N/A"

    def _means_chart(self, scale):
        """A scale's mean at each time point, with its 95% CI, as an XY chart.

        A missing mean is NA(): Excel leaves a gap for it in any chart, but LibreOffice draws
        NA() (and "") as zero in a line chart and skips it only in an XY chart. So the
        time points sit at x = 1, 2, … : one series draws the line through the means, and one
        series per time point draws its marker, its CI and a label with its name.
        """
        tps = self.tk.time_points_of(self.course, scale)
        rows = []
        for x, tp in enumerate(tps, start=1):
            c = self.tp_cells[(scale.id, tp)]
            rows.append([TIME_POINT_NAMES[tp], x, self._na(f"Results!{c['mean']}", self.named(f"{scale.id}_{tp}_mean")),
                         self._na(f"Results!{c['ci_half']}", self.named(f"{scale.id}_{tp}_ci_half"))])
        top, n = self._chart_block(rows, f"{scale.id} means")
        chart = self.wb.add_chart({"type": "scatter", "subtype": "straight"})
        colour = "#2E75B6"
        chart.add_series({"name": self.scale_title(scale), "categories": self._ref(top, 1, top + n - 1, 1),
                          "values": self._ref(top, 2, top + n - 1, 2), "line": {"color": colour, "width": 2},
                          "marker": {"type": "none"}})
        for r in range(top, top + n):
            ci = self._ref(r, 3, r, 3)
            chart.add_series({
                "name": f"='{WORKINGS}'!{cell(r, 0)}", "categories": self._ref(r, 1, r, 1), "values": self._ref(r, 2, r, 2),
                "line": {"none": True},
                "marker": {"type": "circle", "size": 7, "fill": {"color": colour}, "border": {"color": colour}},
                "y_error_bars": {"type": "custom", "plus_values": ci, "minus_values": ci},
                "data_labels": {"series_name": True, "value": True, "separator": "\n", "num_format": "0.0",
                                "position": "right", "font": {"size": 8}},
            })
        fmt = self.tk.format_of(scale)
        k = len(scale.items) if scale.scoring == "sum" else 1
        lo, hi = (0, 100) if scale.knowledge else (k * fmt.min, k * fmt.max)
        chart.set_title({"name": self.w["chart_means"].format(scale=self.scale_title(scale)), "name_font": {"size": 11}})
        chart.set_y_axis({"min": lo, "max": hi, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        # The x axis only places the time points; their names are on the points.
        chart.set_x_axis({"min": 0.5, "max": n + 0.5, "num_format": ";;;", "major_tick_mark": "none",
                          "minor_tick_mark": "none", "major_gridlines": {"visible": False}})
        chart.set_legend({"none": True})
        chart.show_blanks_as("span")
        chart.show_na_as_empty_cell()
        chart.set_size({"width": 460, "height": 280})
        return chart

    def _results_charts(self, sh, row):
        tk = self.tk
        anchor_col = 0
        chart_row = row
        # Mean at each time point with 95% CI, one chart per scale: see _means_chart.
        for scale in [s for s in tk.course_scales(self.course) if s.scored]:
            sh.insert_chart(chart_row, anchor_col, self._means_chart(scale))
            anchor_col = 4 if anchor_col == 0 else 0
            if anchor_col == 0:
                chart_row += 15
        if anchor_col == 4:
            chart_row += 15
        if self.main_pair:
            a, b = self.main_pair
            scales = [s for s in paired_scales(tk, self.course, a, b)]
            rows = []
            for s in scales:
                c = self.pair_cells[(s.id, a, b)]
                rows.append([self.scale_title(s), self._na(f"Results!{c['d']}", self.named(f"{s.id}_{a}_{b}_d")),
                             *stats.EFFECT_BANDS.values(),
                             ("=NA()", "#N/A"),  # the research column: see _patch_research_chart
                             self._na(f"Results!{c['pct_improved']}", self.named(f"{s.id}_{a}_{b}_pct_improved"))])
            top, n = self._chart_block(rows, "effect sizes")
            self.effect_rows = {s.id: top + k for k, s in enumerate(scales)}
            # Columns and constant lines only: a missing d is NA(), a gap in Excel and a column
            # of no height in LibreOffice, whose label the format leaves empty.
            chart = self.wb.add_chart({"type": "column"})
            chart.add_series({"name": f"d, {a} → {b}", "categories": self._ref(top, 0, top + n - 1, 0),
                              "values": self._ref(top, 1, top + n - 1, 1), "fill": {"color": "#2E75B6"},
                              "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
            chart.add_series({"name": self.w["chart_research_series"], "categories": self._ref(top, 0, top + n - 1, 0),
                              "values": self._ref(top, 5, top + n - 1, 5), "fill": {"color": "#C00000"},
                              "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
            line = self.wb.add_chart({"type": "line"})
            colours = ("#A6A6A6", "#7F7F7F", "#404040")
            for k, ((band, value), colour) in enumerate(zip(stats.EFFECT_BANDS.items(), colours)):
                label = f"{band} ({value:g})"
                line.add_series({"name": label, "categories": self._ref(top, 0, top + n - 1, 0),
                                 "values": self._ref(top, 2 + k, top + n - 1, 2 + k),
                                 "line": {"color": colour, "dash_type": "dash", "width": 1.25}, "marker": {"type": "none"}})
            chart.combine(line)
            chart.set_title({"name": self.w["chart_effect"].format(a=TIME_POINT_SHORT[a], b=TIME_POINT_SHORT[b]),
                             "name_font": {"size": 11}})
            chart.set_legend({"position": "bottom"})
            chart.set_x_axis({"num_font": {"rotation": 0, "size": 9}, "label_position": "low"})
            chart.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
            chart.show_na_as_empty_cell()
            chart.set_size({"width": 760, "height": 360})
            sh.insert_chart(chart_row, 0, chart)
            pct = self.wb.add_chart({"type": "bar"})
            pct.add_series({"name": "% improved", "categories": self._ref(top, 0, top + n - 1, 0),
                            "values": self._ref(top, 6, top + n - 1, 6), "fill": {"color": "#548235"},
                            "data_labels": {"value": True, "num_format": HIDE_ZERO_0DP}})
            pct.set_title({"name": self.w["chart_improved"].format(a=TIME_POINT_SHORT[a], b=TIME_POINT_SHORT[b]),
                           "name_font": {"size": 11}})
            pct.set_x_axis({"min": 0, "max": 100})
            pct.set_legend({"none": True})
            pct.show_na_as_empty_cell()
            pct.set_size({"width": 460, "height": 320})
            sh.insert_chart(chart_row + 19, 0, pct)

    # -- Items ----------------------------------------------------------------------------------

    def _write_items(self, sh):
        st, tk, w = self.st, self.tk, self.w
        self.heading(sh, w["items_title"], w["items_intro"], 7, 32)
        sh.set_column(0, 0, 10)
        sh.set_column(1, 1, 110)
        tps = self.course.tp_ids
        row = 4
        heads = w["headings"]["items"] + list(tps)
        for c, head in enumerate(heads):
            sh.write_string(row, c, head, st.head)
        knowledge_rows = []
        summaries = {}  # (row, time point column) -> the true value shown
        for scale in tk.course_scales(self.course):
            if not scale.scored:
                continue
            fmt = tk.format_of(scale)
            row += 1
            sh.write_string(row, 0, self.scale_title(scale) + (" — % correct" if scale.knowledge else " — mean answer"), st.subtitle)
            for index, item in enumerate(scale.items):
                row += 1
                sh.write_string(row, 0, item.id, st.plain)
                sh.write_string(row, 1, self.t(item.text), st.plain)
                sh.write_string(row, 2, "yes" if item.reverse else "", st.plain)
                for k, tp in enumerate(tps):
                    lay = self.layouts[tp]
                    if item.id not in lay.inputs:
                        continue
                    rng = lay.column_range(lay.col(item.id))
                    summary = stats.item_summary(scale, fmt, index, [r.get(item.id) for r in self.rows.get(tp, [])])
                    self.formula(sh, row, 3 + k, stats.item_summary_formula(scale, fmt, item, rng), st.calc, summary)
                    summaries[(row, k)] = summary
                if scale.knowledge:
                    knowledge_rows.append((row, item))
        sh.freeze_panes(5, 2)
        if knowledge_rows and len(tps) >= 2:
            first_k = [tp for tp in tps if any(i.id in self.layouts[tp].inputs for _, i in knowledge_rows)]
            chart = self.wb.add_chart({"type": "column"})
            for tp, colour in zip(first_k, ("#9DC3E6", "#2E75B6", "#1F4E79", "#0B2545")):
                k = tps.index(tp)
                rows = [[i.id, self._na(f"Items!{cell(r, 3 + k)}", summaries.get((r, k)))] for r, i in knowledge_rows]
                top, n = self._chart_block(rows, f"knowledge {tp}")
                chart.add_series({"name": f"{TIME_POINT_NAMES[tp]}", "categories": self._ref(top, 0, top + n - 1, 0),
                                  "values": self._ref(top, 1, top + n - 1, 1), "fill": {"color": colour}})
            chart.set_title({"name": w["chart_knowledge"], "name_font": {"size": 11}})
            chart.set_y_axis({"min": 0, "max": 100})
            chart.set_legend({"position": "bottom"})
            chart.show_na_as_empty_cell()
            chart.set_size({"width": 720, "height": 320})
            sh.insert_chart(4, 4 + len(tps), chart)
        self.protect(sh)

    # -- Participants ---------------------------------------------------------------------------

    def _write_participants(self, sh):
        st, tk, w = self.st, self.tk, self.w
        self.banner(sh)
        sh.write_string(1, 0, w["participants_title"], st.title)
        sh.write_string(2, 0, w["participants_intro"], st.note)
        sh.set_column(0, 0, 38)
        sh.set_column(1, 2, 10)
        first = self.layouts[self.first]
        row = 4
        for q in tk.profile.questions:
            rng = first.column_range(first.col(q.id))
            sh.write_string(row, 0, self.t(q.text), st.head)
            for c, head in enumerate(w["headings"]["participants"], start=1):
                sh.write_string(row, c, head, st.head)
            top = row + 1
            answers = [stats.as_number(r.get(q.id)) for r in self.rows.get(self.first, [])]
            counts = []
            for o in q.options:
                row += 1
                bold = q.id == tk.profile.agency and o.code == tk.profile.gp_code
                sh.write_string(row, 0, self.t(o.label), st.subtitle if bold else st.plain)
                counts.append(answers.count(o.code))
                self.formula(sh, row, 1, f"={stats.count_equal_formula(rng, o.code)}", st.calc_int, counts[-1])
                if q.id == tk.profile.agency:
                    self.agency_counts[o.code] = (f"Participants!{cell(row, 1)}", counts[-1])
            row += 1
            sh.write_string(row, 0, w["not_answered"], st.note)
            counts.append(self.named(f"{self.first}_entered") - sum(counts))
            self.formula(sh, row, 1, f'={self.first}_entered-SUM({cell(top, 1)}:{cell(row - 1, 1)})', st.calc_int,
                         counts[-1])
            for r, n in zip(range(top, row + 1), counts):
                self.formula(sh, r, 2, f'=IF(SUM({cell(top, 1)}:{cell(row, 1)})>0,100*{cell(r, 1)}/SUM({cell(top, 1)}:{cell(row, 1)}),"")',
                             st.calc, 100 * n / sum(counts) if sum(counts) else "")
            if q.id == tk.profile.agency:
                chart = self.wb.add_chart({"type": "bar"})
                chart.add_series({"name": "Participants", "categories": f"=Participants!{cell(top, 0)}:{cell(row - 1, 0)}",
                                  "values": f"=Participants!{cell(top, 1)}:{cell(row - 1, 1)}", "fill": {"color": "#2E75B6"},
                                  "data_labels": {"value": True}})
                chart.set_title({"name": w["chart_attendance"], "name_font": {"size": 11}})
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True})
                chart.set_size({"width": 520, "height": 340})
                sh.insert_chart(4, 4, chart)
            row += 2
        self.protect(sh)

    # -- Research -------------------------------------------------------------------------------

    def _write_research(self, sh):
        st, tk, w = self.st, self.tk, self.w
        self.heading(sh, w["research_title"], w["research_intro"], 7, 60)
        sh.set_column(0, 0, 34)
        sh.set_column(1, 5, 12)
        sh.set_column(6, 6, 90)
        row = 4
        heads = w["headings"]["research"]
        for c, head in enumerate(heads):
            if head:
                sh.write_string(row, c, head, st.head)
        benches = tk.course_benchmarks(self.course)
        for b in benches:
            row += 1
            sh.write_string(row, 0, self.scale_title(tk.scales[b.scale]), st.text)
            sh.write_string(row, 1, (b.pair or "").replace("_", " → ") or "as published", st.plain)
            sh.write_string(row, 2, b.direction or (f"{b.statistic} = {b.value:g}" if b.value is not None else ""), st.plain)
            if b.n:
                sh.write_number(row, 3, b.n, st.plain)
            sh.write_string(row, 4, b.significance or "", st.plain)
            note = " ".join(filter(None, [self.t(b.note) if b.note else "", tk.citations.get(b.citation, b.citation).strip()]))
            sh.write_string(row, 6, note, st.text)
            sh.set_row(row, 75)
        if not benches:
            row += 1
            sh.write_string(row, 0, w["no_research"], st.note)
        row += 2
        if self.main_pair:
            a, b = self.main_pair
            for c, head in enumerate(w["headings"]["research_values"]):
                sh.write_string(row, c, head.format(a=a, b=b), st.head)
            sh.write_string(row, 2, w["research_value_label"], st.head)
            sh.set_row(row, 45)
            for scale in paired_scales(tk, self.course, a, b):
                row += 1
                sh.write_string(row, 0, self.scale_title(scale), st.plain)
                self.formula(sh, row, 1, f"=Results!{self.pair_cells[(scale.id, a, b)]['d']}", st.calc2,
                             self.named(f"{scale.id}_{a}_{b}_d"))
                value = next((x.value for x in benches if x.scale == scale.id and x.statistic == "d" and x.value is not None), None)
                if value is not None:
                    sh.write_number(row, 2, value, st.input_number)
                else:
                    sh.write_blank(row, 2, None, st.input_number)
                sh.data_validation(row, 2, row, 2, {"validate": "decimal", "criteria": "between", "minimum": -10, "maximum": 10,
                                                    "input_title": w["message_research_title"],
                                                    "input_message": w["message_research"],
                                                    "error_message": w["message_research_range"]})
                self.define(f"{scale.id}_research_d", sh, row, 2, f"{self.scale_title(scale)}: published effect size typed by the user")
                self.research_cells[scale.id] = (cell(row, 2), value)
            self._patch_research_chart()
            self._research_chart(sh, row + 2)
        self.protect(sh)

    def _research_chart(self, sh, row):
        """This course's effect sizes beside the published ones the user typed in."""
        a, b = self.main_pair
        rows = self.effect_rows
        if not rows:
            return
        top, bottom = min(rows.values()), max(rows.values())
        chart = self.wb.add_chart({"type": "column"})
        for col, name, colour in ((1, self.w["chart_this_course"].format(a=TIME_POINT_SHORT[a], b=TIME_POINT_SHORT[b]), "#2E75B6"),
                                  (5, self.w["chart_published"], "#C00000")):
            chart.add_series({"name": name, "categories": self._ref(top, 0, bottom, 0),
                              "values": self._ref(top, col, bottom, col), "fill": {"color": colour},
                              "data_labels": {"value": True, "num_format": HIDE_ZERO_2DP}})
        chart.set_title({"name": self.w["research_chart_title"], "name_font": {"size": 11}})
        chart.set_x_axis({"num_font": {"rotation": 0, "size": 9}, "label_position": "low"})
        chart.set_legend({"position": "bottom"})
        chart.show_na_as_empty_cell()
        chart.set_size({"width": 720, "height": 340})
        sh.insert_chart(row, 0, chart)

    def _patch_research_chart(self):
        """Point the effect-size charts' research column at the cells the user types in.

        Results (and its chart data) are written before Research, whose cells they read.
        """
        for scale_id, r in self.effect_rows.items():
            if scale_id in self.research_cells:
                cell_ref, value = self.research_cells[scale_id]
                formula, cached = self._na(f"Research!{cell_ref}", value)
                self.chart_data.write_formula(r, 5, formula, None, cached)

    # -- Costs ----------------------------------------------------------------------------------

    def _write_costs(self, sh):
        st, tk, w = self.st, self.tk, self.w
        self.heading(sh, w["costs_title"], w["costs_intro"], 4, 45)
        sh.set_column(0, 0, 44)
        sh.set_column(1, 4, 14)
        row = 4
        number = {"cost_trainer_days", "cost_course_hours"}
        cells = {}
        for name, label in w["costs_inputs"].items():
            fmt = st.input_number if name in number else st.input_money
            sh.write_string(row, 0, label, st.plain)
            sh.write_blank(row, 1, None, fmt)
            sh.data_validation(row, 1, row, 1, {"validate": "decimal", "criteria": ">=", "value": 0,
                                                "error_message": w["message_cost"]})
            self.define(name, sh, row, 1, f"costs: {label.lower()}")
            cells[name] = cell(row, 1)
            row += 1
        row += 1
        sh.write_string(row, 0, w["costs_time_title"], st.subtitle)
        row += 1
        for c, head in enumerate(w["headings"]["costs_by_agency"]):
            sh.write_string(row, c, head, st.head)
        agency = next(q for q in tk.profile.questions if q.id == tk.profile.agency)
        top = row + 1
        for o in agency.options:
            row += 1
            sh.write_string(row, 0, self.t(o.label), st.plain)
            count_cell, count = self.agency_counts[o.code]
            self.formula(sh, row, 1, f"={count_cell}", st.calc_int, count)
            hours = cells["cost_course_hours"]
            sh.write_formula(row, 2, f'=IF(ISNUMBER({hours}),{hours},"")', st.input_number, "")
            sh.write_blank(row, 3, None, st.input_money)
            self.formula(sh, row, 4, f'=IF(AND(ISNUMBER({cell(row, 2)}),ISNUMBER({cell(row, 3)})),'
                                     f'{cell(row, 1)}*{cell(row, 2)}*{cell(row, 3)},"")', st.calc_money)
        time_cost = f"SUM({cell(top, 4)}:{cell(row, 4)})"
        row += 2
        attended = "course_attended"
        n_first = stats.coded_count_formula(self.layouts[self.first].column_range(self.layouts[self.first].helpers["dup"]))
        people = f'IF(ISNUMBER({attended}),{attended},{n_first})'
        # SUM of one cell is its number, or 0 when blank or text (N() of a blank is an error in Gnumeric).
        total = (f"SUM({cells['cost_trainer_days']})*SUM({cells['cost_trainer_rate']})+SUM({cells['cost_venue']})"
                 f"+SUM({cells['cost_materials']})+SUM({cells['cost_other']})+{time_cost}")
        typed = f"COUNT({cells['cost_trainer_rate']}:{cells['cost_other']})+COUNT({cell(top, 3)}:{cell(row - 2, 3)})"
        label = w["costs_outputs"]
        outputs = [("cost_total", label["cost_total"], f'=IF({typed}=0,"",{total})')]
        outputs.append(("cost_per_participant", label["cost_per_participant"],
                        f'=IF(AND(ISNUMBER(cost_total),{people}>0),cost_total/{people},"")'))
        outputs.append(("cost_per_hour", label["cost_per_hour"],
                        f'=IF(AND(ISNUMBER(cost_total),SUM({cells["cost_course_hours"]})>0),cost_total/{cells["cost_course_hours"]},"")'))
        values = {}  # name -> true value; the costs themselves are typed later, so only the count is known
        pair = self._improvement_pair()
        if pair:
            change = self.truth["changes"][pair]
            if change.pct_improved is not None:
                values["cost_improved_count"] = round(change.pct_improved * change.n_pairs / 100)
            c = self.pair_cells[pair]
            title = self.scale_title(tk.scales[pair[0]]).lower()
            improved = f'ROUND(Results!{c["pct_improved"]}*Results!{c["n_pairs"]}/100,0)'
            outputs.append(("cost_improved_count", label["cost_improved_count"].format(scale=title, a=pair[1], b=pair[2]),
                            f'=IF(ISNUMBER(Results!{c["pct_improved"]}),{improved},"")'))
            outputs.append(("cost_per_improved", label["cost_per_improved"].format(scale=title),
                            '=IF(AND(ISNUMBER(cost_total),SUM(cost_improved_count)>0),cost_total/cost_improved_count,"")'))
        for name, label, f in outputs:
            sh.write_string(row, 0, label, st.subtitle)
            self.formula(sh, row, 1, f, st.calc_int if name == "cost_improved_count" else st.calc_money,
                         values.get(name, ""))
            self.define(name, sh, row, 1, f"costs: {label.lower()}")
            row += 1
        self.protect(sh)

    def _improvement_pair(self):
        """The change that "cost per participant who improved" counts: the settings' scale,
        from the start to the end of the course itself."""
        keys = [k for k in self.pair_cells if k[0] == self.tk.settings.improvement_scale]
        if not keys:
            return None
        # From the first to the last questionnaire of the course itself (not the follow-up).
        end = "t2" if "t2" in self.course.tp_ids else self.course.tp_ids[-1]
        preferred = [k for k in keys if k[2] == end and k[1] in ("t1",)]
        return (preferred or keys)[0]

    # -- Codebook -------------------------------------------------------------------------------

    def _write_codebook(self, sh):
        st, tk, w = self.st, self.tk, self.w
        self.banner(sh)
        sh.write_string(1, 0, w["codebook_title"], st.title)
        rows = course_rows(tk, self.course)
        heads = ["item", "scale", "wording", "format", "min", "max", "reverse", "key", "time_points", "codes"]
        top = 3
        for c, head in enumerate(heads):
            sh.write_string(top, c, head, st.head)
        sh.set_column(0, 1, 16)
        sh.set_column(2, 2, 70)
        sh.set_column(3, 8, 9)
        sh.set_column(9, 9, 50)
        r = top
        for row in rows:
            r += 1
            values = [row.item, row.scale, row.wording, row.format, row.min, row.max,
                      "yes" if row.reverse else "no", row.key, row.time_points, row.codes]
            self._codebook_row(sh, r, values, wrapped=(2, 9))
        self.define("codebook_items", sh, top, 0, "codebook of items (header row included)", r, len(heads) - 1)
        r += 2
        s_top = r
        s_heads = ["scale", "title", "scoring", "min_answered", "items", "level", "provenance", "", "", "how the score is worked out"]
        for c, head in enumerate(s_heads):
            if head:
                sh.write_string(r, c, head, st.head)
        for scale in tk.course_scales(self.course):
            r += 1
            prov = scale.provenance
            values = [scale.id, self.scale_title(scale), scale.scoring, scale.min_answered,
                      " ".join(i.id for i in scale.items), scale.level,
                      f"{prov.author}; {'original validated items' if prov.original else 'not the original validated items'}",
                      None, None, scoring_rule(scale)]
            self._codebook_row(sh, r, values, wrapped=(2, 6, 9))
        self.define("codebook_scales", sh, s_top, 0, "codebook of scales (header row included)", r, len(s_heads) - 1)
        r += 2
        sh.write_string(r, 0, w["names_intro"], st.subtitle)
        r += 1
        for c, head in ((0, "name"), (2, "meaning"), (9, "where")):
            sh.write_string(r, c, head, st.head)
        self.names.append(("codebook_names", "this list of names (header row included)", ""))
        top_names = r
        for name, meaning, ref in sorted(self.names):
            r += 1
            sh.write_string(r, 0, name, st.plain)
            sh.write_string(r, 2, meaning, st.text)
            sh.write_string(r, 9, ref or f"'{sh.name}'!{cell(top_names, 0)}:{cell(top_names + len(self.names), 9)}", st.plain)
        self.wb.define_name("codebook_names", f"='{sh.name}'!{cell(top_names, 0)}:{cell(r, 9)}")
        sh.freeze_panes(top + 1, 1)
        self.protect(sh)

    def _codebook_row(self, sh, r: int, values: list, wrapped: tuple[int, ...]) -> None:
        """One row of a codebook table: whole numbers as numbers, blanks left out, the
        ``wrapped`` columns (long texts) in the wrapping style."""
        for c, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, int):
                sh.write_number(r, c, v, self.st.plain)
            else:
                sh.write_string(r, c, str(v), self.st.text if c in wrapped else self.st.plain)


def _clip(value: str, limit: int = 255) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
