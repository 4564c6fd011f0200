"""Every sheet's page setup: A4, its orientation, what is printed, repeated heading rows, and
page breaks that never cut a table or a chart.

Sheets of tables only are fitted to the page width and left to break by themselves, with
their heading rows repeated. Sheets with charts get a print scale worked out here from their
column widths (Excel ignores manual page breaks on a sheet fitted to pages) and manual breaks
placed by :class:`Pager`, which knows every row's height and every chart's size.
"""

from __future__ import annotations

import math

from connect_share_learn.workbook.text_fit import widest_column_px

A4 = 9
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}  # inches
HEADER_MARGIN = FOOTER_MARGIN = 0.25
# Sheet name on the left, page number on the right (the header and footer codes of Excel).
FOOTER = "&L&8&A&R&8Page &P of &N"
_PAGE = (595.3, 841.9)  # A4 in points
PT_PER_PX = 0.75
SLACK = 0.95  # the share of a page a pager fills: programs differ by a point here and there


def printable(landscape: bool) -> tuple[float, float]:
    """The width and height in points inside the margins of an A4 page."""
    width, height = (_PAGE[1], _PAGE[0]) if landscape else _PAGE
    return (width - 72 * (MARGINS["left"] + MARGINS["right"]),
            height - 72 * (MARGINS["top"] + MARGINS["bottom"]))


def columns_px(widths: list[float]) -> float:
    """The printed width of columns ``widths`` characters wide, in whichever program draws them widest."""
    return sum(widest_column_px(w) for w in widths)


def setup(sh, landscape: bool, last_row: int, last_col: int, repeat_rows: tuple[int, int] | None = None,
          repeat_cols: tuple[int, int] | None = None, fit: str | int = "width", breaks: list[int] | None = None) -> None:
    """A4 page setup of ``sh``: print rows 1 to ``last_row`` of columns A to ``last_col``;
    ``fit`` is "width" (one page wide), "page" (one page) or a print scale in %."""
    sh.set_paper(A4)
    if landscape:
        sh.set_landscape()
    else:
        sh.set_portrait()
    sh.set_margins(**MARGINS)
    sh.set_footer(FOOTER, {"margin": FOOTER_MARGIN})
    sh.print_area(0, 0, last_row, last_col)
    if repeat_rows:
        sh.repeat_rows(*repeat_rows)
    if repeat_cols:
        sh.repeat_columns(*repeat_cols)
    if fit == "width":
        sh.fit_to_pages(1, 0)
    elif fit == "page":
        sh.fit_to_pages(1, 1)
    else:
        sh.set_print_scale(int(fit))
    if breaks:
        sh.set_h_pagebreaks(sorted(set(breaks)))


class Pager:
    """Lays a sheet out on pages: a print scale that fits its width, and a page break before
    each block of rows (a table, a row of charts) that would otherwise be cut.

    Call :meth:`keep` for each block in order, top to bottom, once the rows' heights are set;
    then :meth:`setup`. Rows between blocks flow onto the next page by themselves.
    """

    def __init__(self, sh, landscape: bool, widths: list[float], repeat_rows: tuple[int, int] | None = None):
        self.sh, self.landscape, self.repeat_rows = sh, landscape, repeat_rows
        self.last_col = len(widths) - 1
        page_w, page_h = printable(landscape)
        self.scale = max(10, min(100, math.floor(100 * page_w * SLACK / (columns_px(widths) * PT_PER_PX))))
        self.page = page_h * SLACK * 100 / self.scale  # points of the sheet a page holds
        self.breaks: list[int] = []
        self.page_top = 0

    def y(self, row: int) -> float:
        """The top of ``row`` in points from the top of the sheet."""
        return self.sh.rows_px(0, row - 1) * PT_PER_PX if row > 0 else 0.0

    def room(self) -> float:
        """What the page that starts at ``page_top`` holds: less on pages that repeat heading rows."""
        if self.repeat_rows and self.page_top > self.repeat_rows[1]:
            return self.page - self.sh.rows_px(*self.repeat_rows) * PT_PER_PX
        return self.page

    def fits(self, end: int) -> bool:
        """Whether the rows from ``page_top`` to ``end - 1`` fit on one page."""
        return self.y(end) - self.y(self.page_top) <= self.room()

    def flow(self, end: int) -> None:
        """Follow the breaks the program makes by itself in rows before ``end``."""
        while not self.fits(end):
            row = self.page_top
            while self.fits(row + 1):
                row += 1
            self.page_top = max(row, self.page_top + 1)

    def keep(self, first: int, end: int) -> None:
        """Keep rows ``first`` to ``end - 1`` on one page: break before them if they do not fit
        on this one. A block taller than a page starts a page and breaks where it must."""
        self.flow(first)
        if self.fits(end):
            return
        self.new_page(first)
        self.flow(end)

    def new_page(self, row: int) -> None:
        if row > self.page_top:
            self.breaks.append(row)
            self.page_top = row

    def setup(self, last_row: int) -> None:
        setup(self.sh, self.landscape, last_row, self.last_col, repeat_rows=self.repeat_rows, fit=self.scale,
              breaks=self.breaks)


def chart_rows(height_px: float, row_px: float = 20) -> int:
    """How many default rows a chart ``height_px`` high spans, with one row of space below it."""
    return math.ceil(height_px / row_px) + 1
