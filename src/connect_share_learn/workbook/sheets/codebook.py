"""The Codebook sheet: every item, every scale and every defined name of the workbook."""

from __future__ import annotations

from connect_share_learn.codebook import course_rows, scoring_rule
from connect_share_learn.workbook.book import cell


def write(book, sh):
    st, tk, w = book.st, book.tk, book.w
    book.banner(sh)
    sh.write_string(1, 0, w["codebook_title"], st.title)
    rows = course_rows(tk, book.course)
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
        _row(book, sh, r, values, wrapped=(2, 9))
    book.define("codebook_items", sh, top, 0, "codebook of items (header row included)", r, len(heads) - 1)
    r += 2
    s_top = r
    s_heads = ["scale", "title", "scoring", "min_answered", "items", "level", "provenance", "", "", "how the score is worked out"]
    for c, head in enumerate(s_heads):
        if head:
            sh.write_string(r, c, head, st.head)
    for scale in tk.course_scales(book.course):
        r += 1
        prov = scale.provenance
        values = [scale.id, book.scale_title(scale), scale.scoring, scale.min_answered,
                  " ".join(i.id for i in scale.items), scale.level,
                  f"{prov.author}; {'original validated items' if prov.original else 'not the original validated items'}",
                  None, None, scoring_rule(scale)]
        _row(book, sh, r, values, wrapped=(2, 6, 9))
    book.define("codebook_scales", sh, s_top, 0, "codebook of scales (header row included)", r, len(s_heads) - 1)
    r += 2
    sh.write_string(r, 0, w["names_intro"], st.subtitle)
    r += 1
    for c, head in ((0, "name"), (2, "meaning"), (9, "where")):
        sh.write_string(r, c, head, st.head)
    book.names.append(("codebook_names", "this list of names (header row included)", ""))
    top_names = r
    for name, meaning, ref in sorted(book.names):
        r += 1
        sh.write_string(r, 0, name, st.plain)
        sh.write_string(r, 2, meaning, st.text)
        sh.write_string(r, 9, ref or f"'{sh.name}'!{cell(top_names, 0)}:{cell(top_names + len(book.names), 9)}", st.plain)
    book.wb.define_name("codebook_names", f"='{sh.name}'!{cell(top_names, 0)}:{cell(r, 9)}")
    sh.freeze_panes(top + 1, 1)
    book.protect(sh)


def _row(book, sh, r: int, values: list, wrapped: tuple[int, ...]) -> None:
    """One row of a codebook table: whole numbers as numbers, blanks left out, the
    ``wrapped`` columns (long texts) in the wrapping style."""
    for c, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, int):
            sh.write_number(r, c, v, book.st.plain)
        else:
            sh.write_string(r, c, str(v), book.st.text if c in wrapped else book.st.plain)
