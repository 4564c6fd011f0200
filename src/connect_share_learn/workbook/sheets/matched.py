"""The Matched sheet: every code of the first questionnaire with its rows, scores and changes
at the later time points."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from connect_share_learn import stats
from connect_share_learn.workbook import printing
from connect_share_learn.workbook.layout import FIRST_ROW


def write(book, sh):
    st, tk = book.st, book.tk
    first = book.layouts[book.first]
    later = [tp for tp in book.course.tp_ids if tp != book.first]
    sh.set_column(0, 1, 14)
    sh.set_column(2, 8, 12)
    header = book.heading(sh, book.w["matched_title"], book.w["matched_intro"], 8)
    sh.freeze_panes(header + 1, 1)
    L = xl_col_to_name
    # Each template is written for the first data row: "§" is that row on the entry
    # sheets (FIRST_ROW), ``own`` the same row here; shared formulas shift both alike.
    own = header + 2
    columns = []  # (header, template, format, meaning: the key of its example values)
    key = f"{first.ref()}{L(first.helpers['key'])}§"
    code_head, repeated_head, row_head = book.w["headings"]["matched"]
    columns.append((code_head, f'=IF({key}="","",{first.ref()}{L(first.helpers["code_normalised"])}§)', st.calc_text, ("code",)))
    repeated_at = f"{L(len(columns))}{own}"
    columns.append((repeated_head, f'=IF({first.ref()}{L(first.helpers["dup"])}§=1,"{book.w["status_duplicate"]}","")',
                    st.calc_text, ("repeated",)))
    row_col = {}
    for tp in later:
        lay = book.layouts[tp]
        row_col[tp] = len(columns)
        # The row of the sheet, as the user sees it, where the code is typed.
        columns.append((row_head.format(tp=book.tp_name(tp)), stats.match_formula(key, lay.column_range(lay.helpers["key"]),
                                                                    offset=FIRST_ROW), st.calc_int, ("row", tp)))
    # Scales asked at two or more time points: the ones whose change matching is for.
    repeated = [s for s in tk.course_scales(book.course) if s.scored and len(tk.time_points_of(book.course, s)) > 1]
    for scale in repeated:
        score_col = {}
        for tp in book.course.tp_ids:
            lay = book.layouts[tp]
            if scale.id not in lay.score_cols:
                continue
            if tp == book.first:
                mine = f"{first.ref()}{L(first.score_cols[scale.id])}§"
                tpl = f'=IF(ISNUMBER({mine}),{mine},"")'
            else:
                at = f"{L(row_col[tp])}{own}-{FIRST_ROW}"
                tpl = (f'=IF(ISNUMBER({L(row_col[tp])}{own}),IF(INDEX({lay.column_range(lay.helpers["dup"])},{at})=0,'
                       f'INDEX({lay.column_range(lay.score_cols[scale.id])},{at}),""),"")')
            score_col[tp] = len(columns)
            columns.append((book.w["matched_score"].format(scale=book.scale_title(scale), tp=book.tp_name(tp)), tpl,
                            st.calc, ("score", scale.id, tp)))
        # Changes as the paired results count them: never for a repeated code.
        for a, b in book.course.pairs:
            if a in score_col and b in score_col:
                x, y = f"{L(score_col[a])}{own}", f"{L(score_col[b])}{own}"
                columns.append((book.w["matched_change"].format(scale=book.scale_title(scale), pair=book.pair_name(a, b)),
                                f'=IF(AND({repeated_at}="",ISNUMBER({x}),ISNUMBER({y})),{y}-{x},"")', st.calc,
                                ("change", scale.id, a, b)))
    for c, (title, *_) in enumerate(columns):
        sh.set_column(c, c, 12 if c > 1 else 14)
        book.text(sh, header, c, title, st.head)
    last_out = header + first.capacity
    example = book.truth["matched"]
    for c, (_, tpl, fmt, meaning) in enumerate(columns):
        values = {header + 1 + i: v for i, v in example.get(meaning, {}).items()}
        sh.write_shared_column(header + 1, last_out, c, tpl, fmt, values, row_offset=FIRST_ROW - header - 1)
    sh.conditional_format(header + 1, 0, last_out, 1, {"type": "formula", "criteria": f'=$B{header + 2}<>""',
                                                       "format": st.problem})
    sh.autofilter(header, 0, last_out, len(columns) - 1)
    printing.setup(sh, landscape=True, last_row=last_out, last_col=len(columns) - 1, repeat_rows=(header, header),
                   repeat_cols=(0, 0))
    book.protect(sh)
