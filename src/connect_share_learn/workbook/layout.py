"""Where everything sits on a course's entry sheets: the workbook's geometry, in one place.

The generator writes by it, the importer and tests read by it. Each time point has one
entry sheet: a title band, the short wording, then the column ids (the header row of
``<tp>_data``), then ``capacity`` data rows. Input columns come first (code, profile at the
first time point, items), then the locked score columns, then hidden helper columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, Scale
from connect_share_learn.workbook.words import tp_name, wording

HEADER_ROWS = 3  # title band, short wording, column ids
IDS_ROW = 2  # 0-based row of the column ids
FIRST_ROW = 3  # 0-based first data row
# The hidden sheet holding the charts' data, the alpha item sums and the self-check.
WORKINGS = "Workings"


@dataclass
class EntryLayout:
    """One time point's entry sheet."""

    tp: str
    sheet: str
    capacity: int
    inputs: list[str] = field(default_factory=list)  # column ids of the data block, in order
    scales: list[Scale] = field(default_factory=list)
    helpers: dict[str, int] = field(default_factory=dict)  # helper id -> column
    score_cols: dict[str, int] = field(default_factory=dict)  # scale id -> column
    status_col: int = 0

    @property
    def last_row(self) -> int:
        return FIRST_ROW + self.capacity - 1

    def col(self, column_id: str) -> int:
        return self.inputs.index(column_id)

    def column_range(self, col: int, absolute: bool = True, sheet: bool = True) -> str:
        """The data rows of one column, e.g. ``'Start (t1)'!$C$4:$C$503``."""
        a = xl_rowcol_to_cell(FIRST_ROW, col, absolute, absolute)
        b = xl_rowcol_to_cell(self.last_row, col, absolute, absolute)
        return f"{self.ref()}{a}:{b}" if sheet else f"{a}:{b}"

    def ref(self) -> str:
        return "'" + self.sheet.replace("'", "''") + "'!"

    def data_range(self) -> str:
        """The ``<tp>_data`` block: code to the last input column, header row excluded."""
        a = xl_rowcol_to_cell(FIRST_ROW, 0, True, True)
        b = xl_rowcol_to_cell(self.last_row, len(self.inputs) - 1, True, True)
        return f"={self.ref()}{a}:{b}"

    def item_cols(self, scale: Scale) -> list[int]:
        return [self.col(i.id) for i in scale.items]

    def add_helper(self, helper_id: str) -> int:
        col = self.next_col
        self.helpers[helper_id] = col
        return col

    @property
    def next_col(self) -> int:
        used = [len(self.inputs) - 1, self.status_col, *self.score_cols.values(), *self.helpers.values()]
        return max(used) + 1


# Characters no sheet name may hold, and what a translated name gets instead.
_NOT_IN_SHEET_NAMES = str.maketrans({"[": "(", "]": ")", ":": "-", "*": "-", "?": "", "/": "-", "\\": "-"})
_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def sheet_name(words: str) -> str:
    """``words`` as a sheet's name: none of the characters spreadsheets refuse, at most 31 long."""
    return words.translate(_NOT_IN_SHEET_NAMES).strip("' ")[:31].rstrip()


def sheet_ref(name: str) -> str:
    """How a formula names the sheet ``name``: quoted unless it is a plain word (``Results!``)."""
    return (name if _PLAIN_SHEET_NAME.fullmatch(name) else "'" + name.replace("'", "''") + "'") + "!"


def entry_sheet_names(toolkit: Toolkit) -> dict[str, str]:
    """Each time point's entry sheet's name in the workbook's language: "Start (t1)"."""
    w = wording(toolkit.settings.language)
    return {tp: sheet_name(tp_name(w, tp)) for tp in ("t0", "t1", "t2", "t3")}


def cell(row: int, col: int, absolute: bool = True) -> str:
    return xl_rowcol_to_cell(row, col, absolute, absolute)


def col_letter(col: int) -> str:
    return xl_col_to_name(col)


def layout_course(toolkit: Toolkit, course: Course, capacity: int) -> dict[str, EntryLayout]:
    """Every entry sheet of ``course``, with helper columns for matching and paired change."""
    layouts: dict[str, EntryLayout] = {}
    first = course.tp_ids[0]
    names = entry_sheet_names(toolkit)
    for tp in course.time_points:
        lay = EntryLayout(tp.id, names[tp.id], capacity)
        lay.inputs = ["code"]
        if tp.id == first:
            lay.inputs += [q.id for q in toolkit.profile.questions]
        lay.scales = toolkit.scales_at(course, tp.id)
        for scale in lay.scales:
            lay.inputs += [i.id for i in scale.items]
        lay.status_col = len(lay.inputs)
        for scale in lay.scales:
            if scale.scored:
                lay.score_cols[scale.id] = lay.next_col
        for helper in ("typed", "code_normalised", "key", "dup"):
            lay.add_helper(helper)
        for scale in lay.scales:
            if scale.scored and len(scale.items) >= 2:
                lay.add_helper(f"total:{scale.id}")
                if not scale.knowledge:
                    lay.add_helper(f"sumsq:{scale.id}")
        layouts[tp.id] = lay
    for a, b in course.pairs:
        lay_b = layouts[b]
        lay_b.add_helper(f"match:{a}")
        lay_b.add_helper(f"pair:{a}")
        for scale in paired_scales(toolkit, course, a, b):
            for part in ("before", "change"):
                lay_b.add_helper(f"{part}:{a}:{scale.id}")
    if course.double_baseline:
        for scale in paired_scales(toolkit, course, "t0", "t1"):
            if scale.id in course.tp("t2").scales:
                layouts["t2"].add_helper(f"contrast:{scale.id}")
    return layouts


def paired_scales(toolkit: Toolkit, course: Course, a: str, b: str) -> list[Scale]:
    """The scored scales asked at both time points of a pair."""
    at_b = set(course.tp(b).scales)
    return [s for s in toolkit.scales_at(course, a) if s.scored and s.id in at_b]


def baseline_scales(toolkit: Toolkit, course: Course) -> list[Scale]:
    if not course.double_baseline:
        return []
    return [s for s in paired_scales(toolkit, course, "t0", "t1") if s.id in course.tp("t2").scales]
