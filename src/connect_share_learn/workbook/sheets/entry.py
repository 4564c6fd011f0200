"""One time point's entry sheet: the typed block, its validation and the scoring and matching
columns (locked, and hidden helpers) beside it."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from connect_share_learn import stats
from connect_share_learn.workbook import printing
from connect_share_learn.workbook.layout import (
    FIRST_ROW,
    IDS_ROW,
    EntryLayout,
    baseline_scales,
    paired_scales,
)
from connect_share_learn.workbook.text_fit import longest_word_width, width_for

# The short wording above each column, in points: small, so that many columns fit a page.
WORDING_SIZE = 9
ITEM_WIDTH, TEXT_WIDTH, PROFILE_WIDTH, SCORE_WIDTH = 6, 14, 9, 11


def write(book, sh, lay: EntryLayout):
    st, tk = book.st, book.tk
    code = tk.profile.code
    last = lay.last_row
    # Header rows: band (scale titles), short wording, column ids. Every column is at least
    # as wide as the longest word above it, so no word is broken.
    wordings: dict[int, str] = {}  # column -> its short wording
    bands: list[tuple[int, int, str]] = []  # first column, last column, title
    sh.freeze_panes(FIRST_ROW, 1)
    sh.set_column(0, 0, 11, st.input_text)
    bands.append((0, 0, book.w["entry_band_participant"]))
    wordings[0] = book.w["entry_code_label"]
    sh.write_string(IDS_ROW, 0, "code", st.ids)
    dv_code = {"validate": "length", "criteria": "between", "minimum": 1, "maximum": 40,
               "input_title": book.w["entry_code_label"], "input_message": clip(book.t(code.instructions)),
               "error_type": "warning", "error_message": book.w["message_code_long"]}
    sh.data_validation(FIRST_ROW, 0, last, 0, dv_code)
    col = 1
    if lay.tp == book.first:
        qs = tk.profile.questions
        bands.append((col, col + len(qs) - 1, book.t(tk.profile.title) or book.w["entry_band_profile"]))
        for q in qs:
            wordings[col] = _numbered(book, col, q.short or q.text)
            sh.set_column(col, col, _width(wordings[col], PROFILE_WIDTH), st.input)
            sh.write_string(IDS_ROW, col, q.id, st.ids)
            codes = [o.code for o in q.options]
            listing = "; ".join(f"{o.code} {book.t(o.label)}" for o in q.options)
            sh.data_validation(FIRST_ROW, col, last, col, {
                "validate": "integer", "criteria": "between", "minimum": min(codes), "maximum": max(codes),
                "input_title": clip(q.id, 32), "input_message": clip(listing),
                "error_title": book.w["message_not_code_title"],
                "error_message": clip(book.w["message_not_code"].format(listing=listing))})
            col += 1
    for scale in lay.scales:
        fmt = tk.format_of(scale)
        first_col = col
        for item in scale.items:
            wordings[col] = _numbered(book, col, item.short or item.text)
            text = fmt.kind == "text"
            sh.set_column(col, col, _width(wordings[col], TEXT_WIDTH if text else ITEM_WIDTH),
                          st.input_text if text else st.input)
            sh.write_string(IDS_ROW, col, item.id, st.ids)
            col += 1
        bands.append((first_col, col - 1, book.scale_title(scale)))
        _validate_items(book, sh, lay, scale, first_col, col - 1)
    # Status and scores (locked, visible), then helpers (hidden). The status column is as
    # wide as the longest thing it can say.
    said = [book.w[k] for k in ("status_duplicate", "status_no_code")]
    said += [book.w[k].format(tp=book.tp_name(a)) for a, b in book.course.pairs if b == lay.tp
             for k in ("status_matched", "status_unmatched", "status_repeated_there")]
    sh.set_column(lay.status_col, lay.status_col, max(18, *(width_for(x, WORDING_SIZE) for x in said)), st.status)
    bands.append((lay.status_col, lay.status_col, book.w["entry_check_band"]))
    wordings[lay.status_col] = book.w["entry_check_label"]
    sh.write_string(IDS_ROW, lay.status_col, "status", st.ids)
    for sid, c in lay.score_cols.items():
        wordings[c] = book.scale_title(tk.scales[sid])
        sh.set_column(c, c, _width(wordings[c], SCORE_WIDTH), st.calc)
        bands.append((c, c, book.w["entry_score_band"]))
        sh.write_string(IDS_ROW, c, f"score_{sid}", st.ids)
    for hid, c in lay.helpers.items():
        sh.set_column(c, c, 8, st.helper, {"hidden": True})
        sh.write_string(IDS_ROW, c, hid.replace(":", "_"), st.ids)
    for first_col, last_col, title in bands:
        if last_col > first_col:
            sh.merge_range(0, first_col, 0, last_col, title, st.band)
        else:
            sh.write_string(0, first_col, title, st.band)
        book.fit(sh, 0, first_col, title, st.band, last_col)
    for c, text in wordings.items():
        sh.write_string(1, c, text, st.wording)
        book.fit(sh, 1, c, text, st.wording)
    _formulas(book, sh, lay)
    _conditional_formats(book, sh, lay)
    _prefill(book, sh, lay)
    book.wb.define_name(f"{lay.tp}_data", lay.data_range())
    book.names.append((f"{lay.tp}_data", f"data typed on the {lay.sheet} sheet; column ids in the row above",
                       lay.data_range()[1:]))
    sh.set_default_row(hide_unused_rows=True)
    # Landscape, one page wide, the three heading rows on every page.
    printing.setup(sh, landscape=True, last_row=last, last_col=max(lay.status_col, *lay.score_cols.values()),
                   repeat_rows=(0, IDS_ROW))
    book.protect(sh)


def _width(wording: str, least: float) -> float:
    """A column at least ``least`` wide and as wide as the longest word of ``wording``."""
    return max(least, longest_word_width(wording, WORDING_SIZE))


def _numbered(book, col: int, wording) -> str:
    """A question's short wording with its number on the printed questionnaire, which is its
    column: the code is column A, question 1 column B (questionnaires.py numbers them so)."""
    return book.w["entry_question"].format(number=col, wording=book.both(wording, " / "))


def _validate_items(book, sh, lay, scale, c0, c1):
    w = book.w
    fmt = book.tk.format_of(scale)
    last = lay.last_row
    for item, c in zip(scale.items, range(c0, c1 + 1)):
        message = clip(book.both(item.text))
        title = clip(f"{item.id}: {book.t(item.short or '')}".rstrip(": "), 32)
        if fmt.kind == "rating":
            # Any whole number in the range is an answer (design.md): a 75 written between
            # the printed 70 and 80 is typed as 75. The step is only what the paper prints.
            rule = {"validate": "integer", "criteria": "between", "minimum": fmt.min, "maximum": fmt.max,
                    "error_title": w["message_range_title"],
                    "error_message": clip(w["message_range"].format(min=fmt.min, max=fmt.max))}
        elif fmt.kind == "choice":
            listing = ", ".join(f"{o.code} = {book.t(o.label)}" for o in fmt.answers())
            rule = {"validate": "list", "source": [str(x) for x in fmt.codes],
                    "error_title": w["message_not_code_title"],
                    "error_message": clip(w["message_not_code"].format(listing=listing))}
        else:
            rule = {"validate": "length", "criteria": "<=", "value": 2000,
                    "error_message": w["message_text_long"]}
        rule.update({"input_title": title, "input_message": message, "error_type": "stop"})
        sh.data_validation(FIRST_ROW, c, last, c, rule)


def _formulas(book, sh, lay: EntryLayout):
    tk, st, w = book.tk, book.st, book.w
    h = lay.helpers
    L = xl_col_to_name
    code, key, dup = f"{L(h['code_normalised'])}§", f"{L(h['key'])}§", f"{L(h['dup'])}§"
    inputs = f"A§:{L(len(lay.inputs) - 1)}§"
    templates: list[tuple[int, str, object]] = [
        (h["typed"], f'=IF(COUNTA({inputs})=0,"",1)', st.helper),
        (h["code_normalised"], stats.normalised_code_formula("A§"), st.helper),
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
    for a, b in book.course.pairs:
        if b != lay.tp:
            continue
        lay_a = book.layouts[a]
        m, ok = f"{L(h[f'match:{a}'])}§", f"{L(h[f'pair:{a}'])}§"
        status_pair = status_pair or (a, m)
        templates.append((h[f"match:{a}"], stats.match_formula(key, lay_a.column_range(lay_a.helpers["key"])), st.helper))
        templates.append((h[f"pair:{a}"], stats.paired_position_formula(m, dup, lay_a.column_range(lay_a.helpers["dup"])),
                          st.helper))
        for scale in paired_scales(tk, book.course, a, b):
            a_score = lay_a.column_range(lay_a.score_cols[scale.id])
            mine = score_ref[scale.id]
            before, change = h[f"before:{a}:{scale.id}"], h[f"change:{a}:{scale.id}"]
            templates.append((before, stats.earlier_score_formula(ok, mine, a_score), st.helper))
            templates.append((change, stats.change_formula(f"{L(before)}§", mine), st.helper))
    for scale in baseline_scales(tk, book.course) if lay.tp == "t2" else []:
        lay1 = book.layouts["t1"]
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
        there = book.tp_name(a)
        coded = (f'IF({dup}=1,"{w["status_duplicate"]}",IF(ISNUMBER({ok}),"{w["status_matched"].format(tp=there)}",'
                 f'IF(ISNUMBER({m}),"{w["status_repeated_there"].format(tp=there)}",'
                 f'"{w["status_unmatched"].format(tp=there)}")))')
    else:
        coded = f'IF({dup}=1,"{w["status_duplicate"]}","")'
    status = f'=IF({key}="",IF({L(h["typed"])}§=1,"{w["status_no_code"]}",""),{coded})'
    templates.append((lay.status_col, status, st.status))
    for c, tpl, fmt in templates:
        sh.write_shared_column(FIRST_ROW, lay.last_row, c, tpl, fmt, book.column_values(sh.name, c))


def _conditional_formats(book, sh, lay):
    st, tk = book.st, book.tk
    last = lay.last_row
    dup = xl_col_to_name(lay.helpers["dup"])
    sh.conditional_format(FIRST_ROW, 0, last, 0, {"type": "formula", "criteria": f"=${dup}{FIRST_ROW + 1}=1",
                                                   "format": st.problem})
    status = f"${xl_col_to_name(lay.status_col)}{FIRST_ROW + 1}"
    matched = book.w["status_matched"].split("{")[0]
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


def _prefill(book, sh, lay):
    rows = book.rows.get(lay.tp, [])
    for r, row in enumerate(rows, start=FIRST_ROW):
        for c, column_id in enumerate(lay.inputs):
            value = row.get(column_id)
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sh.write_number(r, c, value, book.st.input)
            else:
                sh.write_string(r, c, str(value), book.st.input_text)


def clip(value: str, limit: int = 255) -> str:
    """A text cut to ``limit`` characters (Excel's limit for validation messages)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
