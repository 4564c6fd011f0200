"""The Costs sheet: what the course cost, and per participant, per hour and per participant
whose score rose."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.workbook.book import cell
from connect_share_learn.workbook.sheets.results import ResultsCells


def write(book, sh, placed: ResultsCells, attendance: dict[int, tuple[str, int]]) -> None:
    st, tk, w = book.st, book.tk, book.w
    book.heading(sh, w["costs_title"], w["costs_intro"], 4, 45)
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
        book.define(name, sh, row, 1, f"costs: {label.lower()}")
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
        sh.write_string(row, 0, book.t(o.label), st.plain)
        count_cell, count = attendance[o.code]
        book.formula(sh, row, 1, f"={count_cell}", st.calc_int, count)
        hours = cells["cost_course_hours"]
        sh.write_formula(row, 2, f'=IF(ISNUMBER({hours}),{hours},"")', st.input_number, "")
        sh.write_blank(row, 3, None, st.input_money)
        book.formula(sh, row, 4, f'=IF(AND(ISNUMBER({cell(row, 2)}),ISNUMBER({cell(row, 3)})),'
                                 f'{cell(row, 1)}*{cell(row, 2)}*{cell(row, 3)},"")', st.calc_money)
    time_cost = f"SUM({cell(top, 4)}:{cell(row, 4)})"
    row += 2
    attended = "course_attended"
    n_first = stats.coded_count_formula(book.layouts[book.first].column_range(book.layouts[book.first].helpers["dup"]))
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
    pair = _improvement_pair(book, placed)
    if pair:
        change = book.truth["changes"][pair]
        if change.pct_improved is not None:
            values["cost_improved_count"] = round(change.pct_improved * change.n_pairs / 100)
        c = placed.pairs[pair]
        title = book.scale_title(tk.scales[pair[0]]).lower()
        improved = f'ROUND(Results!{c["pct_improved"]}*Results!{c["n_pairs"]}/100,0)'
        outputs.append(("cost_improved_count", label["cost_improved_count"].format(scale=title, a=pair[1], b=pair[2]),
                        f'=IF(ISNUMBER(Results!{c["pct_improved"]}),{improved},"")'))
        outputs.append(("cost_per_improved", label["cost_per_improved"].format(scale=title),
                        '=IF(AND(ISNUMBER(cost_total),SUM(cost_improved_count)>0),cost_total/cost_improved_count,"")'))
    for name, label, f in outputs:
        sh.write_string(row, 0, label, st.subtitle)
        book.formula(sh, row, 1, f, st.calc_int if name == "cost_improved_count" else st.calc_money,
                     values.get(name, ""))
        book.define(name, sh, row, 1, f"costs: {label.lower()}")
        row += 1
    book.protect(sh)


def _improvement_pair(book, placed):
    """The change that "cost per participant who improved" counts: the settings' scale,
    from the start to the end of the course itbook."""
    keys = [k for k in placed.pairs if k[0] == book.tk.settings.improvement_scale]
    if not keys:
        return None
    # From the first to the last questionnaire of the course itself (not the follow-up).
    end = "t2" if "t2" in book.course.tp_ids else book.course.tp_ids[-1]
    preferred = [k for k in keys if k[2] == end and k[1] in ("t1",)]
    return (preferred or keys)[0]
