"""The Codebook sheet: every item, every scale and every defined name of the workbook.

The items and scales are printed (landscape, one page wide, the items' heading row on every
page); the list of names, hundreds of rows for analysts, stays on screen and says so."""

from __future__ import annotations

from connect_share_learn.codebook import course_rows, scoring_rule
from connect_share_learn.workbook import printing
from connect_share_learn.workbook.layout import cell
from connect_share_learn.workbook.text_fit import width_for

# item, scale, wording, format, min, max, reverse, key, time_points, codes
WIDTHS = [12, 20, 58, 13, 7, 7, 8, 6, 12, 40]
WRAPPED = (1, 2, 9)


def write(book, sh):
    st, tk, w = book.st, book.tk, book.w
    widths = list(WIDTHS)
    ids = [s.id for s in tk.course_scales(book.course)]
    # Scale ids in the items' "scale" column and the scales' first column, never cut.
    widths[0] = max(widths[0], *(width_for(x) for x in ids))
    widths[1] = max(widths[1], *(width_for(x) for x in ids))
    for c, width in enumerate(widths):
        sh.set_column(c, c, width)
    book.banner(sh)
    sh.write_string(1, 0, w["codebook_title"], st.title)
    book.course_line(sh, 2, 0)
    rows = course_rows(tk, book.course)
    heads = w["codebook_headings"]["items"]
    top = 4
    for c, head in enumerate(heads):
        book.text(sh, top, c, head, st.head)
    r = top
    for row in rows:
        r += 1
        values = [row.item, row.scale, "\n".join(dict.fromkeys(w for _, w in row.wordings)) or row.wording, row.format, row.min, row.max,
                  w["yes"] if row.reverse else w["no"], row.key, row.time_points, row.codes]
        _row(book, sh, r, values, WRAPPED)
    book.define("codebook_items", sh, top, 0, "codebook of items (header row included)", r, len(heads) - 1)
    r += 2
    s_top = r
    # The scales' columns fit under the items' widths: the long texts go in the wide columns.
    s_heads = w["codebook_headings"]["scales"]
    for c, head in enumerate(s_heads):
        if head:
            book.text(sh, r, c, head, st.head)
    for scale in tk.course_scales(book.course):
        r += 1
        prov = scale.provenance
        about = (" ".join(i.id for i in scale.items) + "; " + prov.author + "; "
                 + w["provenance_original" if prov.original else "provenance_not_original"])
        values = [scale.id, book.scale_title(scale), scoring_rule(scale, book.lang), scale.scoring, scale.level,
                  None, None, None, scale.min_answered, about]
        _row(book, sh, r, values, WRAPPED)
    book.define("codebook_scales", sh, s_top, 0, "codebook of scales (header row included)", r, len(s_heads) - 1)
    printed = r
    r += 2
    sh.write_string(r, 0, w["names_intro"], st.subtitle)
    r += 1
    book.text(sh, r, 0, w["names_not_printed"], st.note, len(heads) - 1)
    r += 1
    name_head, meaning_head, where_head = w["codebook_headings"]["names"]
    sh.merge_range(r, 0, r, 1, name_head, st.head)
    for c, head in ((2, meaning_head), (9, where_head)):
        sh.write_string(r, c, head, st.head)
    book.names.append(("codebook_names", "this list of names (header row included)", ""))
    top_names = r
    for name, meaning, ref in sorted(book.names):
        r += 1
        book.text(sh, r, 0, name, st.text, 1)
        book.text(sh, r, 2, meaning, st.text)
        sh.write_string(r, 9, ref or f"'{sh.name}'!{cell(top_names, 0)}:{cell(top_names + len(book.names), 9)}", st.plain)
    book.wb.define_name("codebook_names", f"='{sh.name}'!{cell(top_names, 0)}:{cell(r, 9)}")
    sh.freeze_panes(top + 1, 1)
    printing.setup(sh, landscape=True, last_row=printed, last_col=len(heads) - 1, repeat_rows=(top, top))
    book.protect(sh)


def _row(book, sh, r: int, values: list, wrapped: tuple[int, ...]) -> None:
    """One row of a codebook table: whole numbers as numbers, blanks left out, the
    ``wrapped`` columns (long texts) wrapped on a row tall enough for them."""
    for c, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, int):
            sh.write_number(r, c, v, book.st.plain)
        elif c in wrapped:
            book.text(sh, r, c, str(v), book.st.text)
        else:
            sh.write_string(r, c, str(v), book.st.plain)
