"""The example workbook of ``csl demo`` (made-up data), and the true value of every formula
that depends on the typed rows, for any workbook.

The entry sheets' formula columns, the Matched sheet and every named statistic carry the
values that :mod:`connect_share_learn.stats` computes, so a viewer that does not recalculate
(a phone's preview, a mail attachment viewer) still shows correct numbers.
"""

from __future__ import annotations

import datetime as dt
import random

from connect_share_learn import stats
from connect_share_learn.results import answers, course_results, paired_changes
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, text
from connect_share_learn.workbook.layout import FIRST_ROW, EntryLayout, baseline_scales, paired_scales
from connect_share_learn.workbook.words import tp_name, wording


def synthetic_rows(toolkit: Toolkit, course: Course, n: int = 22, seed: int = 2027) -> dict[str, list[dict]]:
    """Made-up questionnaires: confidence and knowledge rise during the course, some people
    miss a questionnaire, one code is typed twice and one in lower case."""
    rng = random.Random(seed)
    people = []
    for _ in range(n):
        code = f"{rng.choice('ABDEHJLMNRSTUW')}{rng.choice('AEIOUY')}{rng.randint(1, 28):02d}{rng.choice('BCDGHKLMNPRSTW')}"
        people.append({"code": code, "ability": rng.gauss(0, 1), "gain": max(0.0, rng.gauss(0.8, 0.5)),
                       "profile": {q.id: rng.choice([o.code for o in q.options]) for q in toolkit.profile.questions}})
    growth = {"t0": 0.0, "t1": 0.1, "t2": 1.0, "t3": 0.8}
    rows: dict[str, list[dict]] = {}
    for tp in course.tp_ids:
        rows[tp] = []
        for k, person in enumerate(people):
            if tp != course.tp_ids[0] and rng.random() < (0.1 if tp != "t3" else 0.45):
                continue
            row: dict = {"code": person["code"].lower() if (k == 3 and tp == "t2") else person["code"]}
            if tp == course.tp_ids[0]:
                row.update(person["profile"])
            level = person["ability"] + person["gain"] * growth[tp]
            for scale in toolkit.scales_at(course, tp):
                fmt = toolkit.format_of(scale)
                for item in scale.items:
                    if rng.random() < 0.03:
                        continue
                    if fmt.kind == "rating":
                        pos = (level + 1.2) / 3.5 + rng.gauss(0, 0.15)
                        if item.reverse:
                            pos = 1 - pos
                        points = fmt.points
                        row[item.id] = points[min(len(points) - 1, max(0, round(pos * (len(points) - 1))))]
                    elif fmt.kind == "choice":
                        p_right = min(0.95, max(0.2, 0.45 + 0.2 * level))
                        wrong = [c for c in fmt.codes if c != item.key]
                        row[item.id] = item.key if rng.random() < p_right else rng.choice(wrong)
                    elif rng.random() < 0.4:
                        row[item.id] = rng.choice(["Hearing how health visitors work.", "More time for case studies.",
                                                   "Meeting the police and school staff.", "Clearer slides."])
            rows[tp].append(row)
    rows[course.tp_ids[0]].append(dict(rows[course.tp_ids[0]][0]))  # a questionnaire typed twice
    return rows


def example_details(toolkit: Toolkit, course: Course, rows: dict[str, list[dict]]) -> dict:
    """The example's course details and costs, consistent with its questionnaires: dates
    filled, two more people attended than filled in the first questionnaire, every cost typed."""
    first = rows[course.tp_ids[0]]
    people = len({stats.normalise_code(r.get("code")) for r in first})
    start = dt.date(2025, 9, 16)
    agency = next(q for q in toolkit.profile.questions if q.id == toolkit.profile.agency)
    return {
        "course_partnership": "Example Safeguarding Children Partnership",
        "course_title": f"{text(course.title)} (example)",
        "course_start_date": start,
        "course_end_date": start + dt.timedelta(days=1),
        "course_trainer": "Example Trainer and Second Trainer",
        "course_attended": max(people + 2, *(len(r) for r in rows.values())),
        "costs": {"cost_trainer_days": 4, "cost_trainer_rate": 350, "cost_venue": 420, "cost_materials": 85,
                  "cost_other": 40, "cost_course_hours": 12,
                  # Participants' time: roughly what an hour of each agency's staff costs.
                  "hourly": {o.code: EXAMPLE_HOURLY_COST.get(o.code, 25) for o in agency.options}},
    }


# Made-up cost per hour of a participant's time, by agency code (GPs cost the most).
EXAMPLE_HOURLY_COST = {1: 28, 2: 26, 3: 95, 4: 30, 5: 29, 6: 17, 7: 32, 8: 28, 9: 24, 10: 18, 11: 22}


def true_values(toolkit: Toolkit, course: Course, layouts: dict[str, EntryLayout], rows) -> dict:
    """The true values of the entry sheets' formula columns, the Matched sheet, every named
    statistic and every paired change ((scale, a, b) → :class:`stats.PairedChange`)."""
    w = wording(toolkit.settings.language)
    columns: dict[tuple[str, int], dict[int, object]] = {}
    info = {}
    for tp, lay in layouts.items():
        tp_rows = rows.get(tp, [])
        norms = [stats.normalise_code(r.get("code")) or "" for r in tp_rows]
        dupes = stats.duplicate_codes(norms)
        scores = {s.id: [stats.score(s, toolkit.format_of(s), answers(s, r)) for r in tp_rows] for s in lay.scales if s.scored}
        first_index = {}
        for i, code in enumerate(norms):
            if code:
                first_index.setdefault(code, i)
        info[tp] = (norms, dupes, scores, first_index)

        def put(col: int, values: list, sheet: str = lay.sheet) -> None:
            columns[(sheet, col)] = _column(values)

        put(lay.helpers["typed"], [1 if _typed(r) else None for r in tp_rows])
        put(lay.helpers["code_normalised"], norms)
        put(lay.helpers["key"], [stats.code_key(r.get("code")) for r in tp_rows])
        put(lay.helpers["dup"], [("" if not n else int(n in dupes)) for n in norms])
        for scale in lay.scales:
            if not scale.scored:
                continue
            put(lay.score_cols[scale.id], scores[scale.id])
            if f"total:{scale.id}" in lay.helpers:
                fmt = toolkit.format_of(scale)
                totals, squares = [], []
                for r in tp_rows:
                    raw = answers(scale, r)
                    values = [stats.item_value(scale, fmt, i, x) for i, x in enumerate(raw)]
                    complete = all(v is not None for v in values)
                    totals.append(sum(values) if complete else None)
                    squares.append(sum(x * x for x in raw) if complete else None)
                put(lay.helpers[f"total:{scale.id}"], totals)
                if f"sumsq:{scale.id}" in lay.helpers:
                    put(lay.helpers[f"sumsq:{scale.id}"], squares)
    for tp, lay in layouts.items():
        norms, dupes, scores = info[tp][:3]
        status_pair = None
        changes = {}
        pairs = {}
        for a, b in course.pairs:
            if b != tp:
                continue
            a_norms, a_dupes, a_scores, a_first = info[a][:4]
            match = [a_first.get(n) if n else None for n in norms]
            status_pair = status_pair or (a, match)
            columns[(lay.sheet, lay.helpers[f"match:{a}"])] = _column(
                [None if m is None else m + 1 for m in match])
            pair = [m if (m is not None and norms[i] not in dupes and a_norms[m] not in a_dupes) else None
                    for i, m in enumerate(match)]
            columns[(lay.sheet, lay.helpers[f"pair:{a}"])] = _column([None if m is None else m + 1 for m in pair])
            pairs[a] = pair
            for scale in paired_scales(toolkit, course, a, b):
                before, change = [], []
                for i, m in enumerate(pair):
                    mine = scores[scale.id][i]
                    theirs = a_scores[scale.id][m] if m is not None and mine is not None else None
                    before.append(theirs)
                    change.append(mine - theirs if theirs is not None else None)
                for part, values in (("before", before), ("change", change)):
                    columns[(lay.sheet, lay.helpers[f"{part}:{a}:{scale.id}"])] = _column(values)
                changes[(a, scale.id)] = (match, change)
        info[tp] = info[tp] + (changes, pairs)
        status = []
        for i, n in enumerate(norms):
            if not n:
                status.append(w["status_no_code"] if _typed(rows[tp][i]) else "")
            elif n in dupes:
                status.append(w["status_duplicate"])
            elif status_pair:
                a, match = status_pair
                said = ("status_matched" if pairs[a][i] is not None else
                        "status_repeated_there" if match[i] is not None else "status_unmatched")
                status.append(w[said].format(tp=tp_name(w, a)))
            else:
                status.append("")
        columns[(lay.sheet, lay.status_col)] = _column(status)
    for scale in baseline_scales(toolkit, course):
        lay2 = layouts["t2"]
        match, chg12 = info["t2"][4][("t1", scale.id)]
        _, chg01 = info["t1"][4][("t0", scale.id)]
        contrast = []
        for i, m in enumerate(match):
            if chg12[i] is not None and chg01[m] is not None:
                contrast.append(chg12[i] - chg01[m])
            else:
                contrast.append(None)
        columns[(lay2.sheet, lay2.helpers[f"contrast:{scale.id}"])] = _column(contrast)
    matched_sheet = _matched(toolkit, course, layouts, info, w["status_duplicate"])
    named = course_results(toolkit, course, rows)
    for tp in layouts:
        norms, dupes = info[tp][:2]
        named[f"{tp}_entered"] = sum(1 for r in rows.get(tp, []) if _typed(r))
        named[f"{tp}_no_code"] = sum(1 for n, r in zip(norms, rows.get(tp, [])) if not n and _typed(r))
        named[f"{tp}_duplicates"] = sum(1 for n in norms if n and n in dupes)
        pair = next(((a, b) for a, b in course.pairs if b == tp), None)
        if pair:
            matched = sum(1 for m in info[tp][5][pair[0]] if m is not None)
            named[f"{tp}_matched"] = matched
            named[f"{tp}_unmatched"] = sum(1 for n in norms if n) - named[f"{tp}_duplicates"] - matched
    return {"columns": columns, "matched": matched_sheet, "named": {k: ("" if v is None else v) for k, v in named.items()},
            "changes": paired_changes(toolkit, course, rows)}


def _matched(toolkit: Toolkit, course: Course, layouts: dict[str, EntryLayout], info: dict, repeated: str) -> dict:
    """The Matched sheet's values by meaning — ("code",), ("repeated",), ("row", tp),
    ("score", scale, tp), ("change", scale, a, b) — each a column by row (first row 0)."""
    first = course.tp_ids[0]
    norms, dupes, scores, _first_index = info[first][:4]
    out: dict[tuple, dict[int, object]] = {("code",): _rows(n or None for n in norms),
                                           ("repeated",): _rows(repeated if n and n in dupes else None for n in norms)}
    position: dict[str, list] = {}
    for tp in course.tp_ids[1:]:
        at = info[tp][3]
        position[tp] = [at.get(n) if n else None for n in norms]
        out[("row", tp)] = _rows(None if p is None else p + 1 + FIRST_ROW for p in position[tp])
    for scale in toolkit.course_scales(course):
        if not scale.scored or len(toolkit.time_points_of(course, scale)) < 2:
            continue
        shown = {}
        for tp in course.tp_ids:
            if scale.id not in layouts[tp].score_cols:
                continue
            if tp == first:
                shown[tp] = list(scores[scale.id])
            else:
                tp_norms, tp_dupes, tp_scores = info[tp][:3]
                shown[tp] = [None if p is None or tp_norms[p] in tp_dupes else tp_scores[scale.id][p] for p in position[tp]]
            out[("score", scale.id, tp)] = _rows(shown[tp])
        for a, b in course.pairs:
            if a in shown and b in shown:
                out[("change", scale.id, a, b)] = _rows(
                    y - x if x is not None and y is not None and not (n and n in dupes) else None
                    for n, x, y in zip(norms, shown[a], shown[b]))
    return out


def _rows(values) -> dict[int, object]:
    return {i: ("" if v is None else v) for i, v in enumerate(values)}


def _typed(row: dict) -> bool:
    return any(v is not None and v != "" for v in row.values())


def _column(values: list) -> dict[int, object]:
    """A formula column's cached results by row; None (no result) is stored as blank."""
    return {FIRST_ROW + i: ("" if v is None else v) for i, v in enumerate(values)}
