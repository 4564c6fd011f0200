"""Made-up answers and returned workbooks, for the tests and the benchmarks (bench/).

- :func:`course_rows` — rows to type into a course's workbook, with the mistakes people make
  (codes in lower case or with spaces, typos, duplicates, blanks, values pasted past validation);
- :func:`simulate` — plausible answers of a course's participants, who improve during it;
- :func:`contract_workbook` — a small workbook with exactly the features of the workbook
  contract (contract.py) that the readers of returned workbooks rely on, written fast.

It lives in the package, not in tests/, so that bench/ uses the same data as the tests
without reaching into tests/.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from connect_share_learn import __version__, contract
from connect_share_learn.spec.model import Course
from connect_share_learn.spec.toolkit import Toolkit

# ---------------------------------------------------------------------------------------------
# Answers

# Values a user can paste past data validation into a number cell.
PASTED = ["abc", "3", 3.5, -1, 7, 105, 0.5, " ", "N/A"]


def answer(rng: random.Random, fmt, bad_rate: float = 0.0, blank_rate: float = 0.1):
    r = rng.random()
    if r < blank_rate:
        return None
    if r < blank_rate + bad_rate:
        return rng.choice(PASTED)
    if fmt.kind == "rating":
        return rng.choice(fmt.points)
    if fmt.kind == "choice":
        return rng.choice(fmt.codes)
    return rng.choice(["Helpful & clear", "<b>not</b> bold", "=SUM(A1:A2)", "Cymraeg: ŵ ŷ"])


def course_rows(toolkit: Toolkit, course: Course, n: int, seed: int, bad_rate=0.05, blank_rate=0.1,
                keep=0.85, duplicates=1, constant=False) -> dict[str, list[dict]]:
    """Rows per time point for ``n`` participants, with drop-out, typos in case and spacing,
    duplicate codes, unmatched codes, blanks and pasted out-of-range values."""
    rng = random.Random(seed)
    codes = [f"{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}{i % 31 + 1:02d}{chr(75 + i % 10)}" for i in range(n)]
    out = {}
    first = course.tp_ids[0]
    for tp in course.tp_ids:
        rows = []
        for code in codes:
            if rng.random() > keep:
                continue
            typed = code
            roll = rng.random()
            if roll < 0.1:
                typed = code.lower()
            elif roll < 0.15:
                typed = f"  {code} "
            elif roll < 0.18:
                typed = code[:-1] + "Z"  # a typo: will not match
            row = {"code": typed}
            if tp == first:
                for q in toolkit.profile.questions:
                    if rng.random() > 0.05:
                        row[q.id] = rng.choice([o.code for o in q.options])
            fixed = {}
            for scale in toolkit.scales_at(course, tp):
                fmt = toolkit.format_of(scale)
                for item in scale.items:
                    if constant and fmt.kind == "rating":
                        row[item.id] = fixed.setdefault(scale.id, fmt.points[len(fmt.points) // 2])
                    else:
                        row[item.id] = answer(rng, fmt, bad_rate, blank_rate)
            rows.append(row)
        for _ in range(duplicates):
            if rows:
                rows.append(dict(rng.choice(rows)))
        if rng.random() < 0.5:
            rows.append({"code": None, **{k: v for k, v in (rows[0] if rows else {}).items() if k != "code"}})
        out[tp] = rows
    return out


# ---------------------------------------------------------------------------------------------
# Returned workbooks

HEADER_ROW = 5  # 1-based: the column ids; the block starts on the row below


def columns_at(toolkit, course, tp):
    cols = ["code"]
    if tp == course.tp_ids[0]:
        cols += [q.id for q in toolkit.profile.questions]
    for scale in toolkit.scales_at(course, tp):
        cols += [i.id for i in scale.items]
    return cols


def contract_workbook(path: Path, toolkit, course, rows: dict, *, capacity: int = 30, details: dict | None = None,
                      properties: bool = True, names: bool = True, spec_hash: str | None = None,
                      version: str = __version__, extra=None) -> Path:
    """Write a returned workbook; ``rows`` maps a time point to a list of {column id: value} (None = blank row)."""
    details = {"partnership": "Northshire Safeguarding Children Partnership", "title": "Working Together",
               "start_date": dt.date(2025, 9, 15), "end_date": dt.date(2025, 9, 15), "trainer": "A Trainer",
               "attended": 22, **(details or {})}
    capacity = max([capacity] + [len(v) for v in rows.values()])
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    if properties:
        wb.set_custom_property(contract.PROPERTY_TOOLKIT, contract.TOOLKIT_NAME)
        wb.set_custom_property(contract.PROPERTY_VERSION, version)
        wb.set_custom_property(contract.PROPERTY_SPEC_HASH, spec_hash or toolkit.spec_hash)
        wb.set_custom_property(contract.PROPERTY_COURSE, course.id)
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    start = wb.add_worksheet(contract.START_SHEET)
    start.write(0, 0, "Course details")
    for i, key in enumerate(("partnership", "title", "start_date", "end_date", "trainer", "attended")):
        row = 2 + i
        start.write(row, 0, key.replace("_", " ").capitalize())
        value = details.get(key)
        if isinstance(value, dt.date):
            start.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), date_format)
        elif value is not None:
            start.write(row, 1, value)
        if names:
            wb.define_name(f"course_{key}", f"='{contract.START_SHEET}'!$B${row + 1}")
    for tp in course.tp_ids:
        sheet_name = contract.TIME_POINT_SHEETS[tp]
        ws = wb.add_worksheet(sheet_name)
        cols = columns_at(toolkit, course, tp)
        ws.write(0, 0, f"{sheet_name}: type one questionnaire per row")
        for c, cid in enumerate(cols):
            ws.write(HEADER_ROW - 2, c, cid.replace("_", " "))
            ws.write(HEADER_ROW - 1, c, cid)
        last_col = xlsxwriter.utility.xl_col_to_name(len(cols) - 1)
        score_col = len(cols) + 1
        for r in range(capacity):
            excel_row = HEADER_ROW + 1 + r
            ws.write_formula(HEADER_ROW + r, score_col, f'=IF(COUNT(B{excel_row}:{last_col}{excel_row})=0,"",'
                                                        f'AVERAGE(B{excel_row}:{last_col}{excel_row}))', None, 99)
        for r, row in enumerate(rows.get(tp, [])):
            if row is None:
                continue
            for cid, value in row.items():
                if value is None:
                    continue
                c = cols.index(cid)
                if isinstance(value, str):
                    ws.write_string(HEADER_ROW + r, c, value)
                elif isinstance(value, bool):
                    ws.write_boolean(HEADER_ROW + r, c, value)
                else:
                    ws.write_number(HEADER_ROW + r, c, value)
        if names:
            wb.define_name(f"{tp}_data", f"='{sheet_name}'!$A${HEADER_ROW + 1}:${last_col}${HEADER_ROW + capacity}")
        if extra:
            extra(wb, ws, tp)
    wb.close()
    return path


def simulate(toolkit, course, n: int, seed: int, *, follow_up: float = 0.6, end: float = 0.9, gain: float = 0.6):
    """Plausible answers of ``n`` participants: {tp: [row dicts]}, codes unique in the course."""
    rng = random.Random(seed)
    rows = {tp: [] for tp in course.tp_ids}
    first = course.tp_ids[0]
    codes = set()
    while len(codes) < n:
        codes.add("".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)) + f"{rng.randint(1, 28):02d}"
                  + rng.choice("ABCDEFGHJKLMNPRSTW"))
    agency_q = next(q for q in toolkit.profile.questions if q.id == toolkit.profile.agency)
    for code in sorted(codes):
        ability = rng.gauss(0, 1)
        for k, tp in enumerate(course.tp_ids):
            if tp == "t2" and rng.random() > end or tp == "t3" and rng.random() > follow_up:
                continue
            lift = gain * (1 if tp in ("t2", "t3") else 0) + 0.1 * k
            row = {"code": code.lower() if rng.random() < 0.05 else code}
            if tp == first:
                for q in toolkit.profile.questions:
                    row[q.id] = rng.choice(q.options).code
                row[agency_q.id] = rng.choice(agency_q.options[:6]).code
            for scale in toolkit.scales_at(course, tp):
                fmt = toolkit.format_of(scale)
                for item in scale.items:
                    if rng.random() < 0.03:
                        continue
                    if scale.knowledge:
                        right = rng.random() < 0.55 + 0.15 * (lift + ability) / 2
                        wrong = [c for c in fmt.codes if c != item.key]
                        row[item.id] = item.key if right else rng.choice(wrong)
                    elif fmt.kind == "rating":
                        points = fmt.points
                        centre = (len(points) - 1) * (0.5 + 0.15 * (ability + lift + rng.gauss(0, 0.8)))
                        idx = min(len(points) - 1, max(0, round(centre)))
                        if item.reverse:
                            idx = len(points) - 1 - idx
                        row[item.id] = points[idx]
                    else:
                        if rng.random() < 0.3:
                            row[item.id] = "Useful day"
            rows[tp].append(row)
    return rows
