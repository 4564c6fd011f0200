"""Pooled results equal stats.py computed directly on the data the workbooks were filled with."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import pytest

from connect_share_learn import stats
from connect_share_learn.analyse.run import analyse
from connect_share_learn.analyse.tables import SUPPRESSED, change_rows, time_point_rows
from connect_share_learn.testing import contract_workbook, simulate

# (file, course, partnership, start date, participants, seed)
COURSES = [
    ("north_1.xlsx", "foundation", "Northshire", dt.date(2025, 9, 15), 24, 11),
    ("north_2.xlsx", "foundation", "Northshire", dt.date(2026, 2, 2), 18, 12),
    ("south_1.xlsx", "foundation", "Southshire ", dt.date(2025, 3, 3), 9, 13),
    ("north_da.xlsx", "domestic_abuse", "northshire", dt.date(2025, 6, 1), 21, 14),
    ("south_da.xlsx", "domestic_abuse", "Southshire", dt.date(2025, 5, 1), 16, 15),
]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture(scope="module")
def pooled(tmp_path_factory, toolkit):
    folder = tmp_path_factory.mktemp("returns")
    data = []
    for name, cid, partnership, start, n, seed in COURSES:
        course = toolkit.courses[cid]
        rows = simulate(toolkit, course, n, seed)
        if name == "north_1.xlsx":
            rows["t1"].append(dict(rows["t1"][0]))  # a duplicate code
            rows["t2"].append({**rows["t2"][1], "code": None})  # a blank code
            rows["t2"][2]["se_1"] = "lots"  # text in a number column
        contract_workbook(folder / name, toolkit, course, rows, details={"partnership": partnership, "start_date": start})
        data.append((name, course, partnership.strip(), start, rows))
    # Two workers: the pooled groups are worked out in forked processes, as in real runs.
    analysis = analyse(toolkit, [folder], workers=2)
    return analysis, data


def _agency_of(toolkit, data) -> dict:
    """(book index, code) → the participant's agency at the course's first time point; a code
    typed twice there has none."""
    found = {}
    for b, (_, course, _, _, rows) in enumerate(data):
        first = rows[course.tp_ids[0]]
        dupes = stats.duplicate_codes(r["code"] for r in first)
        for r in first:
            code = stats.normalise_code(r["code"])
            if code and code not in dupes:
                found[(b, code)] = r.get(toolkit.profile.agency)
    return found


def _expected_groups(toolkit, data):
    """Group kind → label → list of (book index, tp, row dict, agency)."""
    agency_q = toolkit.profile.agency
    agency_of = _agency_of(toolkit, data)
    groups = defaultdict(lambda: defaultdict(list))
    for b, (name, course, partnership, start, rows) in enumerate(data):
        first = course.tp_ids[0]
        year = f"{start.year if start.month >= 4 else start.year - 1}"
        for tp, tp_rows in rows.items():
            for r in tp_rows:
                code = stats.normalise_code(r.get("code"))
                agency = r.get(agency_q) if tp == first else agency_of.get((b, code))
                groups["all"]["All courses"].append((b, tp, r, agency))
                groups["course_type"][course.id].append((b, tp, r, agency))
                groups["partnership_year"][(partnership.casefold(), year)].append((b, tp, r, agency))
                groups["agency"][agency].append((b, tp, r, agency))
                groups["course"][b].append((b, tp, r, agency))
    return groups


def _result_for(analysis, kind, key, data):
    for g in analysis.results:
        if g.kind != kind:
            continue
        if kind == "course" and analysis.data.books[int(g.key)].file.endswith(data[key][0]):
            return g
        if kind == "course_type" and g.key == key:
            return g
        if kind == "all":
            return g
        if kind == "agency" and g.key == ("" if key is None else str(key)):
            return g
        if kind == "partnership_year" and g.key.split("\x1f")[0] == key[0] and g.key.split("\x1f")[1].startswith(key[1]):
            return g
    raise AssertionError(f"no result for {kind} {key}")


def test_every_row_is_accounted_for(pooled):
    analysis, data = pooled
    acc = analysis.accounting
    typed = sum(len(rs) for _, _, _, _, rows in data for rs in rows.values())
    assert acc.files_read == 5 and acc.files_refused == 0
    assert acc.rows_typed == typed == acc.rows_used + acc.rows_left_out


def _unique_scores(toolkit, data, participants, sid: str, tp: str, double_baseline: bool = False) -> dict:
    """Participant key → score on ``sid`` at ``tp`` over the workbooks of ``data`` (of the
    double-baseline courses only, if asked): stats.unique_scores within each workbook, kept
    for the group's ``participants``."""
    merged = {}
    for b, (_, course, _, _, rows) in enumerate(data):
        if double_baseline and not course.double_baseline:
            continue
        if tp not in rows or sid not in course.tp(tp).scales:
            continue
        scale, fmt = toolkit.scales[sid], toolkit.format_of(toolkit.scales[sid])
        scores = [stats.score(scale, fmt, [r.get(i.id) for i in scale.items]) for r in rows[tp]]
        for code, s in stats.unique_scores([r.get("code") for r in rows[tp]], scores).items():
            if (b, code) in participants:
                merged[f"{b}/{code}"] = s
    return merged


def test_every_pooled_statistic_equals_stats_py_on_the_data(pooled, toolkit):
    analysis, data = pooled
    expected = _expected_groups(toolkit, data)
    agency_of = _agency_of(toolkit, data)
    checked = 0
    for kind, groups in expected.items():
        for key, members in groups.items():
            result = _result_for(analysis, kind, key, data)
            tps = {(s.scale, s.tp): s for s in result.time_points}
            scales = {sid for sid, _ in tps}
            # Per time point: time_point_stats over the raw rows typed.
            for sid in scales:
                scale, fmt = toolkit.scales[sid], toolkit.format_of(toolkit.scales[sid])
                for tp in ("t0", "t1", "t2", "t3"):
                    raw = [[r.get(i.id) for i in scale.items] for b, t, r, _ in members
                           if t == tp and sid in [s.id for s in toolkit.scales_at(data[b][1], tp)]]
                    if not raw:
                        assert (sid, tp) not in tps
                        continue
                    want = stats.time_point_stats(scale, fmt, raw)
                    got = tps[(sid, tp)].stats
                    assert got.n == want.n and close(got.mean, want.mean) and close(got.sd, want.sd), (kind, key, sid, tp)
                    assert close(got.alpha, want.alpha), (kind, key, sid, tp)
                    checked += 1
            # Paired: unique_scores within each workbook (over all its rows), keys kept apart per workbook.
            participants = {(b, stats.normalise_code(r.get("code"))) for b, _, r, _ in members}
            if kind == "agency":  # a participant counts in one agency: theirs at the first time point
                participants = {p for p in participants if agency_of.get(p) == key}
            for (sid, a, bt), got in result.changes.items():
                want = stats.paired_change(*[_unique_scores(toolkit, data, participants, sid, tp) for tp in (a, bt)])
                for field, value in want.as_dict().items():
                    assert close(getattr(got, field), value), (kind, key, sid, a, bt, field)
                checked += 1
            for sid, got in result.contrasts.items():
                want = stats.baseline_contrast(*[_unique_scores(toolkit, data, participants, sid, tp, double_baseline=True)
                                                 for tp in ("t0", "t1", "t2")])
                for field, value in want.as_dict().items():
                    assert close(getattr(got, field), value), (kind, key, sid, field)
                checked += 1
    assert checked > 300


def test_gps_are_a_group_of_their_own_and_listed_first(pooled, toolkit):
    analysis, _ = pooled
    agencies = [g for g in analysis.results if g.kind == "agency"]
    assert agencies[0].key == str(toolkit.profile.gp_code)
    assert agencies[0].label == "General practice (GP)"


def test_small_cells_are_suppressed(pooled):
    analysis, _ = pooled
    rows = time_point_rows(analysis.results, analysis.published)
    small = [r for r in rows if isinstance(r["n"], str)]
    assert small, "the test data should include a group of fewer than 5"
    for r in small:
        assert r["n"] == SUPPRESSED and r["mean"] == SUPPRESSED and r["sd"] == SUPPRESSED
    for r in rows:
        if not isinstance(r["n"], str):
            assert r["n"] == 0 or r["n"] >= 5
    for r in change_rows(analysis.results, analysis.published):
        assert r["n_pairs"] == SUPPRESSED or r["n_pairs"] == 0 or r["n_pairs"] >= 5


def test_mean_intervals_are_the_t_intervals_of_the_means(pooled):
    from scipy import stats as sps

    analysis, _ = pooled
    checked = 0
    for g in analysis.results:
        for s in g.time_points:
            if s.stats.n >= 2 and s.stats.sd:
                low, high = sps.t.interval(0.95, s.stats.n - 1, loc=s.stats.mean, scale=s.stats.sd / math.sqrt(s.stats.n))
                assert close(s.ci_low, low) and close(s.ci_high, high)
                checked += 1
            else:
                assert s.ci_low is None and s.ci_high is None
    assert checked > 50


def test_reading_in_worker_processes_gives_the_same_results(tmp_path, toolkit):
    course = toolkit.courses["foundation"]
    for i in range(9):  # enough files for the process pool
        contract_workbook(tmp_path / f"c{i}.xlsx", toolkit, course, simulate(toolkit, course, 6, seed=200 + i),
                          details={"partnership": f"P{i % 2}"})
    one = analyse(toolkit, [tmp_path], workers=1)
    two = analyse(toolkit, [tmp_path], workers=2)
    assert [(g.kind, g.key) for g in one.results] == [(g.kind, g.key) for g in two.results]
    for a, b in zip(one.results, two.results):
        assert a.time_points == b.time_points and a.changes == b.changes and a.responses == b.responses
    assert one.problems == two.problems


def test_every_pair_counts_in_one_agency_even_when_its_code_is_typed_twice_at_the_start(tmp_path, toolkit):
    """The agencies add up to all courses for paired results too: a participant whose code is
    typed twice at the first time point (with two agencies) counts once, as 'Not known'."""
    course = toolkit.courses["foundation"]
    rows = simulate(toolkit, course, 12, seed=5, end=1.0, follow_up=1.0)
    twice = dict(rows["t1"][0], agency=1 if rows["t1"][0]["agency"] != 1 else 2)
    rows["t1"].append(twice)
    contract_workbook(tmp_path / "w.xlsx", toolkit, course, rows)
    analysis = analyse(toolkit, [tmp_path], workers=1)
    every = next(g for g in analysis.results if g.kind == "all")
    agencies = [g for g in analysis.results if g.kind == "agency"]
    for pair, n in every.matched.items():
        assert sum(g.matched.get(pair, 0) for g in agencies) == n, pair
    for key, change in every.changes.items():
        assert sum(g.changes[key].n_pairs for g in agencies if key in g.changes) == change.n_pairs, key
    assert every.changes[("self_efficacy", "t2", "t3")].n_pairs == 12


def test_each_time_point_says_how_many_courses_it_pools(tmp_path, toolkit):
    """Issue 15: all courses' registration (t0) pools only the course types that ask it, while the
    start pools every course: the Courses column and a note say so in every output."""
    from connect_share_learn.analyse.run import analyse, write_outputs
    from connect_share_learn.workbook.build import write_workbook

    from connect_share_learn.testing import course_rows

    for k, cid in enumerate(("domestic_abuse", "foundation", "foundation")):
        course = toolkit.courses[cid]
        write_workbook(toolkit, course, tmp_path / f"c{k}.xlsx", capacity=40,
                       rows=course_rows(toolkit, course, 12, seed=20 + k, keep=1.0, duplicates=0))
    analysis = analyse(toolkit, [tmp_path], workers=1)
    everyone = next(g for g in analysis.results if g.kind == "all")
    courses = {(s.scale, s.tp): s.courses for s in everyone.time_points}
    assert courses[("self_efficacy", "t0")] == 1 and courses[("self_efficacy", "t1")] == 3
    write_outputs(analysis, tmp_path / "out")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    notes = " ".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value)
    assert "how many courses each row pools" in notes
    assert "how many courses each row pools" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_a_report_lists_the_research_findings_of_the_course_types_analysed_only(tmp_path, toolkit):
    from connect_share_learn.analyse.run import analyse, write_outputs
    from connect_share_learn.workbook.build import write_workbook

    from connect_share_learn.testing import course_rows

    course = toolkit.courses["domestic_abuse"]
    write_workbook(toolkit, course, tmp_path / "one.xlsx", capacity=40,
                   rows=course_rows(toolkit, course, 12, seed=3, keep=1.0, duplicates=0))
    write_outputs(analyse(toolkit, [tmp_path / "one.xlsx"], workers=1), tmp_path / "out")
    report = (tmp_path / "out" / "report.html").read_text("utf-8")
    found = report.split("What the research found")[1]
    titles = {cid: c.title for cid, c in toolkit.courses.items()}
    assert str(titles["domestic_abuse"]) in found
    assert str(titles["parental_mental_health"]) not in found and str(titles["harmful_sexual_behaviour"]) not in found


def test_pooled_columns_give_every_group_the_same_results_bit_for_bit(pooled):
    """The column-wise results (what analyse uses for pooled groups) equal the member-by-member
    ones exactly, not merely closely: the same floats, so the outputs are byte-identical."""
    from connect_share_learn.analyse.pooled_columns import PooledColumns

    analysis, _data = pooled
    columns = PooledColumns(analysis.data)
    for group in analysis.data.groups():
        assert columns.result(group) == analysis.data.result(group), (group.kind, group.key)


@pytest.mark.parametrize("seed", range(6))
def test_the_counted_twins_of_the_statistics_are_the_same_floats(seed):
    """stats' counted twins equal mean_sd, cronbach_alpha, paired_change and baseline_contrast
    exactly, on awkward numbers too (long decimals, huge and tiny values, zeros of both signs)."""
    import random
    from collections import Counter

    rng = random.Random(seed)
    pool = [rng.uniform(-50, 50) for _ in range(7)] + [0.0, -0.0, 1e-300, 1e140, 1 / 3, 2.5]
    xs = [rng.choice(pool[:9] if seed % 2 else pool) for _ in range(rng.randint(0, 400))]
    counted = Counter(x.hex() for x in xs)
    values, counts = [float.fromhex(h) for h in counted], list(counted.values())
    assert stats.mean_sd_counted(values, counts) == stats.mean_sd(xs)

    rows = [[float(rng.randint(1, 5)) + (0.5 if rng.random() < 0.1 else 0) for _ in range(6)] for _ in range(80)]
    item_sds = [stats.mean_sd([r[j] for r in rows])[2] for j in range(6)]
    total_sd = stats.mean_sd([math.fsum(r) for r in rows])[2]
    assert stats.cronbach_alpha_from(len(rows), item_sds, total_sd) == stats.cronbach_alpha(rows)

    before = {f"P{i}": rng.choice(pool[:7]) for i in range(60)}
    after = {f"P{i}": rng.choice(pool[:7]) for i in range(10, 90)}
    both = sorted(set(before) & set(after))
    a, b = [before[k] for k in both], [after[k] for k in both]
    change = [y - x for x, y in zip(a, b)]
    twin = stats.paired_change_from(stats.mean_sd(change), stats.mean_sd(a)[2], stats.mean_sd(b)[2],
                                    sum(1 for x in change if x > 0))
    assert twin == stats.paired_change(before, after)
    t0 = {k: v - 1.25 for k, v in before.items()}
    contrasts = [(after[k] - before[k]) - (before[k] - t0[k]) for k in both]
    assert stats.baseline_contrast_from(stats.mean_sd(contrasts)) == stats.baseline_contrast(t0, before, after)
