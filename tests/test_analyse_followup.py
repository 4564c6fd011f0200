"""Follow-up and quality rules: near-matches, drop-out bias, item–total, straight-lining, response rates."""

from __future__ import annotations

import math
import random

import pytest
from scipy import stats as sps

from connect_share_learn import stats
from connect_share_learn.analyse.matching import one_edit_apart
from connect_share_learn.analyse.run import analyse
from connect_share_learn.analyse.tables import response_rows
from connect_share_learn.testing import contract_workbook, simulate


def answered(toolkit, course, tp, code, value_of, **profile):
    """A row at ``tp`` with every item answered: value_of(scale, fmt, item) gives the answer."""
    row = {"code": code, **profile}
    for scale in toolkit.scales_at(course, tp):
        fmt = toolkit.format_of(scale)
        for item in scale.items:
            if scale.scored:
                row[item.id] = value_of(scale, fmt, item)
    return row


def middling(scale, fmt, item):
    if scale.knowledge:
        return item.key
    return fmt.points[len(fmt.points) // 2 - (1 if item.id.endswith("2") else 0)]


@pytest.mark.parametrize("a, b, expected", [
    ("AB01C", "AB01D", True), ("AB01C", "AB1C", True), ("AB01C", "XAB01C", True),
    ("AB01C", "AB01C", False), ("AB01C", "BA01C", False), ("AB01C", "AB02D", False),
])
def test_one_edit_apart(a, b, expected):
    assert one_edit_apart(a, b) is expected


def test_near_matches_are_listed_by_row_never_merged_and_never_by_code(tmp_path, toolkit):
    course = toolkit.courses["domestic_abuse"]
    rows = {
        "t0": [answered(toolkit, course, "t0", c, middling, agency=a) for c, a in
               [("AB01C", 3), ("EF03G", 1), ("JK05L", 5), ("MN07P", 7), ("MN07Q", 2)]],
        "t1": [answered(toolkit, course, "t1", c, middling) for c in ["AB01C", "EF03H", "JK05L", "MN07P"]],
        "t2": [answered(toolkit, course, "t2", c, middling) for c in ["AB01D", "MN07Q", "JK05L"]],
    }
    contract_workbook(tmp_path / "da.xlsx", toolkit, course, rows)
    analysis = analyse(toolkit, [tmp_path], workers=1)
    near = sorted((p.sheet, p.row, p.detail) for p in analysis.problems if p.rule == "near_match")
    assert near == [("End (t2)", 6, "Start (t1) row 6"), ("Start (t1)", 7, "Registration (t0) row 7")]
    # Not merged: the t1→t2 change has only the one true pair (JK05L).
    change = next(g for g in analysis.results if g.kind == "all").changes[("self_efficacy", "t1", "t2")]
    assert change.n_pairs == 1


def test_matched_and_unmatched_baselines_equal_stats_py(tmp_path, toolkit):
    course = toolkit.courses["foundation"]
    rows = simulate(toolkit, course, 40, seed=21, follow_up=0.5)
    rows["t1"].append(dict(rows["t1"][0]))  # a duplicate: neither matched nor unmatched
    rows["t1"].append({**rows["t1"][1], "code": None})  # no code: cannot be matched
    contract_workbook(tmp_path / "f.xlsx", toolkit, course, rows)
    analysis = analyse(toolkit, [tmp_path], workers=1)
    found = {(x.scale, x.later): x for x in analysis.baseline if x.group == "All courses"}
    dupes = stats.duplicate_codes(r["code"] for r in rows["t1"])
    for later in ("t2", "t3"):
        later_codes = stats.unique_scores([r["code"] for r in rows[later]], [1.0] * len(rows[later]))
        for scale in toolkit.scales_at(course, "t1"):
            fmt = toolkit.format_of(scale)
            matched, unmatched = [], []
            for r in rows["t1"]:
                code = stats.normalise_code(r.get("code"))
                s = stats.score(scale, fmt, [r.get(i.id) for i in scale.items])
                if s is None or code in dupes:
                    continue
                (matched if code in later_codes else unmatched).append(s)
            got = found[(scale.id, later)]
            assert got.matched == stats.mean_sd(matched) and got.unmatched == stats.mean_sd(unmatched)
            assert got.unmatched[0] >= 1  # the row without a code is unmatched


def test_a_miskeyed_item_is_flagged_by_its_negative_item_total_correlation(tmp_path, toolkit):
    course = toolkit.courses["foundation"]
    rng = random.Random(5)
    attitudes = toolkit.scales["attitudes"]
    fmt = toolkit.format_of(attitudes)
    rows = {"t1": []}
    for k in range(30):
        level = rng.choice([2, 3, 4, 5])

        def value(scale, f, item):
            if scale.id != "attitudes":
                return middling(scale, f, item)
            # Everyone answers att_4 as if it were worded positively: it is mis-keyed.
            return max(1, min(5, level + rng.choice([-1, 0, 0, 1])))

        rows["t1"].append(answered(toolkit, course, "t1", f"P{k:03d}X", value, agency=1))
    contract_workbook(tmp_path / "k.xlsx", toolkit, course, rows)
    analysis = analyse(toolkit, [tmp_path], workers=1)
    flagged = {p.column for p in analysis.problems if p.rule == "negative_item_total"}
    assert "att_4 (attitudes)" in flagged
    # r equals Pearson's r of the recoded item with the sum of the other recoded items.
    values = [[stats.item_value(attitudes, fmt, i, r[item.id]) for i, item in enumerate(attitudes.items)]
              for r in rows["t1"]]
    j = [i.id for i in attitudes.items].index("att_4")
    want = sps.pearsonr([v[j] for v in values], [sum(v) - v[j] for v in values])[0]
    got = next(x for x in analysis.item_totals if x.scale == "attitudes" and x.tp == "t1" and x.item == "att_4")
    assert math.isclose(got.r, want, rel_tol=1e-9) and got.r < 0 and got.n == 30


def test_straight_lining_is_flagged_and_the_row_kept(tmp_path, toolkit):
    course = toolkit.courses["foundation"]
    same = answered(toolkit, course, "t1", "SL01A", lambda s, f, i: i.key if s.knowledge else f.points[-1], agency=2)
    varied = answered(toolkit, course, "t1", "OK01A", middling, agency=2)
    contract_workbook(tmp_path / "s.xlsx", toolkit, course, {"t1": [varied, same]})
    analysis = analyse(toolkit, [tmp_path], workers=1)
    flags = sorted((p.rule, p.row, p.column) for p in analysis.problems if p.rule.startswith("straight"))
    assert flags == [("straight_lining", 7, "self_efficacy"), ("straight_lining_reversed", 7, "attitudes")]
    assert analysis.accounting.rows_used == 2


def test_response_rates_count_only_courses_that_ask_the_time_point(tmp_path, toolkit):
    f = toolkit.courses["foundation"]
    d = toolkit.courses["domestic_abuse"]
    contract_workbook(tmp_path / "f.xlsx", toolkit, f, simulate(toolkit, f, 10, seed=1, end=1.0, follow_up=0.5),
                      details={"attended": 20})
    contract_workbook(tmp_path / "d.xlsx", toolkit, d, simulate(toolkit, d, 12, seed=2, end=1.0, follow_up=0.5),
                      details={"attended": 15})
    analysis = analyse(toolkit, [tmp_path], workers=1)
    rows = {r["time_point"]: r for r in response_rows(analysis.results, analysis.published) if r["group_kind"] == "all"}
    assert rows["t0"]["attended"] == 15 and math.isclose(rows["t0"]["response_rate"], 100 * 12 / 15)
    assert rows["t1"]["attended"] == 35 and math.isclose(rows["t1"]["response_rate"], 100 * 22 / 35)


def test_matched_means_a_code_typed_once_at_each_time_point_as_in_the_workbook(tmp_path, toolkit):
    """'Matched' (the Matching table, the drop-out check) counts what the workbook's Matched
    count does: the participants whose code is typed on exactly one row at each of the two time
    points, whatever else the rows hold. A code typed twice at either is not matched; a row with
    the code and nothing that can be scored (left out of every score) still matches, though it
    gives no pair to any change; codes match after trimming and upper-casing."""
    course = toolkit.courses["foundation"]
    t1 = [answered(toolkit, course, "t1", code, middling, agency=1) for code in ("AA01A", "BB02B", "CC03C", "DD04D")]
    t2 = [answered(toolkit, course, "t2", code, middling) for code in ("AA01A", "BB02B", "BB02B", " dd04d ")]
    t2.append({"code": "CC03C"})  # the code alone: a row left out of the scores
    contract_workbook(tmp_path / "w.xlsx", toolkit, course, {"t1": t1, "t2": t2, "t3": []})
    analysis = analyse(toolkit, [tmp_path], workers=1)
    for kind in ("course", "all"):
        result = next(g for g in analysis.results if g.kind == kind)
        assert result.matched[("t1", "t2")] == 3, kind  # AA01A, CC03C and DD04D
        assert result.changes[("self_efficacy", "t1", "t2")].n_pairs == 2, kind
    agency = next(g for g in analysis.results if g.kind == "agency" and g.key == "1")
    assert agency.matched[("t1", "t2")] == 3
    drop_out = next(x for x in analysis.baseline if x.kind == "all" and x.scale == "self_efficacy" and x.later == "t2")
    assert (drop_out.matched[0], drop_out.unmatched[0]) == (3, 1)
