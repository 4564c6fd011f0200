"""The Costs sheet: what the course cost, and per participant, per hour and per participant
whose score rose. Every worked-out cell is stored with its true value (the example workbook's
costs are typed in; a new workbook's are blank)."""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.number_style import round_half_up
from connect_share_learn.workbook import printing
from connect_share_learn.workbook.layout import cell
from connect_share_learn.workbook.sheets.results import ResultsCells

WIDTHS = [46, 12, 12, 12, 13]
NUMBERS = {"cost_trainer_days", "cost_course_hours"}


def write(book, sh, placed: ResultsCells, attendance: dict[int, tuple[str, int]]) -> None:
    st, tk, w = book.st, book.tk, book.w
    for c, width in enumerate(WIDTHS):
        sh.set_column(c, c, width)
    pair = _improvement_pair(book, placed)
    scale_title = book.scale_title(tk.scales[pair[0]]) if pair else ""
    intro = w["costs_intro"].strip()
    if pair:
        intro += " " + w["costs_improved_note"].strip().format(scale=scale_title, pair=book.pair_name(*pair[1:]))
    row = book.heading(sh, w["costs_title"], intro, len(WIDTHS) - 1)
    typed = (book.example or {}).get("costs", {})
    cells = {}
    for name, label in w["costs_inputs"].items():
        fmt = st.input_number if name in NUMBERS else st.input_money
        book.text(sh, row, 0, label, st.text)
        if name in typed:
            sh.write_number(row, 1, typed[name], fmt)
        else:
            sh.write_blank(row, 1, None, fmt)
        sh.data_validation(row, 1, row, 1, {"validate": "decimal", "criteria": ">=", "value": 0,
                                            "error_message": w["message_cost"]})
        book.define(name, sh, row, 1, f"costs: {label.lower()}")
        cells[name] = cell(row, 1)
        row += 1
    hours = typed.get("cost_course_hours")
    row += 1
    sh.write_string(row, 0, w["costs_time_title"], st.subtitle)
    row += 1
    for c, head in enumerate(w["headings"]["costs_by_agency"]):
        book.text(sh, row, c, head, st.head)
    agency = next(q for q in tk.profile.questions if q.id == tk.profile.agency)
    top = row + 1
    rates = typed.get("hourly", {})
    time_costs, rates_typed = [], 0
    for o in agency.options:
        row += 1
        book.text(sh, row, 0, book.t(o.label), st.text)
        count_cell, count = attendance[o.code]
        book.formula(sh, row, 1, f"={count_cell}", st.calc_int, count)
        # A typed default: the course's length, which the user may overwrite for an agency.
        book.formula(sh, row, 2, f'=IF(ISNUMBER({cells["cost_course_hours"]}),{cells["cost_course_hours"]},"")',
                     st.input_number, hours if hours is not None else "")
        rate = rates.get(o.code)
        if rate is not None:
            sh.write_number(row, 3, rate, st.input_money)
            rates_typed += 1
        else:
            sh.write_blank(row, 3, None, st.input_money)
        cost = count * hours * rate if hours is not None and rate is not None else None
        time_costs.append(cost or 0)
        book.formula(sh, row, 4, f'=IF(AND(ISNUMBER({cell(row, 2)}),ISNUMBER({cell(row, 3)})),'
                                 f'{cell(row, 1)}*{cell(row, 2)}*{cell(row, 3)},"")', st.calc_money,
                     "" if cost is None else cost)
    time_cost = f"SUM({cell(top, 4)}:{cell(row, 4)})"
    row += 2
    attended = "course_attended"
    n_first = stats.coded_count_formula(book.layouts[book.first].column_range(book.layouts[book.first].helpers["dup"]))
    people = f'IF(ISNUMBER({attended}),{attended},{n_first})'
    # SUM of one cell is its number, or 0 when blank or text (N() of a blank is an error in Gnumeric).
    total = (f"SUM({cells['cost_trainer_days']})*SUM({cells['cost_trainer_rate']})+SUM({cells['cost_venue']})"
             f"+SUM({cells['cost_materials']})+SUM({cells['cost_other']})+{time_cost}")
    typed_count = f"COUNT({cells['cost_trainer_rate']}:{cells['cost_other']})+COUNT({cell(top, 3)}:{cell(row - 2, 3)})"
    values = _true_values(book, typed, sum(time_costs), rates_typed, pair)
    label = w["costs_outputs"]
    outputs = [("cost_total", label["cost_total"], f'=IF({typed_count}=0,"",{total})')]
    outputs.append(("cost_per_participant", label["cost_per_participant"],
                    f'=IF(AND(ISNUMBER(cost_total),{people}>0),cost_total/{people},"")'))
    outputs.append(("cost_per_hour", label["cost_per_hour"],
                    f'=IF(AND(ISNUMBER(cost_total),SUM({cells["cost_course_hours"]})>0),cost_total/{cells["cost_course_hours"]},"")'))
    if pair:
        c = placed.pairs[pair]
        improved = f'ROUND({book.at("results")}{c["pct_improved"]}*{book.at("results")}{c["n_pairs"]}/100,0)'
        outputs.append(("cost_improved_count", label["cost_improved_count"].format(scale=scale_title,
                                                                                  pair=book.pair_name(*pair[1:])),
                        f'=IF(ISNUMBER({book.at("results")}{c["pct_improved"]}),{improved},"")'))
        outputs.append(("cost_per_improved", label["cost_per_improved"].format(scale=scale_title),
                        '=IF(AND(ISNUMBER(cost_total),SUM(cost_improved_count)>0),cost_total/cost_improved_count,"")'))
    for name, text, f in outputs:
        book.text(sh, row, 0, text, st.strong)
        book.formula(sh, row, 1, f, st.calc_int if name == "cost_improved_count" else st.calc_money, values.get(name, ""))
        book.define(name, sh, row, 1, f"costs: {text.lower()}")
        row += 1
    printing.setup(sh, landscape=False, last_row=row - 1, last_col=len(WIDTHS) - 1)
    book.protect(sh)


def _true_values(book, typed: dict, time_cost: float, rates_typed: int, pair) -> dict:
    """Twins of the cost formulas for the costs typed in (none in a new workbook)."""
    values = {}

    def number(name: str) -> float:
        return typed.get(name) or 0  # SUM of a blank cell is 0
    if pair:
        change = book.truth["changes"][pair]
        if change.pct_improved is not None:
            values["cost_improved_count"] = int(round_half_up(change.pct_improved * change.n_pairs / 100, 0))
    entered = sum(1 for k in ("cost_trainer_rate", "cost_venue", "cost_materials", "cost_other") if k in typed)
    if entered + rates_typed == 0:
        return values
    total = (number("cost_trainer_days") * number("cost_trainer_rate") + number("cost_venue")
             + number("cost_materials") + number("cost_other") + time_cost)
    values["cost_total"] = total
    attended = book.details.get("course_attended")
    lay = book.layouts[book.first]
    people = attended if isinstance(attended, (int, float)) else sum(
        1 for v in book.column_values(lay.sheet, lay.helpers["dup"]).values() if isinstance(v, (int, float)))
    if people > 0:
        values["cost_per_participant"] = total / people
    if number("cost_course_hours") > 0:
        values["cost_per_hour"] = total / typed["cost_course_hours"]
    if values.get("cost_improved_count"):
        values["cost_per_improved"] = total / values["cost_improved_count"]
    return values


def _improvement_pair(book, placed):
    """The change that "cost per participant who improved" counts: the settings' scale,
    from the start to the end of the course itself."""
    keys = [k for k in placed.pairs if k[0] == book.tk.settings.improvement_scale]
    if not keys:
        return None
    # From the first to the last questionnaire of the course itself (not the follow-up).
    end = "t2" if "t2" in book.course.tp_ids else book.course.tp_ids[-1]
    preferred = [k for k in keys if k[2] == end and k[1] in ("t1",)]
    return (preferred or keys)[0]
