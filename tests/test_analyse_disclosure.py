"""No hidden number of `csl analyse` can be worked out from what its outputs publish.

Returned workbooks with realistic small groups are analysed; then everything the outputs
publish (results.xlsx, report.html with its charts, benchmarks.yaml, quality.csv) is read
back as an outsider would, the linear equations that link the tables are set up (all courses
= the sum over course types = over partnership-years = over agencies; each course type and
partnership-year = its courses; rows used = the questionnaires at every time point; and so on),
and every hidden cell is solved for — by rank (is its unit vector in the row space of the
equations over the unknowns?) and by linear programming (with every hidden count at least 1,
as a 0 is shown) — and must not be found. Counts and sums of scores (n × mean) are linked the
same way, so both are tried.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import random
import re
from collections import defaultdict
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pytest
import yaml
from scipy.optimize import linprog

from connect_share_learn.analyse import tables
from connect_share_learn.analyse.report import wording
from connect_share_learn.analyse.run import analyse, write_outputs
from connect_share_learn.spec.model import TIME_POINT_NAMES, text
from connect_share_learn.testing import contract_workbook, simulate

HIDDEN = tables.SUPPRESSED
ALL = ("all", "All courses")
TIME_POINTS = ("t0", "t1", "t2", "t3")

# file, course type, partnership, start date, participants, attended (None: not typed), seed
REALISTIC = [
    ("north_f1.xlsx", "foundation", "Northshire", dt.date(2025, 9, 15), 20, 22, 1),
    ("north_f2.xlsx", "foundation", "Northshire", dt.date(2026, 1, 20), 16, None, 2),
    ("south_f1.xlsx", "foundation", "Southshire", dt.date(2025, 10, 1), 12, 14, 3),
    ("east_f1.xlsx", "foundation", "Eastshire", dt.date(2024, 11, 5), 3, 2, 4),  # a partnership-year of 3
    ("north_da.xlsx", "domestic_abuse", "Northshire", dt.date(2025, 6, 1), 18, 20, 5),
    ("south_da.xlsx", "domestic_abuse", "Southshire", dt.date(2025, 11, 1), 14, 15, 6),
    ("west_pmh.xlsx", "parental_mental_health", "Westshire", dt.date(2025, 7, 1), 4, 5, 7),  # a course type of 4
]


def _many(seed: int) -> list[tuple]:
    """Twelve courses of every size, of three course types, in four partnerships and two years."""
    rng = random.Random(seed)
    types = ["foundation", "domestic_abuse", "harmful_sexual_behaviour"]
    out = []
    for i in range(12):
        start = dt.date(2024, 5, 1) + dt.timedelta(days=rng.randint(0, 700))
        out.append((f"c{i:02d}.xlsx", types[i % 3], ["North", "South", "East", "West"][rng.randint(0, 3)], start,
                    rng.choice([2, 3, 4, 6, 9, 15, 21]), rng.choice([None, 25]), 100 + seed * 20 + i))
    return out


def make_returns(folder, toolkit, courses, seed: int) -> None:
    """The workbooks of ``courses``: agencies mostly the common five, one person from probation,
    two GPs, and a code typed twice and one left blank at the end (never at the start, the
    baseline of the drop-out check)."""
    rng = random.Random(seed)
    for i, (name, cid, partnership, start, n, attended, s) in enumerate(courses):
        course = toolkit.courses[cid]
        rows = simulate(toolkit, course, n, s)
        first = course.tp_ids[0]
        for r in rows[first]:
            r["agency"] = rng.choice([1, 2, 4, 5, 6])
        if i == 0:
            rows[first][0]["agency"] = 8
            rows[first][1]["agency"] = rows[first][2]["agency"] = 3
            rows["t2"].append(dict(rows["t2"][3]))
            rows["t2"].append({**rows["t2"][4], "code": None})
        contract_workbook(folder / name, toolkit, course, rows,
                          details={"partnership": partnership, "start_date": start, "end_date": start,
                                   "attended": attended, "title": f"{cid} course {i}"})


@pytest.fixture(scope="module", params=["realistic", "many_small"])
def published(request, tmp_path_factory, toolkit):
    folder = tmp_path_factory.mktemp("returns")
    if request.param == "realistic":
        make_returns(folder, toolkit, REALISTIC, seed=42)
    else:
        make_returns(folder, toolkit, _many(3), seed=3)
    analysis = analyse(toolkit, [folder], workers=1)
    out = tmp_path_factory.mktemp("out")
    write_outputs(analysis, out)
    return analysis, Outputs(out, toolkit)


# ---------------------------------------------------------------------------------------------
# Reading every output as an outsider would


class Outputs:
    """Everything the outputs publish, keyed by (family, group kind, group label)."""

    def __init__(self, out, toolkit):
        self.toolkit = toolkit
        self.systems = {}
        words = self.words = wording()
        lang = toolkit.settings.language
        self.scale_of = {text(s.title, lang): sid for sid, s in toolkit.scales.items()}
        self.type_of = {text(c.title, lang): cid for cid, c in toolkit.courses.items()}
        self.tp_of = {name: tp for tp, name in TIME_POINT_NAMES.items()}
        self.pair_of = {name: pair for pair, name in words["pairs"].items()}
        self.kind_of = {label: kind for kind, label in words["group_kinds"].items()}
        self.column_of = {label: col for col, label in words["columns"].items()}
        self.xlsx = self._read_xlsx(out / "results.xlsx")
        self.html = Report()
        self.html.feed((out / "report.html").read_text("utf-8"))
        self.benchmarks = yaml.safe_load((out / "benchmarks.yaml").read_text("utf-8"))
        self.quality = list(csv.DictReader(io.StringIO((out / "quality.csv").read_text("utf-8-sig"))))

    def _sheet(self, wb, key) -> list[dict]:
        rows = list(wb[self.words["sheets"][key]].iter_rows(values_only=True))
        head = [self.column_of.get(h, h) for h in rows[0]]
        return [dict(zip(head, r)) for r in rows[1:]]

    def _read_xlsx(self, path) -> dict:
        wb = openpyxl.load_workbook(path, read_only=True)
        found = {key: self._sheet(wb, key) for key in
                 ("time_points", "changes", "contrasts", "responses", "matched", "baseline", "courses")}
        found["notes"] = {r[0]: r[1] for r in wb[self.words["sheets"]["notes"]].iter_rows(values_only=True)}
        found["chart_data"] = [r for r in wb[self.words["sheets"]["chart_data"]].iter_rows(values_only=True)]
        wb.close()
        return found

    def group(self, row) -> tuple[str, str]:
        return self.kind_of[row["group_kind"]], row["group"]

    # -- the cells of results.xlsx: (family, kind, label) → {statistic: value}

    @functools.cached_property
    def cells(self) -> dict[tuple, dict]:
        x, out = self.xlsx, {}
        for r in x["time_points"]:
            out[(("tp", self.scale_of[r["scale"]], self.tp_of[r["time_point"]]), *self.group(r))] = r
        for r in x["changes"]:
            out[(("change", self.scale_of[r["scale"]], self.pair_of[r["pair"]]), *self.group(r))] = dict(r, n=r["n_pairs"])
        for r in x["contrasts"]:
            out[(("contrast", self.scale_of[r["scale"]]), *self.group(r))] = r
        for r in x["responses"]:
            tp = self.tp_of[r["time_point"]]
            out[(("responses", tp), *self.group(r))] = dict(r, n=r["responses"])
            rate = r["response_rate"]
            if r["attended"] is not None:  # blank when nobody's attendance is known: none of them counted
                n = HIDDEN if rate == HIDDEN else round(rate * r["attended"] / 100)
                out[(("responded_of_attended", tp), *self.group(r))] = dict(n=n)
        for r in x["matched"]:
            out[(("matched", self.pair_of[r["pair"]]), *self.group(r))] = dict(n=r["matched"])
        for r in x["baseline"]:
            kind = "all" if r["group"] == ALL[1] else "course_type"
            family = (self.scale_of[r["scale"]], self.tp_of[r["baseline"]], self.tp_of[r["later"]])
            out[(("baseline_matched", *family), kind, r["group"])] = dict(n=r["n_matched"], mean=r["mean_matched"])
            out[(("baseline_unmatched", *family), kind, r["group"])] = dict(n=r["n_unmatched"], mean=r["mean_unmatched"])
        for label, n in self.agency_chart_xlsx():
            out[(("first",), "agency", label)] = dict(n=n)
        out[(("rows",), *ALL)] = dict(n=x["notes"]["Rows used"])
        return out

    def agency_chart_xlsx(self) -> list[tuple[str, object]]:
        rows = self.xlsx["chart_data"]
        start = next(i for i, r in enumerate(rows) if r[0] == self.words["charts"]["attendance"])
        found = []
        for r in rows[start + 1:]:
            if r[0] is None:
                break
            found.append((r[0], r[1] if r[1] is not None else r[2]))
        return found

    def courses(self) -> list[dict]:
        return self.xlsx["courses"]


class Report(HTMLParser):
    """report.html's tables (caption, head, rows of cell texts), headlines and chart texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.headlines, self.charts = [], [], []
        self._text = self._where = self._row = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(dict(caption="", head=[], rows=[]))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("caption", "th", "td", "title", "desc") or (tag == "p" and ("class", "headline") in attrs):
            self._text, self._where = [], tag

    def handle_endtag(self, tag):
        if tag == self._where and self._text is not None:
            content = " ".join("".join(self._text).split())
            self._text = None
            if tag == "caption":
                self.tables[-1]["caption"] = content
            elif tag in ("th", "td"):
                self._row.append(content)
            elif tag == "p":
                self.headlines.append(content)
            elif tag == "title":
                self.charts.append([content, ""])
            elif tag == "desc":
                self.charts[-1][1] = content
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr":
            table = self.tables[-1]
            if self._in_head:
                table["head"] = self._row
            else:
                table["rows"].append(self._row)

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _number(text: str):
    """A number as the report prints it, or the text itself (hidden, blank)."""
    if text.startswith("< 0."):
        return 0.0
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


# ---------------------------------------------------------------------------------------------
# The outsider's equations


def structure(out: Outputs, cells: dict) -> tuple[list[tuple[list, list]], set]:
    """Every equation Σ wholes = Σ parts an outsider can write from the published tables and the
    course definitions, over (family, kind, label) keys; and the cells no output shows at all."""
    courses = out.courses()
    type_label = {c["course"]: c["course_type"] for c in courses}
    py_label = {c["course"]: f"{c['partnership']}, {c['year']}" for c in courses}
    by_family = defaultdict(lambda: defaultdict(list))
    for family, kind, label in cells:
        by_family[family][kind].append((family, kind, label))
    equations = []
    for family, kinds in by_family.items():
        whole = (family, *ALL)
        for kind in ("course_type", "partnership_year", "agency"):
            if kinds.get(kind) and kinds.get("all"):  # the agency chart has no total: see below
                equations.append(([whole], kinds[kind]))
        for kind, parent in (("course_type", type_label), ("partnership_year", py_label)):
            for key in kinds.get(kind, []) if kinds.get("course") else []:
                equations.append(([key], [c for c in kinds.get("course", []) if parent[c[2]] == key[2]]))
    equations.append(([(("rows",), *ALL)], [(("responses", tp), *ALL) for tp in TIME_POINTS]))
    for c in courses:
        if c["attended"] is not None:
            for tp in TIME_POINTS:
                equations.append(([(("responded_of_attended", tp), "course", c["course"])],
                                  [(("responses", tp), "course", c["course"])]))
    for family, kind, label in cells:
        if family[0] == "baseline_matched" and kind == "course_type":
            sid, base, later = family[1:]
            equations.append(([(("tp", sid, base), kind, label)],
                              [(("baseline_matched", sid, base, later), kind, label),
                               (("baseline_unmatched", sid, base, later), kind, label)]))
    # The agency chart counts each course's first time point: linked to the course types through
    # the questionnaires by agency and course type, which no output shows.
    agencies = [k[2] for k in by_family[("first",)]["agency"]]
    types = sorted(set(type_label.values()))
    latent = set()
    for a in agencies:
        for t in types:
            for tp in out.toolkit.courses[out.type_of[t]].tp_ids:
                latent.add((("agency_by_type", tp, t), "agency", a))
    for tp in TIME_POINTS:
        for a in agencies:
            equations.append(([(("responses", tp), "agency", a)],
                              [k for k in latent if k[0][1] == tp and k[2] == a]))
        for t in types:
            equations.append(([(("responses", tp), "course_type", t)],
                              [k for k in latent if k[0][1] == tp and k[0][2] == t]))
    for a in agencies:
        equations.append(([(("first",), "agency", a)],
                          [k for k in latent if k[2] == a and k[0][1] == out.toolkit.courses[out.type_of[k[0][2]]].tp_ids[0]]))
    return equations, latent


SUMS = ("tp", "change", "contrast", "baseline_matched", "baseline_unmatched")


def system(out: Outputs, quantity: str):
    """(A, b, unknown keys, hidden keys) of the equations over the ``quantity`` ('n', or 'sum': n × mean)."""
    if quantity not in out.systems:
        out.systems[quantity] = _system(out, quantity)
    return out.systems[quantity]


def _system(out: Outputs, quantity: str):
    cells = out.cells
    equations, latent = structure(out, cells)
    known, hidden = {}, set()
    for key, row in cells.items():
        n, mean = row["n"], row.get("mean", row.get("mean_change"))
        if quantity == "sum" and key[0][0] not in SUMS:
            continue
        if n == HIDDEN or (quantity == "sum" and mean == HIDDEN):
            hidden.add(key)
        elif quantity == "n":
            known[key] = n
        else:
            known[key] = 0.0 if not n else n * mean
    if quantity == "sum":
        equations = [e for e in equations if all(k[0][0] in SUMS for k in e[0] + e[1])]
        latent = set()
    unknowns = sorted(hidden | latent, key=repr)
    index = {k: i for i, k in enumerate(unknowns)}
    rows, b = [], []
    for wholes, parts in equations:
        row, const = np.zeros(len(unknowns)), 0.0
        for sign, keys in ((1, wholes), (-1, parts)):
            for k in keys:
                if k in index:
                    row[index[k]] += sign
                else:
                    const -= sign * known.get(k, 0)
        if row.any():
            rows.append(row)
            b.append(const)
    return np.array(rows).reshape(-1, len(unknowns)), np.array(b), unknowns, hidden


def true_values(analysis, out: Outputs, keys, quantity: str) -> dict:
    """What each of ``keys`` really is, from the analysis itself (to check the equations hold)."""
    by_label = {(g.kind, g.label): g for g in analysis.results}
    lang = out.toolkit.settings.language
    counted = defaultdict(int)  # the agency chart, and the questionnaires by agency and course type
    for g in analysis.groups:
        if g.kind == "agency":
            for m in g.members:
                course = out.toolkit.courses[analysis.data.books[m.book].course]
                counted[(("agency_by_type", m.response.tp, text(course.title, lang)), "agency", g.label)] += 1
                if m.response.tp == course.tp_ids[0]:
                    counted[(("first",), "agency", g.label)] += 1
    baseline = {(x.group, x.scale, x.baseline, x.later): x for x in analysis.baseline}
    found = {}
    for key in keys:
        family, kind, label = key
        g = by_label.get((kind, label))
        f, mean = family[0], None
        if f in ("agency_by_type", "first"):
            n = counted[key]
        elif f == "tp":
            s = next(s for s in g.time_points if (s.scale, s.tp) == family[1:])
            n, mean = s.stats.n, s.stats.mean
        elif f == "change":
            c = g.changes[(family[1], *family[2].split("_"))]
            n, mean = c.n_pairs, c.mean_change
        elif f == "contrast":
            n, mean = g.contrasts[family[1]].n, g.contrasts[family[1]].mean
        elif f in ("baseline_matched", "baseline_unmatched"):
            x = baseline[(label, *family[1:])]
            n, mean = (x.matched if f == "baseline_matched" else x.unmatched)[:2]
        elif f == "responses":
            n = g.responses.get(family[1], 0)
        elif f == "responded_of_attended":
            n = g.responses_of_attended.get(family[1], 0)
        elif f == "matched":
            n = g.matched[tuple(family[1].split("_"))]
        else:
            raise AssertionError(key)
        found[key] = n if quantity == "n" else (n * mean if n else 0.0)
    return found


# ---------------------------------------------------------------------------------------------
# The proof


@pytest.mark.parametrize("quantity", ["n", "sum"])
def test_the_outsiders_equations_hold_for_the_true_values(published, quantity):
    """The equations are right: with every unknown at its true value, each one balances."""
    analysis, out = published
    A, b, unknowns, _ = system(out, quantity)
    truth = true_values(analysis, out, unknowns, quantity)
    x = np.array([truth[k] for k in unknowns], dtype=float)
    assert len(b) > 20
    assert np.allclose(A @ x, b, atol=1e-6), "an equation of the test does not hold: the test's model is wrong"


@pytest.mark.parametrize("quantity", ["n", "sum"])
def test_no_hidden_cell_can_be_worked_out_from_the_equations(published, quantity):
    """A hidden cell is derivable when its unit vector is in the row space of the equations over
    the unknowns (the hidden cells and the cells no output shows)."""
    analysis, out = published
    A, b, unknowns, hidden = system(out, quantity)
    small = {k for k, v in true_values(analysis, out, hidden, "n").items() if 0 < v < tables.MIN_CELL}
    assert small, "the data should have groups of 1 to 4 people"
    # The unit vector of unknown i lies in the row space exactly when its projection there is whole.
    _, singular, vt = np.linalg.svd(A, full_matrices=False)
    basis = vt[singular > 1e-9 * max(singular.max(), 1)]
    in_row_space = (basis ** 2).sum(axis=0) > 1 - 1e-6
    derivable = [key for key, found in zip(unknowns, in_row_space) if found and key in hidden]
    assert not derivable, f"{len(derivable)} hidden cell(s) can be worked out, e.g. {derivable[:3]}"


def test_no_hidden_count_is_pinned_down_by_its_bounds(published):
    """Knowing that a hidden count is at least 1 (a 0 is shown) must not pin any down either."""
    analysis, out = published
    A, b, unknowns, hidden = system(out, "n")
    truth = true_values(analysis, out, hidden, "n")
    pinned = []
    for i, key in enumerate(unknowns):
        if key not in hidden or not 0 < truth[key] < tables.MIN_CELL:
            continue
        rows, columns = _linked(A, i)
        sub = A[np.ix_(rows, columns)]
        bounds = [(1, None) if unknowns[j] in hidden else (0, None) for j in columns]
        c = np.zeros(len(columns))
        c[columns.index(i)] = 1
        low = linprog(c, A_eq=sub, b_eq=b[rows], bounds=bounds, method="highs")
        high = linprog(-c, A_eq=sub, b_eq=b[rows], bounds=bounds, method="highs")
        assert low.status == 0 and high.status in (0, 3)  # 3: no upper bound at all
        if high.status == 0 and -high.fun - low.fun < 0.5:
            pinned.append((key, truth[key]))
    assert not pinned, f"{len(pinned)} hidden count(s) are pinned down, e.g. {pinned[:3]}"


def _linked(A, i: int) -> tuple[list[int], list[int]]:
    """The equations and unknowns linked to unknown ``i`` (the rest cannot bound it)."""
    columns, rows, todo = {i}, set(), [i]
    while todo:
        j = todo.pop()
        for r in np.flatnonzero(A[:, j]):
            if r not in rows:
                rows.add(r)
                for k in np.flatnonzero(A[r]):
                    if k not in columns:
                        columns.add(k)
                        todo.append(k)
    return sorted(rows), sorted(columns)


def test_every_output_shows_what_results_xlsx_shows_and_hides_what_it_hides(published):
    _, out = published
    cells = out.cells
    checked = 0

    def same(key, column, shown_text, places=2):
        nonlocal checked
        row = cells.get(key)
        assert row is not None, key
        want = row[column]
        got = _number(shown_text)
        if want == HIDDEN or got == HIDDEN:
            assert want == got, (key, column, want, shown_text)
        elif want is None:
            assert shown_text == "", (key, column, shown_text)
        elif column == "p" and shown_text.startswith("<"):
            assert want < 0.001
        else:
            assert isinstance(got, float) and abs(got - want) <= 0.51 * 10 ** -places, (key, column, want, shown_text)
        checked += 1

    # The report's tables of results.
    families = {"Scores at each time point": ("tp", "scale", "time_point"), "Change between time points": ("change", "scale", "pair"),
                "Double-baseline contrast": ("contrast", "scale")}
    for table in out.html.tables:
        caption = table["caption"]
        head = [out.column_of.get(h, h) for h in table["head"]]
        prefix, _, kind_label = caption.partition(": ")
        for cells_text in table["rows"]:
            row = dict(zip(head, cells_text))
            if prefix in families:
                name, *parts = families[prefix]
                family = (name, out.scale_of[row["scale"]],
                          *[out.tp_of[row[p]] if p == "time_point" else out.pair_of[row[p]] for p in parts[1:]])
                key = (family, out.kind_of[kind_label], row["group"])
                for column, value in row.items():
                    if column not in ("group", "scale", "time_point", "pair"):
                        same(key, column, value, 0 if column == "pct_improved" else (3 if column == "p" else 2))
            elif caption == "Questionnaires returned":
                key = (("responses", out.tp_of[row["time_point"]]), "all" if row["group"] == ALL[1] else "course_type", row["group"])
                same(key, "responses", row["responses"])
                same(key, "response_rate", row["response_rate"], 0)
            elif caption == "People matched by their code":
                key = (("matched", out.pair_of[row["pair"]]), "all" if row["group"] == ALL[1] else "course_type", row["group"])
                same(key, "n", row["matched"])
            elif caption.startswith("Scores at the start of the course, all courses"):
                family = (out.scale_of[row["scale"]], "t1", out.tp_of[row["later"]])
                same((("baseline_matched", *family), *ALL), "n", row["n_matched"])
                same((("baseline_matched", *family), *ALL), "mean", row["mean_matched"])
                same((("baseline_unmatched", *family), *ALL), "n", row["n_unmatched"])
                same((("baseline_unmatched", *family), *ALL), "mean", row["mean_unmatched"])
            elif caption == "Courses read":
                for part in cells_text[4].split("; "):
                    tp_name, _, n = part.rpartition(": ")
                    same((("responses", out.tp_of[tp_name]), "course", cells_text[1]), "n", n)
    # The headlines: a hidden result gives no number at all.
    for line in out.html.headlines:
        group, _, rest = line.partition(" – ")
        scale_title, _, sentence = rest.partition(": ")
        row = cells[(("change", out.scale_of[scale_title], "t1_t2"), "course_type", group)]
        if row["n"] == HIDDEN:
            assert not re.search(r"\d", sentence), line
        elif row["n"]:
            assert f"{row['n']} " in sentence, line
        checked += 1
    # The charts' texts, and the chart data of results.xlsx.
    means = out.words["charts"]["means"]
    for title, desc in out.html.charts:
        if title.endswith(means):
            scale = out.scale_of[title[: -len(means) - 2]]
            for series in desc.split("; "):
                label, _, points = series.partition(": ")
                for point in points.split(", "):
                    tp_name, _, value = point.rpartition(" ")
                    same((("tp", scale, out.tp_of[tp_name]), "course_type", label), "mean", value)
        elif title == out.words["charts"]["effect_sizes"]:
            for bar in desc.split("; "):
                m = re.match(r"(.*?): (.*): d (\S+)", bar)
                same((("change", out.scale_of[m[2]], "t1_t2"), "course_type", m[1]), "d", m[3])
        elif title == out.words["charts"]["attendance"]:
            xlsx = dict(out.agency_chart_xlsx())
            for bar in desc.split("; "):
                label, _, value = bar.rpartition(": ")
                assert _number(value) == xlsx[label] or (value == HIDDEN == xlsx[label]), (label, value, xlsx[label])
                checked += 1
    # results.xlsx's own list of courses and its chart data.
    for c in out.courses():
        for tp in TIME_POINTS:
            if c[f"responses_{tp}"] is not None:
                assert c[f"responses_{tp}"] == cells[(("responses", tp), "course", c["course"])]["n"], (c, tp)
                checked += 1
    scale = None
    for r in out.xlsx["chart_data"]:
        if r[0] in out.scale_of and r[1] is None:
            scale = out.scale_of[r[0]]
        elif r[0] == out.words["charts"]["effect_sizes"]:
            break
        elif scale and r[0] in out.tp_of:
            row = cells[(("tp", scale, out.tp_of[r[0]]), *ALL)]
            assert (r[1], r[4]) == ((None, HIDDEN) if row["n"] == HIDDEN else (row["mean"], row["n"] or "0")), (r, row)
            checked += 1
    # benchmarks.yaml holds only course-type changes that results.xlsx shows.
    for entry in out.benchmarks.get("benchmarks", []):
        title = text(out.toolkit.courses[entry["course"]].title, out.toolkit.settings.language)
        row = cells[(("change", entry["scale"], entry["pair"]), "course_type", title)]
        assert row["n"] == entry["n"] and abs(row[entry["statistic"]] - entry["value"]) < 1e-3, entry
        checked += 1
    # quality.csv does not count the questionnaires of a course whose count is hidden.
    for r in out.quality:
        if r["rule"] == "response_rate_over_100":
            course = next(c for c in out.courses() if c["file"] == r["file"])
            numbers = set(map(int, re.findall(r"(?<!t)\d+", r["problem"].partition("(")[2].rpartition(")")[0])))
            assert numbers <= {course["attended"]}, r["problem"]
            checked += 1
    assert checked > 100


def test_a_hidden_row_hides_every_statistic_in_it(published):
    _, out = published
    for key, row in out.cells.items():
        if row.get("n") == HIDDEN:
            shown = {k: v for k, v in row.items() if k not in ("group_kind", "group", "scale", "time_point", "pair",
                                                                   "courses", "attended", "responses")
                     and v not in (HIDDEN, None)}
            assert not shown, (key, shown)
